"""Reading views: read-only cursors over one or more views, and their digests.

``{table}`` names a table of the first view read, ``{model.table}`` a table of any
listed view. On SQLite several views are ATTACHed read-only to a private
connection; on PostgreSQL they share the schema. A digest is the canonical dump
of a view (rows sorted by primary key), hashed: a rebuild must give the same.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from ledger import canonical
from projections import read_record
from projections.attached_reads import Attached
from projections.read_cursor import ReadCursor
from projections.sqlutil import (
    ViewCursor,
    as_tuple,
    column_names,
    dump_value,
    quote,
    sha256_hex,
    sort_key,
)
from projections.view_state import ViewState
from projections.view_storage import CHANGED, UPSTREAM, SQLiteView


@dataclass(frozen=True)
class ViewDigest:
    name: str
    version: int
    position: int
    rows: int
    sha256: str


@contextmanager
def read(states: Sequence[ViewState]) -> Iterator[ViewCursor]:
    """A read-only cursor on these views (at least one), in one read transaction."""
    first = states[0]
    namespaces = {s.name: s.tables for s in states}
    if first.view.postgres or len(states) == 1:
        with ExitStack() as stack:
            with read_record.noted(namespaces):
                c = stack.enter_context(first.view.snapshot())
            yield ReadCursor(
                c,
                postgres=first.view.postgres,
                tables=first.tables,
                namespaces=namespaces,
            )
        return
    read_record.note(namespaces)
    with _attached(states) as (connection, attached):
        cursor = connection.cursor()
        try:
            yield ReadCursor(
                cursor,
                postgres=False,
                tables=attached[first.name],
                namespaces=attached,
            )
        finally:
            cursor.close()


@contextmanager
def reading(state: ViewState) -> Iterator[Any]:
    """A raw cursor in a read-only transaction of the view's own storage: one
    snapshot for every statement of the block."""
    with ExitStack() as stack:
        with read_record.noted([state.name]):
            c = stack.enter_context(state.view.snapshot())
        yield c


READ_STATEMENT = re.compile(r"\s*(\(\s*)*(SELECT|WITH|VALUES|EXPLAIN)\b", re.IGNORECASE)


def check_read_only(statement: str) -> None:
    """Refuse anything but a plain read: a one-statement read runs outside a
    READ ONLY transaction on PostgreSQL (``PRAGMA query_only`` still guards SQLite)."""
    if not READ_STATEMENT.match(statement):
        msg = f"a view query must be one read statement: {statement[:60]!r}"
        raise ValueError(msg)


@contextmanager
def one_statement(states: Sequence[ViewState]) -> Iterator[ViewCursor]:
    """A cursor for a single read statement on these views (at least one). On
    PostgreSQL it runs in autocommit (one round trip, the statement's own
    snapshot) rather than in a transaction of its own (which cost four:
    ``BEGIN``, ``SET TRANSACTION``, the statement, ``ROLLBACK``). On SQLite
    several views are ATTACHed as :func:`read` does."""
    first = states[0]
    if not first.view.postgres and len(states) > 1:
        with read(states) as cursor:
            yield cursor
        return
    with ExitStack() as stack:
        with read_record.noted([s.name for s in states]):
            c = stack.enter_context(first.view.statement())
        yield ReadCursor(
            c,
            postgres=first.view.postgres,
            tables=first.tables,
            namespaces={s.name: s.tables for s in states},
        )


MAX_ATTACHED = 10
"""SQLite's default bound on the files one connection attaches."""


def change_marks(states: Sequence[ViewState]) -> dict[str, tuple[int | None, int]]:
    """Each SQLite view's change mark and position in one statement on the
    kept connection that has every view's file attached (one transaction,
    rather than one per file): ``ProjectionRuntime.change_marks``."""
    sql = " UNION ALL ".join(
        f"SELECT ?, (SELECT notification_id FROM {quote(s.name)}.tracking "  # noqa: S608 - names from code
        f"WHERE application_name = ?), (SELECT notification_id FROM "
        f"{quote(s.name)}.tracking WHERE application_name = ?)"
        for s in states
    )
    params: list[Any] = []
    for state in states:
        params += [state.name, CHANGED, UPSTREAM]
    with _attached(states) as (connection, _tables):
        rows = connection.execute(sql, params).fetchall()
    return {str(name): (mark, int(position or 0)) for name, mark, position in rows}


@contextmanager
def _attached(
    states: Sequence[ViewState],
) -> Iterator[tuple[sqlite3.Connection, dict[str, dict[str, str]]]]:
    """The views' files ATTACHed read-only to a private connection, in one read
    transaction; the connection kept for the next such read
    (:mod:`projections.attached_reads`)."""
    for state in states:
        if not isinstance(state.view, SQLiteView):  # pragma: no cover
            raise TypeError(state.name)
    keep = states[0].attached
    key = tuple((s.name, cast(SQLiteView, s.view).db_name) for s in states)
    found = keep.take(key) or _attach(states)
    connection = found[0]
    try:
        connection.execute("BEGIN")
        yield found
        connection.execute("ROLLBACK")
    except BaseException:
        keep.discard(found)
        raise
    keep.give_back(key, found)


def _attach(states: Sequence[ViewState]) -> Attached:
    connection = sqlite3.connect(
        ":memory:", uri=True, isolation_level=None, check_same_thread=False
    )
    try:
        attached: dict[str, dict[str, str]] = {}
        for state in states:
            connection.execute(
                "ATTACH DATABASE ? AS " + quote(state.name),
                (_read_only_uri(cast(SQLiteView, state.view).db_name),),
            )
            attached[state.name] = {
                t: f"{quote(state.name)}.{quote(f'{state.name}_{t}')}"
                for t in state.model.tables
            }
        connection.execute("PRAGMA query_only = ON")
    except BaseException:
        connection.close()
        raise
    return connection, attached


def digest(state: ViewState) -> ViewDigest:
    """Canonical dump of the view (rows sorted by primary key), hashed."""
    with reading(state) as c:
        position = state.view.position(c)
        dump: dict[str, Any] = {}
        count = 0
        for table in sorted(state.model.tables):
            full = f"{state.name}_{table}"
            key = state.view.primary_key(c, full)
            c.execute(f"SELECT * FROM {state.tables[table]}")  # noqa: S608 - name from code
            raw = getattr(c, "sqlite_cursor", c)
            columns = column_names(raw.description)
            rows = [[dump_value(v) for v in as_tuple(r)] for r in c.fetchall()]
            index = [columns.index(k) for k in key]
            rows.sort(key=lambda r: sort_key([r[i] for i in index] + r))
            dump[table] = {"columns": columns, "key": key, "rows": rows}
            count += len(rows)
    document = {
        "name": state.name,
        "position": position,
        "tables": dump,
        "version": state.model.version,
    }
    return ViewDigest(
        name=state.name,
        version=state.model.version,
        position=position,
        rows=count,
        sha256=sha256_hex(canonical.dumps(document)),
    )


def overall_digest(details: Mapping[str, ViewDigest]) -> str:
    """SHA-256 of the canonical ``{name: sha256}`` of the given views."""
    return sha256_hex(canonical.dumps({name: d.sha256 for name, d in details.items()}))


def _read_only_uri(db_name: str) -> str:
    if "mode=memory" in db_name:
        return db_name if db_name.startswith("file:") else f"file:{db_name}"
    return Path(db_name).resolve().as_uri() + "?mode=ro"
