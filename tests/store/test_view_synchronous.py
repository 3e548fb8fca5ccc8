"""A view file commits with ``PRAGMA synchronous = NORMAL`` (a view is rebuilt
from the ledger, so it need not ``fsync`` on every command); the ledger's own
file keeps the library's full sync."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from projections.runtime import ProjectionRuntime
from tests.store.test_projections_runtime import Counter, CounterTotals, open_store

NORMAL, FULL = 1, 2  # what ``PRAGMA synchronous`` answers


def view_synchronous(runtime: ProjectionRuntime) -> int:
    view: Any = runtime.views.state("counter_totals").view
    datastore = view.datastore
    with datastore.transaction(commit=False) as cursor:
        cursor.execute("PRAGMA synchronous")
        return int(cursor.fetchone()[0])


def test_view_files_sync_normally_and_the_ledger_fully() -> None:
    with open_store("sqlite-file", mode="inline") as store:
        runtime = store.runtime(CounterTotals())
        counter = Counter("a")
        counter.add(3)
        store.save(counter)
        runtime.catch_up()
        assert view_synchronous(runtime) == NORMAL
        assert runtime.query("counter_totals", "SELECT total FROM {counters}") == [
            {"total": 3}
        ]
        ledger: Any = store.app.factory
        with ledger.datastore.transaction(commit=False) as cursor:
            cursor.execute("PRAGMA synchronous")
            assert int(cursor.fetchone()[0]) == FULL


def test_the_views_sync_level_is_a_setting() -> None:
    with open_store("sqlite-file", mode="inline") as store:
        env = {**store.settings.library_env, "SQLITE_SYNCHRONOUS": "full"}
        store.app.settings = replace(store.settings, library_env=env)
        runtime = store.runtime(CounterTotals())
        assert view_synchronous(runtime) == FULL


def test_an_unknown_sync_level_is_refused() -> None:
    with open_store("sqlite-file", mode="inline") as store:
        env = {**store.settings.library_env, "SQLITE_SYNCHRONOUS": "sometimes"}
        store.app.settings = replace(store.settings, library_env=env)
        with pytest.raises(ValueError, match="SQLITE_SYNCHRONOUS"):
            store.runtime(CounterTotals())
