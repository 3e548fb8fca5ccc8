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

from domain.cycles import SubjectIndex
from domain.rating_open_items import (
    AT_RISK_DAYS,
    deadline_state,
    discipline_window,
    disciplines_counted_from,
    rereview_state,
    still_open,
    subject_open_items,
)
from domain.subjects import Subject
from projections.ratings.members import last_recorded_disciplines
from services.rating_reads import RatingReads

__all__ = ["AT_RISK_DAYS", "RatingOpenItems"]


class RatingOpenItems(RatingReads):
    """The open items of a cycle, over the ratings view's reads."""

    def open_items(
        self, ident: UUID, today: date | None = None
    ) -> list[dict[str, Any]]:
        """What still blocks or breaks the rules in a cycle: prerequisites not yet
        decided, subjects on hold, decided without the required review meetings,
        discipline recorded after the decision, deadlines at risk or missed."""
        today = today or self.app.today()
        cycle = self.cycle_row(ident)
        if cycle is None:
            return []
        rows = {
            s["subject_key"]: {**s, "key": s["subject_key"]}
            for s in self.subjects(ident)
        }
        reviews = self.reviews(ident)
        # Held, or being redone: the open order is the item, not a violation.
        met = {
            (r["subject_key"], r["venue_id"])
            for r in reviews
            if r["held_on"] is not None or r["redo_order_id"] is not None
        }
        typed = {k: Subject.from_payload(row) for k, row in rows.items()}
        index = SubjectIndex.of(typed)
        year = int(cycle["year"])
        last = last_recorded_disciplines(
            self.app.projections, disciplines_counted_from(year)
        )
        items: list[dict[str, Any]] = []
        for subject in rows.values():
            window = discipline_window(subject, year)
            later = (
                window is not None
                and last.get(window.member_id, -1) > window.recorded_after
            )
            items += subject_open_items(
                subject,
                rows,
                met,
                disciplined_after=later,
                typed=typed,
                index=index,
            )
        items.extend(f for f in self.flags(ident) if f["kind"] == "flag")
        items.extend(self.deadlines_at_risk(ident, today))
        items.extend(self.rereviews_open(ident, today))
        return items

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

    def deadlines_at_risk(self, ident: UUID, today: date) -> list[dict[str, Any]]:
        cycle = self.cycle_row(ident)
        if cycle is None:
            return []
        subjects = self.subjects(ident)
        held = {r["subject_key"] for r in self.reviews(ident) if r["held_on"]}
        items = []
        for deadline in cycle["deadlines"]:
            due = date.fromisoformat(str(deadline["due"]))
            state = deadline_state(due, today)
            if state is None:
                continue
            open_subjects = [
                s["name"]
                for s in subjects
                if s["deadline_level"] == deadline["level"]
                and still_open(s, deadline["milestone"], held)
            ]
            if open_subjects:
                items.append(
                    {
                        "kind": state,
                        "rule": deadline["milestone"],
                        "level": deadline["level"],
                        "due": due.isoformat(),
                        "open": len(open_subjects),
                        "subject": ", ".join(open_subjects[:5]),
                    }
                )
        return items
