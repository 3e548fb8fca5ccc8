"""Keyset pages of the review cycles and the confidence votes (danh sách kỳ
kiểm điểm, cuộc lấy phiếu tín nhiệm) at province scale: the search view's
entries of that kind walked by name then id (``entries_name``: kind, sort_key,
entity_id), narrowed to the viewer's anchors as every directory list is
(``search.Narrowing``), ``limit + 1`` of them, and then the page's own rows of
the cycle or vote view by primary key. Never the whole list.

A cycle's name here is its organisation's (``ReviewCycle.Opened.org_name``),
a vote's its title; the scope rule itself is the read gateway's, applied to
every row returned (``services.read_gateway_lists``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from projections.search import CYCLE, VOTE, Cursor, Narrowing, Statement, keyset

if TYPE_CHECKING:
    from projections.runtime import ProjectionRuntime

# kind: (the view, its table and primary key column)
LISTED = {
    CYCLE: ("ratings", "cycles", "cycle_id"),
    VOTE: ("vote_results", "votes", "vote_id"),
}


def page_sql(
    kind: str,
    *,
    narrowing: Narrowing,
    after: Cursor,
    before: Cursor = None,
    limit: int,
    counted_by: str | None = None,
) -> Statement:
    """One page of cycles or votes by name then id: ``after`` the last row of
    the page before, or ``before`` the first of the next (read descending, for
    the caller to turn round). Each row is the view's, with ``sort_key``.

    ``counted_by`` (votes only: an account id) adds the votes that account
    counts (``vote_results.trustees``), wherever they are: the union of two
    bounded reads in the same order, each ``limit + 1`` rows past the cursor,
    then ``limit + 1`` of the union, so a page neither skips nor repeats one."""
    view, table, key = LISTED[kind]
    where, params = narrowing.sql("e.org_id", "e.kind", "e.entity_id")
    conditions = ["e.kind = ?", where]
    args: list[Any] = [kind, *params]
    order = keyset(conditions, args, after, before)
    bound = f" ORDER BY e.sort_key {order}, e.entity_id {order} LIMIT {int(limit) + 1}"
    entries = (
        "SELECT e.sort_key, e.entity_id FROM {entries} e WHERE "  # noqa: S608 - marks and code only
        + " AND ".join(conditions)
        + bound
    )
    if counted_by is not None:
        if kind != VOTE:
            raise ValueError(f"only votes are counted, not {kind!r}")
        counted = ["t.account_id = ?", "e.kind = ?", "e.entity_id = t.vote_id"]
        args += [counted_by, kind]
        keyset(counted, args, after, before)
        # The account's trustee rows drive (few), each vote's entry by primary
        # key: CROSS JOIN keeps SQLite from walking every vote's entry by name
        # instead (PostgreSQL plans it as an inner join).
        entries = (
            "SELECT u.sort_key, u.entity_id FROM ("  # noqa: S608 - marks and code only
            f"SELECT * FROM ({entries}) s UNION SELECT * FROM ("
            "SELECT e.sort_key, e.entity_id FROM {vote_results.trustees} t "
            "CROSS JOIN {entries} e WHERE "
            + " AND ".join(counted)
            + bound
            + f") c) u ORDER BY u.sort_key {order}, u.entity_id {order} "
            f"LIMIT {int(limit) + 1}"
        )
    statement = (
        f"SELECT e.sort_key, r.* FROM ({entries}) e "  # noqa: S608 - marks and code only
        f"JOIN {{{view}.{table}}} r ON r.{key} = e.entity_id "
        f"ORDER BY e.sort_key {order}, e.entity_id {order}"
    )
    return statement, args


def page(runtime: ProjectionRuntime, kind: str, **options: Any) -> list[dict[str, Any]]:
    """A page of cycles or votes (see ``page_sql``)."""
    sql, args = page_sql(kind, **options)
    return runtime.query_views(["search", "directory", LISTED[kind][0]], sql, args)
