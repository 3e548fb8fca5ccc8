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

import json
import multiprocessing
import os
import threading
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from votes.verifier.group import NEUTRAL, Malformed, plus_onto, point, scalar
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
            sum_a, sum_b = plus_onto(sum_a, a), plus_onto(sum_b, b)
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
                sums[leader][level] = (plus_onto(total_a, a), plus_onto(total_b, b))
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


def _chunks(items: Sequence[Any], workers: int) -> list[Sequence[Any]]:
    count = min(len(items), workers * BATCHES_PER_JOB)
    size = -(-len(items) // count)
    return [items[i : i + size] for i in range(0, len(items), size)]


def _pool(workers: int) -> ProcessPoolExecutor:
    context = multiprocessing.get_context(_start_method())
    return ProcessPoolExecutor(max_workers=workers, mp_context=context)


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
    with _pool(workers) as pool:
        futures = [
            pool.submit(check_batch, fingerprint, election_key, leaders, list(chunk))
            for chunk in _chunks(bodies, workers)
        ]
        return [future.result() for future in futures]


# -- the proofs started before V1–V8 ---------------------------------------------------

BALLOT_TOPIC = b'"topic":"VoteBallotCast"'
KEY_TOPIC = b'"topic":"VoteElectionKeyPublished"'


def check_lines(
    fingerprint: bytes, election_key: bytes, leaders: int, lines: Sequence[bytes]
) -> Batch | None:
    """:func:`check_batch` over raw record lines, parsed here in the worker; None
    when one of them is not a ballot line as V1 would have it."""
    try:
        bodies = [json.loads(line)["content"]["body"] for line in lines]
        return check_batch(fingerprint, election_key, leaders, bodies)
    except Exception:  # whatever it is, the verifier checks these ballots itself
        return None


class EarlyProofs:
    """V9's ballot proofs, started on the pool before V1–V8 run on the main process
    (about a tenth of a verification's CPU, which then overlaps the proofs).

    The workers take the ballot lines, the election key, the fingerprint and the
    number of leaders *as the record claims them*, before anything is checked.
    :meth:`batches` hands the results over only when V1–V8 have passed and
    established the very same values and the same ballot lines; in every other
    case it answers None and V9 checks the ballots as before. The results are a
    function of those inputs alone, so the report is the same either way.
    """

    def __init__(self, data: bytes, jobs: int | None, min_parallel: int) -> None:
        self.pool: ProcessPoolExecutor | None = None
        self.futures: list[Future[Batch | None]] = []
        self.claim: tuple[bytes, bytes, int] | None = None
        self.positions: list[int] = []
        workers = jobs if jobs is not None else default_jobs()
        if workers <= 1 or not data.endswith(b"\n"):
            return
        lines = data[:-1].split(b"\n")
        self.positions = [
            position
            for position, line in enumerate(lines, start=1)
            if BALLOT_TOPIC in line
        ]
        if len(self.positions) < max(min_parallel, 2):
            return
        try:
            manifest = json.loads(lines[0])["content"]["body"]["manifest"]
            key_line = next(line for line in lines if KEY_TOPIC in line)
            published = json.loads(key_line)["content"]["body"]
            self.claim = (
                bytes.fromhex(published["fingerprint"]),
                bytes.fromhex(published["election_key"]),
                len(manifest["leaders"]),
            )
        except Exception:  # a record V1–V6 will refuse: nothing to start
            return
        ballots = [lines[position - 1] for position in self.positions]
        self.pool = _pool(workers)
        self.futures = [
            self.pool.submit(check_lines, *self.claim, list(chunk))
            for chunk in _chunks(ballots, workers)
        ]

    def batches(
        self,
        fingerprint: bytes,
        election_key: bytes,
        leaders: int,
        positions: Sequence[int],
    ) -> list[Batch] | None:
        """The results, if they were computed from what V1–V8 established."""
        if (
            self.pool is None
            or self.claim != (fingerprint, election_key, leaders)
            or list(positions) != self.positions
        ):
            return None
        found = [future.result() for future in self.futures]
        if any(batch is None for batch in found):
            return None
        return [batch for batch in found if batch is not None]

    def close(self) -> None:
        """Stop the pool (the batches not started are cancelled)."""
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
