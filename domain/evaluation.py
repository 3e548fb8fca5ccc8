"""What level the rules allow for one subject (domain.md §4.2–§4.5): score bands,
hard conditions and the automatic KHTNV triggers of the regime.

Pure functions over exact numbers: scores are :class:`fractions.Fraction` parsed
from decimal text ("89.9"), percentages are compared by cross-multiplication.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any
from uuid import UUID

from domain.errors import DomainError
from domain.rating_facts import (
    SCORE_TEXT,
    Assessment,
    DisciplineFact,
    SubjectFacts,
    charged_here,
    collective_charges,
    parse_points,
    show,
)
from domain.rulebooks import (
    LEVEL_RANK,
    LEVELS_DESCENDING,
    Appendix,
    CriteriaSet,
    Level,
    Rulebook,
)
from domain.subjects import Subject
from domain.triggers import (
    LEADER_APPENDICES,
    Trigger,
    pct_at_least,
    triggers_for,
    unit_triggers,
)

__all__ = [
    "LEADER_APPENDICES",
    "OPEN_HTNV_CONDITION",
    "OPEN_PART_OF_YEAR",
    "SCORE_TEXT",
    "Assessment",
    "DisciplineFact",
    "Evaluation",
    "SubjectFacts",
    "Trigger",
    "charged_here",
    "collective_charges",
    "evaluate",
    "parse_points",
    "score_of",
    "show",
    "triggers_for",
    "unit_triggers",
]

# Open questions the regulations leave to the competent authority (docs/rules.md).
# 366 Điều 11.3 (domain.md §4.3): the score is in a band of HTNV or above, the
# HTNV condition (100% done, at most 20% behind schedule) fails, and no KHTNV
# trigger applies. The texts name no level: the system refuses HTNV, flags the
# subject from the self-rating on, and only the authority's decision, with a
# written justification, settles it (recorded in the decision event).
OPEN_HTNV_CONDITION = "htnv_condition_failed"
# An organisation that existed only part of the review year: founded by a
# reorganisation decision after 1 January (a merger's or a split's successor)
# or ended before 31 December. The texts say neither which months' results its
# rating covers nor whether it is rated at all: no level is refused, the subject
# is flagged from the self-rating on, and the authority's decision must say in
# writing how it settled it (recorded in the decision event; docs/rules.md).
OPEN_PART_OF_YEAR = "org_part_of_year"


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


def evaluate(
    rulebook: Rulebook,
    subject: Subject,
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
    collective = subject.is_collective
    org_id = UUID(subject.org_id) if subject.org_id else None
    score: Fraction | None = None
    band: Level | None = None
    if rulebook.scored:
        chosen = criteria or rulebook.criteria_for(Appendix(subject.appendix))
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
            elif rulebook.excellent_exceeded_min_pct is not None and not pct_at_least(
                assessment.tasks_exceeded, total, rulebook.excellent_exceeded_min_pct
            ):
                missed = "excellent_exceeded"
            elif (
                rulebook.excellent_requires_full_remediation
                and facts.remedied(assessment)[1] < facts.remedied(assessment)[0]
            ):
                missed = "excellent_remediation"
            elif collective and any(
                d.decided_on.year == year and charged_here(d, org_id, facts.merged_from)
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
    if collective and facts.existed is not None:
        open_questions.append(OPEN_PART_OF_YEAR)
        if "authority_judgement" not in rules:
            rules.append("authority_judgement")
    triggers = triggers_for(
        rulebook, subject, assessment, facts, year, mitigations or {}
    )
    if triggers:
        rules.append("khtnv_triggers")
    if any(t.applies for t in triggers):
        # A KHTNV trigger implies the level: the open HTNV level is settled.
        # Which part of the year an organisation that existed only part of it
        # answers for is not a level: it stays open for the authority.
        ceiling = Level.NOT_COMPLETED
        open_questions = [q for q in open_questions if q == OPEN_PART_OF_YEAR]
    return Evaluation(
        ceiling=ceiling,
        open_questions=tuple(open_questions),
        score=score,
        band=band,
        triggers=triggers,
        failed=tuple(failed),
        rules=tuple(rules),
    )
