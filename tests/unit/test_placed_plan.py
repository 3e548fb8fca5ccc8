"""The ``placed`` counters' plan on SQLite (``projections.ratings.statistics``):
read straight through the table when the cycles asked for hold most of the
counters, through the key's index otherwise; the rows are the same either way
(``tests/service/test_reports_on_either_tree.py``)."""

from __future__ import annotations

import sqlite3

from projections.ratings import statistics
from projections.sqlutil import ViewCursor

COLUMNS = "cycle_id, org_id, population, klass, deadline_level, bucket"


def _cursor(counters: dict[str, int]) -> ViewCursor:
    """A view cursor on a ``placed`` table (as the view declares it) holding
    ``counters[cycle]`` rows of each cycle, one of them zero."""
    connection = sqlite3.connect(":memory:")
    connection.execute(
        "CREATE TABLE ratings_placed (cycle_id TEXT NOT NULL, org_id TEXT NOT NULL, "
        "population TEXT NOT NULL, klass TEXT NOT NULL, deadline_level TEXT NOT NULL, "
        f"bucket TEXT NOT NULL, n BIGINT NOT NULL, PRIMARY KEY ({COLUMNS}))"
    )
    rows = [
        (cycle, f"org-{i}", "members", "-", "-", "good", i)
        for cycle, count in counters.items()
        for i in range(count)
    ]
    connection.executemany("INSERT INTO ratings_placed VALUES (?,?,?,?,?,?,?)", rows)
    return ViewCursor(
        connection.cursor(), postgres=False, tables={"placed": "ratings_placed"}
    )


def test_the_table_is_read_through_when_the_cycles_hold_most_counters():
    cursor = _cursor({"a": 30, "b": 10, "c": 10, "d": 0})
    assert statistics._most_counters(cursor, ["a"])
    assert statistics._most_counters(cursor, ["a", "b"])
    assert statistics._most_counters(cursor, ["b", "c", "a"])
    assert not statistics._most_counters(cursor, ["b"])
    assert not statistics._most_counters(cursor, ["b", "c"])  # 20 of 50: not most
    assert not statistics._most_counters(cursor, ["d"])  # none: nothing to read
    assert not statistics._most_counters(cursor, ["zz"])
    even = _cursor({"a": 10, "b": 10})
    assert not statistics._most_counters(even, ["a"])  # half: not most
    assert statistics._most_counters(_cursor({"a": 3}), ["a"])


def test_only_the_cycle_of_the_table_is_read_through():
    """What SQLite does with the statement the reads send, both ways."""
    cursor = _cursor({"a": 30, "b": 1})
    plans = {}
    for cycles in (["a"], ["b"]):
        marks = ", ".join("?" for _ in cycles)
        statement = (
            f"SELECT {COLUMNS}, n FROM {{placed}} "
            f"WHERE cycle_id IN ({marks}) AND n != 0"
        )
        if statistics._most_counters(cursor, cycles):
            statement = statement.replace("{placed}", "{placed} NOT INDEXED")
        plan = cursor.execute("EXPLAIN QUERY PLAN " + statement, cycles).fetchall()
        plans[cycles[0]] = " ".join(str(step[-1]) for step in plan)
    assert plans["a"].startswith("SCAN ratings_placed"), plans
    assert "USING INDEX" in plans["b"], plans
