"""PostgreSQL, worker mode: a web process that has written waits for the worker's
notice that the views reached its write (``projections.views_notice``) instead
of sleeping between polls. With a worker that takes 60 ms to start its round the
wait polls once (twice on a busy machine; the old wait polled after 2, 6, 14,
30, 50 and 70 ms), and the write is read at once."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from projections import views_notice, worker
from services import commands as c
from services.app import Kiemdiem
from tests.store.test_views_after_commands import (
    _admin,
    _initialised,
    _org_codes,
    store_url,
)

__all__ = ["store_url"]  # the fixture


def _slow_worker(app: Kiemdiem, stop: threading.Event, ready: threading.Event) -> None:
    """The worker's loop (``kiemdiem worker``), 60 ms late to each round."""
    with app.projections.worker_presence() as present:
        ready.set()
        while not stop.is_set():
            app.projections.announce(app.projections.catch_up())
            present.wait(1.0, stop)
            time.sleep(0.06)


@pytest.mark.postgres
@pytest.mark.parametrize("store_url", ["postgres-worker"], indirect=True)
def test_the_wait_wakes_at_the_workers_notice(store_url, monkeypatch):
    settings = _initialised(store_url)
    web, running = Kiemdiem(settings), Kiemdiem(settings)
    stop, ready = threading.Event(), threading.Event()
    thread = threading.Thread(target=_slow_worker, args=(running, stop, ready))
    try:
        admin = _admin(web)
        notices = web.projections.notices
        assert notices is not None
        notices.start()
        thread.start()
        assert ready.wait(10)
        tip = web.ledger.max_notification_id() or 0
        datastore = running.projections.views.shared.datastore  # type: ignore[union-attr]
        deadline = time.monotonic() + 10
        while notices.heard < tip and time.monotonic() < deadline:
            # The listener may not be listening yet: announce till it hears.
            views_notice.announce(datastore, settings.pg_schema, tip)
            time.sleep(0.05)
        assert notices.heard >= tip

        polls: list[Any] = []
        progress = worker.worker_progress

        def counted(*args: Any, **kwargs: Any) -> Any:
            polls.append(1)
            return progress(*args, **kwargs)

        monkeypatch.setattr(worker, "worker_progress", counted)
        web.handle(
            c.FoundOrganisation(
                admin.actor, "tinh", "Tỉnh", "provincial_committee", None
            ),
            admin.signer,
        )
        # One poll, and a fallback one when the round takes over 0.1 s on a
        # busy machine; sleeping between polls took 6 or more.
        assert len(polls) <= 2
        assert "tinh" in _org_codes(web)  # read your own write
    finally:
        stop.set()
        thread.join(10)
        web.close()
        running.close()
