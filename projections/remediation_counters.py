"""``remediation``: how many shortcomings each organisation has, everything
under it included, per year, status and deadline (``counts``), kept as the
``scope`` rows change (issue 14), and the first claims awaiting verification
and the first overdue items of an organisation, each one index range.

A shortcoming counts at every organisation of its ``scope`` (its stored path:
the tree when its cycle opened, as the ratings' ``stats`` roll up), with the
row's ``held`` mark: an open plan that followed a reorganisation is counted
held at its new path and as history (``held`` = 0) at the organisations it
left. The deadline is part of the key so overdue and due soon, which depend on
the reader's clock, are sums of a few counter rows (one per distinct deadline)
rather than a walk of the items. Counters a change brings to 0 are deleted, so
the table equals the ``scope`` grouped, however it was reached (replayed or
kept).
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from domain.remediation import SETTLED, Status
from projections.sqlutil import Tx

if TYPE_CHECKING:
    from projections.runtime import ProjectionRuntime

Key = tuple[str, int, int, str, str]
"""A counter's key: organisation, held (1/0), year, status, deadline ('' for none)."""

# Statuses an urgency applies to (``domain.remediation.urgency``): not yet
# claimed, nor settled.
URGENT = tuple(s.value for s in Status if s not in SETTLED and s is not Status.DONE)

COUNTS_TABLE = (
    "org_id TEXT NOT NULL, held INTEGER NOT NULL, year BIGINT NOT NULL, "
    "status TEXT NOT NULL, deadline TEXT NOT NULL, n BIGINT NOT NULL, "
    "PRIMARY KEY (org_id, held, year, status, deadline)"
)


def due(status: str, deadline: str | None) -> str | None:
    """The ``scope.due`` of a row: its deadline while someone still has to act
    on it (an urgency applies), else none (the overdue index skips it)."""
    return deadline if status in URGENT else None


def scope_keys(tx: Tx, ident: str) -> Counter[Key]:
    """The counters shortcoming ``ident``'s scope rows are in (by the scope's
    primary key)."""
    tx.execute(
        "SELECT org_id, held, sort_year, status, deadline FROM {scope} "
        "WHERE shortcoming_id = ?",
        (ident,),
    )
    return Counter(
        (
            str(r["org_id"]),
            int(r["held"]),
            -int(r["sort_year"]),
            str(r["status"]),
            str(r["deadline"] or ""),
        )
        for r in tx.fetchall_dicts()
    )


def count_change(tx: Tx, before: Counter[Key], after: Counter[Key]) -> None:
    """Add what changed from ``before`` to ``after`` to the counters; a counter
    brought to 0 goes."""
    change: dict[Key, int] = dict(after)
    for key, n in before.items():
        change[key] = change.get(key, 0) - n
    rows = [(*key, n) for key, n in sorted(change.items()) if n != 0]
    if not rows:
        return
    tx.executemany(
        "INSERT INTO {counts} AS here (org_id, held, year, status, deadline, n) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (org_id, held, year, status, "
        "deadline) DO UPDATE SET n = here.n + excluded.n",
        rows,
    )
    lower = [row[:5] for row in rows if row[5] < 0]
    if lower:
        tx.executemany(
            "DELETE FROM {counts} WHERE org_id = ? AND held = ? AND year = ? "
            "AND status = ? AND deadline = ? AND n = 0",
            lower,
        )


# -- reads ------------------------------------------------------------------------
def counter_rows(
    views: ProjectionRuntime,
    org_id: str,
    *,
    year: int | None = None,
    held: bool = False,
) -> list[dict[str, Any]]:
    """The counters of ``org_id`` (``status``, ``deadline``, ``n``), of
    ``year`` (every year when None), only those it holds now with ``held``:
    one range of the primary key, a row per status and distinct deadline."""
    sql = "SELECT status, deadline, SUM(n) AS n FROM {counts} WHERE org_id = ?"
    args: list[Any] = [org_id]
    if held:
        sql += " AND held = 1"
    if year is not None:
        sql += " AND year = ?"
        args.append(year)
    sql += " GROUP BY status, deadline ORDER BY status, deadline"
    return views.query("remediation", sql, args)


def tally(
    rows: list[dict[str, Any]], today: str, soon: str
) -> tuple[dict[str, int], int, int]:
    """Counter rows summed per status, and how many are overdue as of
    ``today`` and due soon (up to ``soon``): the counts of ``_filters``."""
    per: dict[str, int] = {}
    overdue = due_soon = 0
    for row in rows:
        n, status, deadline = int(row["n"]), str(row["status"]), row["deadline"]
        per[status] = per.get(status, 0) + n
        if deadline and status in URGENT:
            if deadline < today:
                overdue += n
            elif deadline <= soon:
                due_soon += n
    return per, overdue, due_soon


def first_overdue_sql(org_id: str, today: str, limit: int) -> tuple[str, list[Any]]:
    """The first ``limit`` shortcomings ``org_id``'s branch holds now that are
    overdue as of ``today``, the longest overdue first: one range of
    ``scope_due``, each row's shortcoming by primary key."""
    return (
        "SELECT s.* FROM {scope} p JOIN {shortcomings} s "  # noqa: S608 - a number only
        "ON s.shortcoming_id = p.shortcoming_id WHERE p.org_id = ? AND p.held = 1 "
        f"AND p.due < ? ORDER BY p.due, p.shortcoming_id LIMIT {int(limit)}",
        [org_id, today],
    )


def first_overdue(
    views: ProjectionRuntime, org_id: str, today: str, limit: int
) -> list[dict[str, Any]]:
    """See ``first_overdue_sql``."""
    return views.query("remediation", *first_overdue_sql(org_id, today, limit))


def first_at_status_sql(org_id: str, status: str, limit: int) -> tuple[str, list[Any]]:
    """The first ``limit`` shortcomings at ``status`` that ``org_id``'s branch
    holds now, in the list's order (latest year first, subject, order
    recorded): one range of ``scope_held``."""
    return (
        "SELECT s.* FROM {scope} p JOIN {shortcomings} s "  # noqa: S608 - a number only
        "ON s.shortcoming_id = p.shortcoming_id WHERE p.org_id = ? AND p.held = 1 "
        "AND p.status = ? ORDER BY p.sort_year, p.subject_name, p.recorded_at, "
        f"p.shortcoming_id LIMIT {int(limit)}",
        [org_id, status],
    )


def first_at_status(
    views: ProjectionRuntime, org_id: str, status: str, limit: int
) -> list[dict[str, Any]]:
    """See ``first_at_status_sql``."""
    return views.query("remediation", *first_at_status_sql(org_id, status, limit))


def held_among(views: ProjectionRuntime, org_id: str, idents: list[str]) -> set[str]:
    """Which of ``idents`` ``org_id``'s branch holds now (by the scope's key)."""
    if not idents:
        return set()
    marks = ", ".join("?" for _ in idents)
    rows = views.query(
        "remediation",
        "SELECT shortcoming_id FROM {scope} WHERE org_id = ? AND held = 1 "  # noqa: S608 - marks only
        f"AND shortcoming_id IN ({marks})",
        [org_id, *idents],
    )
    return {str(r["shortcoming_id"]) for r in rows}
