"""Full verify vs the machine's own Ed25519 verification rate (1 and 2 processes).

The machine's rate is the faster of the two libraries the project uses, OpenSSL
(through ``cryptography``) and libsodium (through ``pysodium``'s handle): the
verifier asks libsodium first (ledger/verify_rows.py), so measuring it against
OpenSSL's slower rate alone would hide its own overhead. Both bare rates print.

The targets' baselines verify the benchmark store's own signatures over its own
messages (``kiemdiem-event/v1`` ‖ content, ≈ 680 bytes for an enrolment): an
Ed25519 verification hashes its message, so the synthetic 258-byte messages of
the machine rows verify ≈ 10% faster than the events do, which the verifier
could never win back.
"""

from __future__ import annotations

import ctypes
import resource
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import pysodium
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from bench.rebuilds import populate
from bench.workload import store
from ledger import verify
from ledger.app import LedgerApplication
from ledger.envelope import HEADER_BYTES, key_id_for, signed_message
from ledger.integrator import Integrator
from ledger.verify.store import _Store

CHUNK = 5000


def _verify_chunk(args: tuple[bytes, list[tuple[bytes, bytes]]]) -> int:
    public, pairs = args
    key = Ed25519PublicKey.from_public_bytes(public)
    for signature, message in pairs:
        key.verify(signature, message)
    return len(pairs)


def _verify_chunk_sodium(args: tuple[bytes, list[tuple[bytes, bytes]]]) -> int:
    public, pairs = args
    verify_detached = pysodium.sodium.crypto_sign_verify_detached
    length = ctypes.c_ulonglong
    for signature, message in pairs:
        if verify_detached(signature, message, length(len(message)), public):
            raise ValueError("a bare signature failed")
    return len(pairs)


def synthetic_pairs(n: int) -> tuple[bytes, list[tuple[bytes, bytes]]]:
    """A public key and ``n`` (signature, 258-byte message) pairs under it."""
    private = Ed25519PrivateKey.generate()
    public = private.public_key().public_bytes_raw()
    pairs = []
    for i in range(n):
        message = b"kiemdiem-event/v1\n" + i.to_bytes(8, "big") * 30
        pairs.append((private.sign(message), message))
    return public, pairs


def store_pairs(
    database_url: str, public: bytes
) -> tuple[bytes, list[tuple[bytes, bytes]]]:
    """The store's own (signature, signed message) pairs under ``public``."""
    key_id = key_id_for(public)
    store = _Store(verify.settings_for(database_url))
    try:
        pairs = [
            (state[20:84], signed_message(state[HEADER_BYTES:]))
            for page in store.row_pages("state")
            for _nid, state in page
            if state[4:20] == key_id
        ]
    finally:
        store.close()
    return public, pairs


def raw_ed25519_rate(
    n: int,
    processes: int,
    timed: Any,
    library: str = "openssl",
    signed: tuple[bytes, list[tuple[bytes, bytes]]] | None = None,
) -> float:
    public, pairs = synthetic_pairs(n) if signed is None else signed
    n = len(pairs)
    chunks = [(public, pairs[i : i + CHUNK]) for i in range(0, n, CHUNK)]
    check = _verify_chunk if library == "openssl" else _verify_chunk_sodium
    if processes == 1:
        return float(timed(lambda: sum(map(check, chunks))))
    with ProcessPoolExecutor(processes) as pool:
        list(pool.map(check, chunks[:processes]))  # warm the workers
        return float(timed(lambda: sum(pool.map(check, chunks))))


def _cpu_seconds() -> float:
    """CPU of this process and of its children that have ended (a verify's pool
    is shut down before ``verify`` returns)."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def bare_cpu_per_signature(
    n: int, signed: tuple[bytes, list[tuple[bytes, bytes]]] | None = None
) -> float:
    """µs of CPU per bare Ed25519 verification, the faster library, one process
    (the stable figure on a loaded machine; a pool adds nothing to it)."""
    spent: list[float] = []
    if signed is not None:
        n = len(signed[1])

    def cpu_timed(work: Any) -> int:
        start = time.process_time()
        items = int(work())
        spent.append(time.process_time() - start)
        return items

    for library in ("openssl", "libsodium", "libsodium"):
        raw_ed25519_rate(n, 1, cpu_timed, library, signed)
    return min(spent) * 1e6 / n


def measure(scale: float, timed: Any, row: Any) -> list[Any]:
    n = int(20_000 * scale)
    one = raw_ed25519_rate(n, 1, timed)
    two = raw_ed25519_rate(n, 2, timed)
    one_sodium = raw_ed25519_rate(n, 1, timed, "libsodium")
    two_sodium = raw_ed25519_rate(n, 2, timed, "libsodium")
    rows = [
        row(
            "machine: raw Ed25519 verify, OpenSSL, 2 processes (sig/s)",
            two,
            "sig/s",
            one,
            None,
        ),
        row(
            "machine: raw Ed25519 verify, libsodium, 2 processes (sig/s)",
            two_sodium,
            "sig/s",
            one_sodium,
            None,
        ),
    ]
    with store("sqlite") as s:
        ledger = LedgerApplication(s.settings, s.trust_root)
        try:
            populate(ledger, s.signer, n)
            Integrator(ledger).catch_up()
        finally:
            ledger.close()
        # The targets' baselines: the store's own signatures, the machine's faster
        # library, per process count.
        signed = store_pairs(s.settings.database_url, s.signer.public_key_raw)
        one = max(
            raw_ed25519_rate(n, 1, timed, library, signed)
            for library in ("openssl", "libsodium")
        )
        two = max(
            raw_ed25519_rate(n, 2, timed, library, signed)
            for library in ("openssl", "libsodium")
        )
        rows.append(
            row(
                "machine: bare Ed25519 verify of the store's events, 2 processes",
                two,
                "sig/s",
                one,
                None,
            )
        )
        for jobs, baseline, target in ((1, one, None), (2, two, 0.8)):
            report = None

            def run(jobs: int = jobs) -> int:
                nonlocal report
                report = verify.verify(s.settings.database_url, s.trust_root, jobs=jobs)
                return int(report.counts["events"])

            cpu = _cpu_seconds()
            rate = timed(run)
            cpu = _cpu_seconds() - cpu
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
        # The same target in CPU (every process summed), steady under load: events
        # per CPU-second against bare signatures per CPU-second.
        events = int(report.counts["events"]) if report is not None else n
        rows.append(
            row(
                "sqlite: full verify --jobs 2, events per CPU-second",
                events / cpu,
                "ev/s",
                1e6 / bare_cpu_per_signature(n, signed),
                0.8,
            )
        )
    return rows
