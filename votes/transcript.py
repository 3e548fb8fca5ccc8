"""Strong Fiat–Shamir transcripts and hash-to-scalar (votes.md §3.4).

Every item is length-framed, so no two different item lists give the same bytes, and
the domain tag is the first framed item, so a challenge computed for one proof kind can
never be reused for another.  Callers pass the election fingerprint, the full public
statement and every prover commitment; the weak Fiat–Shamir failure of early Helios
(Bernhard–Pereira–Warinschi 2012) came from leaving statement items out.
"""

from __future__ import annotations

import hashlib

from votes.group import Scalar, reduce64

TAG_POK = "kiemdiem/vote/v1/pok"
TAG_BIT = "kiemdiem/vote/v1/bit"
TAG_SUM = "kiemdiem/vote/v1/sum"
TAG_DEC = "kiemdiem/vote/v1/dec"


def u32be(value: int) -> bytes:
    """A 4-byte big-endian unsigned integer; used for lengths and int32 items."""
    if not 0 <= value < 2**32:
        raise ValueError("value does not fit in 32 bits")
    return value.to_bytes(4, "big")


def int32(value: int) -> bytes:
    """An integer transcript item (indices); framed like any other item."""
    return u32be(value)


def frame(item: bytes) -> bytes:
    """u32be(len(x)) || x."""
    return u32be(len(item)) + item


def transcript(dst: str, *items: bytes) -> bytes:
    """T(dst, x1..xk): the framed tag followed by every framed item."""
    return frame(dst.encode("utf-8")) + b"".join(frame(item) for item in items)


def hash_to_scalar(dst: str, *items: bytes) -> Scalar:
    """Hs(dst, x1..xk) = reduce(SHA-512(T(dst, x1..xk)))."""
    return reduce64(hashlib.sha512(transcript(dst, *items)).digest())
