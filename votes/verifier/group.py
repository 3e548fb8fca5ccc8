"""The verifier's own ristretto255 wrapper, written independently of ``votes.group``.

The verifier must not trust the casting code (votes.md §10.2), so decoding and the
libsodium pitfalls of §3.2 are handled here a second time, in a different style:
scalars are Python integers.  Everything the verifier touches is public (challenges,
responses, Lagrange coefficients, counts), which is the case where §3.1 allows plain
integer arithmetic mod L; all point arithmetic still goes through libsodium.
"""

from __future__ import annotations

import ctypes
import hashlib
from collections.abc import Callable

import pysodium

ORDER = (1 << 252) + 0x14DEF9DEA2F79CD65812631A5CF5D3ED
BASE = bytes.fromhex("e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76")
NEUTRAL = b"\x00" * 32


class Malformed(Exception):
    """A value that does not decode as the verifier requires."""


# libsodium's own functions, called through the ctypes handle pysodium opened:
# pysodium's wrappers check the library version and build a buffer with
# ctypes.create_string_buffer on every call, which cost as much as a point
# addition itself (a 15-leader ballot needs ~500 of them). Same functions, same
# return-code checks; pysodium's wrappers where the handle lacks them.
_Point = ctypes.c_char * 32
_DIRECT = pysodium.sodium_version_check(1, 0, 18)
_lib = pysodium.sodium


def _binary(name: str) -> Callable[[bytes, bytes], bytes]:
    function = getattr(_lib, name)

    def call(first: bytes, second: bytes) -> bytes:
        if len(first) != 32 or len(second) != 32:
            raise ValueError(f"{name}: truncated input")
        out = _Point()
        if function(out, first, second) != 0:
            raise ValueError(f"{name} failed")
        return out.raw

    return call


def _unary(name: str) -> Callable[[bytes], bytes]:
    function = getattr(_lib, name)

    def call(value: bytes) -> bytes:
        if len(value) != 32:
            raise ValueError(f"{name}: truncated input")
        out = _Point()
        if function(out, value) != 0:
            raise ValueError(f"{name} failed")
        return out.raw

    return call


if _DIRECT:
    _add = _binary("crypto_core_ristretto255_add")
    _sub = _binary("crypto_core_ristretto255_sub")
    _mul = _binary("crypto_scalarmult_ristretto255")
    _mul_base = _unary("crypto_scalarmult_ristretto255_base")
    _is_valid = _lib.crypto_core_ristretto255_is_valid_point

    def _valid(raw: bytes) -> bool:
        return bool(_is_valid(raw) == 1)
else:  # pragma: no cover - pysodium raises its own error for old libsodium
    _add = pysodium.crypto_core_ristretto255_add
    _sub = pysodium.crypto_core_ristretto255_sub
    _mul = pysodium.crypto_scalarmult_ristretto255
    _mul_base = pysodium.crypto_scalarmult_ristretto255_base
    _valid = pysodium.crypto_core_ristretto255_is_valid_point


def point(raw: bytes, *, may_be_neutral: bool = False) -> bytes:
    """A canonical encoding of a group element; the identity only when allowed."""
    if len(raw) != 32 or raw[-1] >= 0x80:
        # An encoding is a field element below p < 2^255; libsodium 1.0.18 would
        # silently drop this bit and accept an alias of a canonical encoding.
        raise Malformed("bit 255 set: not a canonical ristretto255 point")
    if not _valid(raw):
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
    return _add(p, q)


def plus_onto(total: bytes, q: bytes) -> bytes:
    """``plus(total, q)`` for a running sum, without a libsodium call (≈ a third
    of a scalar multiplication: two decodings and an encoding) when ``total`` is
    still the identity: O + Q = Q, and ``q`` is a canonical encoding (checked by
    :func:`point`, or an output of libsodium)."""
    if total == NEUTRAL:
        return q
    return _add(total, q)


def minus(p: bytes, q: bytes) -> bytes:
    return _sub(p, q)


def times(k: int, p: bytes) -> bytes:
    """k·P for a public k; O for k ≡ 0, P = O, or an identity result."""
    k %= ORDER
    if k == 0 or p == NEUTRAL:
        return NEUTRAL
    try:
        return _mul(k.to_bytes(32, "little"), p)
    except ValueError:
        return NEUTRAL


def times_base(k: int) -> bytes:
    """k·G; G has prime order, so only k ≡ 0 gives the identity."""
    k %= ORDER
    if k == 0:
        return NEUTRAL
    return _mul_base(k.to_bytes(32, "little"))


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
