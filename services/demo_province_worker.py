"""A worker process beside the province generator: what ``kiemdiem worker``
does (integrate the log, bring the views up, sign a checkpoint when due), in a
process of its own while the generator writes, so the two use two cores.

The generator still brings everything up itself at each phase's end
(``Kiemdiem.work_once``: little is left by then), so a phase always starts on
current views whether the worker kept up or not. Several integrators and view
writers on one store are safe (``ledger.integrator``, ``projections.catch_up``).
"""

from __future__ import annotations

import logging
import multiprocessing
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.synchronize import Event

from ledger.config import Settings

log = logging.getLogger(__name__)

IDLE_SECONDS = 0.2
STOP_SECONDS = 120.0


def _work(settings: Settings, stop: Event) -> None:
    """The worker's loop, in the child process, until ``stop`` is set or the
    build's process is gone (killed, it never sets ``stop``: the worker would
    go on holding the views' locks)."""
    from services.app import Kiemdiem  # in the child: a fresh application

    parent = multiprocessing.parent_process()
    services = Kiemdiem(settings)
    try:
        seen = -1
        while not stop.is_set() and (parent is None or parent.is_alive()):
            tip = services.ledger.max_notification_id()
            if tip != seen:
                services.work_once()
                seen = tip
            else:
                stop.wait(IDLE_SECONDS)
    finally:
        services.close()


@contextmanager
def worker_beside(settings: Settings) -> Iterator[bool]:
    """Run a worker process for the block; yields False (and runs none) for an
    in-memory store, which another process cannot open."""
    if settings.memory:
        yield False
        return
    context = multiprocessing.get_context("spawn")
    stop = context.Event()
    process = context.Process(
        target=_work, args=(settings, stop), name="kiemdiem-build-worker", daemon=True
    )
    process.start()
    try:
        yield True
    finally:
        stop.set()
        process.join(STOP_SECONDS)
        if process.is_alive():
            log.warning("the build's worker did not stop; terminating it")
            process.terminate()
            process.join()
