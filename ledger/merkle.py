"""RFC 9162 §2.1 Merkle tree: tree hash, compact range, inclusion and consistency.

The global log (ledger.md §6) must be checkable by tooling we do not write, so this
module follows RFC 9162 exactly: leaves are ``SHA-256(0x00 ‖ data)``, interior nodes
``SHA-256(0x01 ‖ left ‖ right)``, the empty tree is ``SHA-256("")``, and a tree of n
leaves splits at the largest power of two below n. Proof verification uses the
inner/border decomposition of transparency-dev/merkle, which knows the exact proof
length in advance; a proof of any other length is refused before any hashing (the
lesson of immudb GHSA-672p-m5jq-mrh8). Every failure raises ``ProofError``.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from hashlib import sha256

HASH_SIZE = 32
EMPTY_ROOT = sha256(b"").digest()


class ProofError(ValueError):
    """A proof, root or tree size does not check out; the caller must not trust it."""


def leaf_hash(data: bytes) -> bytes:
    """Hash one leaf; the 0x00 prefix keeps a leaf from passing for a node."""
    return sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Hash two children; the 0x01 prefix keeps a node from passing for a leaf."""
    return sha256(b"\x01" + left + right).digest()


def _check_hash(value: bytes, what: str) -> None:
    if len(value) != HASH_SIZE:
        raise ProofError(f"{what} is {len(value)} bytes long, not {HASH_SIZE}")


def _check_leaves(hashes: Sequence[bytes]) -> None:
    if any(len(h) != HASH_SIZE for h in hashes):
        raise ProofError(f"every leaf hash must be {HASH_SIZE} bytes long")


def _b64decode(text: str) -> bytes:
    """Decode canonical standard base64 only, so one hash has one spelling."""
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error) as exc:
        raise ProofError("value is not valid base64") from exc
    if base64.b64encode(raw).decode("ascii") != text:
        raise ProofError("value is not canonical base64")
    return raw


def _largest_power_of_two_below(n: int) -> int:
    return 1 << ((n - 1).bit_length() - 1)


def _tree_hash(hashes: Sequence[bytes]) -> bytes:
    """MTH over already-checked leaf hashes, level by level.

    Pairing neighbours and carrying an odd last node up unchanged gives the same
    root as RFC 9162's recursive split, and a flat loop is several times faster in
    CPython, which matters for the million-leaf roots of a checkpoint.
    """
    if not hashes:
        return EMPTY_ROOT
    level = list(hashes)
    new = sha256
    while len(level) > 1:
        paired = [
            new(b"\x01" + level[i] + level[i + 1]).digest()
            for i in range(0, len(level) - 1, 2)
        ]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


def root_from_leaf_hashes(hashes: Sequence[bytes]) -> bytes:
    """Return the Merkle tree hash (MTH) of the given leaf hashes."""
    _check_leaves(hashes)
    return _tree_hash(hashes)


class CompactRange:
    """The roots of the perfect subtrees covering leaves [0, size), largest first.

    The verifier and the integrator stream leaves once and need the root at many
    sizes along the way; this keeps at most ⌈log₂ n⌉ hashes instead of every leaf,
    and can be saved and restored so an incremental verify resumes where it stopped.
    """

    def __init__(self) -> None:
        self._size = 0
        self._hashes: list[bytes] = []

    @property
    def size(self) -> int:
        """Number of leaves appended so far."""
        return self._size

    def append(self, leaf: bytes) -> None:
        """Add the next leaf hash, merging equal-sized subtrees (amortised O(1))."""
        if len(leaf) != HASH_SIZE:
            _check_hash(leaf, "leaf hash")
        hashes = self._hashes
        hashes.append(leaf)
        carry = self._size
        while carry & 1:
            right = hashes.pop()
            hashes[-1] = sha256(b"\x01" + hashes[-1] + right).digest()  # node_hash
            carry >>= 1
        self._size += 1

    def root(self) -> bytes:
        """Return the root of the tree over every leaf appended so far."""
        if not self._hashes:
            return EMPTY_ROOT
        result = self._hashes[-1]
        for left in reversed(self._hashes[:-1]):
            result = node_hash(left, result)
        return result

    def copy(self) -> CompactRange:
        """An independent range at the same size (the hashes are immutable)."""
        result = CompactRange()
        result._size = self._size
        result._hashes = list(self._hashes)
        return result

    def to_json(self) -> dict[str, int | list[str]]:
        """Return a JSON-ready state: the size and the base64 subtree roots."""
        return {
            "size": self._size,
            "hashes": [base64.b64encode(h).decode("ascii") for h in self._hashes],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> CompactRange:
        """Rebuild a range saved by ``to_json``; refuses any inconsistent state."""
        size = data.get("size")
        hashes = data.get("hashes")
        if type(size) is not int or size < 0 or not isinstance(hashes, list):
            raise ProofError("saved compact range is malformed")
        if len(hashes) != size.bit_count():
            raise ProofError("saved compact range has the wrong number of hashes")
        decoded = []
        for item in hashes:
            if not isinstance(item, str):
                raise ProofError("saved compact range is malformed")
            raw = _b64decode(item)
            _check_hash(raw, "saved subtree hash")
            decoded.append(raw)
        result = cls()
        result._size = size
        result._hashes = decoded
        return result


def _check_range(hashes: Sequence[bytes], size: int) -> None:
    if size > len(hashes):
        raise ProofError(f"tree size {size} exceeds the {len(hashes)} leaves given")


def inclusion_proof(leaf_hashes: Sequence[bytes], index: int, size: int) -> list[bytes]:
    """Return PATH(index, D[size]) over the first ``size`` leaf hashes (RFC 9162)."""
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is outside a tree of size {size}")
    _check_range(leaf_hashes, size)
    _check_leaves(leaf_hashes[:size])
    path: list[bytes] = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = _largest_power_of_two_below(hi - lo)
        if index < lo + k:
            path.append(_tree_hash(leaf_hashes[lo + k : hi]))
            hi = lo + k
        else:
            path.append(_tree_hash(leaf_hashes[lo : lo + k]))
            lo += k
    path.reverse()
    return path


def consistency_proof(leaf_hashes: Sequence[bytes], m: int, n: int) -> list[bytes]:
    """Return SUBPROOF(m, D[n], true) over the first ``n`` leaf hashes (RFC 9162)."""
    if not 0 < m <= n:
        raise ProofError(f"no consistency proof from size {m} to size {n}")
    _check_range(leaf_hashes, n)
    _check_leaves(leaf_hashes[:n])
    proof: list[bytes] = []
    lo, hi, complete = 0, n, True
    while m != hi - lo:
        k = _largest_power_of_two_below(hi - lo)
        if m <= k:
            proof.append(_tree_hash(leaf_hashes[lo + k : hi]))
            hi = lo + k
        else:
            proof.append(_tree_hash(leaf_hashes[lo : lo + k]))
            lo, m, complete = lo + k, m - k, False
    if not complete:
        proof.append(_tree_hash(leaf_hashes[lo:hi]))
    proof.reverse()
    return proof


def _decompose(index: int, size: int) -> tuple[int, int]:
    """Split a path into the part below and the part on the tree's right border.

    ``inner`` hashes sit where the paths to ``index`` and ``size - 1`` differ;
    ``border`` hashes are the left siblings on the right border above them.
    """
    inner = (index ^ (size - 1)).bit_length()
    border = (index >> inner).bit_count()
    return inner, border


def _chain_inner(seed: bytes, proof: Sequence[bytes], index: int) -> bytes:
    for i, h in enumerate(proof):
        seed = node_hash(seed, h) if (index >> i) & 1 == 0 else node_hash(h, seed)
    return seed


def _chain_inner_right(seed: bytes, proof: Sequence[bytes], index: int) -> bytes:
    """Like ``_chain_inner`` but only through left siblings: the older tree's hash."""
    for i, h in enumerate(proof):
        if (index >> i) & 1:
            seed = node_hash(h, seed)
    return seed


def _chain_border_right(seed: bytes, proof: Sequence[bytes]) -> bytes:
    for h in proof:
        seed = node_hash(h, seed)
    return seed


def _check_proof(proof: Sequence[bytes], expected: int) -> None:
    if len(proof) != expected:
        raise ProofError(f"proof has {len(proof)} hashes; this tree needs {expected}")
    for h in proof:
        _check_hash(h, "proof hash")


def verify_inclusion(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> None:
    """Check that ``leaf_hash`` is leaf ``index`` of the tree (``size``, ``root``)."""
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is outside a tree of size {size}")
    _check_hash(leaf_hash, "leaf hash")
    _check_hash(root, "root")
    inner, border = _decompose(index, size)
    _check_proof(proof, inner + border)
    computed = _chain_inner(leaf_hash, proof[:inner], index)
    computed = _chain_border_right(computed, proof[inner:])
    if computed != root:
        raise ProofError("inclusion proof does not lead to the expected root")


def verify_consistency(
    size1: int, size2: int, root1: bytes, root2: bytes, proof: Sequence[bytes]
) -> None:
    """Check that the tree (size2, root2) extends the tree (size1, root1).

    Both roots are recomputed from the same proof hashes, so a proof cannot
    vouch for the new root without also reproducing the old one.
    """
    _check_hash(root1, "first root")
    _check_hash(root2, "second root")
    if size1 <= 0:
        raise ProofError("a consistency proof must start from a non-empty tree")
    if size2 < size1:
        raise ProofError(f"tree size went down from {size1} to {size2}")
    if size1 == size2:
        _check_proof(proof, 0)
        if root1 != root2:
            raise ProofError(f"two different roots for the same tree size {size1}")
        return
    inner, border = _decompose(size1 - 1, size2)
    shift = (size1 & -size1).bit_length() - 1
    inner -= shift
    # When size1 is itself a power of two, its root is the starting subtree and the
    # proof omits it; otherwise the proof starts with that subtree's hash.
    if size1 == 1 << shift:
        _check_proof(proof, inner + border)
        seed, rest = root1, proof
    else:
        _check_proof(proof, 1 + inner + border)
        seed, rest = proof[0], proof[1:]
    mask = (size1 - 1) >> shift
    old = _chain_inner_right(seed, rest[:inner], mask)
    old = _chain_border_right(old, rest[inner:])
    if old != root1:
        raise ProofError("consistency proof does not reproduce the first root")
    new = _chain_inner(seed, rest[:inner], mask)
    new = _chain_border_right(new, rest[inner:])
    if new != root2:
        raise ProofError("consistency proof does not lead to the second root")
