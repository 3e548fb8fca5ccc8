"""Review and rating: the application service of issue 3 (architecture.md §3–§5).

``RatingService(kiemdiem)`` gathers the facts a rule needs (the tree, the
members' facts, the decisions of the cycle's other rounds, confidence results)
for the command handlers of cycles, reviews and rating rounds
(``services.handlers``), which pass them to the domain, which records them in
the event that used them; and it answers the questions of the ``ratings`` view.

It is put together from one module per responsibility:

* ``services.rating_ids``: the derived ids of cycles, reviews, rounds, criteria
  and re-review orders (re-exported here for the callers that import them so);
* ``services.rating_facts``: loading aggregates and gathering a subject's facts;
* ``services.rating_reads``: the read queries over the ``ratings`` view;
* ``services.rating_open_items``: what still blocks or breaks the rules;
* here: the previous decision (the consecutive-KHTNV fact) and the peer groups
  with their quota gauge, read from the ``ratings`` read models and decided by
  the domain's pure functions (``domain.rating_rules``, ``domain.rating_quota``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from domain.cycles import ReviewCycle
from domain.rating_quota import group_counts, quota_gauge
from domain.rating_rules import previous_decision as choose_previous_decision
from domain.rulebooks import Rounding
from projections.ratings import subject_lists
from projections.ratings.earlier_decisions import earlier_decisions_of
from projections.ratings.rounds import round_groups
from services.errors import NotFoundError
from services.rating_facts import RatingFacts
from services.rating_ids import (
    criteria_id,
    cycle_id,
    rereview_order_id,
    review_id,
    round_id,
)
from services.rating_open_items import RatingOpenItems


class RatingService(RatingFacts, RatingOpenItems):
    """Cycles, reviews, rating rounds and member facts on one :class:`Kiemdiem`."""

    def previous_decision(self, cycle: ReviewCycle, key: str) -> dict[str, Any] | None:
        """The subject's decided level in the previous cycle of the same period
        type (read from the ratings projection; domain.md §5.6)."""
        return self.previous_decisions(cycle, [key])[key]

    def previous_decisions(
        self, cycle: ReviewCycle, keys: Sequence[str]
    ) -> dict[str, dict[str, Any] | None]:
        rows = earlier_decisions_of(self.app.projections, keys, cycle.period, cycle.id)
        return {
            key: choose_previous_decision(
                period=cycle.period,
                year=cycle.year,
                period_no=cycle.period_no,
                decided=found,
            )
            for key, found in rows.items()
        }

    def peer_groups(self, ident: UUID) -> list[dict[str, Any]]:
        """Each peer group of a round with its quota gauge (exact integers):
        kept by the process while the views they were read from stand still
        (``services.kept_results``; each subject's level of the round is read
        to fill the gauges). A copy of each group: the caller's to change."""
        kept = self.app.kept.get("peer_groups", ident, lambda: self._groups(ident))
        return [dict(group) for group in kept]

    def _groups(self, ident: UUID) -> list[dict[str, Any]]:
        found = self.round_row(ident)
        if found is None:
            return []
        cycle = self.cycle_row(UUID(found["cycle_id"]))
        rounding = Rounding(
            (cycle or {}).get("options", {}).get("quota_rounding", "floor")
        )
        rows = round_groups(self.app.projections, ident)
        grouped = sorted({k for row in rows for k in row["members"]})
        levels = subject_lists.subject_levels(
            self.app.projections,
            found["cycle_id"],
            grouped,
            decides=found["authority_org_id"],
        )
        groups = []
        for row in rows:
            gauge = quota_gauge(
                code=row["code"],
                group=row,
                counts=group_counts(levels.get(k) for k in row["members"]),
                rounding=rounding,
            )
            groups.append(
                {
                    **row,
                    **{k: gauge[k] for k in ("excellent", "good", "cap", "rounding")},
                }
            )
        return groups


__all__ = [
    "NotFoundError",
    "RatingService",
    "criteria_id",
    "cycle_id",
    "rereview_order_id",
    "review_id",
    "round_id",
]
