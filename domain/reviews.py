"""Reviews (kiểm điểm): one subject at one venue in one cycle (domain.md §3).

A review holds the collective report (Mẫu 01) and its circulation, the
self-review (Mẫu 2A / 2B / 2C), comments by identified members, suggestions from
the higher standing committee, opinions of participating evaluators and of the
residence committee, the temporary chi bộ's comment, and the meeting with its
minutes and conclusion. The order of meetings (collective before individuals,
head before deputies, chi bộ before leadership collective) is checked when the
meeting is recorded, from the meetings already held (facts the service passes).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import DomainError
from domain.explain import RULE_LABELS
from domain.rulebooks import (
    FORM_OF_APPENDIX,
    FORM_SECTIONS,
    REQUIRED_SECTIONS,
    parse_level,
)
from domain.subjects import Subject, SubjectKey
from domain.text import clean_paragraphs, clean_text

MAX_TEXT = 20000
EVALUATOR_KINDS = frozenset({"superior", "peer", "subordinate"})


def text_of(value: str, code: str, *, multiline: bool = True) -> str:
    """A required text, cleaned: in paragraphs (``clean_paragraphs``: a comment,
    minutes, a conclusion), or on one line (``multiline=False``: a name)."""
    cleaned = clean_paragraphs(value) if multiline else clean_text(value)
    if not cleaned:
        raise DomainError(code)
    if len(cleaned) > MAX_TEXT:
        raise DomainError("review.text_too_long", limit=MAX_TEXT)
    return cleaned


def sections_of(form: str, sections: Mapping[str, str]) -> dict[str, str]:
    """The filled sections of a form (Mẫu 01, 2A, 2B, 2C) in the form's order,
    cleaned: a section the form does not have, an empty required one or a text
    over :data:`MAX_TEXT` is refused."""
    allowed = FORM_SECTIONS[form]
    unknown = sorted(set(sections) - set(allowed))
    if unknown:
        raise DomainError("review.section_unknown", section=", ".join(unknown))
    cleaned = {k: text for k, v in sections.items() if (text := clean_paragraphs(v))}
    missing = sorted(REQUIRED_SECTIONS[form] - set(cleaned))
    if missing:
        raise DomainError("review.section_missing", section=", ".join(missing))
    if any(len(v) > MAX_TEXT for v in cleaned.values()):
        raise DomainError("review.text_too_long", limit=MAX_TEXT)
    return {k: cleaned[k] for k in allowed if k in cleaned}


def working_days_between(start: date, end: date, holidays: Iterable[date] = ()) -> int:
    """How many working days after ``start`` the day ``end`` is (Mon–Fri, minus
    the plan's holidays): a report sent on Monday is 3 working days before a
    Thursday meeting (interpretation, domain.md §3.3)."""
    off = set(holidays)
    day, count = start + timedelta(days=1), 0
    while day <= end:
        if day.weekday() < 5 and day not in off:
            count += 1
        day += timedelta(days=1)
    return count


UNIT_SECTORS = frozenset({"government", "professional", "mass_org"})


def review_prerequisites(
    subject: Subject,
    venue: str,
    subjects: Mapping[str, Subject],
    order_rules: frozenset[str] = frozenset(),
) -> list[tuple[str, str, str]]:
    """(rule, subject key, venue) of the meetings that must come before (§3.2).

    ``order_rules`` are the regime's: under 366 (Điều 7.3) the government,
    professional and mass-organisation leaderships are reviewed before the party
    committee (a leadership collective of the party's sector) beside them."""
    if not subject.is_individual:
        if (
            "government_before_party_committee" not in order_rules
            or subject.sector != "party"
            or subject.org_kind != "leadership_collective"
        ):
            return []
        return sorted(
            ("government_before_party_committee", other.key, other.venues[0])
            for other in subjects.values()
            if other.is_collective
            and not other.exempt
            and other.parent_id == subject.parent_id
            and other.sector in UNIT_SECTORS
            and other.venues
        )
    needed: list[tuple[str, str, str]] = []
    if venue != subject.cell_id:
        needed.append(("cell_first", subject.key, str(subject.cell_id)))
    collective = str(SubjectKey.of_org(venue))
    if collective in subjects and not subjects[collective].exempt:
        needed.append(("collective_first", collective, venue))
    role = subject.posts.get(venue)
    if role in ("deputy", "member"):
        for other in subjects.values():
            if other.key != subject.key and other.posts.get(venue) == "head":
                needed.append(("head_first", other.key, venue))
    return needed


@dataclass(frozen=True)
class Participant:
    """A member as the rule on who takes part in a review meeting sees them:
    their official chi bộ and the organisations where they hold a post now."""

    member_id: str
    cell_id: str
    post_org_ids: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ReviewParticipants:
    """Who takes part in the review meeting at one venue (người dự hội nghị
    kiểm điểm), as :func:`review_participants` says: the members of the chi
    bộ ``cell_members_of`` (None where the venue is not a chi bộ) and the
    holders of a post at ``post_holders_at`` (the venue)."""

    venue_id: str
    cell_members_of: str | None
    post_holders_at: str

    def includes(self, person: Participant) -> bool:
        """Whether ``person`` takes part in this meeting."""
        if self.cell_members_of is not None and person.cell_id == self.cell_members_of:
            return True
        return self.post_holders_at in person.post_org_ids


def review_participants(venue_id: str, venue_kind: str) -> ReviewParticipants:
    """Who may be recorded as the author of a comment (góp ý) on a review held
    at ``venue_id``: the people who take part in its meeting (domain.md §3.1,
    §3.5; 366-QĐ/TW Điều 7.2; 43-HD/BTCTW mục 2).

    - A chi bộ reviews itself and its members "tại chi bộ nơi sinh hoạt": its
      members take part (their official chi bộ is the venue), and anyone who
      holds a post at it (bí thư, phó bí thư, chi ủy viên).
    - A party committee or a leadership collective (cấp ủy, ban thường vụ, tập
      thể lãnh đạo, quản lý) reviews itself and the leaders reviewed there (a
      leader "ở tập thể lãnh đạo, quản lý nơi công tác", the holder of several
      posts "ở nơi tham gia các chức vụ khác"): its members take part, that is
      the holders of a post at it.

    Interpretation: the higher committee's delegates and the other
    participating evaluators (cấp trên, cùng cấp, cấp dưới) are recorded as
    opinions (:meth:`Review.record_opinion`), the residence committee and a
    temporary chi bộ by their own notes, not as members' comments; a member on
    temporary party activity (43-HD mục 7.6) takes part at their official chi
    bộ. The subject takes part in their own review (the venues of an
    individual are their chi bộ and the organisations of their posts)."""
    is_cell = venue_kind == "cell"
    return ReviewParticipants(
        venue_id=str(venue_id),
        cell_members_of=str(venue_id) if is_cell else None,
        post_holders_at=str(venue_id),
    )


class Review(Aggregate):
    """Kiểm điểm of one subject at one venue."""

    @classmethod
    def open(
        cls,
        *,
        review_id: UUID,
        cycle_id: UUID,
        subject: Subject,
        venue_id: str,
        opened_by: str,
    ) -> Review:
        if subject.exempt:
            raise DomainError("review.subject_exempt", reason=subject.exempt)
        if venue_id not in subject.venues:
            raise DomainError("review.venue_not_required")
        return cls._create(
            cls.Opened,  # type: ignore[attr-defined]
            id=review_id,
            cycle_id=cycle_id,
            subject_key=subject.key,
            subject_kind=subject.kind,
            venue_id=venue_id,
            opened_by=opened_by,
        )

    @event("Opened")
    def __init__(
        self,
        cycle_id: UUID,
        subject_key: str,
        subject_kind: str,
        venue_id: str,
        opened_by: str,
    ) -> None:
        self.cycle_id = cycle_id
        self.subject_key = subject_key
        self.subject_kind = subject_kind
        self.venue_id = venue_id
        self.report: dict[str, Any] | None = None
        self.self_review: dict[str, Any] | None = None
        self.comments: list[dict[str, Any]] = []
        self.suggestions: list[dict[str, Any]] = []
        self.opinions: list[dict[str, Any]] = []
        self.residence_comment: str | None = None
        self.temporary_cell_comment: str | None = None
        self.meeting: dict[str, Any] | None = None
        self.earlier: list[dict[str, Any]] = []
        self.redo_order_id: UUID | None = None

    def _ensure_not_held(self) -> None:
        if self.meeting is not None:
            raise DomainError("review.meeting_already_held")

    # -- preparation --------------------------------------------------------------
    def circulate_report(
        self, *, sections: Mapping[str, str], circulated_on: date, circulated_by: str
    ) -> None:
        """The collective's report (Mẫu 01) sent to the participants, with the
        sections of the form (``FORM_SECTIONS["01"]``)."""
        if self.subject_kind != "collective":
            raise DomainError("review.report_for_collectives")
        self._ensure_not_held()
        self._report_circulated(
            sections=sections_of("01", sections),
            circulated_on=circulated_on,
            circulated_by=circulated_by,
        )

    class CollectiveReportCirculated(Aggregate.Event):
        """v2: the report's ``sections`` (Mẫu 01, I–V); v1 events held one text,
        ``summary``, which reads as section I."""

        class_version = 2
        sections: dict[str, str]
        circulated_on: date
        circulated_by: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["sections"] = {"results": state.pop("summary")}

    @event(CollectiveReportCirculated)
    def _report_circulated(
        self, sections: dict[str, str], circulated_on: date, circulated_by: str
    ) -> None:
        self.report = {"sections": dict(sections), "circulated_on": circulated_on}

    def submit_self_review(
        self,
        *,
        appendix: str,
        form: str,
        sections: Mapping[str, str],
        submitted_by: str,
    ) -> None:
        """Bản kiểm điểm cá nhân, with the fields of its form (2A / 2B / 2C)."""
        if self.subject_kind != "individual":
            raise DomainError("review.self_review_for_individuals")
        self._ensure_not_held()
        expected = FORM_OF_APPENDIX.get(appendix)
        if form != expected:
            raise DomainError("review.wrong_form", form=form, expected=expected)
        self._self_review_submitted(
            form=form,
            sections=sections_of(form, sections),
            submitted_by=submitted_by,
        )

    @event("SelfReviewSubmitted")
    def _self_review_submitted(
        self, form: str, sections: dict[str, str], submitted_by: str
    ) -> None:
        self.self_review = {"form": form, "sections": dict(sections)}

    def add_comment(
        self,
        *,
        author: Participant,
        participants: ReviewParticipants,
        text: str,
        commented_by: str,
    ) -> None:
        """Góp ý by an identified member who takes part in the meeting at this
        review's venue (``participants``: :func:`review_participants` of it)."""
        if participants.venue_id != self.venue_id:
            raise DomainError("review.venue_not_required")
        if not participants.includes(author):
            raise DomainError("review.author_not_participant")
        self._commented(
            author_member_id=UUID(author.member_id),
            text=text_of(text, "review.text_required"),
            commented_by=commented_by,
        )

    @event("CommentAdded")
    def _commented(self, author_member_id: UUID, text: str, commented_by: str) -> None:
        self.comments.append({"author_member_id": author_member_id, "text": text})

    def add_suggestion(self, *, issuer_org_id: UUID, text: str, issued_by: str) -> None:
        """Gợi ý kiểm điểm from the higher standing committee."""
        self._ensure_not_held()
        self._suggested(
            issuer_org_id=issuer_org_id,
            text=text_of(text, "review.text_required"),
            issued_by=issued_by,
        )

    @event("SuggestionIssued")
    def _suggested(self, issuer_org_id: UUID, text: str, issued_by: str) -> None:
        self.suggestions.append({"issuer_org_id": issuer_org_id, "text": text})

    def record_opinion(
        self,
        *,
        evaluator_kind: str,
        evaluator: str,
        proposed_level: str | None,
        text: str,
        recorded_by: str,
    ) -> None:
        """Opinion of a participating evaluator (cấp trên, cùng cấp, cấp dưới)."""
        if evaluator_kind not in EVALUATOR_KINDS:
            raise DomainError("review.evaluator_unknown", kind=evaluator_kind)
        level = parse_level(proposed_level).value if proposed_level else None
        self._opinion_recorded(
            evaluator_kind=evaluator_kind,
            evaluator=text_of(evaluator, "review.evaluator_required", multiline=False),
            proposed_level=level,
            text=text_of(text, "review.text_required"),
            recorded_by=recorded_by,
        )

    @event("EvaluatorOpinionRecorded")
    def _opinion_recorded(
        self,
        evaluator_kind: str,
        evaluator: str,
        proposed_level: str | None,
        text: str,
        recorded_by: str,
    ) -> None:
        self.opinions.append(
            {
                "evaluator_kind": evaluator_kind,
                "evaluator": evaluator,
                "proposed_level": proposed_level,
                "text": text,
            }
        )

    def record_residence_comment(self, *, text: str, recorded_by: str) -> None:
        """Nhận xét của cấp ủy nơi cư trú (366 Điều 17)."""
        if self.subject_kind != "individual":
            raise DomainError("review.self_review_for_individuals")
        self._residence_recorded(
            text=text_of(text, "review.text_required"), recorded_by=recorded_by
        )

    @event("ResidenceCommentRecorded")
    def _residence_recorded(self, text: str, recorded_by: str) -> None:
        self.residence_comment = text

    def record_temporary_cell_comment(
        self,
        *,
        temporary_cell_id: str | None,
        cell_id: UUID,
        text: str,
        recorded_by: str,
    ) -> None:
        """The temporary chi bộ's comment, sent to the official one (7.6)."""
        if temporary_cell_id is None:
            raise DomainError("review.no_temporary_cell")
        if str(cell_id) != temporary_cell_id:
            raise DomainError("review.not_the_temporary_cell")
        self._temporary_comment_recorded(
            cell_id=cell_id,
            text=text_of(text, "review.text_required"),
            recorded_by=recorded_by,
        )

    @event("TemporaryCellCommentRecorded")
    def _temporary_comment_recorded(
        self, cell_id: UUID, text: str, recorded_by: str
    ) -> None:
        self.temporary_cell_comment = text

    # -- the meeting -----------------------------------------------------------------
    def hold_meeting(
        self,
        *,
        held_on: date,
        attendees: int,
        minutes: str,
        conclusion: str,
        prerequisites: Iterable[tuple[str, str, date | None]],
        circulation_days: int,
        holidays: Iterable[date],
        recorded_by: str,
    ) -> None:
        """Biên bản and kết luận. ``prerequisites`` are (rule, subject, date held
        or None) of the meetings that must come before this one."""
        self._ensure_not_held()
        if attendees < 1:
            raise DomainError("review.attendees_invalid")
        for rule, other, held in prerequisites:
            if held is None or held > held_on:
                raise DomainError(
                    "review.order_violation",
                    rule=rule,
                    rule_label=RULE_LABELS.get(rule, rule),
                    subject=other,
                )
        if self.subject_kind == "collective":
            if self.report is None:
                raise DomainError("review.report_not_circulated")
            days = working_days_between(self.report["circulated_on"], held_on, holidays)
            if days < circulation_days:
                raise DomainError(
                    "review.report_too_late", days=days, required=circulation_days
                )
        elif self.self_review is None:
            raise DomainError("review.self_review_missing")
        if self.earlier and held_on < self.earlier[-1]["meeting"]["held_on"]:
            raise DomainError("rereview.meeting_before_earlier")
        self._meeting_held(
            held_on=held_on,
            attendees=attendees,
            minutes=text_of(minutes, "review.minutes_required"),
            conclusion=text_of(conclusion, "review.conclusion_required"),
            recorded_by=recorded_by,
        )

    @event("MeetingHeld")
    def _meeting_held(
        self,
        held_on: date,
        attendees: int,
        minutes: str,
        conclusion: str,
        recorded_by: str,
    ) -> None:
        self.meeting = {
            "held_on": held_on,
            "attendees": attendees,
            "minutes": minutes,
            "conclusion": conclusion,
        }
        self.redo_order_id = None

    # -- redone on the higher committee's order (§5.4) --------------------------------
    def redo(self, *, order_id: UUID, reason: str, ordered_by: str) -> None:
        """The review is to be held again (``ReReviewOrder``): the earlier
        preparation and meeting stay in the history, linked to the order, and the
        review is open again for a new report or self-review and a new meeting."""
        if self.meeting is None:
            raise DomainError("rereview.review_not_held")
        self._redo_ordered(order_id=order_id, reason=reason, ordered_by=ordered_by)

    @event("RedoOrdered")
    def _redo_ordered(self, order_id: UUID, reason: str, ordered_by: str) -> None:
        self.earlier.append(
            {
                "order_id": order_id,
                "report": self.report,
                "self_review": self.self_review,
                "comments": self.comments,
                "suggestions": self.suggestions,
                "opinions": self.opinions,
                "residence_comment": self.residence_comment,
                "temporary_cell_comment": self.temporary_cell_comment,
                "meeting": self.meeting,
            }
        )
        self.report = None
        self.self_review = None
        self.comments = []
        self.suggestions = []
        self.opinions = []
        self.residence_comment = None
        self.temporary_cell_comment = None
        self.meeting = None
        self.redo_order_id = order_id
