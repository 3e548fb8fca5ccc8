"""Who rated and decided what in each rating round, in which peer groups and
under which quota? (``rounds``, ``groups``)

A round belongs to one authority of a cycle; its peer groups carry the quota
ratio (and an exception granted to it). Each step of a subject's rating changes
its row of :mod:`.subjects` (and so the statistics) and adds a timeline step.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from uuid import UUID

from domain.evaluation import show
from domain.ratings import RatingRound
from ledger.mapper import LedgerEvent
from projections.ratings.orders import rating_redone
from projections.ratings.subjects import level_changed, set_subject
from projections.ratings.timeline import log_step
from projections.ratings.values import PENDING, to_json

if TYPE_CHECKING:
    from projections.runtime import ProjectionRuntime
from projections.read_model import ReadModel, handles
from projections.sqlutil import Tx

ROUND_CYCLES = "ratings.round_cycles"
"""Each round's cycle, in ``Tx.later``: read once per round and transaction (a
round never moves to another cycle)."""


def cycle_of_round(tx: Tx, round_id: str) -> str:
    known: dict[str, str] = tx.later.setdefault(ROUND_CYCLES, {})
    cycle = known.get(round_id)
    if cycle is None:
        found = tx.scalar(
            "SELECT cycle_id FROM {rounds} WHERE round_id = ?", (round_id,)
        )
        if found is None:
            return str(found)
        cycle = known[round_id] = str(found)
    return cycle


def _round_subject(e: LedgerEvent, tx: Tx) -> tuple[str, str]:
    cycle = cycle_of_round(tx, str(e.stream))
    return cycle, e.event.subject_key


class RatingRounds(ReadModel):
    """The rating rounds, their peer groups and each subject's rating steps."""

    tables = {  # noqa: RUF012 - declarative table list read by the runtime
        "rounds": (
            "round_id TEXT PRIMARY KEY, cycle_id TEXT NOT NULL, "
            "authority_org_id TEXT NOT NULL, authority_name TEXT NOT NULL, "
            "rulebook_id TEXT NOT NULL, opened_at BIGINT NOT NULL"
        ),
        "groups": (
            "round_id TEXT NOT NULL, code TEXT NOT NULL, name TEXT NOT NULL, "
            "ratio_pct BIGINT NOT NULL, justification TEXT, members TEXT NOT NULL, "
            "PRIMARY KEY (round_id, code)"
        ),
    }

    @handles(RatingRound.Opened)  # type: ignore[attr-defined]
    def round_opened(self, e: LedgerEvent, tx: Tx) -> None:
        ev = e.event
        tx.upsert(
            "rounds",
            ["round_id"],
            {
                "round_id": str(e.stream),
                "cycle_id": str(ev.cycle_id),
                "authority_org_id": str(ev.authority_org_id),
                "authority_name": ev.authority_name,
                "rulebook_id": ev.rulebook_id,
                "opened_at": e.notification_id,
            },
        )

    @handles(RatingRound.PeerGroupDefined)  # type: ignore[attr-defined]
    def group_defined(self, e: LedgerEvent, tx: Tx) -> None:
        _group(e, tx, None, list(e.event.members))

    @handles(RatingRound.PeerGroupCarried)
    def group_carried(self, e: LedgerEvent, tx: Tx) -> None:
        """A peer group of an ended authority's round, followed to this round:
        its members here and those the ended authority decided (their levels
        count in the gauge, as in the aggregate)."""
        ev = e.event
        _group(e, tx, ev.justification, sorted([*ev.members, *ev.kept]))

    @handles(RatingRound.QuotaExceptionGranted)  # type: ignore[attr-defined]
    def exception(self, e: LedgerEvent, tx: Tx) -> None:
        tx.execute(
            "UPDATE {groups} SET ratio_pct = ?, justification = ? "
            "WHERE round_id = ? AND code = ?",
            (e.event.ratio_pct, e.event.justification, str(e.stream), e.event.code),
        )

    @handles(RatingRound.SelfRated)
    def self_rated(self, e: LedgerEvent, tx: Tx) -> None:
        cycle, key = _round_subject(e, tx)
        ev = e.event
        score = show(ev.score) if ev.score is not None else None
        set_subject(
            tx,
            cycle,
            key,
            e.notification_id,
            round_id=str(e.stream),
            status="self_rated",
            self_level=ev.assessment["level"],
            score=score,
            ceiling=ev.ceiling,
            proposed_level=None,
        )
        log_step(
            tx,
            e,
            cycle,
            key,
            "self_rated",
            {
                "assessment": ev.assessment,
                "score": score,
                "open_questions": ev.open_questions,
            },
        )

    @handles(RatingRound.RatingProposed)
    def proposed(self, e: LedgerEvent, tx: Tx) -> None:
        cycle, key = _round_subject(e, tx)
        set_subject(
            tx,
            cycle,
            key,
            e.notification_id,
            status="proposed",
            proposed_level=e.event.level,
        )
        log_step(
            tx,
            e,
            cycle,
            key,
            "proposed",
            {
                "level": e.event.level,
                "note": e.event.note,
                "open_questions": e.event.open_questions,
            },
        )

    @handles(RatingRound.RatingStepsCarried)
    def carried(self, e: LedgerEvent, tx: Tx) -> None:
        """The undecided steps of the round of an authority that ended, now in
        this round of its successor: the subject's row follows them."""
        cycle, key = _round_subject(e, tx)
        ev = e.event
        rated, proposal, hold = ev.self_rating, ev.proposal, ev.hold
        status = "proposed" if proposal else "self_rated" if rated else PENDING
        score = rated["score"] if rated else None
        set_subject(
            tx,
            cycle,
            key,
            e.notification_id,
            round_id=str(e.stream),
            status=status,
            self_level=rated["assessment"]["level"] if rated else None,
            score=show(score) if score is not None else None,
            ceiling=rated["ceiling"] if rated else None,
            proposed_level=proposal["level"] if proposal else None,
            held_reason=hold["reason"] if hold else None,
        )
        latest = proposal or rated or {}
        log_step(
            tx,
            e,
            cycle,
            key,
            "carried",
            {
                "from_round_id": ev.from_round_id,
                "from_authority_name": ev.from_authority_name,
                "succession": ev.succession,
                "self_rating": rated,
                "proposal": proposal,
                "proposal_dropped": ev.proposal_dropped,
                "hold": hold,
                "open_questions": latest.get("open_questions", []),
            },
        )

    @handles(RatingRound.RatingHeldForVerification)  # type: ignore[attr-defined]
    def held(self, e: LedgerEvent, tx: Tx) -> None:
        cycle, key = _round_subject(e, tx)
        set_subject(tx, cycle, key, e.notification_id, held_reason=e.event.reason)
        log_step(
            tx, e, cycle, key, "held", {"reason": e.event.reason, "note": e.event.note}
        )

    @handles(RatingRound.VerificationConcluded)  # type: ignore[attr-defined]
    def released(self, e: LedgerEvent, tx: Tx) -> None:
        cycle, key = _round_subject(e, tx)
        set_subject(tx, cycle, key, e.notification_id, held_reason=None)
        log_step(tx, e, cycle, key, "released", {"finding": e.event.finding})

    @handles(RatingRound.TriggerMitigationDecided)  # type: ignore[attr-defined]
    def mitigation(self, e: LedgerEvent, tx: Tx) -> None:
        cycle, key = _round_subject(e, tx)
        ev = e.event
        log_step(
            tx,
            e,
            cycle,
            key,
            "mitigation",
            {
                "trigger": ev.trigger,
                "mitigated": ev.mitigated,
                "justification": ev.justification,
            },
        )

    @handles(RatingRound.RatingDecided)
    def decided(self, e: LedgerEvent, tx: Tx) -> None:
        cycle, key = _round_subject(e, tx)
        ev = e.event
        rating_redone(tx, cycle, key, e.notification_id)
        row = level_changed(tx, cycle, key, None, ev.level)
        set_subject(
            tx,
            cycle,
            key,
            e.notification_id,
            before=row,
            round_id=str(e.stream),
            status="decided",
            level=ev.level,
            decision_no=ev.decision_no,
            decided_on=ev.decided_on.isoformat(),
            explanation=ev.explanation,
            decided_at=e.notification_id,
        )
        log_step(
            tx,
            e,
            cycle,
            key,
            "decided",
            {
                "level": ev.level,
                "decision_no": ev.decision_no,
                "rulebook_id": ev.rulebook_id,
                "rules": ev.rules,
                "explanation": ev.explanation,
                "settled": ev.settled,
            },
            on=ev.decided_on,
        )

    @handles(RatingRound.RatingCancelled)  # type: ignore[attr-defined]
    def cancelled(self, e: LedgerEvent, tx: Tx) -> None:
        cycle, key = _round_subject(e, tx)
        ev = e.event
        row = level_changed(tx, cycle, key, ev.previous_level, None)
        set_subject(
            tx,
            cycle,
            key,
            e.notification_id,
            before=row,
            status="cancelled",
            level=None,
            decided_at=None,
        )
        log_step(
            tx,
            e,
            cycle,
            key,
            "cancelled",
            {"previous_level": ev.previous_level, "reason": ev.reason},
        )

    @handles(RatingRound.RatingRevised)
    def revised(self, e: LedgerEvent, tx: Tx) -> None:
        cycle, key = _round_subject(e, tx)
        ev = e.event
        row = level_changed(tx, cycle, key, None, ev.level)
        revisions = int(row["revisions"]) + 1 if row else 1
        set_subject(
            tx,
            cycle,
            key,
            e.notification_id,
            before=row,
            status="decided",
            level=ev.level,
            decision_no=ev.decision_no,
            decided_on=ev.decided_on.isoformat(),
            explanation=ev.explanation,
            held_reason=None,
            revisions=revisions,
            decided_at=e.notification_id,
        )
        log_step(
            tx,
            e,
            cycle,
            key,
            "revised",
            {
                "previous_level": ev.previous_level,
                "level": ev.level,
                "decision_no": ev.decision_no,
                "reason": ev.reason,
                "rules": ev.rules,
                "explanation": ev.explanation,
                "settled": ev.settled,
                "succession": ev.succession,
            },
            on=ev.decided_on,
        )

    @handles(RatingRound.ChairResponsibilityReviewOrdered)  # type: ignore[attr-defined]
    def chair(self, e: LedgerEvent, tx: Tx) -> None:
        cycle, key = _round_subject(e, tx)
        log_step(tx, e, cycle, key, "chair_responsibility", {"reason": e.event.reason})

    @handles(RatingRound.RatingRedoOrdered)  # type: ignore[attr-defined]
    def rating_redo(self, e: LedgerEvent, tx: Tx) -> None:
        cycle, key = _round_subject(e, tx)
        ev = e.event
        row = level_changed(tx, cycle, key, ev.previous_level, None)
        set_subject(
            tx,
            cycle,
            key,
            e.notification_id,
            before=row,
            status=PENDING,
            self_level=None,
            score=None,
            ceiling=None,
            proposed_level=None,
            level=None,
            decision_no=None,
            decided_on=None,
            explanation=None,
            held_reason=None,
            decided_at=None,
        )
        log_step(
            tx,
            e,
            cycle,
            key,
            "rating_redo",
            {
                "order_id": str(ev.order_id),
                "previous_level": ev.previous_level,
                "previous_decision_no": ev.previous_decision_no,
            },
        )


def authority_name(views: ProjectionRuntime, round_id: str) -> str | None:
    """The name of the authority that holds the round, if the round is known."""
    rows = views.query(
        "ratings",
        "SELECT authority_name FROM {rounds} WHERE round_id = ?",
        [round_id],
    )
    return str(rows[0]["authority_name"]) if rows else None


def cycle_rounds(views: ProjectionRuntime, cycle_id: UUID) -> list[dict[str, Any]]:
    """The cycle's rating rounds (đợt xếp loại), by authority name."""
    return views.query(
        "ratings",
        "SELECT * FROM {rounds} WHERE cycle_id = ? ORDER BY authority_name",
        [str(cycle_id)],
    )


def rating_round(views: ProjectionRuntime, round_id: UUID) -> dict[str, Any] | None:
    """One round's row, if the round is known."""
    rows = views.query(
        "ratings", "SELECT * FROM {rounds} WHERE round_id = ?", [str(round_id)]
    )
    return rows[0] if rows else None


def round_groups(views: ProjectionRuntime, round_id: UUID) -> list[dict[str, Any]]:
    """The round's peer groups (nhóm so sánh) by code, ``members`` decoded."""
    rows = views.query(
        "ratings",
        "SELECT * FROM {groups} WHERE round_id = ? ORDER BY code",
        [str(round_id)],
    )
    return [{**row, "members": json.loads(row["members"])} for row in rows]


def round_exists(views: ProjectionRuntime, round_id: str) -> bool:
    """Whether the round was opened."""
    return bool(
        views.query(
            "ratings", "SELECT 1 AS one FROM {rounds} WHERE round_id = ?", [round_id]
        )
    )


def _group(
    e: LedgerEvent, tx: Tx, justification: str | None, listed: list[str]
) -> None:
    """A peer group's row (``listed``: every member its gauge counts) and its
    members here marked with its code."""
    ev = e.event
    rid = str(e.stream)
    cycle = cycle_of_round(tx, rid)
    tx.upsert(
        "groups",
        ["round_id", "code"],
        {
            "round_id": rid,
            "code": ev.code,
            "name": ev.name,
            "ratio_pct": ev.ratio_pct,
            "justification": justification,
            "members": to_json(listed),
        },
    )
    for key in ev.members:
        set_subject(tx, cycle, key, e.notification_id, group_code=ev.code)
