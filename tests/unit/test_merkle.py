"""ledger.merkle against the published RFC 6962 / transparency-dev vectors.

Expected values are quoted from transparency-dev/merkle (see tests/vectors/README);
nothing here is an expected value computed by the code under test.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.merkle import (
    EMPTY_ROOT,
    CompactRange,
    ProofError,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root_from_leaf_hashes,
    verify_consistency,
    verify_inclusion,
)

VECTORS = Path(__file__).parent.parent / "vectors" / "transparency-dev-merkle"


def h(text: str) -> bytes:
    return bytes.fromhex(text)


# testonly/constants.go: LeafInputs().
LEAF_INPUTS = [
    h(""),
    h("00"),
    h("10"),
    h("2021"),
    h("3031"),
    h("40414243"),
    h("5051525354555657"),
    h("606162636465666768696a6b6c6d6e6f"),
]

# testonly/constants.go: NodeHashes(), by level then position.
NODE_HASHES = [
    [
        h("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
        h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
        h("0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7"),
        h("07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7"),
        h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
        h("4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658"),
        h("b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f"),
        h("46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1"),
    ],
    [
        h("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"),
        h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
        h("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
        h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
    ],
    [
        h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
        h("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
    ],
    [
        h("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"),
    ],
]

# testonly/constants.go: RootHashes(), indexed by tree size 0..8.
ROOT_HASHES = [
    h("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    h("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
    h("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"),
    h("aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77"),
    h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
    h("4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4"),
    h("76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef"),
    h("ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c"),
    h("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"),
]

# testonly/constants.go: CompactTrees(), as (level, position) into NODE_HASHES.
COMPACT_TREES = [
    [],
    [(0, 0)],
    [(1, 0)],
    [(1, 0), (0, 2)],
    [(2, 0)],
    [(2, 0), (0, 4)],
    [(2, 0), (1, 2)],
    [(2, 0), (1, 2), (0, 6)],
    [(3, 0)],
]

# proof/verify_test.go: inclusionProofs, with the 1-based leaf number made 0-based.
INCLUSION_PROOFS = [
    (0, 1, []),
    (
        0,
        8,
        [
            h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
            h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            h("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
        ],
    ),
    (
        5,
        8,
        [
            h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
            h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
            h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
        ],
    ),
    (
        2,
        3,
        [h("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125")],
    ),
    (
        1,
        5,
        [
            h("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
            h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
        ],
    ),
]

# proof/verify_test.go: consistencyProofs.
CONSISTENCY_PROOFS = [
    (1, 1, []),
    (
        1,
        8,
        [
            h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
            h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            h("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
        ],
    ),
    (
        6,
        8,
        [
            h("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
            h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
            h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
        ],
    ),
    (
        2,
        5,
        [
            h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
        ],
    ),
    (
        6,
        7,
        [
            h("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
            h("b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f"),
            h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
        ],
    ),
]

# proof/verify_test.go: sha256SomeHash.
SOME_HASH = h("abacaba000000000000000000000000000000000000000000060061e00123456")

LEAVES = [leaf_hash(x) for x in LEAF_INPUTS]
MANY_LEAVES = [leaf_hash(i.to_bytes(2, "big")) for i in range(64)]


def flip(proof: list[bytes], i: int, mask: int) -> list[bytes]:
    changed = list(proof)
    changed[i] = bytes([changed[i][0] ^ mask]) + changed[i][1:]
    return changed


def rfc_mth(hashes: list[bytes]) -> bytes:
    """The RFC 9162 §2.1.1 definition, literally, as an oracle for random sizes."""
    n = len(hashes)
    if n == 0:
        return EMPTY_ROOT
    if n == 1:
        return hashes[0]
    k = 1
    while k * 2 < n:
        k *= 2
    return node_hash(rfc_mth(hashes[:k]), rfc_mth(hashes[k:]))


# Reference tree hashes.


def test_empty_root_is_sha256_of_nothing() -> None:
    assert ROOT_HASHES[0] == EMPTY_ROOT


def test_leaf_hashes_match_reference() -> None:
    assert NODE_HASHES[0] == LEAVES


@pytest.mark.parametrize("level", [1, 2, 3])
def test_node_hashes_match_reference(level: int) -> None:
    below = NODE_HASHES[level - 1]
    pairs = zip(below[0::2], below[1::2], strict=True)
    assert [node_hash(a, b) for a, b in pairs] == NODE_HASHES[level]


@pytest.mark.parametrize("size", range(9))
def test_root_matches_rfc6962_reference(size: int) -> None:
    assert root_from_leaf_hashes(LEAVES[:size]) == ROOT_HASHES[size]


@pytest.mark.parametrize("size", range(9))
def test_compact_range_matches_reference(size: int) -> None:
    cr = CompactRange()
    for leaf in LEAVES[:size]:
        cr.append(leaf)
    expected = [NODE_HASHES[lvl][pos] for lvl, pos in COMPACT_TREES[size]]
    assert cr.size == size
    assert cr.to_json()["hashes"] == [base64.b64encode(x).decode() for x in expected]
    assert cr.root() == ROOT_HASHES[size]


def test_root_refuses_a_short_leaf_hash() -> None:
    with pytest.raises(ProofError):
        root_from_leaf_hashes([*LEAVES[:3], b"short"])


# Published inclusion and consistency proofs.


@pytest.mark.parametrize(("index", "size", "proof"), INCLUSION_PROOFS)
def test_inclusion_proof_matches_reference(
    index: int, size: int, proof: list[bytes]
) -> None:
    assert inclusion_proof(LEAVES, index, size) == proof
    verify_inclusion(LEAVES[index], index, size, proof, ROOT_HASHES[size])


@pytest.mark.parametrize(("index", "size", "proof"), INCLUSION_PROOFS[1:])
def test_corrupted_inclusion_proofs_are_rejected(
    index: int, size: int, proof: list[bytes]
) -> None:
    """The probes of corruptInclusionProof in proof/verify_test.go."""
    root, leaf = ROOT_HASHES[size], LEAVES[index]
    probes = [
        (leaf, index - 1, size, proof, root),
        (leaf, index + 1, size, proof, root),
        (leaf, index ^ 2, size, proof, root),
        (leaf, index, size * 2, proof, root),
        (leaf, index, size // 2, proof, root),
        (b"WrongLeaf", index, size, proof, root),
        (leaf, index, size, proof, EMPTY_ROOT),
        (leaf, index, size, proof, SOME_HASH),
        (leaf, index, size, [*proof, b""], root),
        (leaf, index, size, [*proof, root], root),
        (leaf, index, size, [b"", *proof], root),
        (leaf, index, size, [root, *proof], root),
        (leaf, index, size, proof[:-1], root),
    ]
    probes += [(leaf, index, size, flip(proof, i, 8), root) for i in range(len(proof))]
    if len(proof) > 1:
        probes.append((leaf, index, size, [proof[0], SOME_HASH, *proof[1:]], root))
    for args in probes:
        with pytest.raises(ProofError):
            verify_inclusion(*args)


@pytest.mark.parametrize(("m", "n", "proof"), CONSISTENCY_PROOFS)
def test_consistency_proof_matches_reference(
    m: int, n: int, proof: list[bytes]
) -> None:
    assert consistency_proof(LEAVES, m, n) == proof
    verify_consistency(m, n, ROOT_HASHES[m], ROOT_HASHES[n], proof)


def _load(kind: str) -> list[tuple[str, dict[str, object]]]:
    files = sorted((VECTORS / "testdata" / kind).glob("*/*.json"))
    return [(f"{p.parent.name}/{p.stem}", json.loads(p.read_text())) for p in files]


def _b64(value: object) -> bytes:
    assert isinstance(value, str)
    return base64.b64decode(value)


def _proof(value: object) -> list[bytes]:
    assert value is None or isinstance(value, list)
    return [_b64(x) for x in value or []]


CONSISTENCY_FILES = _load("consistency")
INCLUSION_FILES = _load("inclusion")


def test_vector_files_are_present() -> None:
    assert len(CONSISTENCY_FILES) == 45
    assert len(INCLUSION_FILES) == 5


@pytest.mark.parametrize(
    "case", [c for _, c in CONSISTENCY_FILES], ids=[i for i, _ in CONSISTENCY_FILES]
)
def test_transparency_dev_consistency_vector(case: dict[str, object]) -> None:
    args = (
        case["size1"],
        case["size2"],
        _b64(case["root1"]),
        _b64(case["root2"]),
        _proof(case["proof"]),
    )
    if case["wantErr"]:
        with pytest.raises(ProofError):
            verify_consistency(*args)  # type: ignore[arg-type]
    else:
        verify_consistency(*args)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "case", [c for _, c in INCLUSION_FILES], ids=[i for i, _ in INCLUSION_FILES]
)
def test_transparency_dev_inclusion_vector(case: dict[str, object]) -> None:
    assert case["wantErr"] is False
    verify_inclusion(
        _b64(case["leafHash"]),
        case["leafIdx"],  # type: ignore[arg-type]
        case["treeSize"],  # type: ignore[arg-type]
        _proof(case["proof"]),
        _b64(case["root"]),
    )


# Requests that have no valid proof.


def test_consistency_from_empty_tree_is_refused() -> None:
    with pytest.raises(ProofError):
        verify_consistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [])
    with pytest.raises(ProofError):
        verify_consistency(0, 1, EMPTY_ROOT, ROOT_HASHES[1], [])
    with pytest.raises(ProofError):
        consistency_proof(LEAVES, 0, 3)


def test_same_size_needs_an_empty_proof_and_equal_roots() -> None:
    verify_consistency(5, 5, ROOT_HASHES[5], ROOT_HASHES[5], [])
    with pytest.raises(ProofError):
        verify_consistency(5, 5, ROOT_HASHES[5], ROOT_HASHES[5], [EMPTY_ROOT])
    with pytest.raises(ProofError):
        verify_consistency(5, 5, ROOT_HASHES[5], ROOT_HASHES[6], [])
    assert consistency_proof(LEAVES, 5, 5) == []


def test_shrinking_tree_is_refused() -> None:
    with pytest.raises(ProofError):
        verify_consistency(2, 1, ROOT_HASHES[2], ROOT_HASHES[1], [])


@pytest.mark.parametrize(("index", "size"), [(0, 0), (1, 0), (2, 1), (-1, 4)])
def test_inclusion_outside_the_tree_is_refused(index: int, size: int) -> None:
    with pytest.raises(ProofError):
        verify_inclusion(SOME_HASH, index, size, [], EMPTY_ROOT)
    with pytest.raises(ProofError):
        inclusion_proof(LEAVES, index, size)


def test_single_leaf_tree_rejects_wrong_sizes_of_hash() -> None:
    leaf = leaf_hash(b"data")
    verify_inclusion(leaf, 0, 1, [], leaf)
    with pytest.raises(ProofError):
        verify_inclusion(leaf, 0, 1, [], b"")
    with pytest.raises(ProofError):
        verify_inclusion(b"", 0, 1, [], leaf)


def test_proof_for_more_leaves_than_given_is_refused() -> None:
    with pytest.raises(ProofError):
        inclusion_proof(LEAVES, 0, 9)
    with pytest.raises(ProofError):
        consistency_proof(LEAVES, 1, 9)


# Every small tree, exhaustively (ledger.md §11 item 1).

SIZES = range(1, 65)
PAIRS = [(m, n) for n in SIZES for m in range(1, n + 1)]
ROOTS = [root_from_leaf_hashes(MANY_LEAVES[:n]) for n in range(65)]


def test_every_inclusion_proof_up_to_64_verifies_and_resists_tampering() -> None:
    for n in SIZES:
        for i in range(n):
            proof = inclusion_proof(MANY_LEAVES, i, n)
            verify_inclusion(MANY_LEAVES[i], i, n, proof, ROOTS[n])
            bad = [flip(proof, k, 1 << (k % 8)) for k in range(len(proof))]
            bad += [[*proof, ROOTS[n]], proof[:-1]] if proof else [[ROOTS[n]]]
            for wrong in bad:
                with pytest.raises(ProofError):
                    verify_inclusion(MANY_LEAVES[i], i, n, wrong, ROOTS[n])
            with pytest.raises(ProofError):
                verify_inclusion(MANY_LEAVES[i], i, n, proof, SOME_HASH)
            with pytest.raises(ProofError):
                verify_inclusion(MANY_LEAVES[(i + 1) % 64], i, n, proof, ROOTS[n])


def test_every_consistency_proof_up_to_64_verifies_and_resists_tampering() -> None:
    for m, n in PAIRS:
        proof = consistency_proof(MANY_LEAVES, m, n)
        verify_consistency(m, n, ROOTS[m], ROOTS[n], proof)
        bad = [flip(proof, k, 1 << (k % 8)) for k in range(len(proof))]
        bad += [[*proof, ROOTS[n]], proof[:-1]] if proof else [[ROOTS[n]]]
        for wrong in bad:
            with pytest.raises(ProofError):
                verify_consistency(m, n, ROOTS[m], ROOTS[n], wrong)
        # The proof must vouch for both ends, not only for the new root.
        for other in (SOME_HASH, ROOTS[m - 1], ROOTS[n]):
            if other != ROOTS[m]:
                with pytest.raises(ProofError):
                    verify_consistency(m, n, other, ROOTS[n], proof)
        if m < n:
            with pytest.raises(ProofError):
                verify_consistency(m, n, ROOTS[m], SOME_HASH, proof)


@settings(deadline=None)
@given(
    pair=st.sampled_from(PAIRS).filter(lambda p: p[0] < p[1]),
    data=st.data(),
)
def test_any_flipped_bit_breaks_a_consistency_proof(
    pair: tuple[int, int], data: st.DataObject
) -> None:
    m, n = pair
    proof = consistency_proof(MANY_LEAVES, m, n)
    k = data.draw(st.integers(0, len(proof) - 1), label="hash")
    byte = data.draw(st.integers(0, 31), label="byte")
    bit = data.draw(st.integers(0, 7), label="bit")
    wrong = list(proof)
    wrong[k] = (
        wrong[k][:byte] + bytes([wrong[k][byte] ^ (1 << bit)]) + wrong[k][byte + 1 :]
    )
    with pytest.raises(ProofError):
        verify_consistency(m, n, ROOTS[m], ROOTS[n], wrong)


@settings(deadline=None)
@given(
    pair=st.sampled_from([(i, n) for n in range(2, 65) for i in range(n)]),
    data=st.data(),
)
def test_any_flipped_bit_breaks_an_inclusion_proof(
    pair: tuple[int, int], data: st.DataObject
) -> None:
    i, n = pair
    proof = inclusion_proof(MANY_LEAVES, i, n)
    k = data.draw(st.integers(0, len(proof) - 1), label="hash")
    byte = data.draw(st.integers(0, 31), label="byte")
    bit = data.draw(st.integers(0, 7), label="bit")
    wrong = list(proof)
    wrong[k] = (
        wrong[k][:byte] + bytes([wrong[k][byte] ^ (1 << bit)]) + wrong[k][byte + 1 :]
    )
    with pytest.raises(ProofError):
        verify_inclusion(MANY_LEAVES[i], i, n, wrong, ROOTS[n])


@settings(deadline=None)
@given(pair=st.sampled_from(PAIRS), extra=st.integers(1, 3), data=st.data())
def test_consistency_proof_of_wrong_length_is_rejected(
    pair: tuple[int, int], extra: int, data: st.DataObject
) -> None:
    m, n = pair
    proof = consistency_proof(MANY_LEAVES, m, n)
    if data.draw(st.booleans(), label="longer") or len(proof) < extra:
        wrong = proof + [ROOTS[n]] * extra
    else:
        wrong = proof[:-extra]
    with pytest.raises(ProofError):
        verify_consistency(m, n, ROOTS[m], ROOTS[n], wrong)


# Tree hash and compact range on random sizes.


@settings(deadline=None)
@given(st.integers(0, 300))
def test_root_equals_the_rfc_definition(n: int) -> None:
    hashes = [leaf_hash(i.to_bytes(2, "big")) for i in range(n)]
    assert root_from_leaf_hashes(hashes) == rfc_mth(hashes)


@settings(deadline=None)
@given(st.lists(st.binary(max_size=8), max_size=200))
def test_compact_range_root_equals_tree_root_at_every_size(
    entries: list[bytes],
) -> None:
    hashes = [leaf_hash(e) for e in entries]
    cr = CompactRange()
    assert cr.root() == EMPTY_ROOT
    for n, leaf in enumerate(hashes, start=1):
        cr.append(leaf)
        assert cr.size == n
        assert cr.root() == root_from_leaf_hashes(hashes[:n])


@settings(deadline=None)
@given(st.integers(0, 200), st.integers(0, 200))
def test_saved_compact_range_resumes(first: int, more: int) -> None:
    hashes = [leaf_hash(i.to_bytes(2, "big")) for i in range(first + more)]
    cr = CompactRange()
    for leaf in hashes[:first]:
        cr.append(leaf)
    state = json.loads(json.dumps(cr.to_json()))
    resumed = CompactRange.from_json(state)
    for leaf in hashes[first:]:
        resumed.append(leaf)
    assert resumed.size == first + more
    assert resumed.root() == root_from_leaf_hashes(hashes)


@pytest.mark.parametrize(
    "state",
    [
        {},
        {"size": -1, "hashes": []},
        {"size": True, "hashes": [base64.b64encode(ROOT_HASHES[1]).decode()]},
        {"size": "1", "hashes": [base64.b64encode(ROOT_HASHES[1]).decode()]},
        {"size": 3, "hashes": [base64.b64encode(ROOT_HASHES[2]).decode()]},
        {"size": 1, "hashes": [base64.b64encode(b"short").decode()]},
        {"size": 1, "hashes": ["not base64!"]},
        {"size": 1, "hashes": [1]},
        {"size": 1, "hashes": "x"},
    ],
)
def test_malformed_saved_compact_range_is_refused(state: dict[str, object]) -> None:
    with pytest.raises(ProofError):
        CompactRange.from_json(state)


def test_compact_range_refuses_a_short_leaf() -> None:
    with pytest.raises(ProofError):
        CompactRange().append(b"short")
