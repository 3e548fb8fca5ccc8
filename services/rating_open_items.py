"""What still blocks or breaks the rules in a cycle (việc còn tồn đọng): the
prerequisites not decided, subjects on hold, decisions without their review
meetings or followed by a discipline, deadlines and re-review orders at risk or
missed. The rows are read from the ``ratings`` read models; what counts as an
open item or a violation is decided by ``domain.rating_open_items``.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from domain.rating_open_items import (
    AT_RISK_DAYS,
    deadline_state,
    rereview_state,
)
from projections.ratings import open_items as items_view
from services.rating_reads import RatingReads

__all__ = ["AT_RISK_DAYS", "RatingOpenItems"]

Cursor = tuple[str, int]
"""Where a page of a cycle's open items ends: the last item's position and seq."""


class RatingOpenItems(RatingReads):
    """The open items of a cycle, over the ratings view's reads: the subjects'
    items and flags as the projection keeps them (``projections.ratings.
    open_items``), the deadlines and re-review orders as of ``today``."""

    def open_items(
        self, ident: UUID, today: date | None = None
    ) -> list[dict[str, Any]]:
        """What still blocks or breaks the rules in a cycle: prerequisites not yet
        decided, subjects on hold, decided without the required review meetings,
        discipline recorded after the decision, flags, deadlines at risk or
        missed, re-review orders open: every page (the API's whole list)."""
        today = today or self.app.today()
        if self.cycle_row(ident) is None:
            return []
        items: list[dict[str, Any]] = []
        after: Cursor | None = None
        while True:
            page, after = self.subject_items(ident, after)
            items += page
            if after is None:
                break
        return items + self.dated_items(ident, today)

    def subject_items(
        self,
        ident: UUID,
        after: Cursor | None = None,
        limit: int = items_view.ITEMS_PAGE,
    ) -> tuple[list[dict[str, Any]], Cursor | None]:
        """One page of the cycle's subject items and flags after ``after``, and
        the cursor of the next page (None on the last)."""
        rows = items_view.items_page(self._views, ident, after, limit + 1)
        more = len(rows) > limit
        rows = rows[:limit]
        page = [
            {
                "kind": r["kind"],
                "rule": r["rule"],
                "subject_key": r["subject_key"],
                "subject": r["subject"],
                **({"other": r["other"]} if r["other"] is not None else {}),
            }
            for r in rows
        ]
        last = (str(rows[-1]["position"]), int(rows[-1]["seq"])) if more else None
        return page, last

    def subject_items_count(self, ident: UUID) -> int:
        return items_view.items_count(self._views, ident)

    def open_items_count(self, ident: UUID, today: date) -> int:
        """How many open items the cycle has on ``today`` (the cycle page's
        count: :meth:`dated_items_count` and :meth:`subject_items_count`),
        kept by the process while the views it read stand
        (``services.kept_results``)."""

        def counted() -> int:
            return self.dated_items_count(ident, today) + self.subject_items_count(
                ident
            )

        return self.app.kept.get("open_items_count", (ident, today), counted)

    def dated_items(self, ident: UUID, today: date) -> list[dict[str, Any]]:
        """The items that depend on the day: deadlines, then re-review orders."""
        return self.deadlines_at_risk(ident, today) + self.rereviews_open(ident, today)

    def rereviews_open(self, ident: UUID, today: date) -> list[dict[str, Any]]:
        """Re-review orders not yet carried out: open, at risk within
        ``AT_RISK_DAYS`` of their deadline, or late."""
        items = []
        for order in self.rereview_orders(ident):
            if order["done"]:
                continue
            kind = rereview_state(date.fromisoformat(order["deadline"]), today)
            items.append(
                {
                    "kind": kind,
                    "rule": f"rereview_{order['scope']}",
                    "subject_key": order["subject_key"],
                    "subject": order["subject_name"],
                    "due": order["deadline"],
                    "order_id": order["order_id"],
                }
            )
        return items

    def dated_items_count(
        self, ident: UUID, today: date, cycle: dict[str, Any] | None = None
    ) -> int:
        """``len(dated_items(ident, today))`` from the counters and the orders,
        without reading the names the items show (the cycle page's count);
        ``cycle``: the cycle's row when read already."""
        orders = sum(not order["done"] for order in self.rereview_orders(ident))
        return len(self._deadlines_short(ident, today, cycle)) + orders

    def _deadlines_short(
        self, ident: UUID, today: date, cycle: dict[str, Any] | None = None
    ) -> list[tuple[dict[str, Any], date, str, int]]:
        """Each deadline at risk or missed with subjects still short of its
        milestone: the deadline, its day, its state and how many are short
        (the cycle's milestone counters, read once)."""
        cycle = cycle or self.cycle_row(ident)
        if cycle is None:
            return []
        counts: dict[str, int] | None = None
        found = []
        for deadline in cycle["deadlines"]:
            due = date.fromisoformat(str(deadline["due"]))
            state = deadline_state(due, today)
            if state is None:
                continue
            if counts is None:
                counts = items_view.short_counts(self._views, ident)
            n = counts.get(f"{deadline['milestone']}:{deadline['level']}", 0)
            if n:
                found.append((deadline, due, state, n))
        return found

    def deadlines_at_risk(self, ident: UUID, today: date) -> list[dict[str, Any]]:
        """The deadlines at risk or missed with subjects still short of their
        milestone (counted by the projection, ``domain.rating_open_items.
        still_open``), naming the first five."""
        items = []
        for deadline, due, state, n in self._deadlines_short(ident, today):
            names = items_view.short_names(
                self._views, ident, deadline["milestone"], deadline["level"], 5
            )
            items.append(
                {
                    "kind": state,
                    "rule": deadline["milestone"],
                    "level": deadline["level"],
                    "due": due.isoformat(),
                    "open": n,
                    "subject": ", ".join(names),
                }
            )
        return items
