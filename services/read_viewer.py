"""The viewer an account is, as the read gateway sees it
(``services.read_gateway``): from the directory's indexed rows only."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING
from uuid import UUID

from domain import permissions as p
from domain.permissions import Viewer
from projections import directory_reads
from projections.directory import ancestor_path

if TYPE_CHECKING:
    from services.app import Kiemdiem


def viewer_for(kiemdiem: Kiemdiem, account_id: UUID) -> Viewer:
    """The viewer an account is: its roles, its branch root (a leadership
    collective works for its committee), its member file and chi bộ, and the
    ancestor paths above them. An unknown or disabled account sees nothing.
    A few indexed queries of the directory, once per request."""
    views = kiemdiem.projections
    account = directory_reads.account_standing(views, account_id)
    if account is None or account["disabled"]:
        return Viewer(frozenset())
    org_id: UUID | None = None
    ended = False
    if account["org_id"]:
        org = directory_reads.organisation_place(views, account["org_id"])
        if org is not None:
            parent = org["parent_id"]
            org_id = p.branch_root(
                UUID(org["org_id"]), org["kind"], UUID(parent) if parent else None
            )
            gone, on = directory_reads.office_end(views, account["org_id"])
            ended = p.office_ended(gone, on, kiemdiem.today())
    member_id = UUID(account["member_id"]) if account["member_id"] else None
    cell_id = None
    if member_id is not None:
        cell_id = directory_reads.member_cell(views, member_id)
    lineage: set[UUID] = set()
    for anchor in (org_id, cell_id):
        if anchor is not None:
            lineage.update(ancestor_path(kiemdiem.projections, anchor))
    return Viewer(
        roles=frozenset(json.loads(account["roles"])),
        org_id=org_id,
        member_id=member_id,
        cell_id=cell_id,
        lineage=frozenset(lineage),
        office_ended=ended,
    )
