"""Who acts next (bước tiếp theo, người thực hiện): the next step of a subject of
a review cycle, and of a confidence vote for its counting committee (issue 13).

A rule, so it lives here once: the dashboard's to-do lists and each subject's
page ask these functions, never decide it themselves. Pure: the caller passes
the subject's row, its reviews by venue and whether the competent authority's
rating round is open.

The order is the one the guidance prescribes (domain.md §3, §5): at each venue
in turn the review is opened, the collective's report circulated (Mẫu 01) or the
member's self-review submitted (Mẫu 02), and the meeting held; then, in the
authority's rating round, the self-rating (bước 1), the proposal (bước 2) and
the decision (bước 3). A subject held for verification waits for it first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from domain.accounts import Role


class Step(StrEnum):
    """A step someone has to take (bước)."""

    OPEN_REVIEW = "open_review"
    """Mở kiểm điểm tại nơi kiểm điểm."""
    REPORT = "report"
    """Gửi dự thảo báo cáo kiểm điểm của tập thể (Mẫu 01)."""
    SELF_REVIEW = "self_review"
    """Nộp bản kiểm điểm cá nhân (Mẫu 02)."""
    MEETING = "meeting"
    """Tổ chức hội nghị kiểm điểm."""
    OPEN_ROUND = "open_round"
    """Cấp có thẩm quyền mở đợt đánh giá, xếp loại."""
    SELF_RATING = "self_rating"
    """Bước 1: tự đánh giá, xếp loại."""
    PROPOSAL = "proposal"
    """Bước 2: thẩm định, đề xuất mức xếp loại."""
    DECISION = "decision"
    """Bước 3: cấp có thẩm quyền quyết định xếp loại."""
    VERIFICATION = "verification"
    """Xác minh trước khi quyết định (khiếu nại, tố cáo, mất đoàn kết…); the
    competent authority records its conclusion, the inspection committee
    follows it."""
    # The counting committee's steps of a confidence vote.
    KEY_CEREMONY = "key_ceremony"
    """Ban kiểm phiếu tạo khóa bỏ phiếu."""
    PRINT_SLIPS = "print_slips"
    """Trưởng Ban in phiếu, hủy phiếu chưa phát."""
    DECRYPT = "decrypt"
    """Giải mã từng phần, tổng hợp và công bố kết quả."""
    MINUTES = "minutes"
    """Ký biên bản kiểm phiếu."""


REVIEW_STEPS = (Step.OPEN_REVIEW, Step.REPORT, Step.SELF_REVIEW, Step.MEETING)
RATING_STEPS = (Step.OPEN_ROUND, Step.SELF_RATING, Step.PROPOSAL, Step.DECISION)

DONE_STATUSES = frozenset({"decided", "exempt"})
"""A subject in one of these has nothing left to do in the cycle."""


@dataclass(frozen=True)
class NextStep:
    """The next step of a subject and who takes it (người thực hiện).

    ``role``: the role whose people act; ``org_id``: the organisation they act
    for (the venue, the proposing body, the competent authority), None when it
    is outside the system; ``venue``: the review venue, for the review steps.
    """

    step: Step
    role: Role
    org_id: str | None = None
    venue: str | None = None


def _org(value: Any) -> str | None:
    """An authority relation as an organisation id, or None (outside, a member
    rating themselves)."""
    if not value or value == "outside" or str(value).startswith("m:"):
        return None
    return str(value)


def review_step(
    subject: Mapping[str, Any], reviews: Mapping[str, Mapping[str, Any]]
) -> NextStep | None:
    """The first review step not yet taken, venue by venue in the prescribed
    order; None when every venue has held its meeting."""
    for venue in subject.get("venues") or ():
        review = reviews.get(venue)
        if review is None:
            return NextStep(Step.OPEN_REVIEW, Role.SECRETARY, venue, venue)
        if subject.get("kind") == "collective" and not review.get("report_on"):
            return NextStep(Step.REPORT, Role.SECRETARY, venue, venue)
        if subject.get("kind") == "individual" and not review.get("self_review_form"):
            return NextStep(Step.SELF_REVIEW, Role.MEMBER, venue, venue)
        if not review.get("held_on"):
            return NextStep(Step.MEETING, Role.SECRETARY, venue, venue)
    return None


def rating_step(subject: Mapping[str, Any], *, round_open: bool) -> NextStep | None:
    """The next step of the three-step rating, from the subject's status."""
    status = subject.get("status")
    if subject.get("exempt") or status in DONE_STATUSES:
        return None
    decides = _org(subject.get("decides"))
    if subject.get("held_reason"):
        return NextStep(Step.VERIFICATION, Role.DECISION_MAKER, decides)
    if not round_open:
        return NextStep(Step.OPEN_ROUND, Role.DECISION_MAKER, decides)
    if status == "self_rated":
        proposes = _org(subject.get("proposes")) or decides
        return NextStep(Step.PROPOSAL, Role.SECRETARY, proposes)
    if status in ("proposed", "cancelled"):
        return NextStep(Step.DECISION, Role.DECISION_MAKER, decides)
    self_rates = subject.get("self_rates")
    if subject.get("kind") == "individual" and (
        not self_rates or str(self_rates).startswith("m:")
    ):
        return NextStep(Step.SELF_RATING, Role.MEMBER, subject.get("cell_id"))
    return NextStep(Step.SELF_RATING, Role.SECRETARY, _org(self_rates))


def subject_next_step(
    subject: Mapping[str, Any],
    reviews: Mapping[str, Mapping[str, Any]],
    *,
    round_open: bool,
) -> NextStep | None:
    """The next step of one subject of a cycle, or None when it is done (rated,
    exempt). A subject not yet rated is reviewed first; once rated, a review
    still open (an order to redo it) comes before anything else."""
    status = subject.get("status")
    if subject.get("exempt") or status == "exempt":
        return None
    if status == "decided":
        return review_step(subject, reviews) if _redoing(reviews) else None
    if subject.get("held_reason"):
        return rating_step(subject, round_open=round_open)
    return review_step(subject, reviews) or rating_step(subject, round_open=round_open)


def _redoing(reviews: Mapping[str, Mapping[str, Any]]) -> bool:
    return any(r.get("redo_order_id") for r in reviews.values())


def counting_step(phase: str, *, chair: bool, signed_minutes: bool) -> Step | None:
    """The counting committee's next step in a vote of this phase (votes.md §5,
    §8–§9), or None when nothing waits for them: the key ceremony, the chair's
    slips, the decryption and tally once voting closed, the minutes after it."""
    if phase == "ceremony":
        return Step.KEY_CEREMONY
    if phase == "key_published" and chair:
        return Step.PRINT_SLIPS
    if phase == "closed":
        return Step.DECRYPT
    if phase == "tallied" and not signed_minutes:
        return Step.MINUTES
    return None


def milestone_of(step: Step) -> str | None:
    """The cycle's deadline milestone a step counts towards (domain.cycles:
    ``review`` for the review steps, ``rating`` for the rating steps)."""
    if step in REVIEW_STEPS:
        return "review"
    if step in RATING_STEPS or step is Step.VERIFICATION:
        return "rating"
    return None


def deadline_of(
    step: Step, level: str | None, deadlines: Iterable[Mapping[str, Any]]
) -> str | None:
    """The due date (ISO text, as the cycle stores it) of ``step`` for a subject
    bound by the plan level ``level``, or None when the plan sets none."""
    milestone = milestone_of(step)
    for item in deadlines:
        if item.get("level") == level and item.get("milestone") == milestone:
            return str(item["due"])
    return None
