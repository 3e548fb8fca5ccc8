"""The viewer an account is, as the read gateway sees it
(``services.read_gateway``): from the directory's indexed rows only."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING
from uuid import UUID

from domain import permissions as p
from domain.permissions import Viewer
from projections import directory_reads
from projections.directory_history import lifetime
from services.read_gateway_memo import as_uuid

if TYPE_CHECKING:
    from services.app import Kiemdiem


def viewer_for(kiemdiem: Kiemdiem, account_id: UUID) -> Viewer:
    """The viewer an account is: its roles, its branch root (a leadership
    collective works for its committee), its member file and chi bộ, and the
    ancestor paths above them. An unknown or disabled account sees nothing.

    One indexed query of the directory, once per request: the account with
    its organisation, its member's chi bộ and the ancestors of both (a second,
    the day it ended, only for an account of an ended organisation)."""
    views = kiemdiem.projections
    rows = directory_reads.viewer_with_paths(views, account_id)
    account = rows[0] if rows else None
    if account is None or account["disabled"]:
        return Viewer(frozenset())
    org_id: UUID | None = None
    ended = False
    if account["org_id"] and account["place"] is not None:
        parent = account["parent_id"]
        org_id = p.branch_root(
            UUID(account["place"]), account["kind"], UUID(parent) if parent else None
        )
        on = None
        if account["dissolved"]:
            on = lifetime(views, UUID(account["place"]))[1]
        ended = p.office_ended(bool(account["dissolved"]), on, kiemdiem.today())
    member_id = UUID(account["member_id"]) if account["member_id"] else None
    cell_id = None
    if member_id is not None and account["cell_id"]:
        cell_id = UUID(account["cell_id"])
    anchors = {str(a) for a in (org_id, cell_id) if a is not None}
    return Viewer(
        roles=frozenset(json.loads(account["roles"])),
        org_id=org_id,
        member_id=member_id,
        cell_id=cell_id,
        lineage=frozenset(
            as_uuid(r["ancestor_id"]) for r in rows if r["below"] in anchors
        ),
        office_ended=ended,
    )
