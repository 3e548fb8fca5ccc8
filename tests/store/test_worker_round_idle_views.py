"""The worker's round for views that take none of the new events (issue 14):
they are advanced without their lock, status and position round trips
(:mod:`projections.idle_advance`), and keep every guarantee of the careful way."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from projections import idle_advance
from projections.runtime import ProjectionRuntime
from projections.view_storage import PostgresView, SQLiteView
from tests.store.test_projections_runtime import (
    BACKENDS,
    PG_CONNINFO,
    Counter,
    CounterTotals,
    LabelIndex,
    Noise,
    OpenedOnly,
    Store,
    open_store,
    require_postgres,
)
from tests.store.test_view_round_trips import traced


@pytest.fixture(params=BACKENDS)
def worker_store(request: pytest.FixtureRequest) -> Iterator[Store]:
    if request.param == "postgres":
        require_postgres()
    with open_store(request.param, mode="worker") as opened:
        yield opened


def _three_views(store: Store) -> tuple[ProjectionRuntime, Counter]:
    runtime = store.runtime(CounterTotals(), LabelIndex(), OpenedOnly())
    a = Counter("a")
    store.save(a)
    runtime.catch_up()
    return runtime, a


def locked_views(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the views a round locks (``serialise``), in order, from now
    on (also used by tests/service/test_worker_round_access.py)."""
    locked: list[str] = []
    for cls in (SQLiteView, PostgresView):
        original = cls.serialise

        def serialise(self: Any, c: Any, name: str, original: Any = original) -> None:
            locked.append(name)
            original(self, c, name)

        monkeypatch.setattr(cls, "serialise", serialise)
    return locked


def _marks(runtime: ProjectionRuntime) -> dict[str, tuple[int | None, int]]:
    found = {}
    for state in runtime.views.states.values():
        with state.view.transaction(commit=False) as c:
            found[state.name] = state.view.change_marks(c)
    return found


def test_only_the_view_that_takes_the_event_is_locked(
    worker_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime, a = _three_views(worker_store)
    before = _marks(runtime)
    a.add(3)  # only counter_totals takes Counter.Added
    tip = worker_store.save(a)
    locked = locked_views(monkeypatch)
    assert runtime.catch_up() == dict.fromkeys(
        ("counter_totals", "label_index", "opened_only"), tip
    )
    assert locked == ["counter_totals"]
    after = _marks(runtime)
    # The change marks move only where rows changed.
    assert after["counter_totals"][0] != before["counter_totals"][0]
    for name in ("label_index", "opened_only"):
        assert after[name] == (before[name][0], tip)


def test_a_failed_view_stays_behind_while_the_idle_ones_advance(
    worker_store: Store,
) -> None:
    runtime = worker_store.runtime(
        CounterTotals(), LabelIndex(), OpenedOnly(), stale_retry_seconds=3600
    )
    runtime.views.state("counter_totals").model.poison.add(13)  # type: ignore[attr-defined]
    a = Counter("a")
    worker_store.save(a)
    runtime.catch_up()
    a.add(13)
    poisoned = worker_store.save(a)
    runtime.catch_up()
    worker_store.save(Noise(1))  # no view takes it: the idle way for all
    a.relabel("b")  # label_index takes it; counter_totals would too
    tip = worker_store.save(a)
    positions = runtime.catch_up()
    assert positions["counter_totals"] == poisoned - 1
    assert positions["label_index"] == positions["opened_only"] == tip
    assert runtime.catch_up()["counter_totals"] == poisoned - 1


def test_a_view_without_a_position_yet_takes_the_careful_way(
    worker_store: Store,
) -> None:
    runtime = worker_store.runtime(CounterTotals(), OpenedOnly())
    worker_store.save(Noise(1))
    runtime.catch_up()
    state = runtime.views.state("opened_only")
    view: Any = state.view
    table = view.qualify(view.tracking_table_name) if view.postgres else "tracking"
    with view.transaction(commit=True) as c:
        # No position recorded (as the library's fresh table): no row to update.
        c.execute(f"DELETE FROM {table} WHERE application_name = 'Ledger'")
    state.known = None
    tip = worker_store.save(Noise(2))
    assert runtime.catch_up()["opened_only"] == tip
    with view.transaction(commit=False) as c:
        assert view.position(c) == tip


@pytest.mark.postgres
def test_the_round_of_one_event_costs_one_statement_for_the_idle_views(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    require_postgres()
    with open_store("postgres", mode="worker") as store:
        runtime, a = _three_views(store)
        a.add(5)
        store.save(a)
        datastore = runtime.views.shared.datastore  # type: ignore[union-attr]
        with traced(monkeypatch, datastore) as trace:
            runtime.catch_up()
        # positions, BEGIN, counter_totals' lock, status, position, update,
        # history, change mark, advance, the idle views' one UPDATE, COMMIT
        assert trace.round_trips <= 12, "\n".join(s[:90] for s in trace.statements)


@pytest.mark.postgres
def test_an_idle_view_held_by_another_writer_does_not_deadlock_the_round(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Another writer holds label_index (its lock and its row) and then asks
    for counter_totals' lock, which the round holds: the round skips the held
    row (the careful way takes it after), and nobody waits on a cycle."""
    require_postgres()
    with open_store("postgres", mode="worker") as store:
        runtime, a = _three_views(store)
        a.add(5)
        tip = store.save(a)
        state = runtime.views.state("label_index")
        view: Any = state.view
        schema = view.datastore.schema
        lock = "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))"
        other = psycopg.connect(PG_CONNINFO)
        other.execute(lock, (f"kiemdiem-view:{schema}.label_index",))
        other.execute(
            f"UPDATE {view.qualify(view.tracking_table_name)} "
            "SET notification_id = notification_id WHERE application_name = 'Ledger'"
        )
        reached = threading.Event()
        real = idle_advance.advance_postgres

        def advance(*args: Any) -> set[str]:
            reached.set()
            time.sleep(0.3)  # the other writer now waits for counter_totals
            return real(*args)

        monkeypatch.setattr(idle_advance, "advance_postgres", advance)

        def other_writer() -> None:
            reached.wait(5)
            other.execute(lock, (f"kiemdiem-view:{schema}.counter_totals",))
            other.commit()

        writer = threading.Thread(target=other_writer)
        writer.start()
        with caplog.at_level(logging.DEBUG, logger="kiemdiem.projections"):
            positions = runtime.catch_up()
        writer.join(10)
        other.close()
        assert not [r for r in caplog.records if "fell back" in r.getMessage()]
        assert set(positions.values()) == {tip}
