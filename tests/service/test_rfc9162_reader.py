"""The second reading of RFC 9162 used to check our proof bundles agrees with the
published transparency-dev/merkle inclusion vectors (tests/vectors/README)."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from rfc9162 import verify_inclusion_hash

VECTORS = (
    Path(__file__).parents[1] / "vectors/transparency-dev-merkle/testdata/inclusion"
)
CASES = sorted(VECTORS.glob("*/*.json"))


def _b64(value):
    return base64.b64decode(value) if value else b""


@pytest.mark.parametrize(
    "path", CASES, ids=[f"{p.parent.name}/{p.stem}" for p in CASES]
)
def test_independent_verifier_agrees_with_the_vectors(path):
    case = json.loads(path.read_text())
    ok = verify_inclusion_hash(
        _b64(case["leafHash"]),
        case["leafIdx"],
        case["treeSize"],
        [_b64(h) for h in case["proof"] or []],
        _b64(case["root"]),
    )
    assert ok is (not case["wantErr"])


def test_vectors_are_present():
    assert len(CASES) >= 5
