"""What a rating step reads about its subject (domain.md §4): the self-rating or
appraisal (:class:`Assessment`), the discipline records and where they count,
and the facts gathered across aggregates (:class:`SubjectFacts`), recorded in
the event that used them. Scores are exact: :class:`fractions.Fraction` parsed
from decimal text ("89.9").
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
from domain.remediation_rules import Carried
from domain.rulebooks import Level

SCORE_TEXT = re.compile(r"\d{1,3}(\.\d{1,2})?")


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


def charged_here(
    record: DisciplineFact,
    org_id: UUID | None,
    predecessors: frozenset[UUID] = frozenset(),
) -> bool:
    """Whether a member's discipline record counts at the collective ``org_id``.

    366-QĐ/TW Điều 11, "một số trường hợp cần lưu ý" (domain.md §4.3): a
    violation committed at the old unit but disciplined at the new one counts
    against the old unit's rating, not the new one's; each violation counts at
    the unit where the conduct occurred. A record naming no unit counts where
    the member holds the post. The KHTNV trigger and the HTXSNV condition "no
    member disciplined" both read it.

    ``predecessors``: the organisations merged into ``org_id`` (sáp nhập,
    hợp nhất; docs/rules.md, "Reviews and ratings across a change"): the
    successor carries on their year, so conduct at one of them counts here."""
    return (
        record.conduct_org_id is None
        or record.conduct_org_id == org_id
        or record.conduct_org_id in predecessors
    )


def part_of_year(
    year: int, began: date | None, ended: date | None
) -> dict[str, Any] | None:
    """The days of ``year`` an organisation existed, when it began after 1
    January (founded by a reorganisation decision) or ended before 31 December
    of it (merged, split or dissolved); None when it existed the whole year.
    The texts do not say how such an organisation is rated (docs/rules.md)."""
    late = began is not None and began.year == year and began > date(year, 1, 1)
    early = ended is not None and ended.year == year and ended < date(year, 12, 31)
    if not (late or early):
        return None
    return {"from": began if late else None, "until": ended if early else None}


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
    # The organisations this collective carries on from (kế tục): {org_id, how,
    # effective_on}; and, when it began or ended within the review year, the
    # days it existed (``part_of_year``). Empty for an unchanged tree.
    predecessors: tuple[Mapping[str, Any], ...] = ()
    existed: Mapping[str, Any] | None = None

    @property
    def merged_from(self) -> frozenset[UUID]:
        """The predecessors merged into this collective (their conduct counts
        here; a split's successors are left to the authority)."""
        return frozenset(
            UUID(str(p["org_id"])) for p in self.predecessors if p["how"] == "merge"
        )

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
        if self.predecessors:  # only when the tree changed: older facts unchanged
            extra["predecessors"] = [dict(p) for p in self.predecessors]
        if self.existed is not None:
            extra["existed"] = dict(self.existed)
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
