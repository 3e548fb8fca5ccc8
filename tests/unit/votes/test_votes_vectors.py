"""The published vectors are reproduced byte for byte and read back independently."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from votes.vectors import generate
from votes.verifier import canonjson, verify_record
from votes.verifier import group as vgroup

VECTORS = Path(generate.__file__).parent


def load(name: str) -> Any:
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


def test_regenerated_vectors_equal_the_published_files() -> None:
    built = generate.build_all()
    on_disk = {p.name for p in VECTORS.glob("*.json")}
    assert on_disk == set(built)
    for name, data in built.items():
        assert (VECTORS / name).read_bytes() == data, f"{name} is stale"


def test_verifier_group_rejects_every_invalid_point() -> None:
    for case in load("group.json")["invalid_points"]:
        with pytest.raises(vgroup.Malformed):
            vgroup.point(bytes.fromhex(case["hex"]))


def test_verifier_group_reproduces_generator_multiples() -> None:
    for case in load("group.json")["multiples"]:
        assert vgroup.times_base(int(case["k"])).hex() == case["point"]


def test_verifier_rejects_identity_only_where_required() -> None:
    identity = bytes.fromhex(load("group.json")["identity"]["hex"])
    with pytest.raises(vgroup.Malformed):
        vgroup.point(identity)
    assert vgroup.point(identity, may_be_neutral=True) == identity


def test_verifier_scalar_decoding_matches_vectors() -> None:
    for case in load("group.json")["scalars"]:
        raw = bytes.fromhex(case["hex"])
        if case["valid"]:
            assert vgroup.scalar(raw) == int.from_bytes(raw, "little")
        else:
            with pytest.raises(vgroup.Malformed):
                vgroup.scalar(raw)


def test_verifier_hash_to_scalar_matches_libsodium_reduce() -> None:
    for case in load("hash_to_scalar.json")["cases"]:
        items = [bytes.fromhex(item) for item in case["items"]]
        expected = int.from_bytes(bytes.fromhex(case["scalar"]), "little")
        assert vgroup.challenge(case["dst"], *items) == expected


def test_verifier_canonical_json_matches_vectors() -> None:
    vectors = load("canonical_json.json")
    for case in vectors["valid"]:
        assert canonjson.encode(case["value"]).decode() == case["canonical"]
        assert canonjson.decode(case["canonical"].encode()) == case["value"]
    for case in vectors["reject"]:
        with pytest.raises(canonjson.NotCanonical):
            canonjson.decode(case["text"].encode())


def test_vector_record_verifies_and_every_mutant_fails_as_labelled() -> None:
    records = load("records.json")
    base = records["record"]
    head = bytes.fromhex(records["closing_head"])
    assert verify_record(base.encode(), head=head).ok
    for mutant in records["mutants"]:
        report = verify_record(generate.apply_patch(base, mutant))
        assert report.first_failure is not None, mutant["name"]
        assert report.first_failure.name == mutant["expect"], mutant["name"]
