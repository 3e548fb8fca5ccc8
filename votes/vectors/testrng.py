"""The deterministic randomness of the published vectors (votes.md §12).

The k-th draw (k = 0, 1, 2, … shared by scalars and byte strings) is
``SHA-512("kiemdiem/vote/v1/test-rng\\n" || seed || u32be(k))``; a scalar is that digest
reduced mod L (a zero scalar is skipped, which never happens in practice), and a byte
string of n ≤ 64 bytes is its first n bytes.  Only the vector generator and the tests
use this class: production code draws from the CSPRNG and exposes no way to inject it.
"""

from __future__ import annotations

import hashlib

from votes.group import ZERO, Randomness, Scalar, reduce64

PREFIX = b"kiemdiem/vote/v1/test-rng\n"


class TestRandomness:
    """Counter-mode SHA-512 over a seed; implements :class:`votes.group.Randomness`."""

    __test__ = False  # not a pytest test class, despite the name

    def __init__(self, seed: bytes) -> None:
        self.seed = seed
        self.counter = 0

    def _next(self) -> bytes:
        digest = hashlib.sha512(PREFIX + self.seed + self.counter.to_bytes(4, "big"))
        self.counter += 1
        return digest.digest()

    def scalar(self) -> Scalar:
        while True:
            value = reduce64(self._next())
            if value != ZERO:
                return value

    def random_bytes(self, n: int) -> bytes:
        if not 0 <= n <= 64:
            raise ValueError("at most 64 bytes per draw")
        return self._next()[:n]


class RecordingRandomness:
    """Passes draws through and keeps every scalar, in order.

    The ballot vectors publish these ``draws`` so that another implementation (the
    browser booth) can replay them and reproduce the ballot bytes exactly.
    """

    def __init__(self, inner: Randomness) -> None:
        self.inner = inner
        self.drawn: list[Scalar] = []

    def scalar(self) -> Scalar:
        value = self.inner.scalar()
        self.drawn.append(value)
        return value

    def random_bytes(self, n: int) -> bytes:
        return self.inner.random_bytes(n)
