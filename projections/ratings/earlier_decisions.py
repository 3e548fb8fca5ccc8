"""A subject's decided levels in other cycles (quyết định kỳ trước), read from
the ratings view: what the rating rules compare a new level with."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, TypedDict
from uuid import UUID

if TYPE_CHECKING:
    from projections.runtime import ProjectionRuntime


class EarlierDecision(TypedDict):
    """A subject's decided level in another cycle (quyết định kỳ trước)."""

    cycle_id: str
    year: int
    period_no: int | None
    level: str


def earlier_decisions(
    views: ProjectionRuntime, key: str, period: str, other_than: UUID
) -> list[EarlierDecision]:
    """The subject's decided levels in the other cycles of the same period type,
    latest first (``domain.rating_rules.previous_decision`` picks the one)."""
    return earlier_decisions_of(views, [key], period, other_than)[key]


def earlier_decisions_of(
    views: ProjectionRuntime, keys: Sequence[str], period: str, other_than: UUID
) -> dict[str, list[EarlierDecision]]:
    """:func:`earlier_decisions` of several subjects in one indexed query."""
    found: dict[str, list[EarlierDecision]] = {key: [] for key in keys}
    if not keys:
        return found
    marks = ", ".join("?" for _ in keys)
    rows = views.query(
        "ratings",
        "SELECT s.subject_key, c.cycle_id, c.year, c.period_no, s.level "  # noqa: S608
        "FROM {subjects} s JOIN {cycles} c ON c.cycle_id = s.cycle_id "
        f"WHERE s.subject_key IN ({marks}) "
        "AND c.period = ? AND s.level IS NOT NULL AND c.cycle_id != ? "
        "ORDER BY c.year DESC, c.period_no DESC, c.cycle_id",
        [*keys, period, str(other_than)],
    )
    for r in rows:
        found[r["subject_key"]].append(
            EarlierDecision(
                cycle_id=r["cycle_id"],
                year=r["year"],
                period_no=r["period_no"],
                level=r["level"],
            )
        )
    return found
