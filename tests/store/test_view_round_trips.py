"""Round trips of a read on PostgreSQL (issue 14): what the server is sent.

Every message the client sends is read from libpq's protocol trace of the
pooled connection (``PGconn.trace``): a one-statement read is one round trip
(no ``BEGIN`` / ``SET TRANSACTION`` / ``ROLLBACK`` around it); a read of several
statements is one ``BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY`` and keeps
one snapshot; psycopg prepares a statement the pool's connection runs often.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest
from eventsourcing.persistence import PersistenceError

from bench.pg_trace import Trace, lending_traced
from projections.runtime import ProjectionRuntime
from tests.store.test_projections_runtime import (
    BACKENDS,
    PG_CONNINFO,
    Counter,
    CounterTotals,
    LabelIndex,
    Store,
    open_store,
    require_postgres,
)


@contextmanager
def traced(monkeypatch: pytest.MonkeyPatch, datastore: Any) -> Iterator[Trace]:
    """Trace every connection ``datastore.get_connection`` lends in the block."""
    trace = Trace()
    with monkeypatch.context() as patch:
        patch.setattr(
            datastore,
            "get_connection",
            lending_traced(datastore.get_connection, trace),
        )
        yield trace


@pytest.fixture
def pg_store() -> Iterator[Store]:
    require_postgres()
    with open_store("postgres", mode="inline") as opened:
        yield opened


def caught_up(store: Store) -> ProjectionRuntime:
    runtime = store.runtime(CounterTotals(), LabelIndex())
    a = Counter("a")
    a.add(4)
    store.save(a, Counter("b"))
    runtime.catch_up()
    return runtime


@pytest.mark.postgres
def test_a_one_statement_view_read_is_one_round_trip(
    pg_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime = caught_up(pg_store)
    datastore = runtime.views.shared.datastore  # type: ignore[union-attr]
    with traced(monkeypatch, datastore) as trace:
        found = runtime.query(
            "counter_totals", "SELECT label, total FROM {counters} ORDER BY label"
        )
    assert found == [{"label": "a", "total": 4}, {"label": "b", "total": 0}]
    assert trace.round_trips == 1, trace.lines
    assert len(trace.statements) == 1
    assert trace.statements[0].startswith("SELECT label, total FROM")


@pytest.mark.postgres
def test_a_read_of_several_statements_begins_its_snapshot_in_one_statement(
    pg_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime = caught_up(pg_store)
    datastore = runtime.views.shared.datastore  # type: ignore[union-attr]
    with traced(monkeypatch, datastore) as trace, runtime.read("counter_totals") as cur:
        cur.execute("SELECT COUNT(*) FROM {counters}").fetchall()
        cur.execute("SELECT COUNT(*) FROM {history}").fetchall()
    assert trace.statements[0] == "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
    # COMMIT: a ROLLBACK would make psycopg drop the prepared statements.
    assert trace.statements[-1] == "COMMIT"
    assert trace.round_trips == 4, trace.lines  # BEGIN, two reads, COMMIT


@pytest.mark.postgres
def test_a_read_of_several_statements_sees_one_snapshot(pg_store: Store) -> None:
    runtime = caught_up(pg_store)
    table = runtime.views.state("counter_totals").tables["counters"]
    with runtime.read("counter_totals") as cur:
        before = cur.execute("SELECT SUM(total) FROM {counters}").fetchall()
        with psycopg.connect(PG_CONNINFO, autocommit=True) as other:
            other.execute(f"UPDATE {table} SET total = total + 100")
        again = cur.execute("SELECT SUM(total) FROM {counters}").fetchall()
    assert before == again == [(4,)]
    # A one-statement read sees what was committed before it.
    assert [r["total"] for r in runtime.query("counter_totals", _TOTALS)] == [104, 100]


_TOTALS = "SELECT total FROM {counters} ORDER BY label"


@pytest.mark.postgres
def test_the_pool_prepares_a_statement_run_often(
    pg_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime = caught_up(pg_store)
    datastore = runtime.views.shared.datastore  # type: ignore[union-attr]
    with traced(monkeypatch, datastore) as trace:
        for _ in range(20):  # the pool may lend each of its connections in turn
            runtime.query("counter_totals", _TOTALS)
            with runtime.read("counter_totals") as cur:  # keeps them prepared
                cur.execute(_TOTALS).fetchall()
    named = [d for kind, d in trace.sent if kind == "Parse" and d.startswith('"_pg3')]
    assert named, trace.lines  # psycopg's prepare_threshold (5) is on
    bound = [d for kind, d in trace.sent if kind == "Bind" and '"_pg3' in d]
    assert len(bound) > len(named)
    assert "DEALLOCATE ALL" not in trace.statements


@pytest.mark.postgres
def test_a_one_statement_ledger_read_is_one_round_trip(
    pg_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    sql = pg_store.app.sql
    datastore = sql.datastore
    with traced(monkeypatch, datastore) as trace, sql.read() as cur:
        row = cur.execute(f"SELECT COUNT(*) FROM {sql.events_table}").fetchone()
    assert row is not None
    assert row[0] >= 1
    assert trace.round_trips == 1, trace.lines
    assert not any(s.startswith(("BEGIN", "ROLLBACK")) for s in trace.statements)


@pytest.mark.parametrize("kind", BACKENDS)
def test_a_view_query_must_be_a_read(kind: str) -> None:
    if kind == "postgres":
        require_postgres()
    with open_store(kind, mode="inline") as store:
        runtime = caught_up(store)
        for statement in ("DELETE FROM {counters}", "UPDATE {counters} SET total = 0"):
            with pytest.raises(ValueError, match="one read statement"):
                runtime.query("counter_totals", statement)
        assert [r["total"] for r in runtime.query("counter_totals", _TOTALS)] == [4, 0]
        # A write inside a several-statement read still fails (READ ONLY).
        errors = (sqlite3.Error, PersistenceError, psycopg.Error)
        with pytest.raises(errors), runtime.read("counter_totals") as cur:
            cur.execute("DELETE FROM {counters}")
        assert len(runtime.query("counter_totals", _TOTALS)) == 2
