"""A report's counts by level (``services.reports``): subject rows or
counter entries tallied by bucket (a level, ``pending`` or
``exempt:<reason>``), by population, and the sums a report shows
(:class:`services.reports_counted.Sums`) of subject rows. Percentages are
exact fractions over those rated, shown with the project's display helper."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from domain.rulebooks import Level
from domain.statistics import good_or_better
from services.reports_counted import Sums, Weights, children_met
from votes.results import display_percent

POPULATIONS = ("party_orgs", "members", "leadership_collectives", "leaders")
LEVELS = tuple(level.value for level in Level)


def share(n: int, rated: int) -> dict[str, Any]:
    """One count with its exact fraction and its display percentage."""
    return {
        "n": n,
        "fraction": f"{n}/{rated}" if rated else None,
        "percent": display_percent(n, rated) if rated else None,
    }


def tally(rows: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Counts by level of subject rows, or of counter entries (a ``bucket``
    weighing ``n``); the shape of ``RatingService.statistics``."""
    buckets: dict[str, int] = {}
    for row in rows:
        bucket, n = _bucket(row)
        buckets[bucket] = buckets.get(bucket, 0) + n
    return tally_buckets(buckets)


def tally_buckets(buckets: Mapping[str, int]) -> dict[str, Any]:
    """:func:`tally` of subjects already summed by bucket."""
    counts = dict.fromkeys(LEVELS, 0)
    pending = 0
    exempt: dict[str, int] = {}
    for bucket, n in buckets.items():
        if bucket.startswith("exempt:"):
            reason = bucket.split(":", 1)[1]
            exempt[reason] = exempt.get(reason, 0) + n
        elif bucket in counts:
            counts[bucket] += n
        else:
            pending += n
    rated = sum(counts.values())
    return {
        "rated": rated,
        "pending": pending,
        "levels": {lv: share(n, rated) for lv, n in counts.items()},
        "good_or_better": good_or_better(counts).as_dict(),
        "exempt": dict(sorted(exempt.items())),
    }


def by_population(rows: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, int]]:
    """Subject rows or counter entries summed by population and bucket (the
    shape of ``reports_counted.counted_totals``), in one pass."""
    totals: dict[str, dict[str, int]] = {}
    for row in rows:
        bucket, n = _bucket(row)
        mine = totals.setdefault(population_of(row), {})
        mine[bucket] = mine.get(bucket, 0) + n
    return totals


def tally_populations(
    totals: Mapping[str, Mapping[str, int]], populations: Sequence[str] = POPULATIONS
) -> dict[str, dict[str, Any]]:
    """:func:`tally_buckets` of each population (none counted: all zero)."""
    return {pop: tally_buckets(totals.get(pop, {})) for pop in populations}


def _bucket(row: Mapping[str, Any]) -> tuple[str, int]:
    """A row's bucket and weight: a counter entry's own, a subject row's one."""
    if "bucket" in row:
        return str(row["bucket"]), int(row["n"])
    if row["exempt"]:
        return f"exempt:{row['exempt']}", 1
    return str(row["level"] or "pending"), 1


def population_of(row: Mapping[str, Any]) -> str:
    return str(row["population"])


def sums_of_rows(rows: Iterable[Mapping[str, Any]], below: Sequence[str]) -> Sums:
    """:class:`reports_counted.Sums` of subject rows or counter entries, each
    with its ``path`` in the report's tree; ``below``: the organisations
    directly below the report's. Each row under the one child its path goes
    through (a path is a chain: it meets siblings at most once)."""
    weights: Weights = {}
    mine = dict.fromkeys(below)
    for row in rows:
        bucket, n = _bucket(row)
        key = (
            row["cycle_id"],
            children_met(row["path"], mine),
            population_of(row),
            row["klass"],
            row["deadline_level"],
            bucket,
        )
        weights[key] = weights.get(key, 0) + n
    return Sums(below, weights)
