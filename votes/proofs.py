"""Zero-knowledge proofs of the suite (votes.md §3.5), in compact (c, u) form.

Proofs are stored as challenges and responses only: the verifier recomputes the prover
commitments and re-derives the challenge, so there is no received commitment point to
validate and no way to smuggle an invalid encoding through a proof.

Every prover takes its nonces from a :class:`~votes.group.Randomness`; the published
vectors use a seeded one so that the exact proof scalars are reproducible.  The draw
order is part of the vectors and is documented on each prover.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from votes.elgamal import Ciphertext, message_point
from votes.group import (
    GENERATOR,
    SYSTEM_RANDOMNESS,
    GroupError,
    Point,
    Randomness,
    Scalar,
    base_mul,
    decode_scalar,
    mul,
    scalar_add,
    scalar_mul,
    scalar_sub,
    sub,
)
from votes.transcript import TAG_DEC, TAG_POK, hash_to_scalar, int32


class ProofError(ValueError):
    """A proof that cannot be produced for the given witness."""


@dataclass(frozen=True, slots=True)
class DisjunctiveProof:
    """(c0, c1, v0, v1): the 0/1 proof of §3.5 (a), 128 bytes."""

    c0: Scalar
    c1: Scalar
    v0: Scalar
    v1: Scalar

    def to_hex(self) -> list[str]:
        return [self.c0.hex(), self.c1.hex(), self.v0.hex(), self.v1.hex()]

    @classmethod
    def from_hex(cls, items: Sequence[str]) -> DisjunctiveProof:
        """Decode four hex scalars, rejecting any value >= L."""
        if len(items) != 4:
            raise GroupError("a 0/1 proof has exactly four scalars")
        c0, c1, v0, v1 = (decode_scalar(bytes.fromhex(item)) for item in items)
        return cls(c0, c1, v0, v1)


@dataclass(frozen=True, slots=True)
class SchnorrProof:
    """(c, u): the proof of knowledge of §3.5 (d) and the decryption proof of (e)."""

    c: Scalar
    u: Scalar

    def to_hex(self) -> list[str]:
        return [self.c.hex(), self.u.hex()]

    @classmethod
    def from_hex(cls, items: Sequence[str]) -> SchnorrProof:
        if len(items) != 2:
            raise GroupError("a Schnorr proof has exactly two scalars")
        c, u = (decode_scalar(bytes.fromhex(item)) for item in items)
        return cls(c, u)


def _branch_commitments(
    election_key: Point, ct: Ciphertext, j: int, c: Scalar, v: Scalar
) -> tuple[Point, Point]:
    """a_j = v·G − c·A and b_j = v·Y − c·(B − j·G)."""
    a_j = sub(base_mul(v), mul(c, ct.a))
    # B − 0·G is B and B − 1·G needs no multiplication: no work done twice.
    if j == 0:
        shifted = ct.b
    elif j == 1:
        shifted = sub(ct.b, GENERATOR)
    else:
        shifted = sub(ct.b, message_point(j))
    b_j = sub(mul(v, election_key), mul(c, shifted))
    return a_j, b_j


def _disjunctive_challenge(
    tag: str,
    ctx: Sequence[bytes],
    election_key: Point,
    ct: Ciphertext,
    commitments: Sequence[Point],
) -> Scalar:
    return hash_to_scalar(tag, *ctx, election_key, ct.a, ct.b, *commitments)


def prove_zero_or_one(
    tag: str,
    ctx: Sequence[bytes],
    election_key: Point,
    ct: Ciphertext,
    m: int,
    r: Scalar,
    rng: Randomness = SYSTEM_RANDOMNESS,
) -> DisjunctiveProof:
    """Prove that ct encrypts m ∈ {0, 1} with randomness r.

    Nonces are drawn in the order c_k, v_k (the simulated branch k = 1 − m), then w.
    There is no proof for any other m: the simulated branch would have to be the real
    one, which needs the discrete log of B − m·G, so the prover refuses outright.
    """
    if m not in (0, 1):
        raise ProofError("only 0 or 1 can be proven")
    k = 1 - m
    c_k = rng.scalar()
    v_k = rng.scalar()
    w = rng.scalar()
    sim = _branch_commitments(election_key, ct, k, c_k, v_k)
    real = (base_mul(w), mul(w, election_key))
    commitments = (*real, *sim) if m == 0 else (*sim, *real)
    c = _disjunctive_challenge(tag, ctx, election_key, ct, commitments)
    c_m = scalar_sub(c, c_k)
    v_m = scalar_add(w, scalar_mul(c_m, r))
    if m == 0:
        return DisjunctiveProof(c_m, c_k, v_m, v_k)
    return DisjunctiveProof(c_k, c_m, v_k, v_m)


def verify_zero_or_one(
    tag: str,
    ctx: Sequence[bytes],
    election_key: Point,
    ct: Ciphertext,
    proof: DisjunctiveProof,
) -> bool:
    """Accept iff c0 + c1 equals the re-derived challenge (scalars already < L)."""
    a0, b0 = _branch_commitments(election_key, ct, 0, proof.c0, proof.v0)
    a1, b1 = _branch_commitments(election_key, ct, 1, proof.c1, proof.v1)
    c = _disjunctive_challenge(tag, ctx, election_key, ct, (a0, b0, a1, b1))
    return scalar_add(proof.c0, proof.c1) == c


def _pok_challenge(
    manifest_hash: bytes, i: int, kappa: int, commitment: Point, k_point: Point
) -> Scalar:
    return hash_to_scalar(
        TAG_POK, manifest_hash, int32(i), int32(kappa), commitment, k_point
    )


def prove_knowledge(
    manifest_hash: bytes,
    i: int,
    kappa: int,
    secret: Scalar,
    rng: Randomness = SYSTEM_RANDOMNESS,
) -> SchnorrProof:
    """Schnorr proof of a with C = a·G for trustee i's coefficient κ (one nonce k)."""
    k = rng.scalar()
    c = _pok_challenge(manifest_hash, i, kappa, base_mul(secret), base_mul(k))
    return SchnorrProof(c, scalar_add(k, scalar_mul(c, secret)))


def verify_knowledge(
    manifest_hash: bytes, i: int, kappa: int, commitment: Point, proof: SchnorrProof
) -> bool:
    """K = u·G − c·C, then check c."""
    k_point = sub(base_mul(proof.u), mul(proof.c, commitment))
    return _pok_challenge(manifest_hash, i, kappa, commitment, k_point) == proof.c


def _dec_challenge(
    fingerprint: bytes,
    j: int,
    leader: int,
    level: int,
    ct: Ciphertext,
    verification_key: Point,
    share: Point,
    k1: Point,
    k2: Point,
) -> Scalar:
    return hash_to_scalar(
        TAG_DEC,
        fingerprint,
        int32(j),
        int32(leader),
        int32(level),
        ct.a,
        ct.b,
        verification_key,
        share,
        k1,
        k2,
    )


def prove_decryption(
    fingerprint: bytes,
    j: int,
    leader: int,
    level: int,
    ct: Ciphertext,
    key_share: Scalar,
    rng: Randomness = SYSTEM_RANDOMNESS,
) -> tuple[Point, SchnorrProof]:
    """D_j = s_j·A with a Chaum–Pedersen proof that log_G V_j = log_A D_j (nonce w)."""
    share = mul(key_share, ct.a)
    w = rng.scalar()
    c = _dec_challenge(
        fingerprint,
        j,
        leader,
        level,
        ct,
        base_mul(key_share),
        share,
        base_mul(w),
        mul(w, ct.a),
    )
    return share, SchnorrProof(c, scalar_add(w, scalar_mul(c, key_share)))


def verify_decryption(
    fingerprint: bytes,
    j: int,
    leader: int,
    level: int,
    ct: Ciphertext,
    verification_key: Point,
    share: Point,
    proof: SchnorrProof,
) -> bool:
    """K1 = u·G − c·V_j and K2 = u·A − c·D_j, then check c."""
    k1 = sub(base_mul(proof.u), mul(proof.c, verification_key))
    k2 = sub(mul(proof.u, ct.a), mul(proof.c, share))
    expected = _dec_challenge(
        fingerprint, j, leader, level, ct, verification_key, share, k1, k2
    )
    return expected == proof.c
