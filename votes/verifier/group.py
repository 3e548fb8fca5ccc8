"""The verifier's own ristretto255 wrapper, written independently of ``votes.group``.

The verifier must not trust the casting code (votes.md §10.2), so decoding and the
libsodium pitfalls of §3.2 are handled here a second time, in a different style:
scalars are Python integers.  Everything the verifier touches is public (challenges,
responses, Lagrange coefficients, counts), which is the case where §3.1 allows plain
integer arithmetic mod L; all point arithmetic still goes through libsodium.
"""

from __future__ import annotations

import hashlib

import pysodium

ORDER = (1 << 252) + 0x14DEF9DEA2F79CD65812631A5CF5D3ED
BASE = bytes.fromhex("e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76")
NEUTRAL = b"\x00" * 32


class Malformed(Exception):
    """A value that does not decode as the verifier requires."""


def point(raw: bytes, *, may_be_neutral: bool = False) -> bytes:
    """A canonical encoding of a group element; the identity only when allowed."""
    if len(raw) != 32 or raw[-1] >= 0x80:
        # An encoding is a field element below p < 2^255; libsodium 1.0.18 would
        # silently drop this bit and accept an alias of a canonical encoding.
        raise Malformed("bit 255 set: not a canonical ristretto255 point")
    if not pysodium.crypto_core_ristretto255_is_valid_point(raw):
        raise Malformed("not a canonical ristretto255 point")
    if raw == NEUTRAL and not may_be_neutral:
        raise Malformed("the identity point where a real point is required")
    return bytes(raw)


def scalar(raw: bytes) -> int:
    """A 32-byte little-endian integer below L (never reduced)."""
    value = int.from_bytes(raw, "little")
    if len(raw) != 32 or value >= ORDER:
        raise Malformed("scalar not below the group order")
    return value


def plus(p: bytes, q: bytes) -> bytes:
    out: bytes = pysodium.crypto_core_ristretto255_add(p, q)
    return bytes(out)


def minus(p: bytes, q: bytes) -> bytes:
    out: bytes = pysodium.crypto_core_ristretto255_sub(p, q)
    return bytes(out)


def times(k: int, p: bytes) -> bytes:
    """k·P for a public k; O for k ≡ 0, P = O, or an identity result."""
    k %= ORDER
    if k == 0 or p == NEUTRAL:
        return NEUTRAL
    try:
        out: bytes = pysodium.crypto_scalarmult_ristretto255(
            k.to_bytes(32, "little"), p
        )
    except ValueError:
        return NEUTRAL
    return bytes(out)


def times_base(k: int) -> bytes:
    """k·G; G has prime order, so only k ≡ 0 gives the identity."""
    k %= ORDER
    if k == 0:
        return NEUTRAL
    out: bytes = pysodium.crypto_scalarmult_ristretto255_base(k.to_bytes(32, "little"))
    return bytes(out)


def challenge(tag: str, *items: bytes) -> int:
    """Hs: SHA-512 of the framed transcript, read as a 64-byte little-endian integer.

    This is the browser's formulation (§3.4) rather than libsodium's scalar_reduce, so
    the verifier cross-checks the casting code's hash-to-scalar as well.
    """
    h = hashlib.sha512()
    for item in (tag.encode("utf-8"), *items):
        h.update(len(item).to_bytes(4, "big"))
        h.update(item)
    return int.from_bytes(h.digest(), "little") % ORDER


def idx(value: int) -> bytes:
    """An int32 transcript item."""
    return value.to_bytes(4, "big")
