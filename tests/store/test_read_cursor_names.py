"""A page's read cursor names its columns from the PostgreSQL result's field
names (issue 14: psycopg's ``description`` cost more than reading the row): the
same names as ``description``, aliases and case included, and a table changed
while the process runs gives its new names at once (names are kept by the
result's field names, never by the statement's text)."""

from __future__ import annotations

import uuid

import psycopg
import pytest

from projections import read_cursor
from projections.read_cursor import ReadCursor

pytestmark = pytest.mark.postgres
SERVER = "host=127.0.0.1 port=5432 dbname=test user=postgres"


@pytest.fixture
def cursor():
    schema = f"read_names_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(SERVER, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
        try:
            conn.execute(f'CREATE TABLE "{schema}".t (a TEXT, b BIGINT, "Cả" TEXT)')
            conn.execute(f"INSERT INTO \"{schema}\".t VALUES ('x', 1, 'y')")
            with conn.cursor() as raw:
                yield raw, schema
        finally:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def _read(raw, statement):
    found = ReadCursor(raw, postgres=True, tables={})
    rows = found.execute(statement).fetchall_dicts()
    return found, rows


def test_the_names_are_descriptions(cursor):
    raw, schema = cursor
    statement = f'SELECT *, b + 1 AS "Next", a AS x FROM "{schema}".t'
    found, rows = _read(raw, statement)
    raw.execute(statement)
    assert found.columns == [c.name for c in raw.description]
    assert rows == [{"a": "x", "b": 1, "Cả": "y", "Next": 2, "x": "x"}]


def test_a_changed_table_gives_its_new_names(cursor):
    raw, schema = cursor
    statement = f'SELECT * FROM "{schema}".t'
    assert _read(raw, statement)[1] == [{"a": "x", "b": 1, "Cả": "y"}]
    raw.execute(f'ALTER TABLE "{schema}".t RENAME COLUMN b TO c')
    assert _read(raw, statement)[1] == [{"a": "x", "c": 1, "Cả": "y"}]


def test_the_kept_names_are_bounded(cursor, monkeypatch):
    raw, schema = cursor
    monkeypatch.setattr(read_cursor, "NAMES_KEPT", 2)
    monkeypatch.setattr(read_cursor, "_names", {})
    for n in range(5):
        found, _ = _read(raw, f'SELECT a AS c{n} FROM "{schema}".t')
        assert found.columns == [f"c{n}"]
    assert len(read_cursor._names) <= 2
