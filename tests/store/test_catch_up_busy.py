"""A view's SQLite file held by another process's catch-up: this catch-up
gives up after the lock timeout with a one-line warning (not a traceback that
reads like a fault), loses nothing, and catches up once the file is free."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest

from tests.store.test_projections_runtime import (
    Counter,
    CounterTotals,
    counters,
    open_store,
)


def test_a_busy_view_file_is_a_warning_and_is_caught_up_later(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with open_store("sqlite-file", mode="inline") as store:
        runtime = store.runtime(CounterTotals(), stale_retry_seconds=0)
        first = runtime.catch_up()["counter_totals"]
        a = Counter("a")
        a.add(5)
        tip = store.save(a)
        views = Path(store.settings.sqlite_path or "").parent / "kiemdiem.views"
        other = sqlite3.connect(views / "counter_totals.sqlite", isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # another process catching the view up
        try:
            with caplog.at_level(logging.WARNING, logger="kiemdiem.projections"):
                assert runtime.catch_up()["counter_totals"] == first
        finally:
            other.execute("ROLLBACK")
            other.close()
        busy = [r for r in caplog.records if r.name == "kiemdiem.projections"]
        assert [r.levelno for r in busy] == [logging.WARNING]
        assert "counter_totals" in busy[0].getMessage()
        assert busy[0].exc_info is None
        assert runtime.catch_up()["counter_totals"] == tip
        assert counters(runtime) == {str(a.id): ("a", 5, 1)}


def test_any_other_failure_still_logs_its_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with open_store("sqlite-file", mode="inline") as store:
        totals = CounterTotals()
        runtime = store.runtime(totals, stale_retry_seconds=0)
        a = Counter("a")
        a.add(13)
        store.save(a)
        totals.poison = {13}
        with caplog.at_level(logging.WARNING, logger="kiemdiem.projections"):
            runtime.catch_up()
        failed = [r for r in caplog.records if r.levelno == logging.ERROR]
        assert failed
        assert failed[0].exc_info is not None
