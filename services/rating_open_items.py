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

from domain.ratings import rating_prerequisites
from domain.subjects import Subject
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
        subjects = {s["subject_key"]: s for s in self.subjects(ident)}
        held_meetings = {
            (r["subject_key"], r["venue_id"])
            for r in self.reviews(ident)
            if r["held_on"] is not None
        }
        items: list[dict[str, Any]] = []
        rows = {k: Subject.from_payload({**s, "key": k}) for k, s in subjects.items()}
        redoing = {
            (r["subject_key"], r["venue_id"])
            for r in self.reviews(ident)
            if r["redo_order_id"] is not None
        }
        held_meetings |= redoing  # the open order is the item, not a violation
        for key, s in subjects.items():
            if s["exempt"]:
                continue
            if s["status"] != "decided":
                for rule, other in rating_prerequisites(rows[key], rows):
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
                if s["member_id"]:
                    later = self._q(
                        "SELECT discipline_id FROM {disciplines} WHERE member_id = ? "
                        "AND recorded_at > ? AND decided_on >= ?",
                        [
                            s["member_id"],
                            s["decided_at"] or 0,
                            f"{cycle['year']}-01-01",
                        ],
                    )
                    if later:
                        items.append(
                            {
                                "kind": "violation",
                                "rule": "discipline_after_decision",
                                "subject_key": key,
                                "subject": s["name"],
                            }
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
        subjects = self.subjects(ident)
        held = {r["subject_key"] for r in self.reviews(ident) if r["held_on"]}
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
