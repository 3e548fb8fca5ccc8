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


def test_a_save_does_not_wait_for_a_registry_reader_reading_the_tip(
    backend: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = backend.app
    review = backend.open_review(backend.admin, "Hồ sơ", ["mở"])
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
    assert reading.wait(5)
    saver = threading.Thread(
        target=backend.comment, args=(backend.admin, review, "ý kiến")
    )
    saver.start()
    saver.join(5)
    try:
        assert not saver.is_alive(), "the insert guard waited for the registry reader"
    finally:
        release.set()
        reader.join()
        saver.join()
    assert backend.app.repository.get(review.id).comments == ["mở", "ý kiến"]


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
