"""V9's ballot proofs started on the pool before V1–V8 (votes/verifier/ballots.py,
``EarlyProofs``) are used only when V1–V8 established the very values and ballot
lines they were computed from; otherwise V9 checks the ballots as before, so the
report is the same whatever the number of processes."""

from __future__ import annotations

import json
from typing import Any

from votes.protocol import Election, Topic
from votes.vectors import mutate
from votes.verifier.ballots import EarlyProofs, check_all
from votes.verifier.checks import RecordVerifier


def _bodies(record: bytes, positions: list[int]) -> list[dict[str, Any]]:
    lines = record[:-1].split(b"\n")
    return [json.loads(lines[p - 1])["content"]["body"] for p in positions]


def test_the_results_are_handed_over_only_for_the_claimed_inputs(
    record: bytes,
) -> None:
    early = EarlyProofs(record, jobs=2, min_parallel=1)
    try:
        assert early.claim is not None
        fingerprint, key, leaders = early.claim
        positions = early.positions
        assert len(positions) >= 2
        assert early.batches(fingerprint, key, leaders + 1, positions) is None
        assert early.batches(fingerprint, bytes(32), leaders, positions) is None
        assert early.batches(bytes(32), key, leaders, positions) is None
        assert early.batches(fingerprint, key, leaders, positions[1:]) is None
        found = early.batches(fingerprint, key, leaders, positions)
        assert found is not None
        alone = check_all(fingerprint, key, leaders, _bodies(record, positions), jobs=1)
        assert [r for b in found for r in b.results] == [
            r for b in alone for r in b.results
        ]
    finally:
        early.close()
    assert early.pool is None


def test_nothing_starts_on_one_process_or_for_few_ballots(record: bytes) -> None:
    assert EarlyProofs(record, jobs=1, min_parallel=1).pool is None
    assert EarlyProofs(record, jobs=2, min_parallel=10_000).pool is None
    assert EarlyProofs(record[:-1], jobs=2, min_parallel=1).pool is None


def test_a_record_claiming_another_key_reports_as_on_one_process(
    election: Election, record: bytes
) -> None:
    """The early proofs ran under the claimed key; V6 refuses it, and the report
    names the same failure as one process does."""

    def other_key(contents: mutate.Contents) -> None:
        body = mutate.of_topic(contents, Topic.ELECTION_KEY_PUBLISHED)[0]
        body["election_key"] = mutate.flip_hex(body["election_key"], 3)

    def unparsable_ballot_claim(contents: mutate.Contents) -> None:
        body = mutate.of_topic(contents, Topic.BALLOT_CAST)[1]
        body["ballot"]["answers"] = "no answers"

    for edit in (other_key, unparsable_ballot_claim):
        data = mutate.rewrite(election, edit)
        one = RecordVerifier(data, jobs=1).run().to_json()
        two = RecordVerifier(data, jobs=2, min_parallel=1).run().to_json()
        assert one == two
        assert one["first_failure"] is not None
