"""The standalone verifier: tampering is caught and named; it stays independent."""

from __future__ import annotations

import ast
import base64
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from votes_testkit import small_setup

import votes.verifier
from votes.protocol import Election, ProtocolError, Topic, run_election
from votes.vectors import mutate
from votes.vectors.testrng import TestRandomness
from votes.verifier import verify_record

SETTINGS = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def test_untampered_record_passes_every_check(
    election: Election, record: bytes
) -> None:
    report = verify_record(
        record, head=election.closing.event_hash if election.closing else None
    )
    assert report.ok
    assert [c.status for c in report.checks] == ["OK"] * 15


def _flip(value: str, position: int) -> str:
    raw = bytearray(bytes.fromhex(value))
    raw[position % len(raw)] ^= 0x01
    return raw.hex()


def _ballot_field(
    body: dict[str, Any], draw: st.DataObject
) -> tuple[dict[str, Any] | list[Any], Any]:
    answers = body["ballot"]["answers"]
    leader = draw.draw(st.integers(0, len(answers) - 1))
    kind = draw.draw(st.sampled_from(["a", "b", "proof", "sum_proof"]))
    if kind == "sum_proof":
        return answers[leader]["sum_proof"], draw.draw(st.integers(0, 3))
    choice = answers[leader]["choices"][draw.draw(st.integers(0, 2))]
    if kind == "proof":
        return choice["proof"], draw.draw(st.integers(0, 3))
    return choice, kind


@SETTINGS
@given(st.data())
def test_any_changed_ballot_field_fails_v9(
    election: Election, data: st.DataObject
) -> None:
    """An attacker holding every key, including the voter's credential, re-signs all."""
    index = data.draw(st.integers(0, len(election.accepted) - 1))
    position = data.draw(st.integers(0, 31))

    def edit(contents: mutate.Contents) -> None:
        body = mutate.of_topic(contents, Topic.BALLOT_CAST)[index]
        container, key = _ballot_field(body, data)
        container[key] = _flip(container[key], position)
        mutate.resign_ballot(election, body)

    report = verify_record(mutate.rewrite(election, edit))
    assert report.first_failure is not None
    assert report.first_failure.check == "V9"
    assert report.first_failure.kind in {
        "point_invalid",
        "scalar_invalid",
        "proof_invalid",
        "sum_proof_invalid",
    }
    assert report.first_failure.topic == Topic.BALLOT_CAST


@SETTINGS
@given(st.data())
def test_any_changed_decryption_share_fails_v12(
    election: Election, data: st.DataObject
) -> None:
    index = data.draw(st.integers(0, len(election.partials) - 1))
    leader = data.draw(st.integers(0, election.leader_count - 1))
    level = data.draw(st.integers(0, 2))
    field = data.draw(st.sampled_from(["d", 0, 1]))
    position = data.draw(st.integers(0, 31))

    def edit(contents: mutate.Contents) -> None:
        share = mutate.of_topic(contents, Topic.PARTIAL_DECRYPTION)[index]["shares"][
            leader
        ][level]
        if field == "d":
            share["d"] = _flip(share["d"], position)
        else:
            share["proof"][field] = _flip(share["proof"][field], position)

    failure = verify_record(mutate.rewrite(election, edit)).first_failure
    assert failure is not None
    assert failure.name.startswith(("V12.share_invalid", "V12.proof_invalid"))
    assert failure.params["leader"] == leader
    assert failure.params["level"] == level


@SETTINGS
@given(st.data())
def test_any_changed_byte_without_resigning_is_caught(
    record: bytes, data: st.DataObject
) -> None:
    lines = record.split(b"\n")[:-2]  # events only; the trailer is checked separately
    line = data.draw(st.integers(0, len(lines) - 1))
    value = json.loads(lines[line])
    target = data.draw(st.sampled_from(["sig", "key_id", "body"]))
    if target == "body":
        value["content"]["prev"] = "00" * 32 if line else "11" * 32
    else:
        value[target] = _flip(value[target], data.draw(st.integers(0, 15)))
    changed = b"\n".join(
        [
            *record.split(b"\n")[:line],
            json.dumps(
                value, sort_keys=True, separators=(",", ":"), ensure_ascii=False
            ).encode(),
            *record.split(b"\n")[line + 1 :],
        ]
    )
    failure = verify_record(changed).first_failure
    assert failure is not None
    assert failure.check in {"V1", "V2", "V3"}


def test_changed_tally_count_and_wrong_head_are_named(
    election: Election, record: bytes
) -> None:
    def edit(contents: mutate.Contents) -> None:
        mutate.of_topic(contents, Topic.TALLY_PUBLISHED)[0]["results"][1]["low"] -= 1

    failure = verify_record(mutate.rewrite(election, edit)).first_failure
    assert failure is not None
    assert failure.name == "V14.low_mismatch leader=1"
    failure = verify_record(record, head=bytes(32)).first_failure
    assert failure is not None
    assert failure.name == "V2.head_mismatch"


def test_unreadable_structure_fails_v1(record: bytes) -> None:
    for broken in (record[:-1], b"", record.replace(b'"v":1', b'"v":1.0', 1), b"{}\n"):
        failure = verify_record(broken).first_failure
        assert failure is not None
        assert failure.check == "V1"


def test_trust_root_must_vouch_for_the_organiser(
    election: Election, record: bytes
) -> None:

    entry = {
        "key_id": election.organiser.key_id.hex(),
        "owner": election.organiser.actor,
        "public_key": base64.b64encode(election.organiser.public).decode(),
    }
    good = {"admin_keys": [entry], "origin": election.writer.log}
    assert verify_record(record, trust_root=good).ok
    bad = {"admin_keys": [entry], "origin": "elsewhere"}
    failure = verify_record(record, trust_root=bad).first_failure
    assert failure is not None
    assert failure.name == "V3.untrusted_organiser"


def test_no_stored_field_of_a_mode_a_ballot_links_it_to_a_member(
    election: Election, record: bytes
) -> None:
    member_keys = {t.signer.public.hex() for t in election.trustees} | {
        election.organiser.public.hex()
    }
    actors = {t.signer.actor for t in election.trustees} | {election.organiser.actor}
    opened_ts = next(
        e.content["ts"]
        for e in election.writer.envelopes
        if e.topic == Topic.VOTING_OPENED
    )
    ballots = [e for e in election.writer.envelopes if e.topic == Topic.BALLOT_CAST]
    assert ballots
    for envelope in ballots:
        assert set(envelope.body) == {"ballot", "ballot_hash", "sig"}
        assert set(envelope.body["ballot"]) == {
            "answers",
            "credential",
            "election",
            "suite",
            "v",
        }
        assert envelope.content["actor"] == election.service.actor
        assert envelope.content["ts"] == opened_ts[:10] + "T00:00:00.000000Z"
        text = json.dumps(envelope.content)
        assert not any(key in text for key in member_keys)
        assert not any(actor in text for actor in actors)
    slips = {slip.code for slip in election.slips} | {
        slip.secret.hex() for slip in election.slips
    }
    assert not any(secret.encode() in record for secret in slips)


def test_ballot_signed_by_a_member_key_fails_privacy_or_signature(
    election: Election,
) -> None:
    def edit(contents: mutate.Contents) -> None:
        ballot = next(c for c in contents if c["topic"] == Topic.BALLOT_CAST)
        ballot["key_id"] = election.trustees[0].signer.key_id.hex()

    failure = verify_record(mutate.rewrite(election, edit)).first_failure
    assert failure is not None
    assert failure.name == "V3.wrong_signer"


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_verifier_imports_only_stdlib_pysodium_cryptography_and_itself() -> None:
    package = Path(votes.verifier.__file__).parent
    allowed_roots = set(sys.stdlib_module_names) | {
        "pysodium",
        "cryptography",
        "__future__",
    }
    offending = {
        (path.name, name)
        for path in package.glob("*.py")
        for name in _imports(path)
        if not name.startswith("votes.verifier")
        and name.split(".")[0] not in allowed_roots
    }
    assert offending == set()


def test_import_check_would_catch_a_casting_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from votes.group import add\n", encoding="utf-8")
    assert "votes.group" in _imports(bad)


def test_abandoned_record_verifies_up_to_the_abandonment() -> None:
    election = Election(small_setup(1, present=3), TestRandomness(b"abandon"))
    election.run_ceremony()
    election.publish_credentials()
    election.record_attendance()
    with pytest.raises(ProtocolError):
        election.open_voting()
    election.abandon("QUORUM_NOT_MET")
    assert verify_record(election.export()).ok


def test_record_that_stops_without_abandonment_is_incomplete(
    election: Election,
) -> None:
    def edit(contents: mutate.Contents) -> None:
        del contents[-1]

    failure = verify_record(mutate.rewrite(election, edit)).first_failure
    assert failure is not None
    assert failure.name == "V4.incomplete"


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_verifier_never_crashes_on_a_corrupted_record(data: st.DataObject) -> None:
    """Any byte change gives a named failure (or, rarely, a harmless no-op), never an
    exception: a verifier that crashes tells the inspection committee nothing."""
    record = _RECORD_FOR_FUZZING
    position = data.draw(st.integers(0, len(record) - 1))
    value = data.draw(st.integers(0, 255))
    changed = record[:position] + bytes([value]) + record[position + 1 :]
    report = verify_record(changed)
    assert report.ok == (changed == record)


_RECORD_FOR_FUZZING = run_election(
    small_setup(1, convened=2, present=2, slip_count=2),
    [[0], [None]],
    TestRandomness(b"fuzz"),
).export()


def test_ballot_proofs_on_two_processes_give_the_same_report(
    election: Election, record: bytes
) -> None:
    """The pool (spawned workers, batches) reports exactly what one process does:
    the same checks and the same first failure, at the same position."""
    from votes.verifier.checks import RecordVerifier

    def proof_broken(contents: mutate.Contents) -> None:
        body = mutate.of_topic(contents, Topic.BALLOT_CAST)[3]
        choice = body["ballot"]["answers"][1]["choices"][2]
        choice["proof"][1] = _flip(choice["proof"][1], 5)
        mutate.resign_ballot(election, body)

    def a_repeated(contents: mutate.Contents) -> None:
        # Ballot 4 copies a choice of ballot 1 and is re-signed: the copied proof is
        # bound to the other credential, so it fails before the repeated A.
        ballots = mutate.of_topic(contents, Topic.BALLOT_CAST)
        ballots[4]["ballot"]["answers"][0]["choices"][0] = dict(
            ballots[1]["ballot"]["answers"][0]["choices"][0]
        )
        mutate.resign_ballot(election, ballots[4])

    def sum_broken(contents: mutate.Contents) -> None:
        body = mutate.of_topic(contents, Topic.BALLOT_CAST)[2]
        body["ballot"]["answers"][1]["sum_proof"][0] = _flip(
            body["ballot"]["answers"][1]["sum_proof"][0], 2
        )
        mutate.resign_ballot(election, body)

    cases = [record] + [
        mutate.rewrite(election, edit)
        for edit in (proof_broken, a_repeated, sum_broken)
    ]
    names = []
    for data in cases:
        one = RecordVerifier(data, jobs=1).run().to_json()
        two = RecordVerifier(data, jobs=2, min_parallel=1).run().to_json()
        assert one == two
        names.append(one["first_failure"] and one["first_failure"]["name"])
    assert names == [
        None,
        "V9.proof_invalid leader=1 level=2",
        "V9.proof_invalid leader=0 level=0",
        "V9.sum_proof_invalid leader=1",
    ]
