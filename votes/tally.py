"""Aggregation, threshold decryption and combination (votes.md §8).

Trustees only ever decrypt the aggregate they recompute themselves from the whole
record (the Helios #170 defence lives in the trustee tool, which calls
:func:`partial_decrypt` only on :func:`aggregate` of every accepted ballot).  Any t
verified partial decryptions combine, by Lagrange interpolation at 0, into
M = count·G; the count is read from a table of 0·G .. R·G.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from votes.elgamal import ZERO_CIPHERTEXT, Ciphertext
from votes.group import (
    GENERATOR,
    IDENTITY,
    ONE,
    SYSTEM_RANDOMNESS,
    Point,
    Randomness,
    Scalar,
    add,
    mul,
    scalar_from_int,
    scalar_invert,
    scalar_mul,
    scalar_sub,
    sub,
)
from votes.proofs import SchnorrProof, prove_decryption, verify_decryption

Tally = tuple[tuple[Ciphertext, ...], ...]
"""Aggregate ciphertexts indexed [leader][level]."""


class TallyError(ValueError):
    """The partial decryptions do not yield a count."""


def aggregate(
    ballots: Sequence[Sequence[Sequence[Ciphertext]]], leader_count: int
) -> Tally:
    """A*_{ℓ,λ} = Σ A_{ℓ,λ}, B*_{ℓ,λ} = Σ B_{ℓ,λ} over every accepted ballot."""
    totals = [[ZERO_CIPHERTEXT] * 3 for _ in range(leader_count)]
    for ballot in ballots:
        for leader, slots in enumerate(ballot):
            for level, ct in enumerate(slots):
                totals[leader][level] = totals[leader][level] + ct
    return tuple(tuple(row) for row in totals)


@dataclass(frozen=True, slots=True)
class DecryptionShare:
    """D_j for one aggregate ciphertext with its Chaum–Pedersen proof."""

    d: Point
    proof: SchnorrProof


PartialDecryption = tuple[tuple[DecryptionShare, ...], ...]


def partial_decrypt(
    fingerprint: bytes,
    j: int,
    key_share: Scalar,
    tally: Tally,
    rng: Randomness = SYSTEM_RANDOMNESS,
) -> PartialDecryption:
    """Trustee j's D_j = s_j·A* with proofs, in leader then level order."""
    rows = []
    for leader, slots in enumerate(tally):
        row = []
        for level, ct in enumerate(slots):
            d, proof = prove_decryption(
                fingerprint, j, leader, level, ct, key_share, rng
            )
            row.append(DecryptionShare(d, proof))
        rows.append(tuple(row))
    return tuple(rows)


def verify_partial(
    fingerprint: bytes,
    j: int,
    verification_key: Point,
    tally: Tally,
    partial: PartialDecryption,
) -> bool:
    """Shape, non-identity D_j and every proof under V_j."""
    if len(partial) != len(tally):
        return False
    for leader, (slots, shares) in enumerate(zip(tally, partial, strict=True)):
        if len(shares) != len(slots):
            return False
        for level, (ct, share) in enumerate(zip(slots, shares, strict=True)):
            if share.d == IDENTITY:
                return False
            if not verify_decryption(
                fingerprint,
                j,
                leader,
                level,
                ct,
                verification_key,
                share.d,
                share.proof,
            ):
                return False
    return True


def lagrange_at_zero(subset: Sequence[int]) -> dict[int, Scalar]:
    """λ_j = Π_{k∈S, k≠j} k·(k − j)^−1 mod L, through libsodium scalar functions."""
    if len(set(subset)) != len(subset) or any(j < 1 for j in subset):
        raise TallyError("trustee indices must be distinct and positive")
    result = {}
    for j in subset:
        coefficient = ONE
        for k in subset:
            if k != j:
                k_s = scalar_from_int(k)
                diff = scalar_sub(k_s, scalar_from_int(j))
                coefficient = scalar_mul(
                    coefficient, scalar_mul(k_s, scalar_invert(diff))
                )
        result[j] = coefficient
    return result


class DlogTable:
    """count·G ↦ count for 0..R, built by repeated addition (§8.3 step 4)."""

    def __init__(self, maximum: int) -> None:
        self._table: dict[Point, int] = {}
        point = IDENTITY
        for count in range(maximum + 1):
            self._table[point] = count
            point = add(point, GENERATOR)

    def lookup(self, point: Point) -> int | None:
        return self._table.get(point)


def combine(
    tally: Tally,
    partials: Mapping[int, PartialDecryption],
    subset: Sequence[int],
    ballot_count: int,
) -> tuple[tuple[int, ...], ...]:
    """Counts [leader][level] from the partial decryptions of the trustees in subset.

    The caller passes only partial decryptions it has verified; a missing trustee or a
    point outside the table is a failed tally, never a guessed count.
    """
    missing = [j for j in subset if j not in partials]
    if missing:
        raise TallyError(f"no partial decryption from trustees {missing}")
    coefficients = lagrange_at_zero(subset)
    table = DlogTable(ballot_count)
    counts = []
    for leader, slots in enumerate(tally):
        row = []
        for level, ct in enumerate(slots):
            combined = IDENTITY
            for j in subset:
                combined = add(
                    combined, mul(coefficients[j], partials[j][leader][level].d)
                )
            count = table.lookup(sub(ct.b, combined))
            if count is None:
                raise TallyError(
                    f"leader {leader} level {level}: count not in 0..{ballot_count}"
                )
            row.append(count)
        counts.append(tuple(row))
    return tuple(counts)
