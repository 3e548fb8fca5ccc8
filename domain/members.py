"""Party members (đảng viên) and where they take part in party life."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import DomainError
from domain.organisations import OrganisationKind, ParentFacts
from domain.text import clean_text, normalised_identifier, text_problem

MAX_NAME_LENGTH = 120
TEMPORARY_FOLLOWS = frozenset({"merge", "split", "dissolve"})
"""The decisions a temporary attachment follows (its chi bộ ended)."""


class MembershipStatus(StrEnum):
    PROBATIONARY = "probationary"
    """Đảng viên dự bị."""
    FULL = "full"
    """Đảng viên chính thức."""


class PostRole(StrEnum):
    """A post in an organisation or leadership collective (chức vụ)."""

    HEAD = "head"
    """Người đứng đầu (bí thư, trưởng ban…)."""
    DEPUTY = "deputy"
    """Cấp phó."""
    MEMBER = "member"
    """Thành viên tập thể lãnh đạo / cấp ủy viên."""


class ExemptionKind(StrEnum):
    EXEMPT_PARTY_ACTIVITY = "exempt_party_activity"
    """Miễn công tác và sinh hoạt đảng."""
    PARTY_ACTIVITY_SUSPENDED = "party_activity_suspended"
    """Đình chỉ sinh hoạt đảng."""


class LeaveKind(StrEnum):
    SICK = "sick"
    """Nghỉ ốm."""
    MATERNITY = "maternity"
    """Nghỉ thai sản."""


class DisciplineKind(StrEnum):
    REPRIMAND = "reprimand"
    """Khiển trách."""
    WARNING = "warning"
    """Cảnh cáo."""
    REMOVAL = "removal"
    """Cách chức."""
    EXPULSION = "expulsion"
    """Khai trừ."""


MAX_REFERENCE_LENGTH = 200
MAX_NOTE_LENGTH = 2000


def _reference(text: str) -> str:
    """A decision number or document reference: required, short."""
    value = clean_text(text)
    if not value:
        raise DomainError("member.reference_required")
    if len(value) > MAX_REFERENCE_LENGTH:
        raise DomainError("member.reference_too_long", limit=MAX_REFERENCE_LENGTH)
    return value


@dataclass(frozen=True)
class MemberFacts:
    """The facts about a member given at enrolment (from the member's file)."""

    full_name: str
    party_card_no: str
    birth_date: date
    admission_date: date
    status: MembershipStatus


def _check_name(name: str) -> str:
    problem = text_problem(name)
    if problem is not None:
        raise DomainError(problem)
    text = clean_text(name)
    if not text:
        raise DomainError("member.name_required")
    if len(text) > MAX_NAME_LENGTH:
        raise DomainError("member.name_too_long", limit=MAX_NAME_LENGTH)
    return text


# A card number as printed: ASCII letters and digits, with "-", "." or "/" between.
CARD_PATTERN = re.compile(r"[A-Z0-9][A-Z0-9./-]{0,31}")


def normalise_card(card: str) -> str:
    """The party card number (số thẻ đảng viên) in one form: NFKC (a full-width
    "ＤＶ００１" is the "DV001" it shows), trimmed, upper case, so "dv0001",
    "DV0001" and "ＤＶ０００１" are the same member.

    Member ids are uuid5 of this form: for an ASCII card it is exactly the form
    earlier stores used (trimmed, upper case), so their ids do not change.
    """
    return normalised_identifier(card)


def card_is_valid(card: str) -> bool:
    """Whether a normalised card number has the shape of one."""
    return CARD_PATTERN.fullmatch(card) is not None


def _check_card(card: str) -> str:
    text = normalise_card(card)
    if not card_is_valid(text):
        raise DomainError("member.card_invalid", card=card)
    return text


def _check_cell(cell: ParentFacts) -> None:
    if cell.kind is not OrganisationKind.CELL:
        raise DomainError("member.not_a_cell", kind=cell.kind.value)
    if cell.dissolved:
        raise DomainError("org.dissolved")


class PartyMember(Aggregate):
    """A party member (đảng viên) with their official cell (chi bộ chính thức)."""

    @classmethod
    def enrol(
        cls,
        *,
        member_id: UUID,
        facts: MemberFacts,
        cell: ParentFacts,
        today: date,
        enrolled_by: str,
    ) -> PartyMember:
        _check_cell(cell)
        if facts.admission_date > today:
            raise DomainError("member.admission_in_future")
        if facts.birth_date >= facts.admission_date:
            raise DomainError("member.birth_after_admission")
        return cls._create(
            cls.Enrolled,  # type: ignore[attr-defined]
            id=member_id,
            full_name=_check_name(facts.full_name),
            party_card_no=_check_card(facts.party_card_no),
            birth_date=facts.birth_date,
            admission_date=facts.admission_date,
            status=MembershipStatus(facts.status).value,
            cell_id=cell.org_id,
            enrolled_by=enrolled_by,
        )

    @event("Enrolled")
    def __init__(
        self,
        full_name: str,
        party_card_no: str,
        birth_date: date,
        admission_date: date,
        status: str,
        cell_id: UUID,
        enrolled_by: str,
    ) -> None:
        self.full_name = full_name
        self.party_card_no = party_card_no
        self.birth_date = birth_date
        self.admission_date = admission_date
        self.status = MembershipStatus(status)
        self.cell_id = cell_id
        # Facts recorded later (posts, exemptions, leave, discipline…).
        self.posts: dict[str, dict[str, Any]] = {}
        self.ended_posts: list[dict[str, Any]] = []  # {org_id, role, since, until}
        self.temporary_cell_id: UUID | None = None
        self.exemptions: list[dict[str, Any]] = []
        self.leaves: list[dict[str, Any]] = []
        self.disciplines: list[dict[str, Any]] = []
        self.degradations: list[dict[str, Any]] = []
        self.confidence_results: list[dict[str, Any]] = []
        self.outside_political_system = False
        self.oversees: dict[str, dict[str, Any]] = {}

    def transfer(self, *, cell: ParentFacts, transferred_by: str) -> None:
        """Move the member's official party life to another chi bộ."""
        _check_cell(cell)
        if cell.org_id == self.cell_id:
            raise DomainError("member.same_cell")
        self._transferred(cell_id=cell.org_id, transferred_by=transferred_by)

    @event("Transferred")
    def _transferred(self, cell_id: UUID, transferred_by: str) -> None:
        self.cell_id = cell_id

    def confirm_full_membership(self, *, on: date, confirmed_by: str) -> None:
        """Công nhận đảng viên chính thức."""
        if self.status is MembershipStatus.FULL:
            raise DomainError("member.already_full")
        if on < self.admission_date:
            raise DomainError("member.confirmation_before_admission")
        self._confirmed(on=on, confirmed_by=confirmed_by)

    @event("FullMembershipConfirmed")
    def _confirmed(self, on: date, confirmed_by: str) -> None:
        self.status = MembershipStatus.FULL

    # -- facts the rating rules use (domain.md §2, §4.3) ---------------------------
    def assign_post(
        self, *, org: ParentFacts, role: str, since: date, assigned_by: str
    ) -> None:
        """A post held in an organisation or leadership collective; several at once."""
        try:
            post = PostRole(role)
        except ValueError:
            raise DomainError("member.post_role_unknown", role=role) from None
        if org.dissolved:
            raise DomainError("org.dissolved")
        current = self.posts.get(str(org.org_id))
        if current is not None and current["role"] == post.value:
            raise DomainError("member.post_unchanged")
        if since < self.admission_date:
            raise DomainError("member.date_before_admission")
        self._post_assigned(
            org_id=org.org_id,
            org_kind=org.kind.value,
            role=post.value,
            since=since,
            assigned_by=assigned_by,
        )

    @event("PostAssigned")
    def _post_assigned(
        self, org_id: UUID, org_kind: str, role: str, since: date, assigned_by: str
    ) -> None:
        self.posts[str(org_id)] = {"org_kind": org_kind, "role": role, "since": since}

    def end_post(self, *, org_id: UUID, until: date, ended_by: str) -> None:
        current = self.posts.get(str(org_id))
        if current is None:
            raise DomainError("member.post_not_held")
        if until < current["since"]:
            raise DomainError("member.period_invalid")
        self._post_ended(org_id=org_id, until=until, ended_by=ended_by)

    @event("PostEnded")
    def _post_ended(self, org_id: UUID, until: date, ended_by: str) -> None:
        post = self.posts.pop(str(org_id))
        self.ended_posts.append(
            {
                "org_id": str(org_id),
                "role": post["role"],
                "since": post["since"],
                "until": until,
            }
        )

    def held_post_at(self, org_id: UUID | str) -> bool:
        """A post at ``org_id`` now or earlier (the old unit of a violation)."""
        key = str(org_id)
        return key in self.posts or any(p["org_id"] == key for p in self.ended_posts)

    def assign_oversight(
        self, *, org: ParentFacts, since: date, assigned_by: str
    ) -> None:
        """Phân công trực tiếp phụ trách: an area or unit a leader directly
        oversees (366 Điều 11: >50% of them rated KHTNV makes the leader KHTNV)."""
        if org.dissolved:
            raise DomainError("org.dissolved")
        if str(org.org_id) in self.oversees:
            raise DomainError("member.oversight_unchanged")
        if since < self.admission_date:
            raise DomainError("member.date_before_admission")
        self._oversight_assigned(
            org_id=org.org_id, since=since, assigned_by=assigned_by
        )

    @event("OversightAssigned")
    def _oversight_assigned(self, org_id: UUID, since: date, assigned_by: str) -> None:
        self.oversees[str(org_id)] = {"since": since}

    def end_oversight(self, *, org_id: UUID, until: date, ended_by: str) -> None:
        current = self.oversees.get(str(org_id))
        if current is None:
            raise DomainError("member.oversight_not_held")
        if until < current["since"]:
            raise DomainError("member.period_invalid")
        self._oversight_ended(org_id=org_id, until=until, ended_by=ended_by)

    @event("OversightEnded")
    def _oversight_ended(self, org_id: UUID, until: date, ended_by: str) -> None:
        del self.oversees[str(org_id)]

    def attach_temporary_cell(
        self, *, cell: ParentFacts, since: date, attached_by: str
    ) -> None:
        """Sinh hoạt đảng tạm thời (43-HD mục 7.6)."""
        _check_cell(cell)
        if cell.org_id == self.cell_id:
            raise DomainError("member.temporary_is_official")
        if cell.org_id == self.temporary_cell_id:
            raise DomainError("member.temporary_unchanged")
        self._temporary_cell_attached(
            cell_id=cell.org_id, since=since, attached_by=attached_by
        )

    @event("TemporaryCellAttached")
    def _temporary_cell_attached(
        self, cell_id: UUID, since: date, attached_by: str
    ) -> None:
        self.temporary_cell_id = cell_id

    def detach_temporary_cell(self, *, until: date, detached_by: str) -> None:
        if self.temporary_cell_id is None:
            raise DomainError("member.no_temporary_cell")
        self._temporary_cell_detached(until=until, detached_by=detached_by)

    @event("TemporaryCellDetached")
    def _temporary_cell_detached(self, until: date, detached_by: str) -> None:
        self.temporary_cell_id = None

    def follow_temporary_cell(
        self,
        *,
        how: str,
        decision_no: str,
        effective_on: date,
        cell: ParentFacts | None,
        moved_by: str,
    ) -> None:
        """The chi bộ of the member's temporary party activity was merged, split
        or dissolved by a decision (or the member's official chi bộ was merged
        into it): the attachment follows to ``cell``, the successor chi bộ the
        decision gives it, or ends where there is none or that chi bộ is now the
        member's official one. The earlier chi bộ stays in the history."""
        if how not in TEMPORARY_FOLLOWS:
            raise DomainError("member.follow_unknown", how=how)
        if self.temporary_cell_id is None:
            raise DomainError("member.no_temporary_cell")
        to: UUID | None = None
        if cell is not None:
            _check_cell(cell)
            if cell.org_id != self.cell_id:
                to = cell.org_id
        self._temporary_cell_followed(
            how=how,
            decision_no=decision_no,
            effective_on=effective_on,
            from_cell_id=self.temporary_cell_id,
            cell_id=to,
            moved_by=moved_by,
        )

    @event("TemporaryCellFollowed")
    def _temporary_cell_followed(
        self,
        how: str,
        decision_no: str,
        effective_on: date,
        from_cell_id: UUID,
        cell_id: UUID | None,
        moved_by: str,
    ) -> None:
        self.temporary_cell_id = cell_id

    def record_exemption(
        self,
        *,
        kind: str,
        start: date,
        end: date | None,
        reference: str,
        recorded_by: str,
    ) -> None:
        """Miễn công tác và sinh hoạt đảng, or đình chỉ sinh hoạt đảng."""
        try:
            exemption = ExemptionKind(kind)
        except ValueError:
            raise DomainError("member.exemption_unknown", kind=kind) from None
        if end is not None and end < start:
            raise DomainError("member.period_invalid")
        self._exemption_recorded(
            kind=exemption.value,
            start=start,
            end=end,
            reference=_reference(reference),
            recorded_by=recorded_by,
        )

    @event("ExemptionRecorded")
    def _exemption_recorded(
        self, kind: str, start: date, end: date | None, reference: str, recorded_by: str
    ) -> None:
        self.exemptions.append(
            {"kind": kind, "start": start, "end": end, "reference": reference}
        )

    def record_leave(
        self, *, kind: str, start: date, end: date, recorded_by: str
    ) -> None:
        """Sick or maternity leave: still rated on the year's actual work (7.5)."""
        try:
            leave = LeaveKind(kind)
        except ValueError:
            raise DomainError("member.leave_unknown", kind=kind) from None
        if end < start:
            raise DomainError("member.period_invalid")
        self._leave_recorded(
            kind=leave.value, start=start, end=end, recorded_by=recorded_by
        )

    @event("LeaveRecorded")
    def _leave_recorded(
        self, kind: str, start: date, end: date, recorded_by: str
    ) -> None:
        self.leaves.append({"kind": kind, "start": start, "end": end})

    def record_discipline(
        self,
        *,
        discipline_id: str,
        level: str,
        duty_related: bool,
        decided_on: date,
        conduct_org_id: UUID | None,
        reference: str,
        recorded_by: str,
    ) -> None:
        """A discipline decision: level, duty-related or not, where the conduct was."""
        try:
            kind = DisciplineKind(level)
        except ValueError:
            raise DomainError("member.discipline_unknown", level=level) from None
        if decided_on < self.admission_date:
            raise DomainError("member.date_before_admission")
        if any(d["discipline_id"] == discipline_id for d in self.disciplines):
            raise DomainError("member.discipline_recorded")
        self._discipline_recorded(
            discipline_id=discipline_id,
            level=kind.value,
            duty_related=bool(duty_related),
            decided_on=decided_on,
            conduct_org_id=conduct_org_id,
            reference=_reference(reference),
            recorded_by=recorded_by,
        )

    @event("DisciplineRecorded")
    def _discipline_recorded(
        self,
        discipline_id: str,
        level: str,
        duty_related: bool,
        decided_on: date,
        conduct_org_id: UUID | None,
        reference: str,
        recorded_by: str,
    ) -> None:
        self.disciplines.append(
            {
                "discipline_id": discipline_id,
                "level": level,
                "duty_related": duty_related,
                "decided_on": decided_on,
                "conduct_org_id": conduct_org_id,
                "reference": reference,
            }
        )

    def record_degradation(
        self, *, concluded_on: date, reference: str, recorded_by: str
    ) -> None:
        """Concluded to show degradation, "tự diễn biến", "tự chuyển hoá"."""
        self._degradation_concluded(
            concluded_on=concluded_on,
            reference=_reference(reference),
            recorded_by=recorded_by,
        )

    @event("DegradationConcluded")
    def _degradation_concluded(
        self, concluded_on: date, reference: str, recorded_by: str
    ) -> None:
        self.degradations.append({"concluded_on": concluded_on, "reference": reference})

    def record_confidence_result(
        self,
        *,
        held_on: date,
        returned: int,
        low: int,
        reference: str,
        recorded_by: str,
    ) -> None:
        """A confidence vote held outside this system (on paper): ballots returned
        and low-confidence ballots for this member (96-QĐ/TW)."""
        if returned <= 0 or low < 0 or low > returned:
            raise DomainError("member.confidence_counts_invalid")
        self._confidence_recorded(
            held_on=held_on,
            returned=returned,
            low=low,
            reference=_reference(reference),
            recorded_by=recorded_by,
        )

    @event("ConfidenceResultRecorded")
    def _confidence_recorded(
        self, held_on: date, returned: int, low: int, reference: str, recorded_by: str
    ) -> None:
        self.confidence_results.append(
            {"held_on": held_on, "returned": returned, "low": low}
        )

    def set_work_situation(
        self, *, outside_political_system: bool, recorded_by: str
    ) -> None:
        """Not working in the political system (retired, student, private sector):
        Mẫu 2C and Phụ lục 5."""
        if bool(outside_political_system) == self.outside_political_system:
            raise DomainError("member.situation_unchanged")
        self._work_situation_set(
            outside_political_system=bool(outside_political_system),
            recorded_by=recorded_by,
        )

    @event("WorkSituationSet")
    def _work_situation_set(
        self, outside_political_system: bool, recorded_by: str
    ) -> None:
        self.outside_political_system = outside_political_system

    def exemption_on(self, day: date) -> str | None:
        """The exemption kind active on ``day``, if any."""
        for item in self.exemptions:
            if item["start"] <= day and (item["end"] is None or day <= item["end"]):
                return str(item["kind"])
        return None
