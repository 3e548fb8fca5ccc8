"""What level the rules allow for one subject (domain.md §4.2–§4.5): score bands,
hard conditions and the automatic KHTNV triggers of the regime.

Pure functions over exact numbers: scores are :class:`fractions.Fraction` parsed
from decimal text ("89.9"), percentages are compared by cross-multiplication.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from typing import Any
from uuid import UUID

from domain.errors import DomainError
from domain.remediation import Carried
from domain.rulebooks import (
    DISCIPLINE_RANK,
    LEVEL_RANK,
    LEVELS_DESCENDING,
    Appendix,
    CriteriaSet,
    DisciplineLevel,
    Level,
    Rulebook,
    confidence_band,
)

SCORE_TEXT = re.compile(r"\d{1,3}(\.\d{1,2})?")
LEADER_APPENDICES = frozenset({Appendix.LEADER.value, Appendix.LEADER_CENTRAL.value})

# Open questions the regulations leave to the competent authority (docs/rules.md).
# 366 Điều 11.3 (domain.md §4.3): the score is in a band of HTNV or above, the
# HTNV condition (100% done, at most 20% behind schedule) fails, and no KHTNV
# trigger applies. The texts name no level: the system refuses HTNV, flags the
# subject from the self-rating on, and only the authority's decision, with a
# written justification, settles it (recorded in the decision event).
OPEN_HTNV_CONDITION = "htnv_condition_failed"


def parse_points(text: str) -> Fraction:
    """Points as an exact decimal with at most two places ("7", "8.5", "9.25")."""
    value = str(text).strip()
    if not SCORE_TEXT.fullmatch(value):
        raise DomainError("rating.points_invalid", value=value)
    return Fraction(value)


def show(value: Fraction) -> str:
    """A score for people: "89.9", "92", never a float."""
    if value.denominator == 1:
        return str(value.numerator)
    whole, rest = divmod(value.numerator * 100 // value.denominator, 100)
    return f"{whole}.{rest:02d}".rstrip("0")


@dataclass(frozen=True)
class Assessment:
    """A self-rating or appraisal: the level claimed and the facts behind it."""

    level: Level
    points: Mapping[str, Fraction] = field(default_factory=dict)
    met: frozenset[str] = frozenset()
    tasks_total: int = 0
    tasks_on_time: int = 0
    tasks_exceeded: int = 0
    tasks_late: int = 0
    tasks_not_done: int = 0
    shortcomings_total: int = 0
    shortcomings_remedied: int = 0

    def check(self) -> None:
        counts = (
            self.tasks_total,
            self.tasks_on_time,
            self.tasks_exceeded,
            self.tasks_late,
            self.tasks_not_done,
            self.shortcomings_total,
            self.shortcomings_remedied,
        )
        if any(n < 0 for n in counts):
            raise DomainError("rating.counts_invalid")
        if self.tasks_total < 1:
            raise DomainError("rating.tasks_required")
        if self.tasks_on_time + self.tasks_late + self.tasks_not_done != (
            self.tasks_total
        ):
            raise DomainError("rating.tasks_do_not_add_up", total=self.tasks_total)
        if self.tasks_exceeded > self.tasks_total - self.tasks_not_done:
            raise DomainError("rating.exceeded_too_many")
        if self.shortcomings_remedied > self.shortcomings_total:
            raise DomainError("rating.remedied_too_many")

    def as_dict(self) -> dict[str, Any]:
        return {
            "level": self.level.value,
            "points": {k: self.points[k] for k in sorted(self.points)},
            "met": sorted(self.met),
            "tasks_total": self.tasks_total,
            "tasks_on_time": self.tasks_on_time,
            "tasks_exceeded": self.tasks_exceeded,
            "tasks_late": self.tasks_late,
            "tasks_not_done": self.tasks_not_done,
            "shortcomings_total": self.shortcomings_total,
            "shortcomings_remedied": self.shortcomings_remedied,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Assessment:
        return cls(
            level=Level(data["level"]),
            points={k: Fraction(v) for k, v in data["points"].items()},
            met=frozenset(data["met"]),
            **{
                k: int(data[k])
                for k in (
                    "tasks_total",
                    "tasks_on_time",
                    "tasks_exceeded",
                    "tasks_late",
                    "tasks_not_done",
                    "shortcomings_total",
                    "shortcomings_remedied",
                )
            },
        )


@dataclass(frozen=True)
class DisciplineFact:
    discipline_id: str
    level: str
    duty_related: bool
    decided_on: date
    conduct_org_id: UUID | None
    member_id: UUID | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "discipline_id": self.discipline_id,
            "level": self.level,
            "duty_related": self.duty_related,
            "decided_on": self.decided_on,
            "conduct_org_id": self.conduct_org_id,
            "member_id": self.member_id,
        }


def charged_here(record: DisciplineFact, org_id: UUID | None) -> bool:
    """Whether a member's discipline record counts at the collective ``org_id``.

    366-QĐ/TW Điều 11, "một số trường hợp cần lưu ý" (domain.md §4.3): a
    violation committed at the old unit but disciplined at the new one counts
    against the old unit's rating, not the new one's; each violation counts at
    the unit where the conduct occurred. A record naming no unit counts where
    the member holds the post. The KHTNV trigger and the HTXSNV condition "no
    member disciplined" both read it."""
    return record.conduct_org_id is None or record.conduct_org_id == org_id


def collective_charges(
    org_id: UUID, records: Iterable[DisciplineFact], *, holds_post: bool
) -> tuple[DisciplineFact, ...]:
    """The records of one member (past or present post holder) charged to the
    collective ``org_id``: while the member holds a post there, those whose
    conduct was there or at no named unit; once the post has ended, those whose
    conduct was there — the old unit stays charged (366 Điều 11)."""
    return tuple(
        r
        for r in records
        if r.conduct_org_id == org_id or (holds_post and r.conduct_org_id is None)
    )


@dataclass(frozen=True)
class SubjectFacts:
    """Facts about a subject the service gathered for a rating step; recorded in
    the event that used them."""

    disciplines: tuple[DisciplineFact, ...] = ()
    member_disciplines: tuple[DisciplineFact, ...] = ()
    degradation: bool = False
    confidence: tuple[int, int] | None = None  # (ballots returned, low confidence)
    temporary_cell_comment: bool | None = None  # None: no temporary chi bộ
    leaves: tuple[str, ...] = ()
    counted_disciplines: frozenset[str] = frozenset()
    # The shortcomings carried into this cycle and those verified (from the
    # remediation view). None: not gathered (then the assessment's counts apply).
    remediation: Carried | None = None

    def remedied(self, assessment: Assessment) -> tuple[int, int]:
        """(carried, remedied) for the HTXSNV condition."""
        if self.remediation is not None:
            return len(self.remediation.carried), len(self.remediation.verified)
        return assessment.shortcomings_total, assessment.shortcomings_remedied

    # Facts about units (366 Điều 11; 132/124), gathered across aggregates.
    overseen: tuple[tuple[str, str | None], ...] = ()  # (subject key, level)
    led: tuple[tuple[str, str | None], ...] = ()  # units headed: (key, level)
    unit_results: tuple[Mapping[str, Any], ...] = ()  # TaskResultsRecorded rows
    cases: tuple[Mapping[str, Any], ...] = ()  # under direct management
    conclusions: tuple[Mapping[str, Any], ...] = ()
    member_degradations: tuple[Mapping[str, Any], ...] = ()
    org_disciplines: tuple[Mapping[str, Any], ...] = ()
    subordinates: tuple[Mapping[str, Any], ...] = ()  # {org_id, disciplined: [d]}
    member_levels: tuple[tuple[str, str | None], ...] = ()
    previous: Mapping[str, Any] | None = None  # the previous cycle's decision

    def unit_dict(self) -> dict[str, Any]:
        return {
            "overseen": [list(o) for o in self.overseen],
            "led": [list(o) for o in self.led],
            "unit_results": [dict(r) for r in self.unit_results],
            "cases": [dict(c) for c in self.cases],
            "conclusions": [dict(c) for c in self.conclusions],
            "member_degradations": [dict(d) for d in self.member_degradations],
            "org_disciplines": [dict(d) for d in self.org_disciplines],
            "subordinates": [dict(u) for u in self.subordinates],
            "member_levels": [list(m) for m in self.member_levels],
            "previous": dict(self.previous) if self.previous else None,
        }

    def as_dict(self) -> dict[str, Any]:
        extra: dict[str, Any] = {}
        if self.remediation is not None:
            extra["remediation"] = self.remediation.as_dict()
        return {
            **extra,
            **self.unit_dict(),
            "disciplines": [d.as_dict() for d in self.disciplines],
            "member_disciplines": [d.as_dict() for d in self.member_disciplines],
            "degradation": self.degradation,
            "confidence": list(self.confidence) if self.confidence else None,
            "temporary_cell_comment": self.temporary_cell_comment,
            "leaves": list(self.leaves),
            "counted_disciplines": sorted(self.counted_disciplines),
        }


@dataclass(frozen=True)
class Trigger:
    """An automatic KHTNV trigger (Điều 11 §4), possibly set aside by the authority."""

    code: str
    mitigable: bool
    mitigated: bool = False
    details: Mapping[str, Any] = field(default_factory=dict)

    @property
    def applies(self) -> bool:
        return not self.mitigated


@dataclass(frozen=True)
class Evaluation:
    """The highest level the rules allow, and why."""

    ceiling: Level
    open_questions: tuple[str, ...]
    score: Fraction | None
    band: Level | None
    triggers: tuple[Trigger, ...]
    failed: tuple[tuple[Level, str], ...]  # (level refused, the condition it missed)
    rules: tuple[str, ...]

    @property
    def needs_judgement(self) -> bool:
        """An open question only the competent authority can settle."""
        return bool(self.open_questions)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ceiling": self.ceiling.value,
            "needs_judgement": self.needs_judgement,
            "open_questions": list(self.open_questions),
            "score": self.score,
            "band": self.band.value if self.band else None,
            "triggers": [
                {
                    "code": t.code,
                    "mitigable": t.mitigable,
                    "mitigated": t.mitigated,
                    "details": dict(t.details),
                }
                for t in self.triggers
            ],
            "failed": [[level.value, rule] for level, rule in self.failed],
            "rules": list(self.rules),
        }


def _pct_at_least(part: int, whole: int, pct: int) -> bool:
    return part * 100 >= pct * whole


def score_of(
    rulebook: Rulebook, criteria: CriteriaSet, points: Mapping[str, Fraction]
) -> Fraction:
    known = criteria.by_code()
    unknown = sorted(set(points) - set(known))
    if unknown:
        raise DomainError("rating.criterion_unknown", codes=", ".join(unknown))
    missing = sorted(set(known) - set(points))
    if missing:
        raise DomainError("rating.criterion_missing", codes=", ".join(missing))
    for code, value in points.items():
        if value < 0 or value > known[code].max_points:
            raise DomainError(
                "rating.points_out_of_range", criterion=code, max=known[code].max_points
            )
    return sum(points.values(), Fraction(0))


def _counting(
    rulebook: Rulebook,
    records: tuple[DisciplineFact, ...],
    year: int,
    counted: frozenset[str],
    collective: bool,
    org_id: UUID | None,
) -> list[DisciplineFact]:
    trigger = (
        rulebook.collective_discipline if collective else rulebook.individual_discipline
    )
    minimum = DISCIPLINE_RANK[trigger.min_level]
    found = []
    for record in records:
        if record.decided_on.year != year or record.discipline_id in counted:
            continue  # disciplined in the year; one violation counts once
        if DISCIPLINE_RANK[DisciplineLevel(record.level)] < minimum:
            continue
        if trigger.duty_related_only and not record.duty_related:
            continue
        if collective and not charged_here(record, org_id):
            continue  # conduct at another unit counts there (Điều 11, timing cases)
        found.append(record)
    return found


def triggers_for(
    rulebook: Rulebook,
    subject: Mapping[str, Any],
    assessment: Assessment,
    facts: SubjectFacts,
    year: int,
    mitigations: Mapping[str, bool],
) -> tuple[Trigger, ...]:
    collective = subject["kind"] == "collective"
    org_id = UUID(subject["org_id"]) if subject.get("org_id") else None
    mitigable = rulebook.mitigation_allowed
    found: list[Trigger] = []

    def add(code: str, can_mitigate: bool, **details: Any) -> None:
        found.append(
            Trigger(
                code,
                can_mitigate,
                can_mitigate and mitigations.get(code, False),
                details,
            )
        )

    records = facts.member_disciplines if collective else facts.disciplines
    hits = _counting(
        rulebook, records, year, facts.counted_disciplines, collective, org_id
    )
    if hits:
        add(
            "member_discipline" if collective else "discipline",
            mitigable,
            ids=sorted(h.discipline_id for h in hits),
        )
    if facts.degradation:
        add("degradation", False)
    if (
        rulebook.confidence_trigger
        and not collective
        and subject.get("appendix") in LEADER_APPENDICES
        and facts.confidence is not None
    ):
        returned, low = facts.confidence
        band = confidence_band(returned, low)
        if band is not None:
            add("confidence", False, returned=returned, low=low, band=band)
    total = assessment.tasks_total
    if collective:
        done = total - assessment.tasks_not_done
        if rulebook.collective_tasks_min_pct is not None and not _pct_at_least(
            done, total, rulebook.collective_tasks_min_pct
        ):
            add("tasks_below_minimum", mitigable, pct=rulebook.collective_tasks_min_pct)
    elif assessment.tasks_not_done * 100 > rulebook.tasks_not_done_max_pct * total:
        add("tasks_not_done", mitigable, pct=rulebook.tasks_not_done_max_pct)
    for code, can_mitigate, details in unit_triggers(rulebook, subject, facts, year):
        add(code, can_mitigate and mitigable, **details)
    return tuple(found)


def _in_year(day: Any, year: int) -> bool:
    return isinstance(day, date) and day.year == year


def _more_than(part: int, whole: int, pct: int) -> bool:
    return whole > 0 and part * 100 > pct * whole


def unit_triggers(
    rulebook: Rulebook, subject: Mapping[str, Any], facts: SubjectFacts, year: int
) -> list[tuple[str, bool, dict[str, Any]]]:
    """The KHTNV triggers that read facts about units: the areas and units a
    leader oversees or leads, their task results and socio-economic targets,
    disciplined cases under direct management, conclusions about a collective,
    its members' degradation, and the party organisation's shares (366 Điều 11;
    132 Điều 12.4; 124). (code, mitigable, details) in a fixed order."""
    found: list[tuple[str, bool, dict[str, Any]]] = []
    collective = subject["kind"] == "collective"
    leader = subject.get("klass") == "leader"
    if not (collective or leader):
        return found
    pct = rulebook.overseen_khtnv_max_pct
    if leader and pct is not None and facts.overseen:
        khtnv = sorted(k for k, lv in facts.overseen if lv == Level.NOT_COMPLETED)
        if _more_than(len(khtnv), len(facts.overseen), pct):
            found.append(
                (
                    "overseen_units_khtnv",
                    True,
                    {"khtnv": len(khtnv), "total": len(facts.overseen), "pct": pct},
                )
            )
    if leader and rulebook.led_unit_khtnv:
        led = sorted(k for k, lv in facts.led if lv == Level.NOT_COMPLETED)
        if led:
            found.append(("led_unit_khtnv", True, {"units": len(led)}))
    kinds = rulebook.collective_case_kinds if collective else rulebook.leader_case_kinds
    cases = sorted(
        str(c["case_id"])
        for c in facts.cases
        if c["kind"] in kinds and _in_year(c["disciplined_on"], year)
    )
    if cases:
        code = "subordinate_case" if collective else "management_case"
        found.append((code, True, {"cases": len(cases)}))
    minimum = rulebook.unit_tasks_min_pct
    results = [r for r in facts.unit_results if r["year"] == year]
    if minimum is not None:
        low = [
            r
            for r in results
            if r["tasks_completed"] * 100 < minimum * r["tasks_planned"]
        ]
        if low:
            found.append(("unit_tasks_below_minimum", True, {"pct": minimum}))
    if rulebook.socio_economic_targets:
        failed = sorted(
            {t for r in results if r["targets_apply"] for t in r["targets_failed"]}
        )
        if failed:
            found.append(
                ("socio_economic_targets", True, {"targets": ", ".join(failed)})
            )
    if not collective:
        return found
    concluded = sorted(
        {
            str(c["kind"])
            for c in facts.conclusions
            if c["kind"] in rulebook.conclusion_kinds
            and _in_year(c["concluded_on"], year)
        }
    )
    if concluded:
        found.append(("collective_conclusion", True, {"kinds": concluded}))
    if rulebook.collective_member_degradation and any(
        _in_year(d["concluded_on"], year) for d in facts.member_degradations
    ):
        found.append(("member_degradation", False, {}))
    if rulebook.collective_disciplined and any(
        _in_year(d["decided_on"], year) for d in facts.org_disciplines
    ):
        found.append(("collective_disciplined", True, {}))
    share = rulebook.subordinate_disciplined_max_pct
    if share is not None and facts.subordinates:
        hit = sum(
            1
            for u in facts.subordinates
            if any(_in_year(d, year) for d in u["disciplined"])
        )
        if _more_than(hit, len(facts.subordinates), share):
            found.append(
                (
                    "subordinate_units_disciplined",
                    True,
                    {"hit": hit, "total": len(facts.subordinates), "pct": share},
                )
            )
    share = rulebook.members_khtnv_max_pct
    if share is not None and facts.member_levels:
        khtnv_members = sum(
            1 for _k, lv in facts.member_levels if lv == Level.NOT_COMPLETED
        )
        if _more_than(khtnv_members, len(facts.member_levels), share):
            found.append(
                (
                    "members_khtnv",
                    True,
                    {
                        "hit": khtnv_members,
                        "total": len(facts.member_levels),
                        "pct": share,
                    },
                )
            )
    return found


def evaluate(
    rulebook: Rulebook,
    subject: Mapping[str, Any],
    assessment: Assessment,
    facts: SubjectFacts,
    year: int,
    mitigations: Mapping[str, bool] | None = None,
    criteria: CriteriaSet | None = None,
) -> Evaluation:
    """The highest level allowed; a level above it must be refused."""
    assessment.check()
    rules: list[str] = []
    failed: list[tuple[Level, str]] = []
    collective = subject["kind"] == "collective"
    org_id = UUID(subject["org_id"]) if subject.get("org_id") else None
    score: Fraction | None = None
    band: Level | None = None
    if rulebook.scored:
        chosen = criteria or rulebook.criteria_for(Appendix(subject["appendix"]))
        score = score_of(rulebook, chosen, assessment.points)
        band = rulebook.band(score)
        rules.append("score_band")
        start = band
    else:
        rules.append("level_criteria")
        start = Level.EXCELLENT
    total = assessment.tasks_total
    all_on_time = assessment.tasks_on_time == total
    ceiling = Level.NOT_COMPLETED
    open_questions: list[str] = []
    for level in LEVELS_DESCENDING:
        if LEVEL_RANK[level] > LEVEL_RANK[start]:
            continue
        if not rulebook.scored and level is not Level.NOT_COMPLETED:
            needed = {c.code for c in rulebook.level_criteria.get(level, ())}
            if not needed <= assessment.met:
                failed.append((level, "level_criteria"))
                continue
        if level is Level.EXCELLENT:
            missed = None
            if not all_on_time:
                missed = "excellent_all_on_time"
            elif rulebook.excellent_exceeded_min_pct is not None and not _pct_at_least(
                assessment.tasks_exceeded, total, rulebook.excellent_exceeded_min_pct
            ):
                missed = "excellent_exceeded"
            elif (
                rulebook.excellent_requires_full_remediation
                and facts.remedied(assessment)[1] < facts.remedied(assessment)[0]
            ):
                missed = "excellent_remediation"
            elif collective and any(
                d.decided_on.year == year and charged_here(d, org_id)
                for d in facts.member_disciplines
            ):
                missed = "excellent_no_discipline"
            rules.append("excellent_conditions")
            if missed:
                failed.append((level, missed))
                continue
            ceiling = level
            break
        if level is Level.GOOD:
            rules.append("good_conditions")
            if not all_on_time:
                failed.append((level, "good_all_on_time"))
                continue
            ceiling = level
            break
        if level is Level.COMPLETED:
            rules.append("completed_conditions")
            late_ok = rulebook.completed_late_max_pct is None or (
                assessment.tasks_late * 100 <= rulebook.completed_late_max_pct * total
            )
            if assessment.tasks_not_done == 0 and late_ok:
                ceiling = level
                break
            failed.append((level, "completed_late"))
            if rulebook.scored and band is not None and band is not Level.NOT_COMPLETED:
                # §4.3 open question: no level is implied. HTNV is refused (the
                # ceiling falls to KHTNV) and the authority must settle it.
                open_questions.append(OPEN_HTNV_CONDITION)
                rules.append("authority_judgement")
            continue
    triggers = triggers_for(
        rulebook, subject, assessment, facts, year, mitigations or {}
    )
    if triggers:
        rules.append("khtnv_triggers")
    if any(t.applies for t in triggers):
        # A KHTNV trigger implies the level: nothing is left open.
        ceiling, open_questions = Level.NOT_COMPLETED, []
    return Evaluation(
        ceiling=ceiling,
        open_questions=tuple(open_questions),
        score=score,
        band=band,
        triggers=triggers,
        failed=tuple(failed),
        rules=tuple(rules),
    )
