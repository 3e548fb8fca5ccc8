"""What must be redone, and by when? (``orders``: re-review orders, §5.4)

An order is done when every review it superseded has met again and, when it
covers the rating, the subject has been decided again.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from uuid import UUID

from domain.rereviews import ReReviewOrder, covers_rating, covers_review
from ledger.mapper import LedgerEvent
from projections.ratings.timeline import log_step
from projections.ratings.values import to_json
from projections.read_model import ReadModel, handles
from projections.sqlutil import Tx

if TYPE_CHECKING:
    from projections.runtime import ProjectionRuntime


def order_done(tx: Tx, order: str, at: int) -> None:
    tx.execute(
        "UPDATE {orders} SET done_at = ? WHERE order_id = ? AND reviews_open = 0 "
        "AND rating_open = 0 AND done_at IS NULL",
        (at, order),
    )


def review_redone(tx: Tx, order: str, at: int) -> None:
    """A review the order superseded has met again."""
    tx.execute(
        "UPDATE {orders} SET reviews_open = reviews_open - 1 "
        "WHERE order_id = ? AND reviews_open > 0",
        (order,),
    )
    order_done(tx, order, at)


def rating_redone(tx: Tx, cycle: str, key: str, at: int) -> None:
    """The subject was decided again: the orders that covered its rating."""
    tx.execute(
        "SELECT order_id FROM {orders} WHERE cycle_id = ? AND subject_key = ? "
        "AND rating_open = 1",
        (cycle, key),
    )
    for row in tx.fetchall_dicts():
        tx.execute(
            "UPDATE {orders} SET rating_open = 0 WHERE order_id = ?",
            (row["order_id"],),
        )
        order_done(tx, row["order_id"], at)


class ReReviewOrders(ReadModel):
    """The re-review orders and what each still waits for."""

    tables = {  # noqa: RUF012 - declarative table list read by the runtime
        # Re-review orders (§5.4): what is still to be redone, and by when.
        "orders": (
            "order_id TEXT PRIMARY KEY, cycle_id TEXT NOT NULL, "
            "subject_key TEXT NOT NULL, subject_name TEXT NOT NULL, "
            "number BIGINT NOT NULL, scope TEXT NOT NULL, reason TEXT NOT NULL, "
            "deadline TEXT NOT NULL, ordered_on TEXT NOT NULL, "
            "ordering_org_id TEXT, chair_responsibility INTEGER NOT NULL, "
            "actor TEXT NOT NULL, superseded TEXT NOT NULL, "
            "reviews_open BIGINT NOT NULL, rating_open INTEGER NOT NULL, "
            "ordered_at BIGINT NOT NULL, done_at BIGINT"
        ),
    }
    indexes = {  # noqa: RUF012
        "orders_subject": ("orders", "cycle_id, subject_key"),
    }

    @handles(ReReviewOrder.ReReviewOrdered)  # type: ignore[attr-defined]
    def rereview_ordered(self, e: LedgerEvent, tx: Tx) -> None:
        ev = e.event
        cycle = str(ev.cycle_id)
        superseded = {
            "reviews": ev.superseded_reviews,
            "decision": ev.superseded_decision,
        }
        tx.upsert(
            "orders",
            ["order_id"],
            {
                "order_id": str(e.stream),
                "cycle_id": cycle,
                "subject_key": ev.subject_key,
                "subject_name": ev.subject_name,
                "number": ev.number,
                "scope": ev.scope,
                "reason": ev.reason,
                "deadline": ev.deadline.isoformat(),
                "ordered_on": ev.ordered_on.isoformat(),
                "ordering_org_id": str(ev.ordering_org_id)
                if ev.ordering_org_id
                else None,
                "chair_responsibility": 1 if ev.chair_responsibility else 0,
                "actor": e.actor,
                "superseded": to_json(superseded),
                "reviews_open": len(ev.superseded_reviews)
                if covers_review(ev.scope)
                else 0,
                "rating_open": 1 if covers_rating(ev.scope) else 0,
                "ordered_at": e.notification_id,
                "done_at": None,
            },
        )
        log_step(
            tx,
            e,
            cycle,
            ev.subject_key,
            "rereview_ordered",
            {
                "order_id": str(e.stream),
                "number": ev.number,
                "scope": ev.scope,
                "text": ev.reason,
                "deadline": ev.deadline.isoformat(),
                "chair_responsibility": ev.chair_responsibility,
            },
            on=ev.ordered_on,
        )


def rereview_orders(
    views: ProjectionRuntime, cycle_id: UUID, key: str | None = None
) -> list[dict[str, Any]]:
    """The cycle's re-review orders (one subject's when ``key``), oldest first."""
    sql = "SELECT * FROM {orders} WHERE cycle_id = ?"
    params: list[Any] = [str(cycle_id)]
    if key is not None:
        sql += " AND subject_key = ?"
        params.append(key)
    rows = views.query("ratings", sql + " ORDER BY ordered_at", params)
    return [
        {
            **r,
            "chair_responsibility": bool(r["chair_responsibility"]),
            "superseded": json.loads(r["superseded"]),
            "done": r["done_at"] is not None,
        }
        for r in rows
    ]


def open_orders(
    views: ProjectionRuntime, cycle_id: str, limit: int
) -> list[dict[str, Any]]:
    """Up to ``limit`` re-review orders of the cycle not yet carried out, by
    deadline, with their subject's place (``org_id``, ``cell_id``,
    ``member_id``)."""
    return views.query(
        "ratings",
        "SELECT o.order_id, o.subject_key, o.subject_name, o.number, "
        "o.scope, o.deadline, s.org_id, s.cell_id, s.member_id "
        "FROM {orders} o JOIN {subjects} s ON s.cycle_id = o.cycle_id "
        "AND s.subject_key = o.subject_key WHERE o.cycle_id = ? "
        "AND o.done_at IS NULL ORDER BY o.deadline LIMIT ?",
        [cycle_id, limit],
    )
