"""Who is on temporary party activity (sinh hoạt đảng tạm thời, 43-HD mục 7.6)
at which chi bộ now: the directory's ``temporary_cells`` (directory v5), part of
:class:`projections.directory.Directory`.

A reorganisation decision that ends the chi bộ (merged, split, dissolved) finds
the members attached there by one indexed query (``temporary_member_ids``) and
moves each attachment on by a signed ``TemporaryCellFollowed``
(``services.handlers.reorganisation``); the member's facts keep the earlier chi
bộ (``projections.ratings.members``)."""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from domain.members import PartyMember
from ledger.mapper import LedgerEvent
from projections.read_model import ReadModel, handles
from projections.sqlutil import Tx

if TYPE_CHECKING:
    from projections.runtime import ProjectionRuntime


class TemporaryCells(ReadModel):
    """The directory's part that keeps each member's temporary chi bộ."""

    tables = {  # noqa: RUF012 - declarative table list read by the runtime
        # ``since``: the attachment's day, or the effective date of the decision
        # that moved it here; ``decision_no`` that decision's number.
        "temporary_cells": (
            "member_id TEXT PRIMARY KEY, cell_id TEXT NOT NULL, "
            "since TEXT NOT NULL, decision_no TEXT"
        ),
    }
    indexes = {  # noqa: RUF012 - declarative index list read by the runtime
        "temporary_cells_cell": ("temporary_cells", "cell_id"),
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
    tx.upsert(
        "temporary_cells",
        ["member_id"],
        {
            "member_id": str(e.stream),
            "cell_id": cell_id,
            "since": since,
            "decision_no": decision_no,
        },
    )


def _detach(tx: Tx, e: LedgerEvent) -> None:
    tx.execute("DELETE FROM {temporary_cells} WHERE member_id = ?", (str(e.stream),))


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
