"""The figures of statistics and reports upward (domain.md §8), exactly.

Every upward report in the seeds leads with "hoàn thành tốt nhiệm vụ trở lên"
(HTTNV or better: HTXSNV + HTTNV), e.g. members 85,9%–91% and grassroots
organisations 89,38%–96,1% (seed 001). It is computed here from the exact
counts, never by adding two rounded percentages: the share is a
:class:`fractions.Fraction` over those rated (exempt and pending apart), the
percentage is exact, and only the display text is rounded (two decimals, half
up, comma decimal: ``85,90%``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from domain.rulebooks import Level

GOOD_OR_BETTER: tuple[Level, ...] = (Level.EXCELLENT, Level.GOOD)
"""The levels of "Hoàn thành tốt nhiệm vụ trở lên"."""
GOOD_OR_BETTER_LABEL = "Hoàn thành tốt nhiệm vụ trở lên"


def display_percent(part: int, whole: int) -> str:
    """``part / whole`` as a percentage with two decimals rounded half up in
    integer arithmetic and a comma decimal (``85,90%``). Display only."""
    if whole <= 0 or part < 0:
        raise ValueError("a share needs a positive whole and a part of it")
    hundredths = (20000 * part + whole) // (2 * whole)
    return f"{hundredths // 100},{hundredths % 100:02d}%"


@dataclass(frozen=True)
class Share:
    """``n`` of ``rated``: the exact fraction, the exact percentage and its text."""

    n: int
    rated: int

    @property
    def fraction(self) -> Fraction | None:
        return Fraction(self.n, self.rated) if self.rated else None

    @property
    def percent_exact(self) -> Fraction | None:
        fraction = self.fraction
        return fraction * 100 if fraction is not None else None

    @property
    def percent(self) -> str | None:
        return display_percent(self.n, self.rated) if self.rated else None

    def as_dict(self) -> dict[str, Any]:
        """The shape the read side serves: ``fraction`` as counted ("859/1000"),
        ``percent_exact`` reduced ("859/10" = 85,9 %), ``percent`` for display."""
        exact = self.percent_exact
        return {
            "n": self.n,
            "fraction": f"{self.n}/{self.rated}" if self.rated else None,
            "percent_exact": str(exact) if exact is not None else None,
            "percent": self.percent,
        }


def rated_count(counts: Mapping[str, int]) -> int:
    """Those rated: the four levels, not the exempt nor the pending."""
    return sum(int(counts.get(level.value, 0)) for level in Level)


def good_or_better(counts: Mapping[str, int]) -> Share:
    """ "Hoàn thành tốt nhiệm vụ trở lên" of counts by level code: (HTXSNV +
    HTTNV) over every level, from the counts themselves."""
    n = sum(int(counts.get(level.value, 0)) for level in GOOD_OR_BETTER)
    return Share(n, rated_count(counts))
