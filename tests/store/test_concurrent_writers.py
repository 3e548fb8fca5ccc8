"""Concurrent writers give one consistent chain (ledger.md §11 item 13).

SQLite: 8 threads in one process. PostgreSQL: 4 processes. They append to shared
and separate streams; conflicts surface as RecordConflictError and are retried.
Afterwards every stream is contiguous with correct ``prev`` links, the leaf index
is dense despite PostgreSQL id gaps (rolled-back inserts burn sequence values),
checkpoints are consistent and ``verify`` passes.
"""

from __future__ import annotations

import multiprocessing
import threading
from typing import Any
from uuid import UUID

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import RecordConflictError

from ledger.app import LedgerApplication
from ledger.config import settings_from_environ
from ledger.signing import Signer, signing_as

ROUNDS = 12


class WriterFile(Aggregate):
    """A review-like file. Defined here, in a module with a unique name, because
    the PostgreSQL writers are separate processes that must resolve its topics
    (``conftest`` is ambiguous across test folders)."""

    @event("Opened")
    def __init__(self, subject: str) -> None:
        self.subject = subject

    @event("CommentAdded")
    def add_comment(self, text: str, rating: int) -> None:
        self.last = text


def _append(app: LedgerApplication, signer: Signer, shared: UUID, own: UUID) -> int:
    """Alternate between the shared stream and this writer's own, retrying
    conflicts the way the service layer does; returns how many conflicts."""

    conflicts = 0
    for i in range(ROUNDS):
        target = shared if i % 2 == 0 else own
        while True:
            with signing_as(signer):
                review: Any = app.repository.get(target)
                review.add_comment(f"ý kiến {i} của {signer.actor[-4:]}", i)
                try:
                    app.save(review)
                    break
                except RecordConflictError:
                    conflicts += 1
    return conflicts


def _process_writer(args: tuple[str, dict[str, Any], bytes, str, str, str]) -> int:
    url, trust_root, seed, actor, shared, own = args
    app = LedgerApplication(settings_from_environ({}, url), trust_root)
    try:
        signer = Signer(actor, Ed25519PrivateKey.from_private_bytes(seed))
        return _append(app, signer, UUID(shared), UUID(own))
    finally:
        app.close()


def _writers(backend: Any, count: int) -> tuple[list[Signer], Any, list[Any]]:
    signers = [backend.new_signer() for _ in range(count)]
    for signer in signers:
        backend.register(signer)
    shared = _open(backend, backend.admin, "Tập thể Ban Thường vụ")
    own = [_open(backend, s, f"Hồ sơ {i}") for i, s in enumerate(signers)]
    return signers, shared, own


def _open(backend: Any, signer: Signer, subject: str) -> WriterFile:
    file = WriterFile(subject)
    file.add_comment("Mở", 0)
    with signing_as(signer):
        backend.app.save(file)
    return file


def _check(backend: Any, writers: int) -> None:
    backend.integrate()
    first = backend.checkpoint()
    report = backend.verify(checkpoints=[first])
    assert report.ok, report.to_json()["failures"][:3]
    leaves = backend.sql(
        f"SELECT idx FROM {backend.table('ledger_leaves')} ORDER BY idx"
    )
    assert [row[0] for row in leaves] == list(range(len(leaves)))
    # shared stream: genesis event + 1 comment, then ROUNDS/2 comments per writer
    rows = backend.sql(f"SELECT COUNT(*) FROM {backend.events}")
    assert rows[0][0] == len(leaves)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_eight_threads_on_sqlite(backend):
    """Threads in one process: the SQLite embedded mode."""
    signers, shared, own = _writers(backend, 8)
    conflicts: list[int] = []

    def run(i: int) -> None:
        conflicts.append(_append(backend.app, signers[i], shared.id, own[i].id))

    threads = [threading.Thread(target=run, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(conflicts) == 8
    with signing_as(backend.admin):
        review: Any = backend.app.repository.get(shared.id)
    assert review.version == 2 + 8 * ROUNDS // 2
    _check(backend, 8)


@pytest.mark.postgres
@pytest.mark.parametrize(
    "backend", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
def test_four_processes_on_postgres(backend):
    signers, shared, own = _writers(backend, 4)
    seeds = [s.private_key.private_bytes_raw() for s in signers]
    jobs = [
        (backend.url, backend.trust_root, seed, s.actor, str(shared.id), str(o.id))
        for seed, s, o in zip(seeds, signers, own, strict=True)
    ]
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        conflicts = pool.map(_process_writer, jobs)
    assert len(conflicts) == 4
    with signing_as(backend.admin):
        review: Any = backend.app.repository.get(shared.id)
    assert review.version == 2 + 4 * ROUNDS // 2
    _force_a_rolled_back_insert(backend, shared.id)
    ids = [r[0] for r in backend.sql(f"SELECT notification_id FROM {backend.events}")]
    assert max(ids) > len(ids), "a rolled-back insert leaves a gap in the ids"
    _check(backend, 4)


def _force_a_rolled_back_insert(backend: Any, stream: UUID) -> None:
    with signing_as(backend.admin):
        first: Any = backend.app.repository.get(stream)
        second: Any = backend.app.repository.get(stream)
        first.add_comment("thắng", 1)
        second.add_comment("thua", 2)
        backend.app.save(first)
        with pytest.raises(RecordConflictError):
            backend.app.save(second)
