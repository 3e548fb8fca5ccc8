"""How many are rated at each level in each organisation, everything under it
included? (``stats``) And in each organisation itself, to be rolled up by any
tree? (``placed``)

``stats``: one row per cycle, organisation, population and bucket (a level,
``pending`` or ``exempt:<reason>``), rolled up the subject's stored path (the
tree when the cycle opened). ``placed``: the same buckets by the subject's own
organisation only (its path's first), with its class and deadline level, so a
report can roll them up by the tree of any day in O(organisations) instead of
reading every subject (issue 14). Both kept by the subjects' changes
(:mod:`.subjects`); the counts are integers, percentages are computed exactly by
the reader.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any
from uuid import UUID

from projections import reading
from projections.ratings.values import PENDING
from projections.read_model import ReadModel
from projections.sqlutil import Tx, ViewCursor

if TYPE_CHECKING:
    from projections.runtime import ProjectionRuntime


def bump(tx: Tx, cycle: str, path: list[str], pop: str, bucket: str, by: int) -> None:
    """Add ``by`` to the bucket of every organisation on the path (one
    statement: a new row holds ``by``)."""
    _bumps(tx, cycle, pop, [(org, bucket, by) for org in path])


def bump_moved(
    tx: Tx, cycle: str, path: list[str], pop: str, old: str, new: str
) -> None:
    """Move one subject from bucket ``old`` to ``new`` on every organisation of
    the path (:func:`bump` by -1, then by 1; one statement)."""
    moves = [(org, old, -1) for org in path] + [(org, new, 1) for org in path]
    _bumps(tx, cycle, pop, moves)


def _bumps(tx: Tx, cycle: str, pop: str, moves: list[tuple[str, str, int]]) -> None:
    """Add each (organisation, bucket, by): a new row holds its sum."""
    sums: dict[tuple[str, str], int] = {}
    for org, bucket, by in moves:
        sums[org, bucket] = sums.get((org, bucket), 0) + by
    tx.add_amounts(  # summed per key over a deferred page (Tx.add_amounts)
        "stats",
        ("cycle_id", "org_id", "population", "bucket"),
        "n",
        [(cycle, org, pop, bucket, n) for (org, bucket), n in sums.items()],
    )


Placed = tuple[str, str, str, str, str]
"""A ``placed`` counter's key: own organisation, population, class, deadline
level, bucket."""


def place_bump(tx: Tx, cycle: str, counts: dict[Placed, int]) -> None:
    """Add each count to the subjects' own organisations' counters (one
    statement: a new row holds its count)."""
    tx.add_amounts(  # summed per key over a deferred page (Tx.add_amounts)
        "placed",
        ("cycle_id", "org_id", "population", "klass", "deadline_level", "bucket"),
        "n",
        [(cycle, *key, by) for key, by in counts.items() if by != 0],
    )


def placed_key(row: Mapping[str, Any], path: Sequence[str], bucket: str) -> Placed:
    """The ``placed`` counter a subject row (its ``path`` decoded) is in."""
    own = str(path[0]) if path else ""
    return (own, row["population"], row["klass"], row["deadline_level"], bucket)


def replace_placed(tx: Tx, cycle: str) -> None:
    """The cycle's ``placed`` counters again from its rows (when its subjects are
    set again: the event is in the cycle's size already)."""
    tx.execute("DELETE FROM {placed} WHERE cycle_id = ?", (cycle,))
    tx.execute(
        "SELECT path, population, klass, deadline_level, exempt, level "
        "FROM {subjects} WHERE cycle_id = ?",
        (cycle,),
    )
    counts: dict[Placed, int] = {}
    for row in tx.fetchall_dicts():
        key = placed_key(row, json.loads(row["path"]), bucket_of(row))
        counts[key] = counts.get(key, 0) + 1
    place_bump(tx, cycle, counts)


def bucket_of(row: Mapping[str, Any]) -> str:
    """A subject row's bucket: ``exempt:<reason>``, its level, or pending."""
    if row["exempt"]:
        return f"exempt:{row['exempt']}"
    return str(row["level"] or PENDING)


class RatingStatistics(ReadModel):
    """The counters by level, rolled up through the tree."""

    tables = {  # noqa: RUF012 - declarative table list read by the runtime
        "stats": (
            "cycle_id TEXT NOT NULL, org_id TEXT NOT NULL, population TEXT NOT NULL, "
            "bucket TEXT NOT NULL, n BIGINT NOT NULL, "
            "PRIMARY KEY (cycle_id, org_id, population, bucket)"
        ),
        "placed": (
            "cycle_id TEXT NOT NULL, org_id TEXT NOT NULL, population TEXT NOT NULL, "
            "klass TEXT NOT NULL, deadline_level TEXT NOT NULL, "
            "bucket TEXT NOT NULL, n BIGINT NOT NULL, PRIMARY KEY (cycle_id, "
            "org_id, population, klass, deadline_level, bucket)"
        ),
    }


def level_counts(
    views: ProjectionRuntime, cycle_id: UUID, org_id: UUID
) -> list[dict[str, Any]]:
    """The non-zero counts (``population``, ``bucket``, ``n``) of everything in
    and under ``org_id`` in the cycle."""
    return views.query(
        "ratings",
        "SELECT population, bucket, n FROM {stats} WHERE cycle_id = ? "
        "AND org_id = ? AND n != 0 ORDER BY population, bucket",
        [str(cycle_id), str(org_id)],
    )


def placed_counts(
    views: ProjectionRuntime, cycle_ids: Sequence[str]
) -> list[dict[str, Any]]:
    """The non-zero ``placed`` counters of these cycles (``cycle_id``,
    ``org_id``, ``population``, ``klass``, ``deadline_level``, ``bucket``,
    ``n``): one row per organisation and bucket, never one per subject."""
    if not cycle_ids:
        return []
    marks = ", ".join("?" for _ in cycle_ids)
    return views.query(
        "ratings",
        "SELECT cycle_id, org_id, population, klass, deadline_level, bucket, n "  # noqa: S608 - marks only
        f"FROM {{placed}} WHERE cycle_id IN ({marks}) AND n != 0 "
        "ORDER BY cycle_id, org_id, population, klass, deadline_level, bucket",
        list(cycle_ids),
    )


PlacedRow = tuple[str, str, str, str, str, str, int]
"""A ``placed`` counter as :func:`placed_rows` reads it: cycle, own
organisation, population, class, deadline level, bucket, subjects."""


def placed_rows(views: ProjectionRuntime, cycle_ids: Sequence[str]) -> list[PlacedRow]:
    """:func:`placed_counts` as tuples of its columns in that order (a report
    reads thousands: a dict each cost more than the rest of their reading),
    in no particular order (sorting them by their text keys cost PostgreSQL
    five times the reading)."""
    return _counters(
        views,
        "cycle_id, org_id, population, klass, deadline_level, bucket, n",
        cycle_ids,
    )


def placed_totals(
    views: ProjectionRuntime, cycle_ids: Sequence[str]
) -> list[tuple[str, str, str, str, int]]:
    """:func:`placed_counts` summed over class and deadline level, as tuples
    (cycle, own organisation, population, bucket, subjects): what counts by
    level need (the statistics page, a report's charts), fewer rows to read
    and place; in no particular order (as :func:`placed_rows`)."""
    return _counters(
        views,
        "cycle_id, org_id, population, bucket, SUM(n) AS n",
        cycle_ids,
        " GROUP BY cycle_id, org_id, population, bucket",
    )


def _counters(
    views: ProjectionRuntime, columns: str, cycle_ids: Sequence[str], tail: str = ""
) -> list[Any]:
    """The non-zero ``placed`` counters of these cycles, ``columns`` of each
    (``tail``: what follows the condition), as tuples."""
    if not cycle_ids:
        return []
    marks = ", ".join("?" for _ in cycle_ids)
    return _placed_tuples(
        views,
        f"SELECT {columns} FROM {{placed}} "  # noqa: S608 - names and marks from code
        f"WHERE cycle_id IN ({marks}) AND n != 0{tail}",
        cycle_ids,
    )


def committees(views: ProjectionRuntime, cycle_id: UUID) -> list[dict[str, Any]]:
    """The cycle's collective subjects that are neither a chi bộ nor a
    leadership collective (the committees a statistics page offers), with what
    a scope check needs (``org_id``, ``cell_id``, ``member_id``) and ``name``,
    in the order of the cycle's subjects (collectives by name and key)."""
    return views.query(
        "ratings",
        "SELECT org_id, cell_id, member_id, name FROM {subjects} "
        "WHERE cycle_id = ? AND kind = 'collective' AND (org_kind IS NULL "
        "OR org_kind NOT IN ('cell', 'leadership_collective')) "
        "ORDER BY name, subject_key",
        [str(cycle_id)],
    )


def placed_sums(
    views: ProjectionRuntime, cycle_ids: Sequence[str]
) -> tuple[list[str], list[tuple[str, str, int]]]:
    """In one statement (one snapshot): the organisations that have a non-zero
    ``placed`` counter in these cycles, and those counters summed by
    population and bucket over all of them (population, bucket, subjects): the
    counts of a place whose subtree holds every one of those organisations,
    in a few rows."""
    if not cycle_ids:
        return [], []
    marks = ", ".join("?" for _ in cycle_ids)
    where = f"FROM {{placed}} WHERE cycle_id IN ({marks}) AND n != 0 "
    rows = _placed_tuples(
        views,
        f"SELECT org_id, NULL AS population, NULL AS bucket, 0 AS n {where}"
        "GROUP BY org_id UNION ALL "
        f"SELECT NULL, population, bucket, SUM(n) {where}GROUP BY population, bucket",
        cycle_ids,
        times=2,
    )
    orgs = [org for org, population, _, _ in rows if population is None]
    sums = [(pop, bucket, int(n)) for org, pop, bucket, n in rows if org is None]
    return orgs, sums


def _placed_tuples(
    views: ProjectionRuntime, statement: str, cycle_ids: Sequence[str], times: int = 1
) -> list[Any]:
    """``views.query`` on the ratings view of a statement reading ``{placed}``
    by ``cycle_id IN`` these cycles (``times`` over), each row a tuple of the
    columns in the statement's order rather than a dict.

    On SQLite ``placed`` is a rowid table beside its key's index (no
    statistics: nothing runs ANALYZE), so the planner always searches the
    index and looks each counter's ``n`` up in the table: when these cycles
    hold most of the counters, reading the table straight through costs half
    (≈ 20 instead of ≈ 38 ms for a province's 25,000). ``NOT INDEXED`` only
    changes the plan, never the rows."""
    reading.check_read_only(statement)
    params = list(cycle_ids) * times
    with reading.one_statement([views.views.state("ratings")]) as cursor:
        if not cursor.postgres and _most_counters(cursor, cycle_ids):
            statement = statement.replace("{placed}", "{placed} NOT INDEXED")
        return cursor.execute(statement, params).fetchall()


def _most_counters(cursor: ViewCursor, cycle_ids: Sequence[str]) -> bool:
    """Do these cycles' ``placed`` rows outnumber all the others? Counted on
    the key's index alone (a few ms at a province's 25,000), the others no
    further than the cycles' own number."""
    marks = ", ".join("?" for _ in cycle_ids)
    own = _count(
        cursor,
        f"SELECT COUNT(*) FROM {{placed}} WHERE cycle_id IN ({marks})",  # noqa: S608
        list(cycle_ids),
    )
    others = _count(
        cursor,
        "SELECT COUNT(*) FROM (SELECT 1 FROM {placed} "  # noqa: S608 - marks only
        f"WHERE cycle_id NOT IN ({marks}) LIMIT ?)",
        [*cycle_ids, own],
    )
    return others < own


def _count(cursor: ViewCursor, statement: str, params: Sequence[Any]) -> int:
    row = cursor.execute(statement, params).fetchone()
    return int(row[0]) if row else 0
