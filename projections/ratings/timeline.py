"""What happened in a subject's review and rating, in order? (``timeline``)

One row per step (review opened, comment, meeting, self-rating, proposal,
decision, revision, re-review order, ...), keyed by the notification that
recorded it; the other read models of the ratings view write their steps here.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, TypedDict
from uuid import UUID

from domain.rating_open_items import RATING_STEPS
from ledger.mapper import LedgerEvent
from projections.ratings.open_items import refill_later
from projections.ratings.values import to_json
from projections.read_model import ReadModel
from projections.sqlutil import Tx

if TYPE_CHECKING:
    from projections.runtime import ProjectionRuntime


class TimelineStep(TypedDict):
    """One step of a subject's review or rating (a ``timeline`` row)."""

    cycle_id: str
    subject_key: str
    position: int  # the notification that recorded it
    step: str
    venue_id: str | None
    actor: str
    on_date: str | None  # ISO date the step names, if any
    detail: dict[str, Any]


def log_step(
    tx: Tx,
    e: LedgerEvent,
    cycle: str,
    key: str,
    step: str,
    detail: dict[str, Any],
    venue: str | None = None,
    on: Any = None,
) -> None:
    """Record one step of a review or rating."""
    tx.upsert(
        "timeline",
        ["cycle_id", "subject_key", "position"],
        {
            "cycle_id": cycle,
            "subject_key": key,
            "position": e.notification_id,
            "step": step,
            "venue_id": venue,
            "actor": e.actor,
            "on_date": on.isoformat() if on is not None else None,
            "detail": to_json(detail),
        },
    )
    if step in RATING_STEPS:
        refill_later(tx, cycle, key)


class SubjectTimeline(ReadModel):
    """Each subject's steps, in the order they were recorded."""

    tables = {  # noqa: RUF012 - declarative table list read by the runtime
        "timeline": (
            "cycle_id TEXT NOT NULL, subject_key TEXT NOT NULL, "
            "position BIGINT NOT NULL, step TEXT NOT NULL, venue_id TEXT, "
            "actor TEXT NOT NULL, on_date TEXT, detail TEXT NOT NULL, "
            "PRIMARY KEY (cycle_id, subject_key, position)"
        ),
    }
    indexes = {  # noqa: RUF012
        "timeline_cycle": ("timeline", "cycle_id, position"),
    }


def subject_timeline(
    views: ProjectionRuntime, cycle_id: UUID, key: str
) -> list[TimelineStep]:
    """The subject's steps in the cycle, in order."""
    rows = views.query(
        "ratings",
        "SELECT * FROM {timeline} WHERE cycle_id = ? AND subject_key = ? "
        "ORDER BY position",
        [str(cycle_id), key],
    )
    return [
        TimelineStep(
            cycle_id=r["cycle_id"],
            subject_key=r["subject_key"],
            position=int(r["position"]),
            step=r["step"],
            venue_id=r["venue_id"],
            actor=r["actor"],
            on_date=r["on_date"],
            detail=json.loads(r["detail"]),
        )
        for r in rows
    ]


def timeline_rows(
    views: ProjectionRuntime, cycle_id: UUID, key: str
) -> list[dict[str, Any]]:
    """The subject's steps in the cycle, in order, as plain rows (the subject
    page's timeline; ``detail`` decoded)."""
    return [dict(step) for step in subject_timeline(views, cycle_id, key)]


def rating_steps(
    views: ProjectionRuntime, cycle_id: UUID, key: str | None = None
) -> list[dict[str, Any]]:
    """The rating steps of the cycle's subjects (of one subject when ``key``)
    that may raise or settle a flag, in order, with the subject's name and
    status (``detail`` still JSON text). One subject's is read by the primary
    key (cycle, subject), never through every step of the cycle."""
    one = " AND t.subject_key = ?" if key is not None else ""
    return views.query(
        "ratings",
        "SELECT t.subject_key, t.step, t.detail, s.name, s.status "
        "FROM {timeline} t JOIN {subjects} s ON s.cycle_id = t.cycle_id "
        "AND s.subject_key = t.subject_key WHERE t.cycle_id = ?" + one + " "
        f"AND t.step IN ({', '.join('?' for _ in RATING_STEPS)}) "
        "ORDER BY t.position",
        [
            str(cycle_id),
            *([key] if key is not None else []),
            *sorted(RATING_STEPS),
        ],
    )


def recent_steps(
    views: ProjectionRuntime, cycle_id: str, limit: int
) -> list[dict[str, Any]]:
    """The cycle's newest ``limit`` steps, newest first: ``subject_key``,
    ``position`` and the subject's ``name``, ``org_id``, ``cell_id``,
    ``member_id``."""
    return views.query(
        "ratings",
        "SELECT t.subject_key, t.position, s.name, s.org_id, s.cell_id, "
        "s.member_id FROM {timeline} t JOIN {subjects} s "
        "ON s.cycle_id = t.cycle_id AND s.subject_key = t.subject_key "
        "WHERE t.cycle_id = ? ORDER BY t.position DESC LIMIT ?",
        [cycle_id, limit],
    )
