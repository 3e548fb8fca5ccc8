"""Plain SQL on the ledger's own tables, on SQLite and PostgreSQL alike.

Statements are written once with ``?`` placeholders and ``{t:name}``-free table
names; :class:`Sql` adapts placeholders and qualifies tables with the schema on
PostgreSQL. It reuses the library's datastore so ledger rows share its connection
pool and, on SQLite, its reader/writer interlock.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Protocol

from eventsourcing.persistence import OperationalError
from eventsourcing.sqlite import SQLiteCursor, SQLiteTransaction

from ledger.config import Settings

EVENTS_TABLE = {"sqlite": "stored_events", "postgres": "ledger_events"}
NOTIFICATION_ID = {"sqlite": "rowid", "postgres": "notification_id"}


class _Datastore(Protocol):
    def transaction(self, *, commit: bool) -> Any: ...

    def get_connection(self, *args: Any, **kwargs: Any) -> Any: ...


class Cursor:
    """A thin cursor that adapts ``?`` placeholders for psycopg."""

    def __init__(self, raw: Any, postgres: bool) -> None:
        self._raw = raw
        self._postgres = postgres

    def execute(self, statement: str, params: Sequence[Any] = ()) -> Cursor:
        if self._postgres:
            statement = statement.replace("?", "%s")
        self._raw.execute(statement, tuple(params))
        return self

    def executemany(self, statement: str, rows: Sequence[Sequence[Any]]) -> None:
        if self._postgres:
            statement = statement.replace("?", "%s")
        self._raw.executemany(statement, [tuple(r) for r in rows])

    def fetchall(self) -> list[tuple[Any, ...]]:
        return [_as_tuple(row) for row in self._raw.fetchall()]

    def fetchone(self) -> tuple[Any, ...] | None:
        row = self._raw.fetchone()
        return None if row is None else _as_tuple(row)


def _as_tuple(row: Any) -> tuple[Any, ...]:
    values = tuple(row.values()) if isinstance(row, dict) else tuple(row)
    return tuple(bytes(v) if isinstance(v, memoryview) else v for v in values)


class Sql:
    def __init__(self, settings: Settings, datastore: _Datastore) -> None:
        self.settings = settings
        self.datastore = datastore
        self.postgres = settings.backend == "postgres"

    def table(self, name: str) -> str:
        if self.postgres:
            return f'"{self.settings.pg_schema}"."{name}"'
        return name

    @property
    def events_table(self) -> str:
        return self.table(EVENTS_TABLE[self.settings.backend])

    @property
    def notification_id(self) -> str:
        return NOTIFICATION_ID[self.settings.backend]

    @contextmanager
    def tx(self, *, commit: bool = False) -> Iterator[Cursor]:
        with self.datastore.transaction(commit=commit) as raw:
            yield Cursor(raw, self.postgres)

    @contextmanager
    def read(self) -> Iterator[Cursor]:
        """A cursor for reads that need not share one snapshot.

        PostgreSQL: on one of the pool's connections, which the library keeps in
        autocommit, so each statement is one round trip with a snapshot of its
        own (a READ COMMITTED transaction around them, as :meth:`tx` opens,
        gives them no more and costs a ``BEGIN`` and a ``ROLLBACK`` besides).
        Only reads: nothing here is rolled back. SQLite: :meth:`tx`.
        """
        if not self.postgres:
            with self.tx() as cur:
                yield cur
            return
        with self.datastore.get_connection() as conn, conn.cursor() as raw:
            yield Cursor(raw, postgres=True)

    @contextmanager
    def exclusive_tx(self, name: str) -> Iterator[Cursor]:
        """A write transaction that only one process at a time may hold.

        SQLite: ``BEGIN IMMEDIATE`` takes the database's write lock before the first
        read, so what the block reads stays true until it commits (other writers
        wait, up to the lock timeout). PostgreSQL: a transaction-scoped advisory
        lock named ``name``, taken before the first read (READ COMMITTED then
        sees every transaction committed before the lock was granted).

        Read only through the yielded cursor inside the block: on an in-memory
        SQLite store the library's pool makes readers wait for the writer.
        """
        if self.postgres:
            with self.tx(commit=True) as cur:
                cur.execute("SELECT pg_advisory_xact_lock(?)", (lock_key(name),))
                yield cur
            return
        with immediate_transaction(self.datastore) as raw:
            yield Cursor(raw, postgres=False)


class _ImmediateTransaction(SQLiteTransaction):
    """The library's SQLite transaction (same error mapping), begun IMMEDIATE."""

    def __enter__(self) -> SQLiteCursor:
        cursor = self.connection.cursor()
        try:
            cursor.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            cursor.sqlite_cursor.close()
            raise OperationalError(exc) from exc
        return cursor


@contextmanager
def immediate_transaction(datastore: Any) -> Iterator[SQLiteCursor]:
    """An SQLite write transaction that holds the write lock from its start.

    A deferred ``BEGIN`` that reads before it writes fails at once with
    "database is locked" (SQLITE_BUSY_SNAPSHOT, no waiting) when another process
    commits in between; ``BEGIN IMMEDIATE`` waits for the lock instead (up to
    the lock timeout), so what the transaction reads stays true until it commits.
    """
    with (
        datastore.get_connection(commit=True) as conn,
        _ImmediateTransaction(conn, commit=True) as cursor,
        cursor,
    ):
        yield cursor


def lock_key(name: str) -> int:
    """A PostgreSQL advisory lock key (signed 64-bit) for a lock name."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big") >> 1
