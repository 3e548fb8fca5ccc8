"""Signed append vs plain eventsourcing on the same workload and backend."""

from __future__ import annotations

import cProfile
import multiprocessing
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from bench.workload import TEXT, Note, drop_schema, plain_application, store
from ledger.app import LedgerApplication
from ledger.signing import signing_as
from services.app import Kiemdiem

BATCH = 100


def measure(backend: str, tmp: str, scale: float, timed: Any, row: Any) -> list[Any]:
    single_n = int(600 * scale)
    batches = int(40 * scale)
    plain, schema = plain_application(backend, tmp)
    try:
        plain_single = timed(lambda: _single(plain.save, single_n))
        plain_batched = timed(lambda: _batched(plain.save, batches))
    finally:
        plain.close()
        drop_schema(schema)
    rows = []
    with store(backend) as s:
        ledger = LedgerApplication(s.settings, s.trust_root)
        try:
            with signing_as(s.signer):
                signed_single = timed(lambda: _single(ledger.save, single_n))
                signed_batched = timed(lambda: _batched(ledger.save, batches))
        finally:
            ledger.close()
        # Worker mode: the command signs and appends; `kiemdiem worker` integrates
        # and projects. Inline (the embedded mode): both before the answer.
        worker_mode = Kiemdiem(
            replace(s.settings, projections_mode="worker"), s.trust_root
        )
        try:
            worker = timed(
                lambda: _profiled(
                    f"{backend}-worker", _commands, worker_mode, s.signer, single_n
                )
            )
        finally:
            worker_mode.close()
        # As production runs: `kiemdiem worker` in its own process, and each
        # command answering once the worker shows it (read your own writes).
        with _worker_beside(worker_mode.settings, s.trust_root):
            beside = Kiemdiem(worker_mode.settings, s.trust_root)
            try:
                served = timed(lambda: _commands(beside, s.signer, single_n))
            finally:
                beside.close()
        services = Kiemdiem(s.settings, s.trust_root)
        try:
            command = timed(
                lambda: _profiled(
                    f"{backend}-inline", _commands, services, s.signer, single_n
                )
            )
        finally:
            services.close()
    rows.append(
        row(
            f"{backend}: signed append, 1 event/command (ev/s)",
            signed_single,
            "ev/s",
            plain_single,
            0.8,
        )
    )
    rows.append(
        row(
            f"{backend}: signed append, {BATCH} events/command (ev/s)",
            signed_batched,
            "ev/s",
            plain_batched,
            0.8,
        )
    )
    rows.append(
        row(
            f"{backend}: command through the services, worker mode (cmd/s)",
            worker,
            "cmd/s",
            plain_single,
            0.8,
        )
    )
    rows.append(
        row(
            f"{backend}: … with `kiemdiem worker` running, answer after it (cmd/s)",
            served,
            "cmd/s",
            plain_single,
            None,
        )
    )
    rows.append(
        row(
            f"{backend}: command + inline integrate + project (cmd/s)",
            command,
            "cmd/s",
            plain_single,
            None,
        )
    )
    return rows


def _single(save: Any, n: int) -> int:
    for _ in range(n):
        save(Note("u:bench", TEXT))
    return n


def _batched(save: Any, batches: int) -> int:
    for _ in range(batches):
        save(*[Note("u:bench", TEXT) for _ in range(BATCH)])
    return batches * BATCH


def _commands(services: Kiemdiem, signer: Any, n: int) -> int:
    for _ in range(n):
        services.uow.commit(signer, lambda: [Note("u:bench", TEXT)])
    return n


@contextmanager
def _worker_beside(settings: Any, trust_root: Any) -> Iterator[None]:
    """``kiemdiem worker``'s loop (:meth:`Kiemdiem.run_worker`) in a process of
    its own on the store, from its presence taken until the block ends."""
    context = multiprocessing.get_context("spawn")
    stop, ready = context.Event(), context.Event()
    process = context.Process(
        target=_run_worker, args=(settings, trust_root, stop, ready), daemon=True
    )
    process.start()
    try:
        while not ready.wait(0.1):
            if not process.is_alive():
                raise RuntimeError("the worker process ended before it started")
        yield
    finally:
        stop.set()
        process.join(30)
        if process.is_alive():
            process.kill()


def _run_worker(settings: Any, trust_root: Any, stop: Any, ready: Any) -> None:
    """The worker process: the loop until the bench sets ``stop``."""
    told = threading.Event()

    def relay() -> None:  # run_worker waits on a thread's Event
        stop.wait()
        told.set()

    threading.Thread(target=relay, daemon=True).start()
    services = Kiemdiem(settings, trust_root)
    try:
        services.run_worker(1.0, told, ready.set)
    finally:
        services.close()


def _profiled(name: str, work: Any, *args: Any) -> int:
    """``work(*args)``; with ``KIEMDIEM_BENCH_PROFILE=DIR``, under cProfile, the
    profile written to ``DIR/appends-{name}.prof`` (read it with ``pstats``)."""
    folder = os.environ.get("KIEMDIEM_BENCH_PROFILE")
    if not folder:
        return int(work(*args))
    profile = cProfile.Profile()
    done = int(profile.runcall(work, *args))
    Path(folder).mkdir(parents=True, exist_ok=True)
    profile.dump_stats(str(Path(folder) / f"appends-{name}.prof"))
    return done
