"""The worker's notice that the views moved (PostgreSQL), so a web process
reading its own write wakes when the worker commits instead of between sleeps.

The read-your-writes wait (:func:`projections.worker.wait_for_worker`) used to
poll the views' positions after 2, 4, 8, 16, then every 20 ms: a wait ended at
6, 14, 30 or 50 ms whatever the worker took, so a worker round a few
milliseconds longer could cost a page 16 ms more (docs/national-scale.md,
"auditpg"), and each poll was a statement. Now:

- after each round the worker sends ``NOTIFY`` on the store's views channel
  with the lowest position of its healthy views (:func:`announce`), once per
  new position;
- each web process keeps one connection ``LISTEN``ing on it
  (:class:`Notices`, a thread started at its first wait) and the highest
  position heard; a waiter blocks until that reaches its write.

The notice only shortens the wait: a waiter still polls (and asks whether a
worker runs) at least every :data:`FALLBACK_SECONDS`, and polls as before until
this process has heard a first notice (a worker of older code sends none).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from typing import Any

from psycopg.sql import SQL, Identifier

from projections import view_storage
from projections.presence import presence_key

logger = logging.getLogger("kiemdiem.projections")

FALLBACK_SECONDS = 0.1  # a waiter polls at least this often while notices run
LISTEN_SECONDS = 1.0  # the listener checks whether it is to stop this often


def channel(schema: str) -> str:
    """The store's views channel (one per schema: stores never wake each other)."""
    return f"kiemdiem_views_{presence_key(schema)}"


def announce(datastore: Any, schema: str, position: int) -> None:
    """Tell the web processes that every healthy view is at ``position``
    (delivered once the statement's own transaction commits: at once)."""
    with view_storage.statement(datastore) as c:
        c.execute("SELECT pg_notify(%s, %s)", (channel(schema), str(position)))


def lowest(positions: Mapping[str, int], healthy: Mapping[str, bool]) -> int | None:
    """The position a round's notice carries: the lowest of the healthy views'
    (a failing view is left out, as the wait leaves it out)."""
    found = [p for name, p in positions.items() if healthy.get(name, False)]
    return min(found, default=None)


class Notices:
    """One process's listener: the highest position a worker announced."""

    def __init__(self, connect: Callable[[], Any], name: str) -> None:
        self._connect = connect  # a new autocommit connection
        self.channel = name
        self._changed = threading.Condition()
        self._heard = 0
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        # When a wait of this process last found a worker running (monotonic).
        self.worker_seen_at = float("-inf")

    @property
    def heard(self) -> int:
        """The highest position announced since this process started listening
        (0: none yet; then the waits poll as before)."""
        return self._heard

    def wait_past(self, notification_id: int, timeout: float) -> bool:
        """Block until a notice reaches ``notification_id`` (True) or for
        ``timeout`` seconds (False); the listener starts at the first call."""
        self.start()
        with self._changed:
            return self._changed.wait_for(
                lambda: self._heard >= notification_id, timeout
            )

    def start(self) -> None:
        with self._changed:
            if self._thread is not None or self._stop.is_set():
                return
            self._thread = threading.Thread(
                target=self._run, name="kiemdiem-views-notices", daemon=True
            )
            self._thread.start()

    def heard_at(self, position: int) -> None:
        """A notice for ``position`` arrived (the listener; tests)."""
        with self._changed:
            if position > self._heard:
                self._heard = position
                self._changed.notify_all()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with self._connect() as conn:
                    conn.execute(SQL("LISTEN {0}").format(Identifier(self.channel)))
                    while not self._stop.is_set():
                        for notice in conn.notifies(timeout=LISTEN_SECONDS):
                            if notice.payload.isdigit():
                                self.heard_at(int(notice.payload))
            except Exception as exc:  # the waits poll meanwhile; listen again
                logger.warning("views: not listening to the worker's notices: %s", exc)
                self._stop.wait(LISTEN_SECONDS)

    def close(self) -> None:
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout=2 * LISTEN_SECONDS)
