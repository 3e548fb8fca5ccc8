"""Rulebooks: the rules of each regime as data (architecture.md §5; domain.md §1–§5).

A rulebook is chosen by the review year of a cycle and answers: who is exempt,
which criteria and bands apply, the hard conditions and the automatic KHTNV
triggers, the quota ratio and its rounding, the rating-order prerequisites, the
authority table and the "head not above the collective" flag. Every decision event
records the rulebook id, so an old decision is re-explainable under its own regime.

Percentages are whole numbers and compared by cross-multiplication; scores are
exact decimals parsed into :class:`fractions.Fraction`. No float anywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction

from domain.errors import DomainError


class Level(StrEnum):
    """The four rating levels (domain.md §4.1), ordered by :data:`LEVEL_RANK`."""

    EXCELLENT = "HTXSNV"
    GOOD = "HTTNV"
    COMPLETED = "HTNV"
    NOT_COMPLETED = "KHTNV"


LEVEL_RANK: dict[Level, int] = {
    Level.NOT_COMPLETED: 0,
    Level.COMPLETED: 1,
    Level.GOOD: 2,
    Level.EXCELLENT: 3,
}
LEVELS_DESCENDING: tuple[Level, ...] = (
    Level.EXCELLENT,
    Level.GOOD,
    Level.COMPLETED,
    Level.NOT_COMPLETED,
)


def parse_level(value: str) -> Level:
    try:
        return Level(value)
    except ValueError:
        raise DomainError("rating.level_unknown", level=value) from None


class Appendix(StrEnum):
    """The 366 appendix (criteria frame) a subject is scored under (§2.2, §4.2)."""

    COLLECTIVE = "PL1"
    LEADER_CENTRAL = "PL2"
    LEADER = "PL3"
    NON_LEADER = "PL4"
    OUTSIDE_SYSTEM = "PL5"


# Mẫu bản kiểm điểm cá nhân by appendix (domain.md §9): leaders write 2A, other
# members 2B, members outside the political system 2C.
FORM_OF_APPENDIX: dict[str, str] = {
    Appendix.LEADER_CENTRAL.value: "2A",
    Appendix.LEADER.value: "2A",
    Appendix.NON_LEADER.value: "2B",
    Appendix.OUTSIDE_SYSTEM.value: "2C",
}
# Sections of the self-review (domain.md §9, interpretation): I–VI and the
# responsibility for the collective's shortcomings only for leaders (2A).
FORM_SECTIONS: dict[str, tuple[str, ...]] = {
    "2A": (
        "strengths",
        "shortcomings",
        "remediation",
        "suggestions",
        "responsibility",
        "measures",
    ),
    "2B": ("strengths", "shortcomings", "remediation", "suggestions", "measures"),
    "2C": ("strengths", "shortcomings", "remediation", "suggestions", "measures"),
    # Mẫu 01, the collective's report, in the same pattern under 21-HD, 25-HD and
    # 43-HD (interpretation): I results, II shortcomings and causes, III the
    # previous review's remediation, IV answers to suggestions, V direction and
    # measures; VI, the self-rating, is the rating step's, not a text.
    "01": ("results", "shortcomings", "remediation", "suggestions", "measures"),
}
# What a form may not leave empty: a self-review its strengths, shortcomings and
# measures; the collective's draft report its results (section I), which is all
# that a report sent as one text (the API's ``summary``) holds.
REQUIRED_SECTIONS: dict[str, frozenset[str]] = {
    "2A": frozenset({"strengths", "shortcomings", "measures"}),
    "2B": frozenset({"strengths", "shortcomings", "measures"}),
    "2C": frozenset({"strengths", "shortcomings", "measures"}),
    "01": frozenset({"results"}),
}


class Exemption(StrEnum):
    """Reasons a member is not reviewed nor rated (§2.1)."""

    EXEMPT_PARTY_ACTIVITY = "exempt_party_activity"
    PARTY_ACTIVITY_SUSPENDED = "party_activity_suspended"
    ADMITTED_LT_6_MONTHS = "admitted_lt_6_months"


class DisciplineLevel(StrEnum):
    """Kỷ luật đảng: khiển trách < cảnh cáo < cách chức < khai trừ."""

    REPRIMAND = "reprimand"
    WARNING = "warning"
    REMOVAL = "removal"
    EXPULSION = "expulsion"


DISCIPLINE_RANK: dict[DisciplineLevel, int] = {
    DisciplineLevel.REPRIMAND: 1,
    DisciplineLevel.WARNING: 2,
    DisciplineLevel.REMOVAL: 3,
    DisciplineLevel.EXPULSION: 4,
}


class Rounding(StrEnum):
    """How the quota cap ``ratio × HTTNV`` becomes a whole number (§5.1)."""

    FLOOR = "floor"
    CEILING = "ceiling"
    HALF_UP = "half_up"


@dataclass(frozen=True)
class Criterion:
    """One scored criterion (366) or one condition of a level (132/124)."""

    code: str
    title: str
    group: str  # "general" | "task" for scored criteria; the level code otherwise
    max_points: int = 0


@dataclass(frozen=True)
class CriteriaSet:
    """The criteria of one appendix: general group and task-result group."""

    appendix: Appendix
    criteria: tuple[Criterion, ...]

    def total(self, group: str) -> int:
        return sum(c.max_points for c in self.criteria if c.group == group)

    def by_code(self) -> dict[str, Criterion]:
        return {c.code: c for c in self.criteria}


@dataclass(frozen=True)
class DisciplineTrigger:
    """Which discipline records make a subject KHTNV."""

    min_level: DisciplineLevel
    duty_related_only: bool


@dataclass(frozen=True)
class Authority:
    """Who self-rates, proposes and decides for one class of subject (§5.2).

    Values are relations in the tree: ``self``, ``official_cell``, ``parent``
    (of the subject's organisation, or of the cell for members), ``post_parent``
    (the committee managing the leader's highest post), ``outside`` (a body the
    system does not hold, e.g. the Politburo), or ``None`` (no such step).
    """

    self_rates: str
    proposes: str | None
    decides: str


# Rating-order prerequisites (domain.md §3.2, 366 Điều 12.2).
ORDER_COLLECTIVE_BEFORE_MEMBERS = "collective_before_members"
ORDER_COLLECTIVE_BEFORE_HEAD = "collective_before_head"
ORDER_MEMBERS_BEFORE_PARTY_ORG = "members_before_party_org"
ORDER_LOWER_BEFORE_HIGHER = "lower_before_higher"
ORDER_UNITS_BEFORE_PARTY_ORG = "units_before_party_org"
ORDER_GOVERNMENT_BEFORE_PARTY_COMMITTEE = "government_before_party_committee"

# Subject classes of the authority table.
MEMBER_OF_SUBORDINATE_CELL = "member_of_subordinate_cell"
MEMBER_OF_GRASSROOTS_CELL = "member_of_grassroots_cell"
LEADER = "leader"
SUBORDINATE_CELL = "subordinate_cell"
GRASSROOTS_CELL = "grassroots_cell"
GRASSROOTS_COMMITTEE = "grassroots_committee"
PARTIAL_COMMITTEE = "partial_committee"
DISTRICT_COMMITTEE = "district_committee"
PROVINCIAL_COMMITTEE = "provincial_committee"
LEADERSHIP_COLLECTIVE = "leadership_collective"

AUTHORITY_TABLE: dict[str, Authority] = {
    # 43-HD mục 3 and the 21-HD practice (domain.md §5.2; interpretation).
    # A chi bộ trực thuộc sits under a đảng ủy cơ sở, directly or through a đảng
    # ủy bộ phận: the đảng ủy bộ phận proposes, the đảng ủy cơ sở decides.
    MEMBER_OF_SUBORDINATE_CELL: Authority("self", "official_cell", "grassroots"),
    MEMBER_OF_GRASSROOTS_CELL: Authority("self", "official_cell", "official_cell"),
    LEADER: Authority("self", "official_cell", "post_parent"),
    SUBORDINATE_CELL: Authority("self", "partial_committee", "grassroots"),
    PARTIAL_COMMITTEE: Authority("self", None, "parent"),
    GRASSROOTS_CELL: Authority("self", None, "parent"),
    GRASSROOTS_COMMITTEE: Authority("self", None, "parent"),
    DISTRICT_COMMITTEE: Authority("self", None, "parent"),
    PROVINCIAL_COMMITTEE: Authority("self", None, "outside"),
    LEADERSHIP_COLLECTIVE: Authority("self", None, "parent"),
}


@dataclass(frozen=True)
class Rulebook:
    """The rules of one regime, as data."""

    id: str
    regulation: str
    guidance: str
    first_year: int
    last_year: int | None
    periods: frozenset[str]
    exemptions: frozenset[Exemption]
    admission_months: int
    scored: bool
    bands: tuple[tuple[Level, int], ...]
    general_max: int
    task_max: int
    criteria: Mapping[Appendix, CriteriaSet]
    level_criteria: Mapping[Level, tuple[Criterion, ...]]
    excellent_exceeded_min_pct: int | None
    excellent_requires_full_remediation: bool
    completed_late_max_pct: int | None
    individual_discipline: DisciplineTrigger
    collective_discipline: DisciplineTrigger
    confidence_trigger: bool
    tasks_not_done_max_pct: int
    collective_tasks_min_pct: int | None
    mitigation_allowed: bool
    quota_ratio_pct: int
    quota_exception_max_pct: int | None
    quota_rounding: Rounding
    order_rules: frozenset[str]
    head_not_above_collective: bool
    head_rule_configurable: bool
    proposal_required: bool
    circulation_working_days: int
    authority: Mapping[str, Authority] = field(
        default_factory=lambda: dict(AUTHORITY_TABLE)
    )
    # Triggers that read facts about units (organisation facts, other decisions);
    # ``None`` / empty: the regime has no such trigger. Percentages: "more than".
    overseen_khtnv_max_pct: int | None = None
    led_unit_khtnv: bool = False
    leader_case_kinds: frozenset[str] = frozenset()
    collective_case_kinds: frozenset[str] = frozenset()
    unit_tasks_min_pct: int | None = None
    socio_economic_targets: bool = False
    conclusion_kinds: frozenset[str] = frozenset()
    collective_member_degradation: bool = False
    collective_disciplined: bool = False
    subordinate_disciplined_max_pct: int | None = None
    members_khtnv_max_pct: int | None = None

    def covers(self, year: int) -> bool:
        return self.first_year <= year and (
            self.last_year is None or year <= self.last_year
        )

    def band(self, score: Fraction) -> Level:
        for level, minimum in self.bands:
            if score >= minimum:
                return level
        return Level.NOT_COMPLETED

    def band_minimum(self, level: Level) -> int | None:
        return dict(self.bands).get(level)

    def criteria_for(
        self,
        appendix: Appendix,
        overrides: Mapping[str, CriteriaSet] | None = None,
    ) -> CriteriaSet:
        if overrides and appendix.value in overrides:
            return overrides[appendix.value]
        try:
            return self.criteria[appendix]
        except KeyError:
            raise DomainError("rating.criteria_unknown", appendix=appendix) from None

    def criteria_listed(
        self,
        appendix: str,
        overrides: Mapping[str, CriteriaSet] | None = None,
    ) -> tuple[Criterion, ...]:
        """Tiêu chí: what a subject of ``appendix`` is rated against, as a page
        lists it: the appendix's scored criteria (the cycle's refinement first,
        366 Điều 10), or under 132/124 the conditions of every level, each with
        its level's code as group and no points."""
        if self.scored:
            try:
                key = Appendix(appendix)
            except ValueError:
                raise DomainError(
                    "rating.criteria_unknown", appendix=appendix
                ) from None
            return self.criteria_for(key, overrides).criteria
        return tuple(
            Criterion(c.code, c.title, level.value)
            for level, items in self.level_criteria.items()
            for c in items
        )

    def criteria_frame(self) -> dict[str, tuple[Criterion, ...]]:
        """Khung tiêu chí: every appendix's own criteria, the model a province or
        unit refines (366 Điều 10); empty for a regime that is not scored."""
        return {
            a.value: self.criteria[a].criteria for a in Appendix if a in self.criteria
        }

    def form_of(self, appendix: str | None) -> str | None:
        """Mẫu bản kiểm điểm: the self-review form (2A / 2B / 2C) of a subject
        scored under ``appendix``; None for a collective (Mẫu 01) or none."""
        return FORM_OF_APPENDIX.get(appendix or "")

    def form_sections(self, form: str) -> tuple[str, ...]:
        """Các phần của bản kiểm điểm: the sections a self-review on ``form``
        has, in order; none for an unknown form."""
        return FORM_SECTIONS.get(form, ())

    def check_criteria_set(self, criteria: CriteriaSet) -> CriteriaSet:
        """A province's refinement keeps the 30/70 frame (366 Điều 10)."""
        if (
            criteria.total("general") != self.general_max
            or criteria.total("task") != self.task_max
        ):
            raise DomainError(
                "cycle.criteria_frame",
                general=criteria.total("general"),
                task=criteria.total("task"),
                general_max=self.general_max,
                task_max=self.task_max,
            )
        codes = [c.code for c in criteria.criteria]
        if len(codes) != len(set(codes)) or any(
            c.max_points <= 0 or c.group not in ("general", "task")
            for c in criteria.criteria
        ):
            raise DomainError("cycle.criteria_invalid")
        return criteria


def quota_cap(good: int, ratio_pct: int, rounding: Rounding) -> int:
    """The most HTXSNV allowed for ``good`` HTTNV at ``ratio_pct`` %, exactly."""
    exact = Fraction(good * ratio_pct, 100)
    if rounding is Rounding.FLOOR:
        return exact.numerator // exact.denominator
    if rounding is Rounding.CEILING:
        return -((-exact.numerator) // exact.denominator)
    return int((exact + Fraction(1, 2)).__floor__())


def confidence_band(returned: int, low: int) -> str | None:
    """96-QĐ/TW bands over ballots returned: ``GTE_TWO_THIRDS`` or ``GT_HALF``."""
    if returned <= 0:
        return None
    if low * 3 >= returned * 2:
        return "GTE_TWO_THIRDS"
    if low * 2 > returned:
        return "GT_HALF"
    return None


def _registry() -> dict[str, Rulebook]:
    from domain.rulebooks import r124, r132, r366

    return {rb.id: rb for rb in (r132.RULEBOOK, r124.RULEBOOK, r366.RULEBOOK)}


def all_rulebooks() -> list[Rulebook]:
    return sorted(_registry().values(), key=lambda rb: rb.first_year)


def rulebook(rulebook_id: str) -> Rulebook:
    try:
        return _registry()[rulebook_id]
    except KeyError:
        raise DomainError("cycle.rulebook_unknown", rulebook=rulebook_id) from None


def rulebook_for_year(year: int) -> Rulebook:
    """The regime in force for a review year (§1): 2018–2022, 2023–2024, 2025–."""
    for candidate in all_rulebooks():
        if candidate.covers(year):
            return candidate
    raise DomainError("cycle.no_regime", year=year)
