"""Mode B (votes.md §6.2) in the in-memory protocol: random remote elections tally to
the plaintext counts and verify; a ballot the server should have refused — signed
with another member's key, on a key not in the eligible list, a second ballot on
one key — or an eligible list that does not match the registry entries in the
record, is caught by the standalone verifier (V7, V9)."""

from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from votes_testkit import small_setup

from votes.ballot import ballot_hash, encrypt_ballot
from votes.canon import canonical
from votes.credentials import public_bytes
from votes.protocol import Election, Topic, run_election
from votes.record import date_ts
from votes.vectors.testrng import TestRandomness
from votes.verifier import verify_record

FAST = settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
SIG_PREFIX = b"kiemdiem/vote/v1/ballot-sig\n"


@st.composite
def remote_votes(draw: st.DrawFn) -> tuple[int, list[list[int | None]]]:
    leader_count = draw(st.integers(1, 3))
    choice = st.one_of(st.none(), st.integers(0, 2))
    votes = draw(
        st.lists(
            st.lists(choice, min_size=leader_count, max_size=leader_count),
            min_size=2,
            max_size=5,
        )
    )
    return leader_count, votes


def _open(leader_count: int, voters: int, seed: bytes) -> Election:
    setup = small_setup(
        leader_count, mode="B", convened=voters, present=voters, slip_count=None
    )
    election = Election(setup, TestRandomness(seed))
    election.run_ceremony()
    election.publish_eligible(voters)
    election.record_attendance()
    election.open_voting()
    return election


def _finish(election: Election) -> bytes:
    election.close_voting()
    for j in range(1, election.setup.trustees + 1):
        election.decrypt(j)
    election.publish_tally()
    return election.export()


def _forge(election: Election, key: Ed25519PrivateKey, credential: bytes) -> None:
    """A dishonest server: a ballot on `credential` signed with `key`, appended
    by the ballot box without any §7.2 check."""
    leaders = election.leader_count
    opening = encrypt_ballot(
        election.fingerprint,
        election._require_key(),
        credential,
        [0] * leaders,
        election.rng,
    )
    ballot = opening.ballot
    sig = key.sign(SIG_PREFIX + canonical(ballot))
    body = {
        "ballot": ballot,
        "ballot_hash": ballot_hash(ballot).hex(),
        "sig": sig.hex(),
    }
    assert election.opened_on is not None
    election._emit(
        Topic.BALLOT_CAST, election.service, body, date_ts(election.opened_on)
    )


@FAST
@given(remote_votes(), st.binary(min_size=4, max_size=4))
def test_remote_elections_tally_the_plaintext_counts_and_verify(
    case: tuple[int, list[list[int | None]]], seed: bytes
) -> None:
    leader_count, votes = case
    election = _open(leader_count, len(votes), seed)
    for (_, member), choices in zip(election.members, votes, strict=True):
        election.vote_as_member(member, choices)
    record = _finish(election)
    assert election.results is not None
    for leader, result in enumerate(election.results):
        marks = [ballot[leader] for ballot in votes]
        assert (result.high, result.normal, result.low, result.invalid) == (
            marks.count(0),
            marks.count(1),
            marks.count(2),
            marks.count(None),
        )
        assert result.issued == len(votes)
    report = verify_record(record)
    assert report.ok, report.first_failure and report.first_failure.to_json()
    # Who took part is in the record (the account keys), never how.
    trailer = json.loads(record.splitlines()[-1])
    assert {m["member_id"] for m in trailer["members"]} == {
        member for member, _ in election.members
    }


@FAST
@given(
    st.sampled_from(["another_members_key", "not_listed", "duplicate"]),
    st.integers(2, 4),
    st.binary(min_size=4, max_size=4),
)
def test_a_ballot_the_server_should_have_refused_fails_v9(
    forgery: str, voters: int, seed: bytes
) -> None:
    election = _open(1, voters, seed)
    (_, first), (_, second) = election.members[:2]
    election.vote_as_member(first, [1])
    if forgery == "another_members_key":
        _forge(election, first.key, second.public)
        expected = "signature_invalid"
    elif forgery == "not_listed":
        stranger = Ed25519PrivateKey.from_private_bytes(election.rng.random_bytes(32))
        _forge(election, stranger, public_bytes(stranger))
        expected = "credential_unknown"
    else:
        _forge(election, first.key, first.public)
        expected = "credential_reused"
    for _, member in election.members[1:]:
        election.vote_as_member(member, [2])
    record = _finish(election)
    failure = verify_record(record).first_failure
    assert failure is not None
    assert (failure.check, failure.kind) == ("V9", expected)


@pytest.mark.parametrize(
    ("change", "kind"),
    [
        ("swap_keys", "registry_mismatch"),
        ("drop_member", "members"),
        ("other_key_id", "registry_mismatch"),
        ("system_actor", "registry_mismatch"),
    ],
)
def test_the_eligible_list_must_match_the_registry_entries(change: str, kind: str):
    election = _open(1, 3, b"mb01")
    for _, member in election.members:
        election.vote_as_member(member, [2])
    record = _finish(election)
    lines = record.splitlines()
    trailer = json.loads(lines[-1])
    members = trailer["members"]
    if change == "swap_keys":
        members[0]["public_key"], members[1]["public_key"] = (
            members[1]["public_key"],
            members[0]["public_key"],
        )
    elif change == "drop_member":
        members.pop()
    elif change == "other_key_id":
        members[0]["key_id"] = "00" * 16
    else:
        members[0]["actor"] = "sys:ballot-box"
    mutant = b"\n".join([*lines[:-1], canonical(trailer)]) + b"\n"
    failure = verify_record(mutant).first_failure
    assert failure is not None
    assert (failure.check, failure.kind) == ("V7", kind)


def test_mode_b_records_have_no_slips_and_mode_a_no_member_keys():
    # A slip list in a mode B record is out of place (V4).
    setup = small_setup(1, mode="B", convened=2, present=2, slip_count=2)
    election = Election(setup, TestRandomness(b"mb02"))
    election.run_ceremony()
    election.publish_eligible(2)
    election.publish_credentials()
    election.record_attendance()
    election.open_voting()
    for _, member in election.members:
        election.vote_as_member(member, [0])
    failure = verify_record(_finish(election)).first_failure
    assert failure is not None
    assert (failure.check, failure.kind) == ("V4", "wrong_mode")
    # Member keys in the trailer of a mode A record are out of place (V7).
    mode_a = run_election(small_setup(1, convened=2, present=2, slip_count=2),
                          [[0], [1]], TestRandomness(b"mb03"))  # fmt: skip
    lines = mode_a.export().splitlines()
    trailer = json.loads(lines[-1])
    trailer["members"] = json.loads(record_of_b().splitlines()[-1])["members"]
    mutant = b"\n".join([*lines[:-1], canonical(trailer)]) + b"\n"
    failure = verify_record(mutant).first_failure
    assert failure is not None
    assert (failure.check, failure.kind) == ("V7", "members")


def record_of_b() -> bytes:
    election = _open(1, 2, b"mb04")
    for _, member in election.members:
        election.vote_as_member(member, [1])
    return _finish(election)
