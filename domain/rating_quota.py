"""The quota of a peer group (nhóm tương đồng, §5.1): how many HTXSNV a group may
hold for the HTTNV it has, counted in exact integers.

One gauge, used by the rating round (which refuses a decision that would break
it) and by the read side (which shows it), so both count the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from domain.rulebooks import Level, Rounding, quota_cap

Counts = tuple[int, int]
"""(decided HTXSNV, decided HTTNV) of one peer group."""


def counted(counts: Counts, old: str | None, new: str | None) -> Counts:
    """(HTXSNV, HTTNV) of a group after one member's level went ``old`` → ``new``."""
    excellent, good = counts
    for level, by in ((old, -1), (new, 1)):
        if level == Level.EXCELLENT.value:
            excellent += by
        elif level == Level.GOOD.value:
            good += by
    return excellent, good


def group_counts(levels: Iterable[str | None]) -> Counts:
    """(HTXSNV, HTTNV) among the decided levels of a group's members (``None``:
    not decided yet)."""
    counts: Counts = (0, 0)
    for level in levels:
        counts = counted(counts, None, level)
    return counts


def quota_gauge(
    *,
    code: str,
    group: Mapping[str, Any],
    counts: Counts,
    rounding: Rounding,
) -> dict[str, Any]:
    """The gauge of one peer group (thước đo hạn mức): decided HTXSNV and HTTNV,
    the cap ``ratio × HTTNV`` rounded the cycle's way, the ratio and the size.

    ``group`` is the group as the round records it (``name``, ``members``,
    ``ratio_pct``)."""
    excellent, good = counts
    ratio_pct = int(group["ratio_pct"])
    return {
        "group": code,
        "group_name": group["name"],
        "excellent": excellent,
        "good": good,
        "ratio_pct": ratio_pct,
        "rounding": rounding.value,
        "cap": quota_cap(good, ratio_pct, rounding),
        "members": len(group["members"]),
    }


def over_quota(gauge: Mapping[str, Any]) -> bool:
    """More HTXSNV than the cap allows."""
    return int(gauge["excellent"]) > int(gauge["cap"])
