"""A rebuild's deferred ``insert_ignoring`` rows (projections.sqlutil.Tx): they
wait until a statement names their table or the page flushes, and a row written
once is skipped again only while nothing else touched its table."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest

from projections.sqlutil import Tx

TABLES = {"seen": '"v_seen"', "other": '"v_other"'}


@pytest.fixture
def cursor() -> Iterator[sqlite3.Cursor]:
    connection = sqlite3.connect(":memory:")
    connection.execute("CREATE TABLE v_seen (k TEXT PRIMARY KEY, v BIGINT NOT NULL)")
    connection.execute("CREATE TABLE v_other (k TEXT PRIMARY KEY)")
    yield connection.cursor()
    connection.close()


def rows(c: sqlite3.Cursor, table: str = "v_seen") -> list[tuple[object, ...]]:
    return c.execute(f"SELECT * FROM {table} ORDER BY k").fetchall()


def test_deferred_rows_wait_for_a_statement_naming_their_table(
    cursor: sqlite3.Cursor,
) -> None:
    tx = Tx(cursor, postgres=False, tables=TABLES, deferred=True)
    tx.insert_ignoring("seen", ["k", "v"], [("a", 1), ("b", 2)])
    tx.execute("INSERT INTO {other} (k) VALUES (?)", ("x",))
    assert rows(cursor) == []  # another table's statement leaves them waiting
    assert tx.scalar("SELECT COUNT(*) FROM {seen}") == 2
    tx.insert_ignoring("seen", ["k", "v"], [("c", 3)])
    tx.flush()
    assert rows(cursor) == [("a", 1), ("b", 2), ("c", 3)]


def test_the_first_row_of_a_key_wins_as_when_written_at_once(
    cursor: sqlite3.Cursor,
) -> None:
    tx = Tx(cursor, postgres=False, tables=TABLES, deferred=True)
    tx.insert_ignoring("seen", ["k", "v"], [("a", 1), ("a", 2), ("a", 1)])
    tx.flush()
    assert rows(cursor) == [("a", 1)]


def test_a_row_deleted_in_between_is_written_again(cursor: sqlite3.Cursor) -> None:
    tx = Tx(cursor, postgres=False, tables=TABLES, deferred=True)
    tx.insert_ignoring("seen", ["k", "v"], [("a", 1)])
    tx.execute("DELETE FROM {seen} WHERE k = ?", ("a",))
    tx.insert_ignoring("seen", ["k", "v"], [("a", 1)])
    tx.flush()
    assert rows(cursor) == [("a", 1)]


def test_by_its_quoted_name_too(cursor: sqlite3.Cursor) -> None:
    tx = Tx(cursor, postgres=False, tables=TABLES, deferred=True)
    tx.insert_ignoring("seen", ["k", "v"], [("a", 1)])
    assert tx.scalar(f"SELECT COUNT(*) FROM {tx.table('seen')}") == 1


def test_without_deferring_rows_are_written_at_once(cursor: sqlite3.Cursor) -> None:
    tx = Tx(cursor, postgres=False, tables=TABLES)
    tx.insert_ignoring("seen", ["k", "v"], [("a", 1), ("a", 2)])
    assert rows(cursor) == [("a", 1)]


@pytest.mark.parametrize("deferred", [False, True])
def test_counts_add_one_per_key_as_one_upsert(
    cursor: sqlite3.Cursor, deferred: bool
) -> None:
    cursor.execute("INSERT INTO v_seen (k, v) VALUES ('a', 5)")
    tx = Tx(cursor, postgres=False, tables=TABLES, deferred=deferred)
    tx.add_counts("seen", ["k"], "v", [("a",), ("b",)])
    tx.add_counts("seen", ["k"], "v", [("b",)])
    if deferred:
        assert rows(cursor) == [("a", 5)]  # summed, written at the flush
    tx.flush()
    assert rows(cursor) == [("a", 6), ("b", 2)]


def test_a_statement_naming_the_table_sees_the_counts_so_far(
    cursor: sqlite3.Cursor,
) -> None:
    tx = Tx(cursor, postgres=False, tables=TABLES, deferred=True)
    tx.add_counts("seen", ["k"], "v", [("a",), ("a",)])
    assert tx.scalar("SELECT v FROM {seen} WHERE k = ?", ("a",)) == 2
    tx.add_counts("seen", ["k"], "v", [("a",)])
    tx.flush()
    assert rows(cursor) == [("a", 3)]
