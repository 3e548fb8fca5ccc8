"""The viewer in one statement (services/read_viewer.py): the account, its
organisation, its member's chi bộ and the ancestor paths of its branch root and
chi bộ read together give exactly the viewer the account row and the ancestor
union read one after the other gave."""

from __future__ import annotations

import json
from uuid import UUID

from domain import permissions as p
from domain.permissions import Viewer
from projections import directory_reads
from services import commands as c
from services.read_viewer import viewer_for
from tests.conftest import ACCOUNTS


def two_statements(kiemdiem, account_id: UUID) -> Viewer:
    """The viewer as ``viewer_for`` read it before (an account of a lasting
    organisation: the world's are)."""
    views = kiemdiem.projections
    account = directory_reads.viewer_standing(views, account_id)
    if account is None or account["disabled"]:
        return Viewer(frozenset())
    org_id = None
    if account["org_id"] and account["place"] is not None:
        parent = account["parent_id"]
        org_id = p.branch_root(
            UUID(account["place"]), account["kind"], UUID(parent) if parent else None
        )
    member_id = UUID(account["member_id"]) if account["member_id"] else None
    cell_id = None
    if member_id is not None and account["cell_id"]:
        cell_id = UUID(account["cell_id"])
    anchors = [a for a in (org_id, cell_id) if a is not None]
    return Viewer(
        roles=frozenset(json.loads(account["roles"])),
        org_id=org_id,
        member_id=member_id,
        cell_id=cell_id,
        lineage=directory_reads.ancestor_union(views, anchors),
    )


def test_every_account_is_the_same_viewer_in_one_statement(kiemdiem, world):
    admin = kiemdiem.authenticate("admin", ACCOUNTS["admin"][2])
    opened = [
        kiemdiem.handle(
            c.OpenAccount(
                admin.actor, name, name, (role,), "mat-khau-thu-nghiem", org_id=org
            ),
            admin.signer,
        )
        for name, role, org in (
            ("btv-thu-ky", "secretary", world.orgs["collective"]),
            ("chi-bo-thu-ky", "secretary", world.orgs["cell_a"]),
            ("thu-ky-lac", "secretary", None),
        )
    ]
    accounts = [*world.accounts.values(), *opened]
    for account in accounts:
        assert viewer_for(kiemdiem, account) == two_statements(kiemdiem, account)
    collective = viewer_for(kiemdiem, opened[0])
    # the committee's path only, not the collective's own
    assert collective.lineage == frozenset(
        {world.orgs["province"], world.orgs["district"]}
    )
    member = viewer_for(kiemdiem, world.accounts["member"])
    assert world.orgs["cell_a"] in member.lineage


def test_the_viewer_is_one_statement(kiemdiem, world, monkeypatch):
    views = kiemdiem.projections
    made: list[str] = []
    query = views.query

    def counted(name, statement, params=()):
        made.append(statement)
        return query(name, statement, params)

    monkeypatch.setattr(views, "query", counted)
    viewer_for(kiemdiem, world.accounts["member"])
    assert len(made) == 1
