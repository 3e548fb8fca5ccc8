"""The Merkle tree over the recomputed leaves: roots at the checkpoints' sizes
and the consistency proofs between them, from compact ranges."""

from __future__ import annotations

import base64
import itertools
from collections.abc import Iterable

from ledger import merkle

# -- the Merkle tree over the recomputed leaves ----------------------------------------


def _largest_power_of_two_below(n: int) -> int:
    return 1 << ((n - 1).bit_length() - 1)


def _subproof_ranges(m: int, n: int) -> list[tuple[int, int]]:
    """The leaf ranges whose tree hashes make up SUBPROOF(m, D[n], true), in proof
    order (RFC 9162 §2.1.4.1, as ``merkle.consistency_proof`` builds it)."""
    out: list[tuple[int, int]] = []
    lo, hi, complete = 0, n, True
    while m != hi - lo:
        k = _largest_power_of_two_below(hi - lo)
        if m <= k:
            out.append((lo + k, hi))
            hi = lo + k
        else:
            out.append((lo, lo + k))
            lo, m, complete = lo + k, m - k, False
    if not complete:
        out.append((lo, hi))
    out.reverse()
    return out


def _decomposition(size: int) -> list[tuple[int, int]]:
    """The perfect subtrees of a compact range of ``size`` leaves, largest first."""
    out = []
    start = 0
    for height in range(size.bit_length() - 1, -1, -1):
        if size >> height & 1:
            out.append((start, start + (1 << height)))
            start += 1 << height
    return out


class _Tree:
    """A compact range over the recomputed leaf hashes that records the root at
    each target size and the consistency proof between consecutive targets.

    Nodes of a proof left of the older size are that size's compact range; those
    right of it are hashed from fresh compact ranges fed during the pass, so no
    leaf list is ever held (§8.4).
    """

    def __init__(self, targets: Iterable[int], extra: Iterable[int] = ()) -> None:
        """Proofs link consecutive ``targets``; ``extra`` sizes get a root only."""
        self.range = merkle.CompactRange()
        self.targets = sorted({t for t in targets if t > 0})
        self._proof_sizes = frozenset(self.targets)
        self._stops = sorted(self._proof_sizes | {t for t in extra if t > 0})
        self.roots: dict[int, bytes] = {0: merkle.EMPTY_ROOT}
        self.proofs: dict[tuple[int, int], list[bytes]] = {}
        self._stop = 0
        self._previous = 0
        self._left: dict[tuple[int, int], bytes] = {}
        self._right: list[tuple[int, int]] = []
        self._nodes: dict[tuple[int, int], bytes] = {}
        for m, n in itertools.pairwise(self.targets):
            self._right.extend(r for r in _subproof_ranges(m, n) if r[0] >= m)
        self._right.sort()
        self._r = 0
        self._active: merkle.CompactRange | None = None

    @property
    def size(self) -> int:
        return self.range.size

    def append(self, leaf: bytes) -> None:
        index = self.range.size
        if self._r < len(self._right):
            start, end = self._right[self._r]
            if index >= start:
                if self._active is None:
                    self._active = merkle.CompactRange()
                self._active.append(leaf)
                if index + 1 == end:
                    self._nodes[(start, end)] = self._active.root()
                    self._active = None
                    self._r += 1
        self.range.append(leaf)
        if self._stop < len(self._stops) and index + 1 == self._stops[self._stop]:
            self._stop += 1
            self._reached(index + 1)

    def _reached(self, size: int) -> None:
        self.roots[size] = self.range.root()
        if size not in self._proof_sizes:
            return
        if self._previous:
            proof = []
            for part in _subproof_ranges(self._previous, size):
                node = self._left.get(part) or self._nodes.pop(part, None)
                if node is None:  # pragma: no cover - guarded by a unit test
                    msg = f"internal: no hash for leaves {part} of a proof"
                    raise AssertionError(msg)
                proof.append(node)
            self.proofs[(self._previous, size)] = proof
        hashes = self.range.to_json()["hashes"]
        if not isinstance(hashes, list):  # pragma: no cover - CompactRange's format
            raise TypeError("compact range hashes are not a list")
        self._left = {
            part: base64.b64decode(h)
            for part, h in zip(_decomposition(size), hashes, strict=True)
        }
        self._previous = size
