"""Where a read model's rows live: the library's tracking recorders, one per view.

On SQLite every view has a file of its own (its tables, the meta table and the
library's ``tracking`` table); on PostgreSQL the views' tables share the ledger's
schema and each view is tracked in ``<name>_tracking``. :class:`View` is what the
runtime needs of either.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, suppress
from typing import Any, Protocol, Self

from eventsourcing.persistence import IntegrityError, Tracking
from eventsourcing.postgres import PostgresTrackingRecorder
from eventsourcing.sqlite import SQLiteConnectionPool, SQLiteTrackingRecorder

from ledger.sqlite_pool import CachingConnectionPool, pool_options
from projections import read_record
from projections.sqlutil import as_tuple, quote

UPSTREAM = "Ledger"  # the tracked application (LedgerApplication.name)
# A second row of a view's tracking table: its change mark, which moves only
# when the view applies an event (or is reset), never when it merely advances
# past events it does not take (services.kept_results keys on it).
CHANGED = "Ledger:changed"
META_TABLE = "kiemdiem_views"  # each view's version, schema hash and status
VIEW_SYNCHRONOUS = "NORMAL"  # a view file's ``PRAGMA synchronous`` (views rebuild)
SYNCHRONOUS_LEVELS = ("OFF", "NORMAL", "FULL", "EXTRA")


class View(Protocol):
    """What the runtime needs from a view's storage, on both backends."""

    postgres: bool

    def max_tracking_id(self, application_name: str) -> int | None: ...

    def wait(
        self,
        application_name: str,
        notification_id: int | None,
        timeout: float = 1.0,
        interrupt: threading.Event | None = None,
    ) -> None: ...

    def create_table(self) -> None: ...

    def transaction(self, *, commit: bool) -> AbstractContextManager[Any]: ...

    def serialise(self, cursor: Any, name: str) -> None: ...

    def position(self, cursor: Any) -> int: ...

    def advance(self, cursor: Any, position: int) -> None: ...

    def forget_position(self, cursor: Any) -> None: ...

    def mark_changed(self, cursor: Any, notification_id: int) -> None: ...

    def start_mark(self, cursor: Any) -> None: ...

    def change_marks(self, cursor: Any) -> tuple[int | None, int]: ...

    def qualify(self, table: str) -> str: ...

    def primary_key(self, cursor: Any, table: str) -> list[str]: ...

    def snapshot(self) -> AbstractContextManager[Any]: ...

    def statement(self) -> AbstractContextManager[Any]: ...


class ViewConnectionPool(CachingConnectionPool):
    """A view file's connections (WAL, as the library sets, and a statement
    cache, :mod:`ledger.sqlite_pool`) with ``PRAGMA synchronous = NORMAL``: a
    commit no longer waits for an ``fsync`` of the WAL.

    A view is not evidence: after a power cut its file may lose its last few
    commits, but it stays consistent (WAL) and its ``tracking`` row loses them
    with it, so the next catch-up re-projects them from the ledger. The ledger's
    own file keeps the library's full sync; only the views' pools are these.
    """

    @classmethod
    def replacing(
        cls, pool: SQLiteConnectionPool, *, synchronous: str | None = None
    ) -> Self:
        """The same file and limits as the library's ``pool``, which has made no
        connection yet (it makes them on demand) and is closed."""
        level = (synchronous or VIEW_SYNCHRONOUS).strip().upper()
        if level not in SYNCHRONOUS_LEVELS:
            msg = f"SQLITE_SYNCHRONOUS must be one of {', '.join(SYNCHRONOUS_LEVELS)}"
            raise ValueError(msg)
        replaced = super().replacing(pool, synchronous=level)
        # Longer than a writer's own wait for the file's lock (see
        # ledger.app.outwait_the_file_lock): a queued request outlasts it.
        replaced.pool_timeout = max(
            float(pool.pool_timeout), float(pool.lock_timeout or 0) + 5
        )
        return replaced


class ReadOnlyViewPool(CachingConnectionPool):
    """A view file's connections for reads alone (:meth:`SQLiteView.snapshot`),
    each made read-only once, as it opens (``PRAGMA query_only = ON``).

    Reads used to borrow the writers' connections and set ``query_only`` on and
    off around each read: SQLite expires every prepared statement of a
    connection when such a flag is set, so no read statement was ever found
    in the connection's statement cache (each parsed and planned again, and two
    statements more a read). These connections are never lent to a writer.
    """

    @classmethod
    def beside(cls, pool: SQLiteConnectionPool) -> Self:
        """Another pool on ``pool``'s file, with its limits (``pool`` stays open)."""
        return cls(**pool_options(pool))

    def _create_connection(self) -> Any:
        connection = super()._create_connection()
        connection.cursor().execute("PRAGMA query_only = ON")
        return connection


class SQLiteView(SQLiteTrackingRecorder):
    """A read model's SQLite file: its tables, the meta table and ``tracking``."""

    postgres = False
    # Reads' own read-only connections (None: in memory, where the library's
    # pool interlocks readers and writers, reads borrow its connections).
    read_pool: ReadOnlyViewPool | None = None

    def create_table(self) -> None:
        """The library's ``tracking`` table. Two processes creating a new file at
        once both insert the library's ``__migration__`` row; the loser gets an
        IntegrityError, and a second look finds the table complete."""
        try:
            super().create_table()
        except IntegrityError:
            super().create_table()

    def transaction(self, *, commit: bool) -> AbstractContextManager[Any]:
        return self.datastore.transaction(commit=commit)

    def serialise(self, cursor: Any, name: str) -> None:
        """Take the file's write lock before reading anything.

        The library's ``BEGIN`` is deferred: a transaction that read the position
        and then found another writer had committed meanwhile would fail on its
        first write ("database is locked"), inside a handler. A no-op write first
        waits for the lock (up to SQLITE_LOCK_TIMEOUT) and then reads fresh rows.
        """
        cursor.execute("DELETE FROM tracking WHERE 0")

    def position(self, cursor: Any) -> int:
        return self._max_tracking_id(UPSTREAM, cursor) or 0

    def advance(self, cursor: Any, position: int) -> None:
        self._insert_tracking(cursor, Tracking(UPSTREAM, position))

    def forget_position(self, cursor: Any) -> None:
        cursor.execute("DELETE FROM tracking WHERE application_name = ?", (UPSTREAM,))
        self.mark_changed(cursor, 0)  # its rows are gone: a mark never seen

    def mark_changed(self, cursor: Any, notification_id: int) -> None:
        """In the transaction that changed the view's rows: move its change
        mark to ``notification_id`` (the last event applied), or one past where
        it stood if that is not beyond it (a reset, a rebuild's page): a mark
        never comes back to a value it had."""
        cursor.execute(
            "INSERT INTO tracking VALUES (?, ?) ON CONFLICT (application_name) "
            "DO UPDATE SET notification_id = "
            "MAX(tracking.notification_id + 1, excluded.notification_id)",
            (CHANGED, notification_id),
        )

    def change_marks(self, cursor: Any) -> tuple[int | None, int]:
        """The view's change mark (None before it first changed with this
        code) and its position, in one statement."""
        cursor.execute(
            "SELECT (SELECT notification_id FROM tracking WHERE application_name = ?),"
            " (SELECT notification_id FROM tracking WHERE application_name = ?)",
            (CHANGED, UPSTREAM),
        )
        mark, position = as_tuple(cursor.fetchone())
        return mark, position or 0

    def start_mark(self, cursor: Any) -> None:
        """A view opened without a change mark (a store made before marks were
        kept) gets one at its position: every change from now on moves it."""
        cursor.execute(
            "INSERT OR IGNORE INTO tracking VALUES (?, ?)",
            (CHANGED, self.position(cursor)),
        )

    def qualify(self, table: str) -> str:
        return quote(table)

    def primary_key(self, cursor: Any, table: str) -> list[str]:
        cursor.execute(
            "SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk", (table,)
        )
        return [as_tuple(row)[0] for row in cursor.fetchall()]

    def begin_read(self, cursor: Any) -> None:
        # The library's read transaction gives the snapshot; this makes it read-only.
        cursor.execute("PRAGMA query_only = ON")

    def end_read(self, cursor: Any) -> None:
        # The connection goes back to the library's pool, which also writes.
        cursor.execute("PRAGMA query_only = OFF")

    @contextmanager
    def snapshot(self) -> Iterator[Any]:
        """A raw cursor in a read-only transaction: one snapshot for all its reads
        (on a connection of :attr:`read_pool`, read-only from its start)."""
        read_record.raw_read(self)
        pool = self.read_pool
        if pool is None:
            with self.transaction(commit=False) as c:
                self.begin_read(c)
                try:
                    yield c
                finally:
                    self.end_read(c)
            return
        connection = pool.get_connection(is_writer=False)
        try:
            with connection.transaction(commit=False) as c:
                yield c
        finally:
            pool.put_connection(connection)

    def close_reads(self) -> None:
        pool, self.read_pool = self.read_pool, None
        if pool is not None:
            pool.close()

    def statement(self) -> AbstractContextManager[Any]:
        """A cursor for one read statement: on SQLite, the same read transaction
        (statements cost no round trip here)."""
        return self.snapshot()

    @property
    def db_name(self) -> str:
        return self.datastore.pool.db_name


class PostgresView(PostgresTrackingRecorder):
    """A read model's tables in the ledger's schema, tracked in ``<name>_tracking``."""

    postgres = True

    def create_table(self) -> None:
        """The library's tracking table, created under a session advisory lock:
        the web and the worker start together, and concurrent ``CREATE TABLE IF
        NOT EXISTS`` of one table can fail on PostgreSQL."""
        key = (f"kiemdiem-view-ddl:{self.datastore.schema}",)
        with self.datastore.get_connection() as conn:
            conn.execute("SELECT pg_advisory_lock(hashtextextended(%s, 0))", key)
            try:
                super().create_table()
            finally:
                conn.execute("SELECT pg_advisory_unlock(hashtextextended(%s, 0))", key)

    def transaction(self, *, commit: bool) -> AbstractContextManager[Any]:
        return self.datastore.transaction(commit=commit)

    def serialise(self, cursor: Any, name: str) -> None:
        """Serialise writers of one view across processes (worker instances)."""
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
            (f"kiemdiem-view:{self.datastore.schema}.{name}",),
        )

    def position(self, cursor: Any) -> int:
        return self._max_tracking_id(UPSTREAM, cursor) or 0

    def advance(self, cursor: Any, position: int) -> None:
        self._insert_tracking(cursor, Tracking(UPSTREAM, position))

    def forget_position(self, cursor: Any) -> None:
        cursor.execute(
            f"DELETE FROM {self.qualify(self.tracking_table_name)} "  # noqa: S608 - name from code
            "WHERE application_name = %s",
            (UPSTREAM,),
        )
        self.mark_changed(cursor, 0)  # its rows are gone: a mark never seen

    def mark_changed(self, cursor: Any, notification_id: int) -> None:
        """As :meth:`SQLiteView.mark_changed`."""
        table = self.qualify(self.tracking_table_name)
        cursor.execute(
            f"INSERT INTO {table} VALUES (%s, %s) ON CONFLICT (application_name) "  # noqa: S608 - name from code
            f"DO UPDATE SET notification_id = GREATEST({table}.notification_id + 1, "
            "EXCLUDED.notification_id)",
            (CHANGED, notification_id),
        )

    def start_mark(self, cursor: Any) -> None:
        """As :meth:`SQLiteView.start_mark`."""
        cursor.execute(
            f"INSERT INTO {self.qualify(self.tracking_table_name)} "  # noqa: S608 - name from code
            "VALUES (%s, %s) ON CONFLICT (application_name) DO NOTHING",
            (CHANGED, self.position(cursor)),
        )

    def change_marks(self, cursor: Any) -> tuple[int | None, int]:
        """As :meth:`SQLiteView.change_marks`."""
        named = [(self.tracking_table_name, self)]
        cursor.execute(change_marks_sql(named), change_marks_params(named))
        _name, mark, position = as_tuple(cursor.fetchone())
        return mark, position or 0

    def qualify(self, table: str) -> str:
        return f"{quote(self.datastore.schema)}.{quote(table)}"

    def primary_key(self, cursor: Any, table: str) -> list[str]:
        cursor.execute(
            "SELECT a.attname FROM pg_index i JOIN pg_attribute a "
            "ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
            "WHERE i.indrelid = %s::regclass AND i.indisprimary "
            "ORDER BY array_position(i.indkey::int2[], a.attnum)",
            (self.qualify(table),),
        )
        return [as_tuple(row)[0] for row in cursor.fetchall()]

    def snapshot(self) -> AbstractContextManager[Any]:
        """A raw cursor in a read-only REPEATABLE READ transaction, begun in one
        statement: every read of the block sees one snapshot (two round trips
        around the reads: ``BEGIN …`` and ``COMMIT``)."""
        read_record.raw_read(self)
        return snapshot(self.datastore)

    def statement(self) -> AbstractContextManager[Any]:
        """A raw cursor for one read statement, in autocommit: READ COMMITTED
        gives a statement one snapshot of its own, so the read is one round trip."""
        read_record.raw_read(self)
        return statement(self.datastore)


def change_marks_sql(named: Sequence[tuple[str, PostgresView]]) -> str:
    """One statement: each view's name, change mark and position (PostgreSQL,
    where every view's tracking table is in the one schema)."""
    return " UNION ALL ".join(
        "SELECT %s::text AS name, "  # noqa: S608 - names from code
        f"(SELECT notification_id FROM {v.qualify(v.tracking_table_name)} "
        "WHERE application_name = %s) AS mark, "
        f"(SELECT notification_id FROM {v.qualify(v.tracking_table_name)} "
        "WHERE application_name = %s) AS position"
        for _name, v in named
    )


def change_marks_params(named: Sequence[tuple[str, PostgresView]]) -> list[Any]:
    params: list[Any] = []
    for name, _view in named:
        params += [name, CHANGED, UPSTREAM]
    return params


SNAPSHOT_BEGIN = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"


@contextmanager
def snapshot(datastore: Any) -> Iterator[Any]:
    """PostgreSQL: a cursor in ``BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY``
    on one of the pool's (autocommit) connections, ended at once after the block."""
    with datastore.get_connection() as conn:
        conn.execute(SNAPSHOT_BEGIN, prepare=False)
        try:
            with conn.cursor() as cursor:
                yield cursor
        except BaseException:
            # A broken connection must not hide the first error; the pool
            # discards a connection it finds broken or still in a transaction.
            with suppress(Exception):
                conn.execute("ROLLBACK")
            raise
        # COMMIT, not ROLLBACK, though nothing was written: on a ROLLBACK psycopg
        # forgets the connection's prepared statements (and sends DEALLOCATE ALL).
        conn.execute("COMMIT", prepare=False)


@contextmanager
def statement(datastore: Any) -> Iterator[Any]:
    """PostgreSQL: a cursor on one of the pool's connections, which the library
    keeps in autocommit: each statement is its own transaction and snapshot."""
    with datastore.get_connection() as conn, conn.cursor() as cursor:
        yield cursor
