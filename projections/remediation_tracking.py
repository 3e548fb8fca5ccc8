"""``remediation``: an organisation's list of shortcomings (in and under it,
its history included), a keyset page at a time (issue 14), with the years it
has (its counts per status and urgency: :mod:`projections.remediation_counters`).
Reads of the ``scope`` and ``shortcomings`` tables of
:class:`projections.remediation.RemediationView`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from projections.remediation_counters import URGENT

if TYPE_CHECKING:
    from projections.runtime import ProjectionRuntime

Position = tuple[int, str, int, str]
"""Where a row stands in the list: (minus the year, subject name, position
recorded, shortcoming id)."""

_KEY = "(p.sort_year, p.subject_name, p.recorded_at, p.shortcoming_id)"


def _filters(
    org_id: str,
    year: int | None,
    status: str | None,
    urgency: str | None,
    today: str,
    soon: str,
) -> tuple[list[str], list[Any]]:
    conditions: list[str] = ["p.org_id = ?"]
    args: list[Any] = [org_id]
    if year is not None:
        conditions.append("p.sort_year = ?")
        args.append(-year)
    if status is not None:
        conditions.append("p.status = ?")
        args.append(status)
    if urgency in ("overdue", "due_soon"):
        marks = ", ".join("?" for _ in URGENT)
        conditions.append(f"p.deadline IS NOT NULL AND p.status IN ({marks})")
        args.extend(URGENT)
        if urgency == "overdue":
            conditions.append("p.deadline < ?")
            args.append(today)
        else:
            conditions.append("p.deadline >= ? AND p.deadline <= ?")
            args += [today, soon]
    return conditions, args


def tracking_page_sql(
    org_id: str,
    *,
    today: str,
    soon: str,
    year: int | None = None,
    status: str | None = None,
    urgency: str | None = None,
    after: Position | None = None,
    before: Position | None = None,
    limit: int,
) -> tuple[str, list[Any]]:
    """One page of the shortcomings in and under ``org_id`` (its history
    included), latest year first, then by subject name and the order recorded
    (keyset: ``after`` the last row of the page before, or ``before`` the first
    row of the next, read in descending order for the caller to turn round);
    ``limit + 1`` rows say whether another page follows. ``urgency``
    (``overdue`` / ``due_soon``) as of ``today``, due soon up to ``soon``
    (ISO dates). One range of ``scope_page``, each row's shortcoming by
    primary key."""
    conditions, args = _filters(org_id, year, status, urgency, today, soon)
    order = "ASC"
    if after is not None:
        conditions.append(f"{_KEY} > (?, ?, ?, ?)")
        args.extend(after)
    elif before is not None:
        conditions.append(f"{_KEY} < (?, ?, ?, ?)")
        args.extend(before)
        order = "DESC"
    sql = (
        "SELECT s.* FROM {scope} p JOIN {shortcomings} s "  # noqa: S608 - marks and code only
        "ON s.shortcoming_id = p.shortcoming_id WHERE "
        + " AND ".join(conditions)
        + f" ORDER BY p.sort_year {order}, p.subject_name {order}, "
        f"p.recorded_at {order}, p.shortcoming_id {order} LIMIT {int(limit) + 1}"
    )
    return sql, args


def tracking_page(
    views: ProjectionRuntime, org_id: str, **options: Any
) -> list[dict[str, Any]]:
    """A page of an organisation's list (see ``tracking_page_sql``)."""
    sql, args = tracking_page_sql(org_id, **options)
    return views.query("remediation", sql, args)


def position(views: ProjectionRuntime, org_id: str, ident: str) -> Position | None:
    """Where shortcoming ``ident`` stands in ``org_id``'s list (by primary key)."""
    rows = views.query(
        "remediation",
        "SELECT sort_year, subject_name, recorded_at, shortcoming_id FROM {scope} "
        "WHERE shortcoming_id = ? AND org_id = ?",
        [ident, org_id],
    )
    if not rows:
        return None
    r = rows[0]
    return (
        int(r["sort_year"]),
        r["subject_name"],
        int(r["recorded_at"]),
        r["shortcoming_id"],
    )


def years(views: ProjectionRuntime, org_id: str, most: int = 100) -> list[int]:
    """The years with shortcomings in and under ``org_id``, latest first: one
    index probe of ``scope_page`` per year, never the whole list."""
    found: list[int] = []
    while len(found) < most:
        sql = "SELECT MIN(sort_year) AS k FROM {scope} WHERE org_id = ?"
        args: list[Any] = [org_id]
        if found:
            sql += " AND sort_year > ?"
            args.append(-found[-1])
        rows = views.query("remediation", sql, args)
        if not rows or rows[0]["k"] is None:
            break
        found.append(-int(rows[0]["k"]))
    return found
