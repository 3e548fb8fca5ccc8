"""Exponential ElGamal under the election key (votes.md §3.3).

The message sits in the exponent (m·G) so that ciphertexts add up to an encryption of
the count; the price is a discrete-log search at the end, which the table in
``votes.tally`` makes trivial because a count never exceeds the number of ballots.
"""

from __future__ import annotations

from dataclasses import dataclass

from votes.group import (
    IDENTITY,
    Point,
    Scalar,
    add,
    base_mul,
    mul,
    scalar_from_int,
)


@dataclass(frozen=True, slots=True)
class Ciphertext:
    """(A, B) = (r·G, r·Y + m·G)."""

    a: Point
    b: Point

    def __add__(self, other: Ciphertext) -> Ciphertext:
        return Ciphertext(add(self.a, other.a), add(self.b, other.b))


ZERO_CIPHERTEXT = Ciphertext(IDENTITY, IDENTITY)
"""The neutral element of homomorphic addition (a locally computed value only)."""


def message_point(m: int) -> Point:
    """m·G for a small public plaintext (0 gives the identity)."""
    return base_mul(scalar_from_int(m))


def encrypt(election_key: Point, m: int, r: Scalar) -> Ciphertext:
    """Enc(m; r) with caller-chosen randomness r in [1, L-1]."""
    return Ciphertext(base_mul(r), add(mul(r, election_key), message_point(m)))


def sum_ciphertexts(items: list[Ciphertext]) -> Ciphertext:
    """Component-wise sum, starting from the identity pair."""
    total = ZERO_CIPHERTEXT
    for item in items:
        total = total + item
    return total


__all__ = [
    "ZERO_CIPHERTEXT",
    "Ciphertext",
    "encrypt",
    "message_point",
    "sum_ciphertexts",
]
