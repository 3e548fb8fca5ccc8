"""The key registry's lock is never held while the database is read.

A writer holds its connection (on SQLite, the process's one writer) while its
insert guard waits for the registry's lock; on SQLite the pool lends
connections in turn, so a thread that asked for a connection while holding that
lock could wait behind a thread that waits for the writer, and each waited for
the other until the pool's timeout (15 s, answered 503 ``store.busy``). Seen
under the province load test at 8 concurrent sessions: every page checks the
session's keys (``key_registry``) while views of a member's file write their
access records.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest

from ledger.app import LedgerApplication
from ledger.keys import register_key
from ledger.signing import signing_as

READER = "registry-reader"


def test_the_insert_guards_lock_is_free_while_the_registry_reads_the_tip(
    backend: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While a thread reads the database for the registry, the lock a writer's
    insert guard takes (holding the write connection) is free."""
    app = backend.app
    backend.open_review(backend.admin, "Hồ sơ", ["mở"])
    reading, release = threading.Event(), threading.Event()
    read_tip = app.recorder.max_notification_id

    def slow_tip() -> Any:
        if threading.current_thread().name == READER:
            reading.set()
            release.wait(10)
        return read_tip()

    monkeypatch.setattr(app.recorder, "max_notification_id", slow_tip)
    reader = threading.Thread(target=app.key_registry, name=READER)
    reader.start()
    try:
        assert reading.wait(5)
        free = app._registry_lock.acquire(timeout=2)
        if free:
            app._registry_lock.release()
        assert free, "the registry's lock is held while the database is read"
    finally:
        release.set()
        reader.join()


def test_writers_and_registry_readers_at_once_all_finish(backend: Any) -> None:
    """Three writers and three registry readers in threads at once (a smoke
    test of the mix that met under load; the check above is the exact one)."""
    app = backend.app
    review = backend.open_review(backend.admin, "Hồ sơ", ["mở"])
    done: list[str] = []

    def write(n: int) -> None:
        for i in range(5):
            backend.comment(backend.admin, review_of(n), f"ý kiến {n}.{i}")
        done.append(f"writer {n}")

    reviews = [review] + [
        backend.open_review(backend.admin, f"Hồ sơ {n}", ["mở"]) for n in (1, 2)
    ]

    def review_of(n: int) -> Any:
        return backend.app.repository.get(reviews[n].id)

    def read() -> None:
        for _ in range(20):
            app.key_registry()
        done.append("reader")

    threads = [threading.Thread(target=write, args=(n,)) for n in range(3)]
    threads += [threading.Thread(target=read) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(done) == ["reader"] * 3 + ["writer 0", "writer 1", "writer 2"]


def test_the_registry_catches_up_with_keys_another_process_registered(
    backend: Any,
) -> None:
    backend.app.key_registry()
    other = LedgerApplication(backend.settings, backend.trust_root)
    newcomer = backend.new_signer()
    try:
        with signing_as(backend.admin):
            other.save(register_key(newcomer.private_key, newcomer.actor, "member"))
    finally:
        other.close()
    assert len(backend.app.key_registry().valid_keys_of(newcomer.actor)) == 1
