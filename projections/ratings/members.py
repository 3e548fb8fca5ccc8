"""What do the rating rules know of a member? (``facts``, ``disciplines``,
``roster``)

Every fact about a member the rules read, in order (the facts page); the
discipline records that may call a decision into question; and the roster a
cycle's subjects are derived from (domain.subjects.MemberNode), by chi bộ, so
that opening a cycle loads no member aggregate.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from uuid import UUID

from domain.members import PartyMember
from ledger.mapper import LedgerEvent
from projections.ratings.open_items import member_disciplined
from projections.ratings.values import to_json
from projections.read_model import ReadModel, handles
from projections.sqlutil import Tx

if TYPE_CHECKING:
    from projections.runtime import ProjectionRuntime


def _roster_set(tx: Tx, e: LedgerEvent, **values: Any) -> None:
    assignments = ", ".join(f"{k} = ?" for k in values)
    tx.execute(
        "UPDATE {roster} SET "  # noqa: S608 - column names come from code
        + assignments
        + " WHERE member_id = ?",
        (*values.values(), str(e.stream)),
    )


def _roster_json(tx: Tx, e: LedgerEvent, column: str) -> Any:
    raw = tx.scalar(
        f"SELECT {column} FROM {{roster}} WHERE member_id = ?",  # noqa: S608 - a column named in code
        (str(e.stream),),
    )
    return json.loads(raw) if raw is not None else None


def _roster_fact(e: LedgerEvent, tx: Tx) -> None:
    """Keep the roster row of the member in step with the aggregate: its
    posts, exemptions, temporary chi bộ and work situation."""
    ev, kind = e.event, type(e.event).__name__
    if kind in ("PostAssigned", "PostEnded"):
        posts = _roster_json(tx, e, "posts")
        if posts is None:
            return
        if kind == "PostAssigned":
            posts[str(ev.org_id)] = ev.role
        else:
            posts.pop(str(ev.org_id), None)
        _roster_set(tx, e, posts=to_json(posts))
    elif kind == "ExemptionRecorded":
        items = _roster_json(tx, e, "exemptions")
        if items is None:
            return
        items.append(
            {
                "kind": ev.kind,
                "start": ev.start.isoformat(),
                "end": ev.end.isoformat() if ev.end is not None else None,
            }
        )
        _roster_set(tx, e, exemptions=to_json(items))
    elif kind == "TemporaryCellAttached":
        _roster_set(tx, e, temporary_cell_id=str(ev.cell_id))
    elif kind == "TemporaryCellDetached":
        _roster_set(tx, e, temporary_cell_id=None)
    elif kind == "TemporaryCellFollowed":
        to = ev.cell_id
        _roster_set(tx, e, temporary_cell_id=str(to) if to is not None else None)
    elif kind == "WorkSituationSet":
        outside = 1 if ev.outside_political_system else 0
        _roster_set(tx, e, outside_political_system=outside)


def _fact(e: LedgerEvent, tx: Tx, kind: str, detail: dict[str, Any]) -> None:
    tx.upsert(
        "facts",
        ["member_id", "position"],
        {
            "member_id": str(e.stream),
            "position": e.notification_id,
            "kind": kind,
            "actor": e.actor,
            "detail": to_json(detail),
        },
    )


class MemberRecords(ReadModel):
    """A member's facts and disciplines, and the roster of each chi bộ."""

    tables = {  # noqa: RUF012 - declarative table list read by the runtime
        "facts": (
            "member_id TEXT NOT NULL, position BIGINT NOT NULL, kind TEXT NOT NULL, "
            "actor TEXT NOT NULL, detail TEXT NOT NULL, "
            "PRIMARY KEY (member_id, position)"
        ),
        "disciplines": (
            "member_id TEXT NOT NULL, discipline_id TEXT NOT NULL, "
            "level TEXT NOT NULL, duty_related INTEGER NOT NULL, "
            "decided_on TEXT NOT NULL, reference TEXT NOT NULL, "
            "recorded_at BIGINT NOT NULL, conduct_org_id TEXT, "
            "PRIMARY KEY (member_id, discipline_id)"
        ),
        # What opening a cycle reads of each member (domain.subjects.MemberNode),
        # by chi bộ: no member aggregate is loaded to derive the subjects.
        "roster": (
            "member_id TEXT PRIMARY KEY, full_name TEXT NOT NULL, "
            "cell_id TEXT NOT NULL, admission_date TEXT NOT NULL, "
            "posts TEXT NOT NULL, exemptions TEXT NOT NULL, "
            "outside_political_system INTEGER NOT NULL, temporary_cell_id TEXT"
        ),
    }
    indexes = {  # noqa: RUF012
        "roster_cell": ("roster", "cell_id"),
        "disciplines_conduct": ("disciplines", "conduct_org_id"),
        # A cycle's open items: the disciplines decided since its year began (v9).
        "disciplines_decided": ("disciplines", "decided_on"),
    }

    @handles(PartyMember.DisciplineRecorded)  # type: ignore[attr-defined]
    def discipline(self, e: LedgerEvent, tx: Tx) -> None:
        ev = e.event
        tx.upsert(
            "disciplines",
            ["member_id", "discipline_id"],
            {
                "member_id": str(e.stream),
                "discipline_id": ev.discipline_id,
                "level": ev.level,
                "duty_related": 1 if ev.duty_related else 0,
                "decided_on": ev.decided_on.isoformat(),
                "reference": ev.reference,
                "recorded_at": e.notification_id,
                "conduct_org_id": str(ev.conduct_org_id) if ev.conduct_org_id else None,
            },
        )
        member_disciplined(tx, str(e.stream))
        _fact(
            e,
            tx,
            "DisciplineRecorded",
            {
                "level": ev.level,
                "duty_related": ev.duty_related,
                "decided_on": ev.decided_on,
                "reference": ev.reference,
            },
        )

    @handles(
        PartyMember.PostAssigned,  # type: ignore[attr-defined]
        PartyMember.PostEnded,  # type: ignore[attr-defined]
        PartyMember.TemporaryCellAttached,  # type: ignore[attr-defined]
        PartyMember.TemporaryCellDetached,  # type: ignore[attr-defined]
        PartyMember.TemporaryCellFollowed,  # type: ignore[attr-defined]
        PartyMember.ExemptionRecorded,  # type: ignore[attr-defined]
        PartyMember.LeaveRecorded,  # type: ignore[attr-defined]
        PartyMember.DegradationConcluded,  # type: ignore[attr-defined]
        PartyMember.ConfidenceResultRecorded,  # type: ignore[attr-defined]
        PartyMember.WorkSituationSet,  # type: ignore[attr-defined]
        PartyMember.OversightAssigned,  # type: ignore[attr-defined]
        PartyMember.OversightEnded,  # type: ignore[attr-defined]
    )
    def member_fact(self, e: LedgerEvent, tx: Tx) -> None:
        """Every fact about a member the rules read, in order (the facts page)."""
        _roster_fact(e, tx)
        detail = {
            k: v
            for k, v in vars(e.event).items()
            if k not in ("originator_id", "originator_version", "timestamp")
            and not k.endswith("_by")
        }
        _fact(e, tx, type(e.event).__name__, detail)

    @handles(PartyMember.Enrolled)  # type: ignore[attr-defined]
    def enrolled(self, e: LedgerEvent, tx: Tx) -> None:
        ev = e.event
        tx.upsert(
            "roster",
            ["member_id"],
            {
                "member_id": str(e.stream),
                "full_name": ev.full_name,
                "cell_id": str(ev.cell_id),
                "admission_date": ev.admission_date.isoformat(),
                "posts": "{}",
                "exemptions": "[]",
                "outside_political_system": 0,
                "temporary_cell_id": None,
            },
        )

    @handles(PartyMember.Transferred)  # type: ignore[attr-defined]
    def transferred(self, e: LedgerEvent, tx: Tx) -> None:
        _roster_set(tx, e, cell_id=str(e.event.cell_id))


# -- reads ------------------------------------------------------------------------
ROSTER_BATCH = 500  # organisations per roster query (bound parameters)


def member_facts(views: ProjectionRuntime, member_id: UUID) -> list[dict[str, Any]]:
    """Every fact recorded about a member, in order (``detail`` decoded)."""
    rows = views.query(
        "ratings",
        "SELECT * FROM {facts} WHERE member_id = ? ORDER BY position",
        [str(member_id)],
    )
    return [{**r, "detail": json.loads(r["detail"])} for r in rows]


def roster_of_cells(
    views: ProjectionRuntime, cell_ids: Sequence[str]
) -> list[dict[str, Any]]:
    """The roster rows (danh sách đảng viên) of the members of these chi bộ, read
    in batches of ``ROSTER_BATCH`` organisations (an indexed query each)."""
    rows: list[dict[str, Any]] = []
    for start in range(0, len(cell_ids), ROSTER_BATCH):
        batch = list(cell_ids[start : start + ROSTER_BATCH])
        rows += views.query(
            "ratings",
            "SELECT * FROM {roster} WHERE cell_id IN ("  # noqa: S608 - placeholders
            + ", ".join("?" * len(batch))
            + ")",
            batch,
        )
    return rows


def members_disciplined_at(views: ProjectionRuntime, org_id: UUID) -> list[str]:
    """The members with a discipline for conduct at ``org_id``, by id."""
    rows = views.query(
        "ratings",
        "SELECT DISTINCT member_id FROM {disciplines} WHERE conduct_org_id = ? "
        "ORDER BY member_id",
        [str(org_id)],
    )
    return [str(r["member_id"]) for r in rows]


def last_recorded_disciplines(
    views: ProjectionRuntime, decided_from: str
) -> dict[str, int]:
    """Member id → the log position of the last recorded discipline among those
    decided on or after ``decided_from`` (ISO date): one indexed query for a
    whole cycle, however many members it rates."""
    rows = views.query(
        "ratings",
        "SELECT member_id, MAX(recorded_at) AS last FROM {disciplines} "
        "WHERE decided_on >= ? GROUP BY member_id",
        [decided_from],
    )
    return {str(r["member_id"]): int(r["last"]) for r in rows}


def roster_member_ids(
    views: ProjectionRuntime, cell_ids: Sequence[str], limit: int
) -> list[str]:
    """Up to ``limit`` members of these chi bộ (one indexed query)."""
    rows = views.query(
        "ratings",
        "SELECT member_id FROM {roster} WHERE cell_id IN ("  # noqa: S608 - placeholders only
        + ", ".join("?" for _ in cell_ids)
        + ") LIMIT ?",
        [*cell_ids, limit],
    )
    return [str(r["member_id"]) for r in rows]
