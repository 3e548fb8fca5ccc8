"""Worker mode: the ``kiemdiem worker`` keeps the views current, and a command
waits (bounded) for it to show the command's events (read your writes).

With no worker running (``kiemdiem init --demo``, a CLI writer before the worker
starts, a worker that died) the writing process brings the views there itself.
Whether a worker runs is what it holds (see :mod:`projections.presence`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from projections import presence, view_storage
from projections.presence import worker_present
from projections.view_pool import OpenViews
from projections.view_state import ViewState, meta_row
from projections.view_storage import UPSTREAM
from projections.views_notice import FALLBACK_SECONDS, Notices

if TYPE_CHECKING:
    from ledger.app import LedgerApplication

logger = logging.getLogger("kiemdiem.projections")

PRESENCE_EVERY = 0.1  # seconds between two asks whether a worker runs, in a wait


def wait_for_worker(
    views: OpenViews,
    app: LedgerApplication,
    notification_id: int,
    limit: float,
    catch_up_written: Callable[[int], None],
    notices: Notices | None = None,
) -> bool:
    """Return once the views show ``notification_id``: waiting up to ``limit``
    seconds for a running worker, or catching up here when none runs. False when
    the wait timed out (the page then shows the views as they are).

    With ``notices`` (PostgreSQL) that have been heard in this process, the
    wait blocks until the worker announces the write
    (:mod:`projections.views_notice`), polling again at least every
    :data:`~projections.views_notice.FALLBACK_SECONDS`; otherwise it sleeps
    2, 4, 8, 16, then 20 ms between polls.

    Whether a worker runs is asked at the first poll and then at most every
    :data:`PRESENCE_EVERY` seconds, not at each poll (on PostgreSQL a scan of
    ``pg_locks`` in the poll's statement): a worker that stops during a wait is
    still noticed within that time, and the views caught up here. With
    notices heard and a worker seen by this process within that time (another
    wait's poll), the first poll is left out: the wait starts blocking."""
    deadline = time.monotonic() + limit
    pause = 0.002
    asked_at: float | None = None
    worker = True
    blocking = (
        notices is not None
        and notices.heard > 0
        and time.monotonic() - notices.worker_seen_at < PRESENCE_EVERY
    )
    while True:
        now = time.monotonic()
        if blocking and notices is not None:
            blocking = False
            if notices.wait_past(notification_id, min(FALLBACK_SECONDS, limit)):
                return True
            continue
        ask = asked_at is None or now - asked_at >= PRESENCE_EVERY
        position, present = worker_progress(views, app, presence=ask)
        if ask:
            asked_at, worker = now, bool(present)
            if worker and notices is not None:
                notices.worker_seen_at = now
        if not worker:
            catch_up_written(notification_id)
            return True
        if position is None or position >= notification_id:
            return True
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            logger.warning(
                "views: the worker has not reached %d after %.1fs (at %s)",
                notification_id,
                limit,
                position,
            )
            return False
        if notices is not None and notices.heard:
            if notices.wait_past(notification_id, min(FALLBACK_SECONDS, remaining)):
                return True
            continue
        if notices is not None:
            notices.start()  # heard from the next notice on
        time.sleep(min(pause, remaining))
        pause = min(pause * 2, 0.02)


def wait_until_seen(
    states: Sequence[ViewState], notification_id: int, timeout: float
) -> bool:
    """The library's ``wait`` on each view, up to ``timeout`` seconds in all."""
    deadline = time.monotonic() + timeout
    for state in states:
        remaining = max(0.0, deadline - time.monotonic())
        try:
            state.view.wait(UPSTREAM, notification_id, timeout=remaining)
        except TimeoutError:
            return False
    return True


def worker_progress(
    views: OpenViews, app: LedgerApplication, *, presence: bool = True
) -> tuple[int | None, bool | None]:
    """The lowest tracked position of the views the worker keeps current, and
    whether a worker runs (None when ``presence`` is False: not asked). A view
    its storage marks failed or rebuilding is left out (the page shows it
    stale; waiting for it would hold every command for the whole bound); None
    when no view is to be waited for."""
    if views.shared is None:
        positions: list[int] = []
        for state in views.states.values():
            with state.view.transaction(commit=False) as c:
                row = meta_row(state, c)
                if row is None or row[3] == "ready":
                    positions.append(state.view.position(c))
        running = worker_present(app) if presence else None
        return min(positions, default=None), running
    with view_storage.statement(views.shared.datastore) as c:
        tracked, worker = views.tracked(
            c, list(views.states.values()), presence=presence
        )
    ready = [p for p, status in tracked.values() if status in (None, "ready")]
    return min(ready, default=None), worker


def run_forever(
    catch_up: Callable[[], object],
    present: presence.WorkerPresence,
    poll_seconds: float,
    stop_event: threading.Event,
) -> None:
    """The worker loop for the views alone: catch up, then wait for new events
    (or ``poll_seconds``) until stopped, holding the worker presence."""
    with present:
        while not stop_event.is_set():
            try:
                catch_up()
            except Exception:  # pragma: no cover - catch_up contains errors
                logger.exception("projections catch-up failed")
            present.wait(poll_seconds, stop_event)
