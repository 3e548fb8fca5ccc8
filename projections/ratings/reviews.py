"""Which reviews were held, and how far has each come? (``reviews``)

One row per review (a subject at one venue): the collective report, the
self-review form, the counts of comments, suggestions and opinions, the meeting
and its conclusion, and a redo ordered by a re-review order. Each step is also a
step of the subject's timeline (:mod:`.timeline`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypedDict
from uuid import UUID

from domain.reviews import Review
from ledger.mapper import LedgerEvent
from projections.ratings.open_items import refill_later
from projections.ratings.orders import review_redone
from projections.ratings.timeline import log_step
from projections.read_model import ReadModel, handles
from projections.sqlutil import Tx

if TYPE_CHECKING:
    from projections.runtime import ProjectionRuntime


class ReviewProgress(TypedDict):
    """How far one review of a subject has come (a ``reviews`` row)."""

    review_id: str
    venue_id: str
    report_on: str | None
    self_review_form: str | None
    comments: int
    suggestions: int
    opinions: int
    held_on: str | None
    conclusion: str | None


def _review(tx: Tx, e: LedgerEvent) -> dict[str, Any]:
    tx.execute("SELECT * FROM {reviews} WHERE review_id = ?", (str(e.stream),))
    row = tx.fetchone_dict()
    assert row is not None  # noqa: S101 - Opened is always first in the stream
    return row


PLACES = "ratings.review_places"
"""Each review's cycle, subject and venue, in ``Tx.later``: read once per review
and transaction (set when it opens, never changed)."""


def _place(tx: Tx, e: LedgerEvent) -> tuple[str, str, str]:
    """The review's cycle, subject key and venue."""
    known: dict[str, tuple[str, str, str]] = tx.later.setdefault(PLACES, {})
    place = known.get(str(e.stream))
    if place is None:
        tx.execute(
            "SELECT cycle_id, subject_key, venue_id FROM {reviews} WHERE review_id = ?",
            (str(e.stream),),
        )
        found = tx.fetchone()
        assert found is not None  # noqa: S101 - Opened is always first in the stream
        place = known[str(e.stream)] = (str(found[0]), str(found[1]), str(found[2]))
    return place


REDO = "ratings.review_redo"
"""Each review's pending redo order (or None), in ``Tx.later``: read once per
review and transaction, kept by the two handlers that change it."""


def _redo_order(tx: Tx, e: LedgerEvent) -> str | None:
    known: dict[str, str | None] = tx.later.setdefault(REDO, {})
    stream = str(e.stream)
    if stream not in known:
        order = tx.scalar(
            "SELECT redo_order_id FROM {reviews} WHERE review_id = ?", (stream,)
        )
        known[stream] = None if order is None else str(order)
    return known[stream]


def _review_step(
    e: LedgerEvent,
    tx: Tx,
    step: str,
    detail: dict[str, Any],
    on: Any = None,
    **changes: Any,
) -> None:
    cycle, subject_key, venue = _place(tx, e)
    if changes:
        assignments = ", ".join(f"{k} = {v}" for k, v in changes.items())
        tx.execute(
            "UPDATE {reviews} SET "  # noqa: S608 - assignments come from code
            + assignments
            + " WHERE review_id = ?",
            (str(e.stream),),
        )
    log_step(tx, e, cycle, subject_key, step, detail, venue, on)


class ReviewMeetings(ReadModel):
    """The reviews of each subject and venue."""

    tables = {  # noqa: RUF012 - declarative table list read by the runtime
        "reviews": (
            "review_id TEXT PRIMARY KEY, cycle_id TEXT NOT NULL, "
            "subject_key TEXT NOT NULL, venue_id TEXT NOT NULL, report_on TEXT, "
            "self_review_form TEXT, comments BIGINT NOT NULL, "
            "suggestions BIGINT NOT NULL, opinions BIGINT NOT NULL, "
            "residence_comment INTEGER NOT NULL, temporary_comment INTEGER NOT NULL, "
            "held_on TEXT, conclusion TEXT, opened_at BIGINT NOT NULL, "
            "redo_order_id TEXT, redone BIGINT NOT NULL DEFAULT 0"
        ),
    }
    indexes = {  # noqa: RUF012
        # A subject's reviews (its page, the report's dossier), not the cycle's (v8).
        "reviews_subject": ("reviews", "cycle_id, subject_key"),
    }

    @handles(Review.Opened)  # type: ignore[attr-defined]
    def review_opened(self, e: LedgerEvent, tx: Tx) -> None:
        ev = e.event
        cycle = str(ev.cycle_id)
        tx.upsert(
            "reviews",
            ["review_id"],
            {
                "review_id": str(e.stream),
                "cycle_id": cycle,
                "subject_key": ev.subject_key,
                "venue_id": ev.venue_id,
                "comments": 0,
                "suggestions": 0,
                "opinions": 0,
                "residence_comment": 0,
                "temporary_comment": 0,
                "opened_at": e.notification_id,
            },
        )
        log_step(tx, e, cycle, ev.subject_key, "review_opened", {}, ev.venue_id)
        places = tx.later.setdefault(PLACES, {})
        places[str(e.stream)] = (cycle, str(ev.subject_key), str(ev.venue_id))
        tx.later.setdefault(REDO, {})[str(e.stream)] = None

    @handles(Review.CollectiveReportCirculated)
    def report(self, e: LedgerEvent, tx: Tx) -> None:
        _review_step(
            e,
            tx,
            "report_circulated",
            {"sections": e.event.sections},
            e.event.circulated_on,
        )
        tx.execute(
            "UPDATE {reviews} SET report_on = ? WHERE review_id = ?",
            (e.event.circulated_on.isoformat(), str(e.stream)),
        )

    @handles(Review.SelfReviewSubmitted)  # type: ignore[attr-defined]
    def self_review(self, e: LedgerEvent, tx: Tx) -> None:
        _review_step(
            e, tx, "self_review", {"form": e.event.form, "sections": e.event.sections}
        )
        tx.execute(
            "UPDATE {reviews} SET self_review_form = ? WHERE review_id = ?",
            (e.event.form, str(e.stream)),
        )

    @handles(Review.CommentAdded)  # type: ignore[attr-defined]
    def comment(self, e: LedgerEvent, tx: Tx) -> None:
        _review_step(
            e,
            tx,
            "comment",
            {"author_member_id": str(e.event.author_member_id), "text": e.event.text},
            comments="comments + 1",
        )

    @handles(Review.SuggestionIssued)  # type: ignore[attr-defined]
    def suggestion(self, e: LedgerEvent, tx: Tx) -> None:
        _review_step(
            e,
            tx,
            "suggestion",
            {"issuer_org_id": str(e.event.issuer_org_id), "text": e.event.text},
            suggestions="suggestions + 1",
        )

    @handles(Review.EvaluatorOpinionRecorded)  # type: ignore[attr-defined]
    def opinion(self, e: LedgerEvent, tx: Tx) -> None:
        ev = e.event
        _review_step(
            e,
            tx,
            "opinion",
            {
                "evaluator_kind": ev.evaluator_kind,
                "evaluator": ev.evaluator,
                "proposed_level": ev.proposed_level,
                "text": ev.text,
            },
            opinions="opinions + 1",
        )

    @handles(Review.ResidenceCommentRecorded)  # type: ignore[attr-defined]
    def residence(self, e: LedgerEvent, tx: Tx) -> None:
        _review_step(
            e, tx, "residence_comment", {"text": e.event.text}, residence_comment="1"
        )

    @handles(Review.TemporaryCellCommentRecorded)  # type: ignore[attr-defined]
    def temporary(self, e: LedgerEvent, tx: Tx) -> None:
        _review_step(
            e,
            tx,
            "temporary_cell_comment",
            {"cell_id": str(e.event.cell_id), "text": e.event.text},
            temporary_comment="1",
        )

    @handles(Review.MeetingHeld)  # type: ignore[attr-defined]
    def meeting(self, e: LedgerEvent, tx: Tx) -> None:
        ev = e.event
        order = _redo_order(tx, e)
        if order is not None:
            review_redone(tx, order, e.notification_id)
            tx.execute(
                "UPDATE {reviews} SET redo_order_id = NULL, redone = redone + 1 "
                "WHERE review_id = ?",
                (str(e.stream),),
            )
            tx.later[REDO][str(e.stream)] = None
        _review_step(
            e,
            tx,
            "meeting",
            {
                "attendees": ev.attendees,
                "minutes": ev.minutes,
                "conclusion": ev.conclusion,
            },
            ev.held_on,
        )
        tx.execute(
            "UPDATE {reviews} SET held_on = ?, conclusion = ? WHERE review_id = ?",
            (ev.held_on.isoformat(), ev.conclusion, str(e.stream)),
        )
        cycle, subject_key, _venue = _place(tx, e)
        refill_later(tx, cycle, subject_key)

    @handles(Review.RedoOrdered)  # type: ignore[attr-defined]
    def review_redo(self, e: LedgerEvent, tx: Tx) -> None:
        row = _review(tx, e)
        tx.execute(
            "UPDATE {reviews} SET report_on = NULL, self_review_form = NULL, "
            "comments = 0, suggestions = 0, opinions = 0, residence_comment = 0, "
            "temporary_comment = 0, held_on = NULL, conclusion = NULL, "
            "redo_order_id = ? WHERE review_id = ?",
            (str(e.event.order_id), str(e.stream)),
        )
        tx.later.setdefault(REDO, {})[str(e.stream)] = str(e.event.order_id)
        log_step(
            tx,
            e,
            row["cycle_id"],
            row["subject_key"],
            "review_redo",
            {
                "order_id": str(e.event.order_id),
                "earlier_held_on": row["held_on"],
                "earlier_conclusion": row["conclusion"],
            },
            row["venue_id"],
        )
        refill_later(tx, row["cycle_id"], row["subject_key"])


def reviews_of_subject(
    views: ProjectionRuntime, cycle_id: UUID, key: str
) -> list[ReviewProgress]:
    """The subject's reviews in the cycle, in the order they were opened."""
    rows = views.query(
        "ratings",
        "SELECT review_id, venue_id, report_on, self_review_form, comments, "
        "suggestions, opinions, held_on, conclusion FROM {reviews} "
        "WHERE cycle_id = ? AND subject_key = ? ORDER BY opened_at",
        [str(cycle_id), key],
    )
    return [
        ReviewProgress(
            review_id=r["review_id"],
            venue_id=r["venue_id"],
            report_on=r["report_on"],
            self_review_form=r["self_review_form"],
            comments=int(r["comments"] or 0),
            suggestions=int(r["suggestions"] or 0),
            opinions=int(r["opinions"] or 0),
            held_on=r["held_on"],
            conclusion=r["conclusion"],
        )
        for r in rows
    ]


def cycle_reviews(
    views: ProjectionRuntime, cycle_id: UUID, key: str | None = None
) -> list[dict[str, Any]]:
    """The cycle's review meetings (buổi kiểm điểm), in the order they opened;
    with ``key`` one subject's (through the ``reviews_subject`` index)."""
    if key is not None:
        return views.query(
            "ratings",
            "SELECT * FROM {reviews} WHERE cycle_id = ? AND subject_key = ? "
            "ORDER BY opened_at",
            [str(cycle_id), key],
        )
    return views.query(
        "ratings",
        "SELECT * FROM {reviews} WHERE cycle_id = ? ORDER BY opened_at",
        [str(cycle_id)],
    )


def review(views: ProjectionRuntime, review_id: UUID) -> dict[str, Any] | None:
    """One review's row, if the review is known."""
    rows = views.query(
        "ratings", "SELECT * FROM {reviews} WHERE review_id = ?", [str(review_id)]
    )
    return rows[0] if rows else None


def review_steps(
    views: ProjectionRuntime, review_ids: Sequence[str]
) -> list[dict[str, Any]]:
    """How far each of these reviews has come: ``venue_id``, ``report_on``,
    ``self_review_form``, ``held_on``, ``redo_order_id``."""
    marks = ", ".join("?" for _ in review_ids)
    return views.query(
        "ratings",
        "SELECT venue_id, report_on, self_review_form, held_on, redo_order_id "
        "FROM {reviews} WHERE review_id IN (" + marks + ")",
        list(review_ids),
    )
