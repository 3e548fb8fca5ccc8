"""Full verify vs the machine's own Ed25519 verification rate (1 and 2 processes)."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from bench.rebuilds import populate
from bench.workload import store
from ledger import verify
from ledger.app import LedgerApplication
from ledger.integrator import Integrator

CHUNK = 5000


def _verify_chunk(args: tuple[bytes, list[tuple[bytes, bytes]]]) -> int:
    public, pairs = args
    key = Ed25519PublicKey.from_public_bytes(public)
    for signature, message in pairs:
        key.verify(signature, message)
    return len(pairs)


def raw_ed25519_rate(n: int, processes: int, timed: Any) -> float:
    private = Ed25519PrivateKey.generate()
    public = private.public_key().public_bytes_raw()
    pairs = []
    for i in range(n):
        message = b"kiemdiem-event/v1\n" + i.to_bytes(8, "big") * 30
        pairs.append((private.sign(message), message))
    chunks = [(public, pairs[i : i + CHUNK]) for i in range(0, n, CHUNK)]
    if processes == 1:
        return float(timed(lambda: sum(map(_verify_chunk, chunks))))
    with ProcessPoolExecutor(processes) as pool:
        list(pool.map(_verify_chunk, chunks[:processes]))  # warm the workers
        return float(timed(lambda: sum(pool.map(_verify_chunk, chunks))))


def measure(scale: float, timed: Any, row: Any) -> list[Any]:
    n = int(20_000 * scale)
    one = raw_ed25519_rate(n, 1, timed)
    two = raw_ed25519_rate(n, 2, timed)
    rows = [
        row("machine: raw Ed25519 verify, 2 processes (sig/s)", two, "sig/s", one, None)
    ]
    with store("sqlite") as s:
        ledger = LedgerApplication(s.settings, s.trust_root)
        try:
            populate(ledger, s.signer, n)
            Integrator(ledger).catch_up()
        finally:
            ledger.close()
        for jobs, baseline, target in ((1, one, None), (2, two, 0.8)):
            report = None

            def run(jobs: int = jobs) -> int:
                nonlocal report
                report = verify.verify(s.settings.database_url, s.trust_root, jobs=jobs)
                return int(report.counts["events"])

            rate = timed(run)
            if report is None or not report.ok:
                raise RuntimeError("the benchmark store must verify")
            rows.append(
                row(
                    f"sqlite: full verify, --jobs {jobs} (ev/s)",
                    rate,
                    "ev/s",
                    baseline,
                    target,
                )
            )
    return rows
