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
