"""The ristretto255 group for the casting path: the only module that calls pysodium.

votes.md §3.1 forbids hand-written curve or field arithmetic, and pysodium is untyped,
so every group and scalar operation of the casting path goes through this one typed
wrapper.  It also carries the libsodium pitfalls of §3.2: the identity encoding is
accepted by ``is_valid_point`` (so callers say explicitly whether they accept it), and
scalar multiplication raises when the result is the identity (so :func:`mul` maps that
case to the identity, which legitimately happens while verifying proofs and decoding a
count of 0).  A third pitfall, found while generating the vectors: libsodium 1.0.18
ignores bit 255 of an encoding, so :func:`decode_point` rejects that bit itself.

Points and scalars are plain ``bytes`` behind :class:`typing.NewType` markers: they are
already in the wire encoding, hashing them into transcripts needs no conversion, and a
value can only acquire the marker through a validating decoder or a libsodium result.

The standalone verifier has its own, independently written wrapper
(``votes.verifier.group``); the two must never import each other.
"""

from __future__ import annotations

import secrets
from typing import NewType, Protocol

import pysodium

Point = NewType("Point", bytes)
Scalar = NewType("Scalar", bytes)

L = 2**252 + 27742317777372353535851937790883648493
"""Order of the ristretto255 group (RFC 9496)."""

POINT_BYTES = 32
SCALAR_BYTES = 32

IDENTITY = Point(bytes(32))
GENERATOR = Point(
    bytes.fromhex("e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76")
)
ZERO = Scalar(bytes(32))
ONE = Scalar((1).to_bytes(32, "little"))


class GroupError(ValueError):
    """An encoding that is not a valid point or scalar where one was required."""


def decode_point(data: bytes, *, allow_identity: bool = False) -> Point:
    """Decode a received point, rejecting non-canonical encodings.

    The identity is rejected unless the caller states that a locally computed value may
    be the identity (§4.1): every point received from another party must not be.
    """
    if len(data) != POINT_BYTES:
        raise GroupError("point must be 32 bytes")
    if data[31] & 0x80:
        # libsodium 1.0.18 masks bit 255 before its canonicity check, so without this
        # test every point would have a second encoding with the top bit set.
        raise GroupError("not a canonical ristretto255 encoding (bit 255 set)")
    if not pysodium.crypto_core_ristretto255_is_valid_point(data):
        raise GroupError("not a canonical ristretto255 encoding")
    if data == IDENTITY and not allow_identity:
        raise GroupError("the identity point is not allowed here")
    return Point(bytes(data))


def decode_scalar(data: bytes) -> Scalar:
    """Decode a received scalar; values >= L are rejected, never reduced (§4.1)."""
    if len(data) != SCALAR_BYTES:
        raise GroupError("scalar must be 32 bytes")
    if int.from_bytes(data, "little") >= L:
        raise GroupError("scalar is not below the group order")
    return Scalar(bytes(data))


def scalar_from_int(value: int) -> Scalar:
    """Encode a public small integer (an index, a count, a power of an index)."""
    if not 0 <= value < L:
        raise GroupError("integer out of scalar range")
    return Scalar(value.to_bytes(32, "little"))


def scalar_to_int(scalar: Scalar) -> int:
    """Read a public scalar (a challenge or a Lagrange coefficient) as an integer."""
    return int.from_bytes(scalar, "little")


def reduce64(data: bytes) -> Scalar:
    """Reduce a 64-byte little-endian integer mod L (hash-to-scalar, randomness)."""
    if len(data) != 64:
        raise GroupError("reduce64 needs exactly 64 bytes")
    return Scalar(bytes(pysodium.crypto_core_ristretto255_scalar_reduce(data)))


def add(p: Point, q: Point) -> Point:
    """Point addition; the identity is a valid input and output."""
    return Point(bytes(pysodium.crypto_core_ristretto255_add(p, q)))


def sub(p: Point, q: Point) -> Point:
    """Point subtraction; the identity is a valid input and output."""
    return Point(bytes(pysodium.crypto_core_ristretto255_sub(p, q)))


def mul(k: Scalar, p: Point) -> Point:
    """k·P with the §3.2 identity rule: O when k = 0, P = O or the result is O."""
    if k == ZERO or p == IDENTITY:
        return IDENTITY
    try:
        return Point(bytes(pysodium.crypto_scalarmult_ristretto255(k, p)))
    except ValueError:
        # libsodium refuses to output the identity; k is reduced and P is valid here,
        # so the identity result is the only way this call can fail.
        return IDENTITY


def base_mul(k: Scalar) -> Point:
    """k·G with the same identity rule as :func:`mul`."""
    if k == ZERO:
        return IDENTITY
    try:
        return Point(bytes(pysodium.crypto_scalarmult_ristretto255_base(k)))
    except ValueError:
        return IDENTITY


def scalar_add(x: Scalar, y: Scalar) -> Scalar:
    """(x + y) mod L."""
    return Scalar(bytes(pysodium.crypto_core_ristretto255_scalar_add(x, y)))


def scalar_sub(x: Scalar, y: Scalar) -> Scalar:
    """(x - y) mod L."""
    return Scalar(bytes(pysodium.crypto_core_ristretto255_scalar_sub(x, y)))


def scalar_mul(x: Scalar, y: Scalar) -> Scalar:
    """(x · y) mod L."""
    return Scalar(bytes(pysodium.crypto_core_ristretto255_scalar_mul(x, y)))


def scalar_negate(x: Scalar) -> Scalar:
    """(-x) mod L."""
    return Scalar(bytes(pysodium.crypto_core_ristretto255_scalar_negate(x)))


def scalar_invert(x: Scalar) -> Scalar:
    """x^-1 mod L; inverting 0 is a programming error and raises."""
    if x == ZERO:
        raise GroupError("0 has no inverse")
    return Scalar(bytes(pysodium.crypto_core_ristretto255_scalar_invert(x)))


class Randomness(Protocol):
    """Where secret nonces and keys come from.

    Production code uses :data:`SYSTEM_RANDOMNESS`.  The published vectors need
    reproducible values, so the vector generator (``votes.vectors``) passes its own
    seeded implementation; nothing reachable from the server or the CLI accepts one.
    """

    def scalar(self) -> Scalar:
        """A uniformly random non-zero scalar."""
        ...

    def random_bytes(self, n: int) -> bytes:
        """n uniformly random bytes (n <= 64)."""
        ...


class SystemRandomness:
    """CSPRNG randomness: r = reduce(64 random bytes), retried while r = 0 (§3.3)."""

    def scalar(self) -> Scalar:
        while True:
            r = reduce64(secrets.token_bytes(64))
            if r != ZERO:
                return r

    def random_bytes(self, n: int) -> bytes:
        return secrets.token_bytes(n)


SYSTEM_RANDOMNESS: Randomness = SystemRandomness()
