"""What still blocks or breaks the rules in a cycle (việc còn tồn đọng): the
prerequisites not decided, subjects on hold, decisions without their review
meetings or followed by a discipline, deadlines and re-review orders at risk or
missed. Read from the ``ratings`` view (``services.rating_reads``).

The choice of what counts as a violation is a rule: issue 10 moves it to
``domain/`` as a pure function; this module then only gathers the rows.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from domain.cycles import SubjectIndex
from domain.ratings import rating_prerequisites
from services.rating_reads import RatingReads

AT_RISK_DAYS = 7


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
        listed = self.subjects(ident)
        reviews = self.reviews(ident)
        subjects = {s["subject_key"]: s for s in listed}
        held_meetings = {
            (r["subject_key"], r["venue_id"])
            for r in reviews
            if r["held_on"] is not None
        }
        items: list[dict[str, Any]] = []
        rows = {k: {**s, "key": k} for k, s in subjects.items()}
        index = SubjectIndex.of(rows)  # prerequisites without a scan per subject
        redoing = {
            (r["subject_key"], r["venue_id"])
            for r in reviews
            if r["redo_order_id"] is not None
        }
        held_meetings |= redoing  # the open order is the item, not a violation
        disciplined = self._disciplined_since(f"{cycle['year']}-01-01")
        for key, s in subjects.items():
            if s["exempt"]:
                continue
            if s["status"] != "decided":
                for rule, other in rating_prerequisites(rows[key], rows, index):
                    if subjects[other]["status"] != "decided":
                        items.append(
                            {
                                "kind": "prerequisite",
                                "rule": rule,
                                "subject_key": key,
                                "subject": s["name"],
                                "other": subjects[other]["name"],
                            }
                        )
            if s["held_reason"]:
                items.append(
                    {
                        "kind": "held",
                        "rule": s["held_reason"],
                        "subject_key": key,
                        "subject": s["name"],
                    }
                )
            if s["status"] == "decided":
                missing = [v for v in s["venues"] if (key, v) not in held_meetings]
                if missing:
                    items.append(
                        {
                            "kind": "violation",
                            "rule": "rated_without_review",
                            "subject_key": key,
                            "subject": s["name"],
                        }
                    )
                recorded = disciplined.get(s["member_id"] or "")
                if recorded is not None and recorded > (s["decided_at"] or 0):
                    items.append(
                        {
                            "kind": "violation",
                            "rule": "discipline_after_decision",
                            "subject_key": key,
                            "subject": s["name"],
                        }
                    )
        items.extend(f for f in self.flags(ident) if f["kind"] == "flag")
        items.extend(self._deadlines_at_risk(cycle, listed, reviews, today))
        items.extend(self.rereviews_open(ident, today))
        return items

    def _disciplined_since(self, first_day: str) -> dict[str, int]:
        """Member id → the latest ``recorded_at`` of a discipline decided on or
        after ``first_day``: one read for the cycle, not one per decided member."""
        rows = self._q(
            "SELECT member_id, MAX(recorded_at) AS recorded_at FROM {disciplines} "
            "WHERE decided_on >= ? GROUP BY member_id",
            [first_day],
        )
        return {str(r["member_id"]): int(r["recorded_at"]) for r in rows}

    def rereviews_open(self, ident: UUID, today: date) -> list[dict[str, Any]]:
        """Re-review orders not yet carried out: open, at risk within
        ``AT_RISK_DAYS`` of their deadline, or late."""
        items = []
        for order in self.rereview_orders(ident):
            if order["done"]:
                continue
            due = date.fromisoformat(order["deadline"])
            kind = (
                "rereview_late"
                if due < today
                else "rereview_at_risk"
                if (due - today).days <= AT_RISK_DAYS
                else "rereview_open"
            )
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
        return self._deadlines_at_risk(
            cycle, self.subjects(ident), self.reviews(ident), today
        )

    @staticmethod
    def _deadlines_at_risk(
        cycle: dict[str, Any],
        subjects: list[dict[str, Any]],
        reviews: list[dict[str, Any]],
        today: date,
    ) -> list[dict[str, Any]]:
        held = {r["subject_key"] for r in reviews if r["held_on"]}
        items = []
        for deadline in cycle["deadlines"]:
            due = date.fromisoformat(str(deadline["due"]))
            if (due - today).days > AT_RISK_DAYS:
                continue
            open_subjects = [
                s["name"]
                for s in subjects
                if s["deadline_level"] == deadline["level"]
                and not s["exempt"]
                and (
                    s["status"] != "decided"
                    if deadline["milestone"] != "review"
                    else s["subject_key"] not in held
                )
            ]
            if open_subjects:
                items.append(
                    {
                        "kind": "deadline_missed"
                        if due < today
                        else "deadline_at_risk",
                        "rule": deadline["milestone"],
                        "level": deadline["level"],
                        "due": due.isoformat(),
                        "open": len(open_subjects),
                        "subject": ", ".join(open_subjects[:5]),
                    }
                )
        return items
