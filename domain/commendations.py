"""Commendations (khen thưởng) derived from the rating history — Hướng dẫn
06-HD/TW (2025) mục 19.2, domain.md §8:

- a member rated HTXSNV in the year: giấy khen of the đảng ủy cơ sở or the chi
  bộ cơ sở;
- HTXSNV five consecutive years: giấy khen of the standing committee of the
  committee directly above the grassroots organisation, or bằng khen of the
  provincial standing committee. The text as quoted lists both tiers; which one a
  deployment uses is configuration (default: the giấy khen tier, the first the
  guidance names).

An award is a signed decision on its own aggregate. The rating history it rests
on (level and decision number per year) is passed in by the service and recorded
in the event; an award whose basis the history does not support is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import DomainError
from domain.text import clean_text

GUIDANCE = "06-HD/TW mục 19.2"
EXCELLENT = "HTXSNV"
MAX_TEXT = 200


class AwardKind(StrEnum):
    YEAR_CERTIFICATE = "year_certificate"
    """Giấy khen — HTXSNV trong năm."""
    FIVE_YEAR_CERTIFICATE = "five_year_certificate"
    """Giấy khen — HTXSNV 5 năm liền (BTV cấp ủy cấp trên trực tiếp của TCCS đảng)."""
    FIVE_YEAR_MERIT = "five_year_merit"
    """Bằng khen — HTXSNV 5 năm liền (BTV tỉnh ủy, thành ủy)."""


@dataclass(frozen=True)
class AwardRule:
    years: int  # consecutive HTXSNV years the award rests on, ending in its year
    awarding_level: str  # who awards (code; Vietnamese in web/catalogue)
    awarding_classes: frozenset[str]  # subject classes of the awarding organisation


AWARD_RULES: dict[AwardKind, AwardRule] = {
    AwardKind.YEAR_CERTIFICATE: AwardRule(
        1, "grassroots", frozenset({"grassroots_committee", "grassroots_cell"})
    ),
    AwardKind.FIVE_YEAR_CERTIFICATE: AwardRule(
        5, "above_grassroots_standing", frozenset({"district_committee"})
    ),
    AwardKind.FIVE_YEAR_MERIT: AwardRule(
        5, "provincial_standing", frozenset({"provincial_committee"})
    ),
}
FIVE_YEAR_KINDS = frozenset(
    {AwardKind.FIVE_YEAR_CERTIFICATE, AwardKind.FIVE_YEAR_MERIT}
)
DEFAULT_FIVE_YEAR_KIND = AwardKind.FIVE_YEAR_CERTIFICATE


def parse_kind(value: str) -> AwardKind:
    try:
        return AwardKind(value)
    except ValueError:
        raise DomainError("commendation.kind_unknown", kind=value) from None


def five_year_kind(value: str | None) -> AwardKind:
    """The configured five-year tier (giấy khen by default)."""
    if value is None:
        return DEFAULT_FIVE_YEAR_KIND
    kind = parse_kind(value)
    if kind not in FIVE_YEAR_KINDS:
        raise DomainError("commendation.kind_unknown", kind=value)
    return kind


def consecutive_years(levels: Mapping[int, str | None], year: int) -> int:
    """How many years in a row, ending with ``year``, the subject was HTXSNV."""
    n = 0
    while levels.get(year - n) == EXCELLENT:
        n += 1
    return n


def proposed_kinds(
    levels: Mapping[int, str | None], year: int, five_year: AwardKind
) -> list[AwardKind]:
    """The awards the history supports in ``year`` (the proposals)."""
    streak = consecutive_years(levels, year)
    kinds = []
    if streak >= AWARD_RULES[AwardKind.YEAR_CERTIFICATE].years:
        kinds.append(AwardKind.YEAR_CERTIFICATE)
    if streak >= AWARD_RULES[five_year].years:
        kinds.append(five_year)
    return kinds


class Commendation(Aggregate):
    """One award (quyết định khen thưởng) to one member for one year."""

    @classmethod
    def grant(
        cls,
        *,
        award_id: UUID,
        subject_key: str,
        subject_name: str,
        subject_kind: str,
        subject_path: list[str],
        kind: str,
        year: int,
        history: Mapping[int, Mapping[str, Any]],
        five_year: AwardKind,
        awarding_org_id: UUID,
        awarding_org_name: str,
        awarding_class: str,
        decision_no: str,
        decided_on: date,
        granted_by: str,
    ) -> Commendation:
        """``history`` maps a year to ``{"level", "decision_no"}`` of the decided
        annual rating (from the rating history); ``subject_path`` is the subject's
        organisation and every one above it."""
        award = parse_kind(kind)
        if award in FIVE_YEAR_KINDS and award is not five_year:
            raise DomainError("commendation.kind_not_configured", kind=award.value)
        if subject_kind != "individual":
            raise DomainError("commendation.subject_not_member")
        rule = AWARD_RULES[award]
        if awarding_class not in rule.awarding_classes:
            raise DomainError(
                "commendation.awarding_level",
                kind=award.value,
                awarding_level=rule.awarding_level,
            )
        if str(awarding_org_id) not in subject_path:
            raise DomainError("commendation.awarding_org_not_above")
        basis_years = list(range(year - rule.years + 1, year + 1))
        basis = []
        for y in basis_years:
            found = history.get(y) or {}
            level = found.get("level")
            if level != EXCELLENT:
                raise DomainError(
                    "commendation.basis_not_supported",
                    year=y,
                    level=level or "—",
                    needed=rule.years,
                )
            basis.append(
                {"year": y, "level": level, "decision_no": str(found["decision_no"])}
            )
        number = clean_text(decision_no)
        if not number:
            raise DomainError("commendation.decision_no_required")
        if len(number) > MAX_TEXT:
            raise DomainError("commendation.text_too_long", limit=MAX_TEXT)
        if decided_on.year < year:
            raise DomainError("commendation.decided_before_year", year=year)
        return cls._create(
            cls.AwardGranted,  # type: ignore[attr-defined]
            id=award_id,
            subject_key=subject_key,
            subject_name=subject_name,
            kind=award.value,
            year=year,
            basis_years=basis_years,
            basis=basis,
            awarding_level=rule.awarding_level,
            guidance=GUIDANCE,
            awarding_org_id=awarding_org_id,
            awarding_org_name=awarding_org_name,
            decision_no=number,
            decided_on=decided_on,
            granted_by=granted_by,
        )

    @event("AwardGranted")
    def __init__(
        self,
        subject_key: str,
        subject_name: str,
        kind: str,
        year: int,
        basis_years: list[int],
        basis: list[dict[str, Any]],
        awarding_level: str,
        guidance: str,
        awarding_org_id: UUID,
        awarding_org_name: str,
        decision_no: str,
        decided_on: date,
        granted_by: str,
    ) -> None:
        self.subject_key = subject_key
        self.kind = AwardKind(kind)
        self.year = year
        self.basis_years = list(basis_years)
        self.decision_no = decision_no
