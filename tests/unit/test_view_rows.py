"""How view rows come back (``projections.sqlutil``): PostgreSQL's rows are
tuples (``tuple_row``) handed out as they are unless one holds a
``memoryview``, which becomes ``bytes`` as :func:`as_tuple` makes it; a
statement's placeholders adapted once a process are those ``render`` makes."""

from __future__ import annotations

import sqlite3

from projections.sqlutil import ViewCursor, as_tuple, as_tuples, render


def test_tuples_without_a_memoryview_are_handed_out_as_they_are():
    rows = [("a", 1, None, b"x"), ("b", 2, "c", b"")]
    assert as_tuples(rows) == rows
    assert as_tuples([]) == []


def test_a_memoryview_in_any_row_becomes_bytes():
    rows = [("a", 1), ("b", memoryview(b"\x00\x01")), ("c", 3)]
    found = as_tuples(rows)
    assert found == [("a", 1), ("b", b"\x00\x01"), ("c", 3)]
    assert [type(v) for row in found for v in row] == [str, int, str, bytes, str, int]
    assert found == [as_tuple(row) for row in rows]


def test_dict_rows_and_lists_still_become_tuples():
    assert as_tuples([{"a": 1, "b": memoryview(b"z")}]) == [(1, b"z")]
    assert as_tuples([[1, 2], (3, 4)]) == [(1, 2), (3, 4)]


def test_sqlite_rows_become_tuples():
    connection = sqlite3.connect(":memory:")
    connection.row_factory = sqlite3.Row
    rows = connection.execute("SELECT 1 AS a, 'x' AS b").fetchall()
    assert as_tuples(rows) == [(1, "x")]


class _Raw:  # what ViewCursor needs of a cursor to render
    description = None


def test_a_postgres_statement_renders_as_render_does():
    tables = {"things": '"s"."view_things"'}
    statement = "SELECT '%?' , \"a?\" FROM {things} WHERE x = ? AND y LIKE '5%'"
    for postgres in (False, True):
        cursor = ViewCursor(_Raw(), postgres=postgres, tables=tables)
        expected = render(statement, tables, postgres=postgres)
        assert cursor.render(statement) == expected
        again = ViewCursor(_Raw(), postgres=postgres, tables=tables)
        assert again.render(statement) == expected


def _library_cursor() -> tuple[sqlite3.Connection, sqlite3.Cursor]:
    """A connection as the library opens a view's (``sqlite3.Row`` rows), in
    a transaction that has written a row not yet committed."""
    connection = sqlite3.connect(":memory:", isolation_level=None)
    connection.row_factory = sqlite3.Row
    raw = connection.cursor()
    raw.execute("CREATE TABLE view_things (a TEXT, n INTEGER, b BLOB)")
    raw.execute("BEGIN")
    raw.execute("INSERT INTO view_things VALUES ('x', 1, x'00ff'), (NULL, 2, NULL)")
    return connection, raw


def test_sqlite_rows_come_as_plain_tuples_in_the_same_transaction():
    """Rows read through a ``ViewCursor`` on SQLite are tuples (no
    ``sqlite3.Row`` made and copied), bytes for blobs, with the rows the
    transaction wrote and has not committed (the cursor is the same
    connection's); the library's own cursor still gives its ``Row``."""
    connection, raw = _library_cursor()
    cursor = ViewCursor(raw, postgres=False, tables={"things": "view_things"})
    statement = "SELECT a, n, b FROM {things} ORDER BY n"
    rows = cursor.execute(statement).fetchall()
    assert rows == [("x", 1, b"\x00\xff"), (None, 2, None)]
    assert [type(row) for row in rows] == [tuple, tuple]
    assert cursor.execute(statement).fetchone() == ("x", 1, b"\x00\xff")
    assert cursor.execute(statement + " LIMIT 0").fetchone() is None
    assert cursor.execute(statement).fetchall_dicts()[1] == {
        "a": None,
        "n": 2,
        "b": None,
    }
    assert type(raw.execute("SELECT 1").fetchone()) is sqlite3.Row
    raw.execute("ROLLBACK")
    assert cursor.execute(statement).fetchall() == []
    connection.close()
