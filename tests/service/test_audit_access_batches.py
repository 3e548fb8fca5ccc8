"""One reader's concurrent reads of files are written together (group commit,
services.audit_access): while a batch is being written, the reads that arrive
wait, then the next batch writes them all in one transaction, one signed
``FileAccessed`` event per read. On SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from services import audit_commands as ac
from tests.service import test_audit_service

seed = test_audit_service.seed  # the fixture: a province, its readers

WAITING = 3


def test_reads_queued_behind_a_batch_go_in_the_next_one(
    services: Any,
    seed: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reader: Any = seed.secretary
    writing, release = threading.Event(), threading.Event()
    batches: list[int] = []
    handle = services.handle

    def slow_handle(command: Any, signer: Any) -> Any:
        if isinstance(command, ac.RecordFileAccess):
            batches.append(len(command.reads))
            if len(batches) == 1:
                writing.set()
                release.wait(10)
        return handle(command, signer)

    monkeypatch.setattr(services, "handle", slow_handle)
    answers: list[bool] = []

    def read(view: str) -> None:
        answers.append(
            services.audit.record_access(reader.signer, reader.actor, seed.member, view)
        )

    first = threading.Thread(target=read, args=("member",))
    first.start()
    assert writing.wait(10)
    others = [
        threading.Thread(target=read, args=(view,))
        for view in ("history", "bundle", "api")[:WAITING]
    ]
    for thread in others:
        thread.start()
    queued = services.audit.file_reads._batches[(reader.actor, reader.signer.key_id)]
    deadline = time.monotonic() + 10
    while len(queued.queued) < WAITING and time.monotonic() < deadline:
        time.sleep(0.01)
    release.set()
    for thread in [first, *others]:
        thread.join(20)
    assert answers == [True] * (1 + WAITING)
    assert batches == [1, WAITING]  # the three waiting reads: one transaction
    found = services.audit.history(
        seed.inspector.actor, seed.member, kind="FileAccessed"
    )
    reads = [i.entry for i in found.items]
    assert sorted(e.body["view"] for e in reads) == [
        "api",
        "bundle",
        "history",
        "member",
    ]
    assert all(e.ok and e.actor == reader.actor for e in reads)
    assert services.audit.pending_reads(seed.member) == []


def test_a_read_that_waits_out_the_bound_is_kept_pending(
    services: Any,
    seed: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from services import audit_access

    reader: Any = seed.secretary
    monkeypatch.setattr(audit_access, "WAIT_SECONDS", 0.2)
    key = (reader.actor, reader.signer.key_id)
    batches = services.audit.file_reads._batches
    batches[key] = audit_access._Batches()
    assert batches[key].writing.acquire()  # a batch that never ends
    try:
        assert not services.audit.record_access(
            reader.signer, reader.actor, seed.member, "member"
        )
    finally:
        batches[key].writing.release()
    assert [p[:2] for p in services.audit.pending_reads(seed.member)] == [
        (reader.actor, "member")
    ]
    assert batches[key].queued == []


def test_a_batch_that_cannot_be_written_is_kept_pending(
    services: Any,
    seed: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reader: Any = seed.secretary

    def broken(actor: str) -> Any:
        raise RuntimeError("the store is away")

    monkeypatch.setattr(services.audit.file_reads, "_pending", broken)
    assert not services.audit.record_access(
        reader.signer, reader.actor, seed.member, "member"
    )
    assert [p[:2] for p in services.audit.pending_reads(seed.member)] == [
        (reader.actor, "member")
    ]


def test_a_read_with_nothing_pending_opens_no_write_transaction_to_clear(
    services: Any,
    seed: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reader: Any = seed.secretary
    file_reads = services.audit.file_reads
    cleared: list[list[Any]] = []
    clear = file_reads._clear_pending

    def spy(actor: str, pending: Any) -> None:
        cleared.append(list(pending))
        clear(actor, pending)

    monkeypatch.setattr(file_reads, "_clear_pending", spy)
    assert services.audit.record_access(
        reader.signer, reader.actor, seed.member, "member"
    )
    assert cleared == []  # nothing was pending: no DELETE transaction
    # A read kept pending (no key then) is signed, late, with the next read and
    # cleared in the same turn.
    assert not services.audit.record_access(None, reader.actor, seed.member, "api")
    assert services.audit.record_access(
        reader.signer, reader.actor, seed.member, "history"
    )
    assert [[view for _, view, _ in found] for found in cleared] == [["api"]]
    assert services.audit.pending_reads(seed.member) == []
