"""Event signatures checked in batches, inline or in a process pool (§8.4)."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ledger import verify_rows
from ledger.verify.store import _Ref

SIGNATURE_BATCH = 5_000


# -- signatures in a process pool -----------------------------------------------------


def check_signature_batch(batch: Sequence[tuple[bytes, bytes, bytes]]) -> list[int]:
    """Positions in ``batch`` of (public key raw, signature, message) that fail."""
    keys: dict[bytes, Ed25519PublicKey] = {}
    bad = []
    for i, (public_raw, signature, message) in enumerate(batch):
        key = keys.get(public_raw)
        if key is None:
            try:
                key = keys[public_raw] = Ed25519PublicKey.from_public_bytes(public_raw)
            except ValueError:
                bad.append(i)
                continue
        if not verify_rows.ed25519_valid(key, public_raw, signature, message):
            bad.append(i)
    return bad


# index, notification id, stream, version: where a failure is


class _Signatures:
    """Batches of ~5,000 triples, checked inline (jobs=1) or in a process pool."""

    def __init__(self, jobs: int, on_bad: Callable[[_Ref], None]) -> None:
        self.on_bad = on_bad
        self.jobs = jobs
        self.pool = ProcessPoolExecutor(max_workers=jobs) if jobs > 1 else None
        self.batch: list[tuple[bytes, bytes, bytes]] = []
        self.refs: list[_Ref] = []
        self.pending: deque[tuple[Future[list[int]], list[_Ref]]] = deque()
        self.checked = 0

    def add(
        self, public_raw: bytes, signature: bytes, message: bytes, ref: _Ref
    ) -> None:
        self.batch.append((public_raw, signature, message))
        self.refs.append(ref)
        if len(self.batch) >= SIGNATURE_BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.batch:
            return
        batch, refs = self.batch, self.refs
        self.batch, self.refs = [], []
        self.checked += len(batch)
        if self.pool is None:
            self._report(check_signature_batch(batch), refs)
            return
        self.pending.append((self.pool.submit(check_signature_batch, batch), refs))
        while len(self.pending) > 2 * self.jobs:
            self._collect_one()
        while self.pending and self.pending[0][0].done():
            self._collect_one()

    def _collect_one(self) -> None:
        future, refs = self.pending.popleft()
        self._report(future.result(), refs)

    def _report(self, bad: list[int], refs: list[_Ref]) -> None:
        for i in bad:
            self.on_bad(refs[i])

    def finish(self) -> None:
        self.flush()
        while self.pending:
            self._collect_one()
        self.close()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
