"""SQLite connections with a real statement cache, for the ledger and the views.

The library's pool opens every connection with ``cached_statements=True``,
which ``sqlite3`` reads as a cache of *one* statement: each statement after
another one is parsed and planned again. The ledger's reads (a rebuild's pages,
a verify, an aggregate's events) and every view handler run a few statements
over and over, so their connections keep :data:`STATEMENT_CACHE` of them.

The ledger gets its pool the library's way: ``PERSISTENCE_MODULE`` names
:class:`LedgerSQLiteFactory` (``ledger.config.SQLITE_FACTORY_TOPIC``; an
infrastructure factory class is a valid topic there), whose datastore's pool
is a :class:`CachingConnectionPool`, made before any connection is. The
views' pools (``projections.view_storage.ViewConnectionPool``) are these too,
with their own ``synchronous`` level.
"""

from __future__ import annotations

import sqlite3
from typing import Any, Self

from eventsourcing.persistence import InterfaceError
from eventsourcing.sqlite import (
    SQLITE3_DEFAULT_LOCK_TIMEOUT,
    SQLiteConnection,
    SQLiteConnectionPool,
    SQLiteFactory,
)
from eventsourcing.utils import Environment, EnvType

STATEMENT_CACHE = 256  # prepared statements kept per connection


def pool_options(pool: SQLiteConnectionPool) -> dict[str, Any]:
    """The file and limits a pool was made with, to make another like it."""
    return {
        "db_name": pool.db_name,
        "lock_timeout": pool.lock_timeout,
        "pool_size": pool.pool_size,
        "max_overflow": pool.max_overflow,
        "pool_timeout": pool.pool_timeout,
        "max_age": pool.max_age,
        "pre_ping": pool.pre_ping,
    }


class CachingConnectionPool(SQLiteConnectionPool):
    """The library's pool (WAL, autocommit, ``sqlite3.Row``) whose connections
    keep :data:`STATEMENT_CACHE` prepared statements; with ``synchronous``, a
    connection's ``PRAGMA synchronous`` too (None: SQLite's default, FULL)."""

    def __init__(self, *, synchronous: str | None = None, **options: Any) -> None:
        self.synchronous = synchronous
        super().__init__(**options)

    @classmethod
    def replacing(
        cls, pool: SQLiteConnectionPool, *, synchronous: str | None = None
    ) -> Self:
        """The same file and limits as the library's ``pool``, which has made no
        connection yet (it makes them on demand) and is closed."""
        pool.close()
        return cls(synchronous=synchronous, **pool_options(pool))

    def _create_connection(self) -> SQLiteConnection:
        """The library's connection, with a statement cache."""
        try:
            c = sqlite3.connect(
                database=self.db_name,
                uri=True,
                check_same_thread=False,
                isolation_level=None,
                cached_statements=STATEMENT_CACHE,
                timeout=self.lock_timeout or SQLITE3_DEFAULT_LOCK_TIMEOUT,
            )
        except (sqlite3.Error, TypeError) as exc:
            raise InterfaceError(exc) from exc
        if not self.is_sqlite_memory_mode and not self.is_journal_mode_wal:
            mode = c.execute("PRAGMA journal_mode").fetchone()[0]
            if str(mode).lower() != "wal":
                c.execute("PRAGMA journal_mode=WAL")
                self.journal_mode_was_changed_to_wal = True
            self.is_journal_mode_wal = True
        c.row_factory = sqlite3.Row
        if self.synchronous is not None:
            # A per-connection setting (not stored in the file).
            c.execute(f"PRAGMA synchronous = {self.synchronous}")
        return SQLiteConnection(sqlite_conn=c, max_age=self.max_age)


class LedgerSQLiteFactory(SQLiteFactory):
    """The library's SQLite factory whose datastore pools
    :class:`CachingConnectionPool` connections."""

    def __init__(self, env: Environment | EnvType | None) -> None:
        super().__init__(env)
        # Before any recorder exists, so before any connection is made.
        self.datastore.pool = CachingConnectionPool.replacing(self.datastore.pool)
