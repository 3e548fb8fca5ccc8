"""The verifier's streaming tree: roots and consistency proofs taken during the one
pass must equal what ``ledger.merkle`` computes from the whole leaf list."""

from __future__ import annotations

import hashlib
import itertools

from hypothesis import given
from hypothesis import strategies as st

from ledger import merkle
from ledger.verify.tree import _subproof_ranges, _Tree


def leaves(n: int) -> list[bytes]:
    return [
        merkle.leaf_hash(hashlib.sha256(str(i).encode()).digest()) for i in range(n)
    ]


def test_every_proof_range_is_available_during_the_pass() -> None:
    for n in range(2, 130):
        for m in range(1, n):
            tree = _Tree([m, n])
            for leaf in leaves(n):
                tree.append(leaf)
            all_leaves = leaves(n)
            assert tree.proofs[(m, n)] == merkle.consistency_proof(all_leaves, m, n)
            assert len(_subproof_ranges(m, n)) == len(tree.proofs[(m, n)])


@given(
    st.lists(st.integers(min_value=0, max_value=300), max_size=8),
    st.lists(st.integers(min_value=1, max_value=300), max_size=3),
    st.integers(min_value=0, max_value=300),
)
def test_roots_and_proofs_at_many_sizes(
    targets: list[int], extra: list[int], length: int
) -> None:
    all_leaves = leaves(length)
    tree = _Tree(targets, extra)
    for leaf in all_leaves:
        tree.append(leaf)
    assert tree.size == length
    assert tree.range.root() == merkle.root_from_leaf_hashes(all_leaves)
    for size in set(targets) | set(extra):
        if size <= length:
            assert tree.roots[size] == merkle.root_from_leaf_hashes(all_leaves[:size])
        else:
            assert size not in tree.roots
    reached = sorted({t for t in targets if 0 < t <= length})
    assert set(tree.proofs) == set(itertools.pairwise(reached))
    for (m, n), proof in tree.proofs.items():
        assert proof == merkle.consistency_proof(all_leaves, m, n)
        merkle.verify_consistency(m, n, tree.roots[m], tree.roots[n], proof)
