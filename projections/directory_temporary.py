"""Who is on temporary party activity (sinh hoạt đảng tạm thời, 43-HD mục 7.6)
at which chi bộ now: the directory's ``temporary_cells`` (directory v5), part
of :class:`projections.directory.Directory`; and, for the lists by organisation
(directory v7), the member's own chi bộ and name key beside it and each
attachment's places in the tree (``temporary_places``, kept as attachments,
transfers and moves of the tree change).

A reorganisation decision that ends the chi bộ (merged, split, dissolved) finds
the members attached there by one indexed query (``temporary_member_ids``) and
moves each attachment on by a signed ``TemporaryCellFollowed``
(``services.handlers.reorganisation``); the member's facts keep the earlier chi
bộ (``projections.ratings.members``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from domain.members import PartyMember
from domain.text import fold
from ledger.mapper import LedgerEvent
from projections.read_model import ReadModel, handles
from projections.sqlutil import Tx

if TYPE_CHECKING:
    from projections.runtime import ProjectionRuntime

HERE, AWAY = "here", "away"
"""The two lists of an organisation: members attached at one of its chi bộ
(wherever their own is), and its own members attached outside it."""


class TemporaryCells(ReadModel):
    """The directory's part that keeps each member's temporary chi bộ, and
    where the attachment is listed (``temporary_places``)."""

    tables = {  # noqa: RUF012 - declarative table list read by the runtime
        # ``since``: the attachment's day, or the effective date of the decision
        # that moved it here; ``decision_no`` that decision's number;
        # ``home_cell_id`` the member's official chi bộ (kept on transfer);
        # ``sort_key`` the folded name (the lists' order, as the search's).
        "temporary_cells": (
            "member_id TEXT PRIMARY KEY, cell_id TEXT NOT NULL, "
            "since TEXT NOT NULL, decision_no TEXT, "
            "home_cell_id TEXT NOT NULL, sort_key TEXT NOT NULL"
        ),
        # Each attachment under every organisation that lists it: ``here`` at
        # the host chi bộ and each organisation above it; ``away`` at the
        # member's own chi bộ and each organisation above it that is not above
        # the host too (``org_ancestors``). A page of either list, at any level,
        # is one range of the primary key.
        "temporary_places": (
            "org_id TEXT NOT NULL, side TEXT NOT NULL, sort_key TEXT NOT NULL, "
            "member_id TEXT NOT NULL, PRIMARY KEY (org_id, side, sort_key, member_id)"
        ),
    }
    indexes = {  # noqa: RUF012 - declarative index list read by the runtime
        # who is attached at a chi bộ; whose own chi bộ is one that moved
        "temporary_cells_cell": ("temporary_cells", "cell_id"),
        "temporary_cells_home": ("temporary_cells", "home_cell_id"),
        "temporary_places_member": ("temporary_places", "member_id"),
    }

    @handles(PartyMember.TemporaryCellAttached)  # type: ignore[attr-defined]
    def temporary_attached(self, e: LedgerEvent, tx: Tx) -> None:
        _attach(tx, e, str(e.event.cell_id), e.event.since.isoformat(), None)

    @handles(PartyMember.TemporaryCellDetached)  # type: ignore[attr-defined]
    def temporary_detached(self, e: LedgerEvent, tx: Tx) -> None:
        _detach(tx, e)

    @handles(PartyMember.TemporaryCellFollowed)  # type: ignore[attr-defined]
    def temporary_followed(self, e: LedgerEvent, tx: Tx) -> None:
        ev = e.event
        if ev.cell_id is None:
            _detach(tx, e)
            return
        _attach(tx, e, str(ev.cell_id), ev.effective_on.isoformat(), ev.decision_no)


def _attach(
    tx: Tx, e: LedgerEvent, cell_id: str, since: str, decision_no: str | None
) -> None:
    member = str(e.stream)
    tx.execute(
        "SELECT full_name, cell_id FROM {members} WHERE member_id = ?", (member,)
    )
    row = tx.fetchone_dict() or {"full_name": "", "cell_id": ""}
    tx.upsert(
        "temporary_cells",
        ["member_id"],
        {
            "member_id": member,
            "cell_id": cell_id,
            "since": since,
            "decision_no": decision_no,
            "home_cell_id": row["cell_id"],
            "sort_key": fold(row["full_name"]),
        },
    )
    _place(tx, member)


def _detach(tx: Tx, e: LedgerEvent) -> None:
    member = str(e.stream)
    tx.execute("DELETE FROM {temporary_cells} WHERE member_id = ?", (member,))
    tx.execute("DELETE FROM {temporary_places} WHERE member_id = ?", (member,))


def home_moved(tx: Tx, member_id: str, cell_id: str) -> None:
    """The member's official chi bộ changed (a transfer, or a reorganisation's):
    their attachment, if any, now lists under the new one (one lookup by
    primary key for a member who has none)."""
    tx.execute("SELECT 1 FROM {temporary_cells} WHERE member_id = ?", (member_id,))
    if tx.fetchone() is None:
        return
    tx.execute(
        "UPDATE {temporary_cells} SET home_cell_id = ? WHERE member_id = ?",
        (cell_id, member_id),
    )
    _place(tx, member_id)


def branch_moved(tx: Tx, org_id: str) -> None:
    """The organisations above ``org_id``'s branch changed (it moved, or it
    ended and its history now reads from a successor too: ``org_ancestors``
    rewritten before): the attachments with either chi bộ in the branch are
    listed again (two indexed lookups, then each attachment's own rows)."""
    tx.execute(BRANCH_ATTACHMENTS_SQL, (org_id, org_id))
    for (member,) in tx.fetchall():
        _place(tx, str(member))


BRANCH_ATTACHMENTS_SQL = (
    "SELECT member_id FROM {temporary_cells} WHERE cell_id IN "
    "(SELECT org_id FROM {org_ancestors} WHERE ancestor_id = ?) "
    "UNION SELECT member_id FROM {temporary_cells} WHERE home_cell_id IN "
    "(SELECT org_id FROM {org_ancestors} WHERE ancestor_id = ?)"
)


def _place(tx: Tx, member: str) -> None:
    """The member's ``temporary_places`` rows, from their attachment as it is."""
    tx.execute("DELETE FROM {temporary_places} WHERE member_id = ?", (member,))
    tx.execute(
        "INSERT INTO {temporary_places} (org_id, side, sort_key, member_id) "
        "SELECT a.ancestor_id, ?, t.sort_key, t.member_id FROM {temporary_cells} t "
        "JOIN {org_ancestors} a ON a.org_id = t.cell_id WHERE t.member_id = ?",
        (HERE, member),
    )
    tx.execute(
        "INSERT INTO {temporary_places} (org_id, side, sort_key, member_id) "
        "SELECT a.ancestor_id, ?, t.sort_key, t.member_id FROM {temporary_cells} t "
        "JOIN {org_ancestors} a ON a.org_id = t.home_cell_id WHERE t.member_id = ? "
        "AND a.ancestor_id NOT IN "
        "(SELECT h.ancestor_id FROM {org_ancestors} h WHERE h.org_id = t.cell_id)",
        (AWAY, member),
    )


def temporary_member_ids(runtime: ProjectionRuntime, cell_id: UUID) -> list[UUID]:
    """The members on temporary party activity at ``cell_id`` now (one indexed
    query)."""
    rows = runtime.query(
        "directory",
        "SELECT member_id FROM {temporary_cells} WHERE cell_id = ? ORDER BY member_id",
        [str(cell_id)],
    )
    return [UUID(r["member_id"]) for r in rows]


def temporary_cell_row(
    runtime: ProjectionRuntime, member_id: UUID
) -> dict[str, str | None] | None:
    """The member's temporary chi bộ now (``cell_id``, ``since``,
    ``decision_no``), or None."""
    rows = runtime.query(
        "directory",
        "SELECT cell_id, since, decision_no FROM {temporary_cells} WHERE member_id = ?",
        [str(member_id)],
    )
    return dict(rows[0]) if rows else None


# -- who is attached where, by organisation (the organisation's page) -------------

Cursor = tuple[str, str] | None
"""A keyset position: a row's (sort key, member id), or None for the first page."""

Statement = tuple[str, list[Any]]


def temporary_page_sql(
    org_id: str,
    side: str,
    *,
    after: Cursor = None,
    before: Cursor = None,
    limit: int,
) -> Statement:
    """One page, by name then id, of the members attached at a chi bộ of
    ``org_id``'s branch (``HERE``: the organisation itself, or any below it) or
    of its own members attached outside it (``AWAY``), each with their name and
    the names of both chi bộ; ``limit + 1`` rows say whether another page
    follows. One range of ``temporary_places``' primary key (``LIMIT`` inside),
    then the few rows' attachment, member and chi bộ by primary key."""
    conditions = ["p.org_id = ?", "p.side = ?"]
    args: list[Any] = [org_id, side]
    order = "ASC"
    if after is not None:
        conditions.append("(p.sort_key, p.member_id) > (?, ?)")
        args += list(after)
    elif before is not None:
        conditions.append("(p.sort_key, p.member_id) < (?, ?)")
        args += list(before)
        order = "DESC"
    statement = (
        "SELECT t.member_id, t.cell_id, t.home_cell_id, t.since, t.decision_no, "  # noqa: S608 - marks and code only
        "p.sort_key, m.full_name, c.name AS cell_name, h.name AS home_name FROM ("
        "SELECT p.sort_key, p.member_id FROM {temporary_places} p WHERE "
        + " AND ".join(conditions)
        + f" ORDER BY p.sort_key {order}, p.member_id {order} LIMIT {int(limit) + 1}"
        ") p "
        "JOIN {temporary_cells} t ON t.member_id = p.member_id "
        "JOIN {members} m ON m.member_id = t.member_id "
        "JOIN {organisations} c ON c.org_id = t.cell_id "
        "JOIN {organisations} h ON h.org_id = t.home_cell_id "
        f"ORDER BY p.sort_key {order}, p.member_id {order}"
    )
    return statement, args


def temporary_page(
    runtime: ProjectionRuntime, org_id: str, side: str, **options: Any
) -> list[dict[str, Any]]:
    """A page of one of an organisation's two lists (``temporary_page_sql``)."""
    sql, args = temporary_page_sql(org_id, side, **options)
    return runtime.query("directory", sql, args)


def temporary_position(runtime: ProjectionRuntime, member_id: str) -> Cursor:
    """Where a page starts: the attached member's (sort key, id); None when
    the member is no longer attached (the list starts again)."""
    rows = runtime.query(
        "directory",
        "SELECT sort_key, member_id FROM {temporary_cells} WHERE member_id = ?",
        [member_id],
    )
    return (rows[0]["sort_key"], rows[0]["member_id"]) if rows else None
