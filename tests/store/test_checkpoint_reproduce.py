"""Before signing, the integrator reproduces the last checkpoint's root from the
stored leaves (ledger.md §6.3: the log never signs two inconsistent checkpoints).

It does so outside the integrator lock (on SQLite the database's write lock,
which every command waits for: at a province's 700,000 leaves the old
recomputation inside it outlasted the commands' 10 s lock timeout and the
100,000-member build died), and incrementally: each checkpoint reads only the
leaves stored since the one this process last reproduced.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest

from ledger.errors import LedgerError
from ledger.integrator import INTEGRATOR_LOCK, CheckpointRefusedError, Integrator
from ledger.sql import Cursor, lock_key
from tests.store.conftest import Store, World

ZERO_LEAF = bytes(32)


def _grow(backend: Store, world: World, text: str) -> None:
    backend.comment(world.alice, world.r1, text)


def _alerts(backend: Store) -> list[str]:
    rows = backend.sql(f"SELECT kind FROM {backend.table('ledger_alerts')}")
    return [str(r[0]) for r in rows]


def _checkpoint_sizes(backend: Store) -> list[int]:
    table = backend.table("ledger_checkpoints")
    return [int(r[0]) for r in backend.sql(f"SELECT size FROM {table} ORDER BY size")]


def _alter_leaf(backend: Store, index: int) -> None:
    leaves = backend.table("ledger_leaves")
    backend.tamper(
        f"UPDATE {leaves} SET leaf_hash = ? WHERE idx = ?", (ZERO_LEAF, index)
    )


def _assert_next_checkpoint_refused(
    backend: Store, world: World, signed: list[int]
) -> None:
    _grow(backend, world, "ý kiến nữa")
    with pytest.raises(CheckpointRefusedError):
        backend.checkpoint()
    assert _checkpoint_sizes(backend) == signed
    assert "checkpoint_root_mismatch" in _alerts(backend)


def _spy_reads(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    reads: list[tuple[int, int]] = []
    real = Integrator._stored_leaves

    def spy(self: Integrator, cur: Cursor, start: int, stop: int) -> list[bytes]:
        reads.append((start, stop))
        return real(self, cur, start, stop)

    monkeypatch.setattr(Integrator, "_stored_leaves", spy)
    return reads


def test_each_checkpoint_reads_only_the_leaves_stored_since_the_last_reproduced(
    world: World, backend: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads = _spy_reads(monkeypatch)
    backend.checkpoint()
    first = _checkpoint_sizes(backend)[-1]
    assert reads == []  # nothing to reproduce before the first checkpoint
    _grow(backend, world, "thêm một ý kiến")
    backend.checkpoint()
    second = _checkpoint_sizes(backend)[-1]
    _grow(backend, world, "ý kiến nữa")
    backend.checkpoint()
    assert reads == [(0, first), (first, second)]
    assert _alerts(backend) == []


def test_a_leaf_altered_since_the_last_checkpoint_refuses_the_next_one(
    world: World, backend: Store
) -> None:
    backend.checkpoint()
    _grow(backend, world, "thêm một ý kiến")
    backend.checkpoint()  # reproduces the first from every leaf below it
    signed = _checkpoint_sizes(backend)
    # The adversary alters a leaf between the first and the second checkpoint:
    # only the leaves read incrementally can show it, and they must.
    _alter_leaf(backend, signed[0])
    _assert_next_checkpoint_refused(backend, world, signed)


def test_a_new_process_reproduces_the_last_checkpoint_from_every_leaf(
    world: World, backend: Store
) -> None:
    backend.checkpoint()
    signed = _checkpoint_sizes(backend)
    _alter_leaf(backend, 0)
    backend.reopen()
    _assert_next_checkpoint_refused(backend, world, signed)


def test_a_missing_leaf_under_the_last_checkpoint_stops_the_integrator(
    world: World, backend: Store
) -> None:
    backend.checkpoint()
    signed = _checkpoint_sizes(backend)
    leaves = backend.table("ledger_leaves")
    backend.tamper(f"DELETE FROM {leaves} WHERE idx = 1")
    backend.reopen()
    _grow(backend, world, "thêm một ý kiến")
    with pytest.raises(LedgerError, match="not dense"):
        backend.checkpoint()
    assert _checkpoint_sizes(backend) == signed


def test_the_last_checkpoint_is_reproduced_outside_the_integrator_lock(
    world: World, backend: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the stored leaves are read, another writer can take the lock a
    command needs (SQLite: the write lock; PostgreSQL: the integrator's)."""
    backend.checkpoint()
    _grow(backend, world, "thêm một ý kiến")
    free: list[bool] = []
    real = Integrator._stored_leaves

    def probe(self: Integrator, cur: Cursor, start: int, stop: int) -> list[bytes]:
        free.append(_lock_is_free(backend))
        return real(self, cur, start, stop)

    monkeypatch.setattr(Integrator, "_stored_leaves", probe)
    backend.checkpoint()
    assert free == [True]
    assert len(_checkpoint_sizes(backend)) == 2


def _lock_is_free(backend: Store) -> bool:
    if backend.backend == "postgres":
        row: Any = backend.sql(
            "SELECT pg_try_advisory_xact_lock(?)", (lock_key(INTEGRATOR_LOCK),)
        )
        return bool(row[0][0])
    other = sqlite3.connect(
        str(backend.settings.sqlite_path), timeout=0, isolation_level=None
    )
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        other.close()
