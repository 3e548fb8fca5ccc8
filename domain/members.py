"""Party members (đảng viên) and where they take part in party life."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import DomainError
from domain.organisations import OrganisationKind, ParentFacts
from domain.text import clean_text

MAX_NAME_LENGTH = 120


class MembershipStatus(StrEnum):
    PROBATIONARY = "probationary"
    """Đảng viên dự bị."""
    FULL = "full"
    """Đảng viên chính thức."""


@dataclass(frozen=True)
class MemberFacts:
    """The facts about a member given at enrolment (from the member's file)."""

    full_name: str
    party_card_no: str
    birth_date: date
    admission_date: date
    status: MembershipStatus


def _check_name(name: str) -> str:
    text = clean_text(name)
    if not text:
        raise DomainError("member.name_required")
    if len(text) > MAX_NAME_LENGTH:
        raise DomainError("member.name_too_long", limit=MAX_NAME_LENGTH)
    return text


def normalise_card(card: str) -> str:
    """The party card number (số thẻ đảng viên) in one form: trimmed, upper case,
    so "dv0001" and "DV0001" are the same member."""
    return clean_text(card).upper()


def _check_card(card: str) -> str:
    text = normalise_card(card)
    if not text or len(text) > 32 or not all(c.isalnum() or c in "-./" for c in text):
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
