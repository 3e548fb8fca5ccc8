"""Per-leader results and consequence bands of 96-QĐ/TW (votes.md §9).

Percentages are over ballots *returned*, and every decision uses integer comparisons
(low·2 > returned, low·3 ≥ returned·2): a float would put exactly one half or exactly
two thirds on the wrong side of a boundary that decides a person's post.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from typing import Any


class Band(StrEnum):
    """The consequence band of one leader's result (§9.3)."""

    NONE = "NONE"
    GT_HALF = "GT_HALF"
    GTE_TWO_THIRDS = "GTE_TWO_THIRDS"


def band(returned: int, low: int) -> Band:
    """The band of a result with `low` low-confidence ballots out of `returned`."""
    if low * 3 >= returned * 2:
        return Band.GTE_TWO_THIRDS
    if low * 2 > returned:
        return Band.GT_HALF
    return Band.NONE


def display_percent(count: int, returned: int) -> str:
    """Two decimals rounded half up in integer arithmetic, e.g. ``52,50%``.

    For display only; the decision never reads this string.
    """
    if returned <= 0:
        raise ValueError("no ballots returned")
    hundredths = (20000 * count + returned) // (2 * returned)
    return f"{hundredths // 100},{hundredths % 100:02d}%"


@dataclass(frozen=True, slots=True)
class LeaderResult:
    """One row of ``VoteTallyPublished.results``."""

    index: int
    issued: int
    returned: int
    high: int
    normal: int
    low: int

    @property
    def valid(self) -> int:
        return self.high + self.normal + self.low

    @property
    def invalid(self) -> int:
        return self.returned - self.valid

    @property
    def band(self) -> Band:
        return band(self.returned, self.low)

    def share(self, count: int) -> Fraction:
        """count over ballots returned, as an exact fraction."""
        return Fraction(count, self.returned)

    def to_body(self) -> dict[str, Any]:
        """The canonical event form; fractions stay unreduced {count, returned}."""

        def pct(count: int) -> dict[str, int]:
            return {"den": self.returned, "num": count}

        return {
            "band": self.band.value,
            "high": self.high,
            "index": self.index,
            "invalid": self.invalid,
            "issued": self.issued,
            "low": self.low,
            "normal": self.normal,
            "pct_high": pct(self.high),
            "pct_low": pct(self.low),
            "pct_normal": pct(self.normal),
            "returned": self.returned,
            "valid": self.valid,
        }


def leader_results(
    issued: int, returned: int, counts: Sequence[Sequence[int]]
) -> list[LeaderResult]:
    """Results for every leader from the decrypted [high, normal, low] counts."""
    if returned <= 0 or returned > issued:
        raise ValueError("need 0 < returned <= issued")
    results = []
    for index, (high, normal, low) in enumerate(counts):
        if high + normal + low > returned:
            raise ValueError(f"leader {index}: more marks than ballots")
        results.append(LeaderResult(index, issued, returned, high, normal, low))
    return results
