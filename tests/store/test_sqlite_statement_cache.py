"""The ledger's SQLite connections keep a statement cache, as the views' do
(``ledger.sqlite_pool``): the library opens them with ``cached_statements=True``,
which ``sqlite3`` reads as a cache of one statement."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from eventsourcing.persistence import InfrastructureFactory
from eventsourcing.sqlite import SQLiteConnectionPool
from eventsourcing.utils import Environment

from ledger.config import settings_from_environ
from ledger.sqlite_pool import (
    STATEMENT_CACHE,
    CachingConnectionPool,
    LedgerSQLiteFactory,
)
from projections.view_storage import ViewConnectionPool


def _opened_with(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The keyword arguments of every ``sqlite3.connect`` the pools make."""
    seen: list[dict[str, Any]] = []
    connect = sqlite3.connect

    def recording(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        seen.append(kwargs)
        return connect(*args, **kwargs)

    monkeypatch.setattr(sqlite3, "connect", recording)
    return seen


def test_the_ledgers_connections_keep_a_statement_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = settings_from_environ(
        {"KIEMDIEM_INSTANCE_DIR": str(tmp_path)}, f"sqlite:///{tmp_path}/k.db"
    )
    seen = _opened_with(monkeypatch)
    factory = InfrastructureFactory.construct(
        Environment("Ledger", settings.library_env)
    )
    try:
        assert isinstance(factory, LedgerSQLiteFactory)
        pool = factory.datastore.pool
        assert isinstance(pool, CachingConnectionPool)
        assert pool.db_name == settings.sqlite_path
        with factory.datastore.transaction(commit=False) as c:
            c.execute("SELECT 1")
        assert [kw["cached_statements"] for kw in seen] == [STATEMENT_CACHE]
        assert STATEMENT_CACHE > 1
    finally:
        factory.close()


def test_a_views_pool_keeps_the_cache_its_sync_level_and_its_wait(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = _opened_with(monkeypatch)
    library = SQLiteConnectionPool(db_name=str(tmp_path / "v.sqlite"), lock_timeout=10)
    pool = ViewConnectionPool.replacing(library, synchronous="normal")
    try:
        conn = pool.get_connection(is_writer=True)
        try:
            raw = conn._sqlite_conn  # the library keeps it private
            assert raw.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
        finally:
            pool.put_connection(conn)
        assert [kw["cached_statements"] for kw in seen] == [STATEMENT_CACHE]
        assert pool.pool_timeout >= 15  # outwaits the writer's 10 s lock wait
    finally:
        pool.close()
