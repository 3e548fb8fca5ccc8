"""The expensive, stateless part of V9, run over batches of ballots in parallel.

Per ballot: every A and B decoded, every proof scalar read, every slot and sum
proof (the 480 scalar multiplications of a 15-leader ballot).  Nothing here depends
on the other ballots, so batches go to a process pool (``jobs`` processes, default
the CPU count).  The cheap checks and those that depend on the order of the record
(credential listed and unused, signature, an A value repeated, the ballot hash)
stay in :meth:`RecordVerifier.check_ballots`, which walks the ballots in record
order and consults these results at the place of each proof check, so the first
failure reported is the same whatever the number of processes.

Like the rest of the verifier this module imports only the standard library,
``pysodium`` and ``cryptography`` (through the verifier's own modules).
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from votes.verifier.group import NEUTRAL, Malformed, plus, point, scalar
from votes.verifier.proofs import TAG_BIT, TAG_SUM, disjunctive_ok

MIN_PARALLEL = 64
"""Below this many ballots a pool costs more to start than it saves."""
BATCHES_PER_JOB = 4

# Where a failure sits among one ballot's proof checks.
STEP_SLOT = "slot"
STEP_SUM = "sum"


@dataclass(frozen=True, slots=True)
class CryptoFailure:
    """The first stateless failure of one ballot, and where it sits."""

    step: str
    kind: str
    detail: str
    leader: int | None = None
    level: int | None = None

    @property
    def params(self) -> dict[str, int]:
        found = {"leader": self.leader, "level": self.level}
        return {key: value for key, value in found.items() if value is not None}


@dataclass(frozen=True, slots=True)
class BallotCrypto:
    """What the worker found for one ballot: the A values checked so far (in slot
    order) and the first stateless failure, if any."""

    a_values: tuple[bytes, ...]
    failure: CryptoFailure | None


@dataclass(frozen=True, slots=True)
class Batch:
    """Results of consecutive ballots and the sum of their ciphertexts per slot
    (meaningful only when none of them failed)."""

    results: tuple[BallotCrypto, ...]
    sums: tuple[tuple[tuple[bytes, bytes], ...], ...]


def default_jobs() -> int:
    return max(1, os.cpu_count() or 1)


def _start_method() -> str:
    """``fork`` from a single-threaded process (the CLI, a trustee's tool, the
    benchmark): cheap, and the main script is not imported again; ``spawn`` where
    other threads run (the web server), since a fork copies their held locks."""
    if (
        threading.active_count() == 1
        and "fork" in multiprocessing.get_all_start_methods()
    ):
        return "fork"
    return "spawn"


def check_one(
    fingerprint: bytes,
    election_key: bytes,
    leaders: int,
    body: dict[str, Any],
    sums: list[list[tuple[bytes, bytes]]] | None = None,
) -> BallotCrypto:
    """The point and proof checks of one ``VoteBallotCast`` body, in V9's order.

    ``sums`` (per leader and level) receives the ballot's ciphertexts when every
    check passed and the ballot has one answer per leader.
    """
    ballot = body["ballot"]
    credential = bytes.fromhex(ballot["credential"])
    a_values: list[bytes] = []

    def stop(failure: CryptoFailure) -> BallotCrypto:
        return BallotCrypto(tuple(a_values), failure)

    context_base = [fingerprint, credential]
    slots: list[list[tuple[bytes, bytes]]] = []
    for leader, answer in enumerate(ballot["answers"]):
        sum_a, sum_b = NEUTRAL, NEUTRAL
        row: list[tuple[bytes, bytes]] = []
        for level, choice in enumerate(answer["choices"]):
            try:
                a = point(bytes.fromhex(choice["a"]))
                b = point(bytes.fromhex(choice["b"]))
            except Malformed as exc:
                return stop(
                    CryptoFailure(STEP_SLOT, "point_invalid", str(exc), leader, level)
                )
            try:
                scalars = [scalar(bytes.fromhex(s)) for s in choice["proof"]]
            except Malformed as exc:
                return stop(
                    CryptoFailure(STEP_SLOT, "scalar_invalid", str(exc), leader, level)
                )
            ctx = [*context_base, leader.to_bytes(4, "big"), level.to_bytes(4, "big")]
            if not disjunctive_ok(TAG_BIT, ctx, election_key, a, b, scalars):
                return stop(
                    CryptoFailure(
                        STEP_SLOT, "proof_invalid", "slot proof fails", leader, level
                    )
                )
            a_values.append(a)
            row.append((a, b))
            sum_a, sum_b = plus(sum_a, a), plus(sum_b, b)
        try:
            sum_scalars = [scalar(bytes.fromhex(s)) for s in answer["sum_proof"]]
        except Malformed as exc:
            return stop(CryptoFailure(STEP_SUM, "scalar_invalid", str(exc), leader))
        ctx = [*context_base, leader.to_bytes(4, "big")]
        if not disjunctive_ok(TAG_SUM, ctx, election_key, sum_a, sum_b, sum_scalars):
            return stop(
                CryptoFailure(STEP_SUM, "sum_proof_invalid", "sum proof fails", leader)
            )
        slots.append(row)
    if sums is not None and len(slots) == leaders:
        for leader, row in enumerate(slots):
            for level, (a, b) in enumerate(row):
                total_a, total_b = sums[leader][level]
                sums[leader][level] = (plus(total_a, a), plus(total_b, b))
    return BallotCrypto(tuple(a_values), None)


def check_batch(
    fingerprint: bytes,
    election_key: bytes,
    leaders: int,
    bodies: Sequence[dict[str, Any]],
) -> Batch:
    """Check consecutive ballots; the worker's entry point (picklable arguments)."""
    sums = [[(NEUTRAL, NEUTRAL)] * 3 for _ in range(leaders)]
    results = tuple(
        check_one(fingerprint, election_key, leaders, body, sums) for body in bodies
    )
    return Batch(results, tuple(tuple(row) for row in sums))


def check_all(
    fingerprint: bytes,
    election_key: bytes,
    leaders: int,
    bodies: Sequence[dict[str, Any]],
    *,
    jobs: int | None = None,
    min_parallel: int = MIN_PARALLEL,
) -> list[Batch]:
    """Every ballot's stateless checks, in record order, on ``jobs`` processes."""
    workers = jobs if jobs is not None else default_jobs()
    if workers <= 1 or len(bodies) < max(min_parallel, 2):
        return [check_batch(fingerprint, election_key, leaders, bodies)]
    count = min(len(bodies), workers * BATCHES_PER_JOB)
    size = -(-len(bodies) // count)
    chunks = [bodies[i : i + size] for i in range(0, len(bodies), size)]
    context = multiprocessing.get_context(_start_method())
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = [
            pool.submit(check_batch, fingerprint, election_key, leaders, list(chunk))
            for chunk in chunks
        ]
        return [future.result() for future in futures]
