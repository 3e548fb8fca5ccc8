"""Re-review orders (tiến hành lại kiểm điểm, xếp loại; domain.md §5.4).

Where a review meeting was a formality, avoided criticism ("nể nang, né tránh"),
skipped required content or a gợi ý, or a rating broke the rules, the higher
committee orders the review and/or the rating redone (seeds 000 and 002). The
order names its scope, its reason and its deadline, and may also order a review
of the responsibility of whoever chaired the process (seed 002).

The order is its own record; in the same transaction each review it covers
records ``RedoOrdered`` (its earlier meeting kept, linked to the order, and the
review open again) and, for the rating, the round records ``RatingRedoOrdered``
(the earlier decision kept, linked to the order, the subject back to step 1).
The redone review and rating supersede the earlier ones; nothing is erased.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import DomainError
from domain.subjects import Subject
from domain.text import clean_paragraphs

SCOPES = ("review", "rating", "both")
MAX_TEXT = 4000


def covers_review(scope: str) -> bool:
    return scope in ("review", "both")


def covers_rating(scope: str) -> bool:
    return scope in ("rating", "both")


def check_orderer(
    subject: Subject,
    ordering_org_id: UUID | None,
    place_path: Sequence[str] | None = None,
) -> None:
    """Only a committee above the subject's own place orders it redone: the
    collective's own organisation or the member's chi bộ cannot (§5.4).
    ``place_path``: the subject's place and the organisations above it in
    today's tree (root first); after a reorganisation the committee above it
    now orders, not the one above it when the cycle's row was derived (an
    ended commune's successor, not its old huyện)."""
    if ordering_org_id is None:
        return
    if place_path:
        above = [str(o) for o in place_path[:-1]]
    else:
        above = [str(o) for o in subject.path[1:]]
    if str(ordering_org_id) not in above:
        raise DomainError("rereview.not_higher", subject=subject.name)


class ReReviewOrder(Aggregate):
    """One order of the higher committee to redo a subject's review and/or rating."""

    @classmethod
    def order(
        cls,
        *,
        order_id: UUID,
        cycle_id: UUID,
        subject: Subject,
        number: int,
        scope: str,
        reason: str,
        deadline: date,
        ordered_on: date,
        ordering_org_id: UUID | None,
        chair_responsibility: bool,
        reviews: Sequence[Mapping[str, Any]],
        decision: Mapping[str, Any] | None,
        ordered_by: str,
        place_path: Sequence[str] | None = None,
    ) -> ReReviewOrder:
        """``reviews``: the subject's reviews (review_id, venue_id, held_on);
        ``decision``: the subject's decided rating (round_id, level,
        decision_no, decided_on) or None."""
        if scope not in SCOPES:
            raise DomainError("rereview.scope_unknown", scope=scope)
        if subject.exempt:
            raise DomainError("rereview.subject_exempt", reason=subject.exempt)
        check_orderer(subject, ordering_org_id, place_path)
        why = clean_paragraphs(reason)
        if not why:
            raise DomainError("rereview.reason_required")
        if len(why) > MAX_TEXT:
            raise DomainError("rereview.text_too_long", limit=MAX_TEXT)
        if deadline < ordered_on:
            raise DomainError("rereview.deadline_past", deadline=deadline.isoformat())
        held = [
            {
                "review_id": str(r["review_id"]),
                "venue_id": str(r["venue_id"]),
                "held_on": r["held_on"],
            }
            for r in reviews
            if r.get("held_on") is not None
        ]
        if covers_review(scope) and not held:
            raise DomainError("rereview.review_not_held", subject=subject.name)
        if covers_rating(scope) and decision is None:
            raise DomainError("rereview.rating_not_decided", subject=subject.name)
        earlier = (
            dict(decision) if decision is not None and covers_rating(scope) else None
        )
        return cls._create(
            cls.ReReviewOrdered,  # type: ignore[attr-defined]
            id=order_id,
            cycle_id=cycle_id,
            subject_key=subject.key,
            subject_name=subject.name,
            number=number,
            scope=scope,
            reason=why,
            deadline=deadline,
            ordered_on=ordered_on,
            ordering_org_id=ordering_org_id,
            chair_responsibility=bool(chair_responsibility),
            superseded_reviews=held if covers_review(scope) else [],
            superseded_decision=earlier,
            ordered_by=ordered_by,
        )

    @event("ReReviewOrdered")
    def __init__(
        self,
        cycle_id: UUID,
        subject_key: str,
        subject_name: str,
        number: int,
        scope: str,
        reason: str,
        deadline: date,
        ordered_on: date,
        ordering_org_id: UUID | None,
        chair_responsibility: bool,
        superseded_reviews: list[dict[str, Any]],
        superseded_decision: dict[str, Any] | None,
        ordered_by: str,
    ) -> None:
        self.cycle_id = cycle_id
        self.subject_key = subject_key
        self.number = number
        self.scope = scope
        self.reason = reason
        self.deadline = deadline
        self.chair_responsibility = chair_responsibility
        self.superseded_reviews = [dict(r) for r in superseded_reviews]
        self.superseded_decision = (
            dict(superseded_decision) if superseded_decision else None
        )
