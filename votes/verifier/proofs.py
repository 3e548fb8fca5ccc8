"""Proof checks for the verifier (votes.md §3.5), independent of ``votes.proofs``.

Each function recomputes the prover's commitments from the compact (challenge,
response) form and re-derives the challenge from the full statement, with the same
transcript items the specification lists, in the same order.
"""

from __future__ import annotations

from collections.abc import Sequence

from votes.verifier.group import (
    BASE,
    ORDER,
    challenge,
    idx,
    minus,
    times,
    times_base,
)

TAG_POK = "kiemdiem/vote/v1/pok"
TAG_BIT = "kiemdiem/vote/v1/bit"
TAG_SUM = "kiemdiem/vote/v1/sum"
TAG_DEC = "kiemdiem/vote/v1/dec"


def disjunctive_ok(
    tag: str,
    context: Sequence[bytes],
    key: bytes,
    a: bytes,
    b: bytes,
    scalars: Sequence[int],
) -> bool:
    """The 0/1 proof (c0, c1, v0, v1) for (A, B) under Y, with ctx items."""
    c0, c1, v0, v1 = scalars
    commitments: list[bytes] = []
    for message, c, v in ((0, c0, v0), (1, c1, v1)):
        shifted = minus(b, BASE) if message == 1 else b
        commitments.append(minus(times_base(v), times(c, a)))
        commitments.append(minus(times(v, key), times(c, shifted)))
    expected = challenge(tag, *context, key, a, b, *commitments)
    return (c0 + c1) % ORDER == expected


def knowledge_ok(
    manifest_hash: bytes, i: int, kappa: int, commitment: bytes, c: int, u: int
) -> bool:
    """Schnorr proof of the discrete log of C_{i,κ}."""
    k = minus(times_base(u), times(c, commitment))
    return challenge(TAG_POK, manifest_hash, idx(i), idx(kappa), commitment, k) == c


def decryption_ok(
    fingerprint: bytes,
    j: int,
    leader: int,
    level: int,
    a: bytes,
    b: bytes,
    vk: bytes,
    d: bytes,
    c: int,
    u: int,
) -> bool:
    """Chaum–Pedersen proof that log_G V_j = log_A D_j."""
    k1 = minus(times_base(u), times(c, vk))
    k2 = minus(times(u, a), times(c, d))
    expected = challenge(
        TAG_DEC, fingerprint, idx(j), idx(leader), idx(level), a, b, vk, d, k1, k2
    )
    return expected == c
