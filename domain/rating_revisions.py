"""Revising a decided rating: huỷ bỏ and đánh giá, xếp loại lại (Mẫu 03; 366
Điều 15.3), and the rating redone on the higher committee's order (§5.4).

A mixin of :class:`domain.ratings.RatingRound`: the events it records
(``RatingCancelled``, ``RatingRevised``, ``ChairResponsibilityReviewOrdered``,
``RatingRedoOrdered``) stay declared on the aggregate, so their topics stay
``domain.ratings:RatingRound.<Name>``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any
from uuid import UUID

from domain.cycles import ReviewCycle
from domain.errors import DomainError
from domain.evaluation import SubjectFacts
from domain.rating_rules import required_text
from domain.rating_state import RoundState, decision_record
from domain.rulebooks import parse_level


class RoundRevisions(RoundState):
    """The commands that undo a decision: re-rating and redo on order."""

    if TYPE_CHECKING:
        _cancelled: Callable[..., None]
        _revised: Callable[..., None]
        _chair_review_ordered: Callable[..., None]
        _redo_ordered: Callable[..., None]

    def rerate(
        self,
        *,
        subject_key: str,
        level: str,
        decision_no: str,
        decided_on: date,
        reason: str,
        chair_responsibility: bool,
        cycle: ReviewCycle,
        facts: SubjectFacts,
        external: Mapping[str, str],
        decided_by: str,
        succession: Mapping[str, Any] | None = None,
    ) -> None:
        """Huỷ bỏ and đánh giá, xếp loại lại (Mẫu 03; 366 Điều 15.3), optionally
        ordering a review of the chair's responsibility (seed 002).
        ``succession``: the round's authority has ended and the organisation
        carrying it on revises (``domain.succession.succession_record``)."""
        subject = self._subject(cycle, subject_key)
        previous = self.decision_of(subject_key)
        if previous is None:
            raise DomainError("rating.not_decided")
        why = required_text(reason, "rating.reason_required", multiline=True)
        number = required_text(decision_no, "rating.decision_no_required")
        chosen = parse_level(level)
        evaluation, used = self._judge(
            cycle=cycle,
            subject=subject,
            level=chosen,
            facts=facts,
            justification=why,
            external=external,
            check_order=False,
            lifting_hold=True,  # the re-rating is the outcome of the verification
        )
        self._cancelled(
            subject_key=subject_key,
            previous_level=previous["level"],
            previous_decision_no=previous["decision_no"],
            reason=why,
            cancelled_by=decided_by,
        )
        self._revised(
            subject_key=subject_key,
            previous_level=previous["level"],
            level=chosen.value,
            decision_no=number,
            decided_on=decided_on,
            rulebook_id=self.rulebook_id,
            rules=[
                *evaluation.rules,
                "re_rating",
                *(["consecutive_khtnv"] if used.get("consecutive_khtnv") else []),
            ],
            reason=why,
            succession=dict(succession) if succession else None,
            decided_by=decided_by,
            **decision_record(cycle, evaluation, chosen, facts, used, why),
        )
        if chair_responsibility:
            self._chair_review_ordered(
                subject_key=subject_key, reason=why, ordered_by=decided_by
            )

    def order_redo(
        self,
        *,
        subject_key: str,
        order_id: UUID,
        reason: str,
        chair_responsibility: bool,
        cycle: ReviewCycle,
        ordered_by: str,
    ) -> None:
        """The rating is to be redone (``ReReviewOrder``): the earlier decision
        stays in the history, linked to the order, and the subject goes back to
        step 1 (self-rating, appraisal, decision). Optionally the chair's
        responsibility is to be reviewed (seed 002).

        The quota holds at every moment: withdrawing an HTTNV decision that
        would leave the group's HTXSNV above its cap is refused (order the
        HTXSNV ratings redone first; withdrawing one never breaks the quota)."""
        previous = self.decision_of(subject_key)
        if previous is None:
            raise DomainError("rereview.rating_not_decided", subject=subject_key)
        self._check_withdrawal(subject_key, previous, cycle)
        self._redo_ordered(
            subject_key=subject_key,
            order_id=order_id,
            previous_level=previous["level"],
            previous_decision_no=previous["decision_no"],
            reason=reason,
            ordered_by=ordered_by,
        )
        if chair_responsibility:
            self._chair_review_ordered(
                subject_key=subject_key, reason=reason, ordered_by=ordered_by
            )
