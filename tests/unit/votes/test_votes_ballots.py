"""Server-side ballot checks (§7.2): malformed, replayed and over-voting ballots."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from votes_testkit import small_setup

from votes.ballot import (
    BallotRejected,
    encrypt_ballot,
    make_submission,
    sign_ballot,
    sum_context,
)
from votes.canon import canonical
from votes.credentials import Slip
from votes.elgamal import encrypt, sum_ciphertexts
from votes.group import GroupError, base_mul, scalar_add
from votes.proofs import (
    DisjunctiveProof,
    ProofError,
    prove_zero_or_one,
    verify_zero_or_one,
)
from votes.protocol import Election
from votes.transcript import TAG_BIT, TAG_SUM
from votes.vectors.testrng import TestRandomness

SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def open_election(seed: bytes) -> Election:
    election = Election(small_setup(2), TestRandomness(seed))
    election.run_ceremony()
    election.publish_credentials()
    election.record_attendance()
    election.void_unissued(6)
    election.open_voting()
    return election


@pytest.fixture(scope="module")
def polling() -> tuple[Election, bytes, Slip]:
    """An open election and one valid, not yet submitted ballot."""
    election = open_election(b"polling")
    slip = election.issued_slips[0]
    key = election.election_key
    assert key is not None
    opening = encrypt_ballot(election.fingerprint, key, slip.credential_pub, [1, None])
    return election, make_submission(slip.private_key, opening), slip


def test_valid_ballot_is_accepted_and_a_replay_is_refused() -> None:
    election = open_election(b"replay")
    slip = election.issued_slips[0]
    key = election.election_key
    assert key is not None
    opening = encrypt_ballot(election.fingerprint, key, slip.credential_pub, [0, 2])
    data = make_submission(slip.private_key, opening)
    election.submit(data)
    before = len(election.writer.envelopes)
    with pytest.raises(BallotRejected) as caught:
        election.submit(data)
    assert caught.value.code == "double_vote"
    assert len(election.writer.envelopes) == before


# Paths of every byte-string field a ballot submission carries.
def _fields(leaders: int) -> list[tuple[object, ...]]:
    paths: list[tuple[object, ...]] = [
        ("sig",),
        ("ballot", "credential"),
        ("ballot", "election"),
    ]
    for leader in range(leaders):
        for level in range(3):
            base = ("ballot", "answers", leader, "choices", level)
            paths += [(*base, "a"), (*base, "b")]
            paths += [(*base, "proof", k) for k in range(4)]
        paths += [("ballot", "answers", leader, "sum_proof", k) for k in range(4)]
    return paths


@SETTINGS
@given(st.data())
def test_changing_any_byte_of_a_ballot_is_rejected(
    polling: tuple[Election, bytes, Slip], data: st.DataObject
) -> None:
    election, submission, slip = polling
    path = data.draw(st.sampled_from(_fields(2)))
    resign = data.draw(st.booleans())
    obj = json.loads(submission)
    target = obj
    for key in path[:-1]:
        target = target[key]
    raw = bytearray(bytes.fromhex(target[path[-1]]))
    position = data.draw(st.integers(0, len(raw) - 1))
    raw[position] ^= data.draw(st.integers(1, 255))
    target[path[-1]] = raw.hex()
    if resign and path[0] == "ballot" and path[1] != "credential":
        obj["sig"] = sign_ballot(slip.private_key, obj["ballot"]).hex()
    with pytest.raises(BallotRejected):
        election.submit(canonical(obj))
    assert election.accepted == []


def test_ballot_from_another_election_is_rejected(
    polling: tuple[Election, bytes, Slip],
) -> None:
    election, submission, _ = polling
    other = open_election(b"other")
    with pytest.raises(BallotRejected) as caught:
        other.submit(submission)
    assert caught.value.code in {"election", "credential"}
    body = json.loads(submission)
    slip = other.issued_slips[0]
    body["ballot"]["credential"] = slip.credential_pub.hex()
    body["ballot"]["election"] = other.fingerprint.hex()
    body["sig"] = sign_ballot(slip.private_key, body["ballot"]).hex()
    with pytest.raises(BallotRejected) as caught:
        other.submit(canonical(body))
    assert caught.value.code == "proof"
    del election


def test_ciphertext_copied_under_a_fresh_credential_is_rejected() -> None:
    election = open_election(b"copy")
    first, second = election.issued_slips[:2]
    key = election.election_key
    assert key is not None
    rng = TestRandomness(b"copy-ballot")
    opening = encrypt_ballot(
        election.fingerprint, key, first.credential_pub, [2, 2], rng
    )
    election.submit(make_submission(first.private_key, opening))
    # The voter who knows r re-proves the same ciphertexts under a second credential.
    copy = encrypt_ballot(
        election.fingerprint,
        key,
        second.credential_pub,
        [2, 2],
        TestRandomness(b"copy-ballot"),
    )
    # Same randomness, same ciphertexts, new credential: only the proofs differ.
    assert (
        copy.ballot["answers"][0]["choices"][0]["a"]
        == opening.ballot["answers"][0]["choices"][0]["a"]
    )
    with pytest.raises(BallotRejected) as caught:
        election.submit(make_submission(second.private_key, copy))
    assert caught.value.code == "replay"


def test_unlisted_and_voided_credentials_are_rejected() -> None:
    election = open_election(b"voided")
    key = election.election_key
    assert key is not None
    stranger = Slip(election.election_id, bytes(18))
    voided = election.slips[-1]
    assert voided.credential_pub in election.voided
    for slip in (stranger, voided):
        opening = encrypt_ballot(election.fingerprint, key, slip.credential_pub, [0, 0])
        with pytest.raises(BallotRejected) as caught:
            election.submit(make_submission(slip.private_key, opening))
        assert caught.value.code == "credential"


def test_non_canonical_or_oversized_submission_is_rejected(
    polling: tuple[Election, bytes, Slip],
) -> None:
    election, submission, _ = polling
    spaced = json.dumps(json.loads(submission), indent=1).encode()
    for data in (spaced, submission + b" ", submission.replace(b'"v":1', b'"v":1.0')):
        with pytest.raises(BallotRejected) as caught:
            election.submit(data)
        assert caught.value.code == "canonical"
    with pytest.raises(BallotRejected) as caught:
        election.submit(b"[" + b" " * 6000 + b"]")
    assert caught.value.code == "size"


def test_missing_or_extra_leader_is_rejected(
    polling: tuple[Election, bytes, Slip],
) -> None:
    election, submission, slip = polling
    for change in ("drop", "extra"):
        body = json.loads(submission)
        answers = body["ballot"]["answers"]
        if change == "drop":
            answers.pop()
        else:
            answers.append(answers[0])
        body["sig"] = sign_ballot(slip.private_key, body["ballot"]).hex()
        with pytest.raises(BallotRejected) as caught:
            election.submit(canonical(body))
        assert caught.value.code == "schema"


def test_over_vote_with_valid_slot_proofs_is_rejected() -> None:
    election = open_election(b"overvote")
    slip = election.issued_slips[0]
    key = election.election_key
    assert key is not None
    honest = encrypt_ballot(election.fingerprint, key, slip.credential_pub, [0, 1])
    rng = TestRandomness(b"overvote-forgery")
    rs = [rng.scalar() for _ in range(3)]
    cts = [encrypt(key, m, r) for m, r in zip((1, 1, 0), rs, strict=True)]
    forged = honest.ballot["answers"][0]
    for level, (ct, m, r) in enumerate(zip(cts, (1, 1, 0), rs, strict=True)):
        from votes.ballot import bit_context

        ctx = bit_context(election.fingerprint, slip.credential_pub, 0, level)
        proof = prove_zero_or_one(TAG_BIT, ctx, key, ct, m, r, rng)
        forged["choices"][level] = {
            "a": ct.a.hex(),
            "b": ct.b.hex(),
            "proof": proof.to_hex(),
        }
    total_r = scalar_add(scalar_add(rs[0], rs[1]), rs[2])
    ctx = sum_context(election.fingerprint, slip.credential_pub, 0)
    lie = prove_zero_or_one(TAG_SUM, ctx, key, sum_ciphertexts(cts), 1, total_r, rng)
    forged["sum_proof"] = lie.to_hex()
    data = canonical(
        {
            "ballot": honest.ballot,
            "sig": sign_ballot(slip.private_key, honest.ballot).hex(),
        }
    )
    with pytest.raises(BallotRejected) as caught:
        election.submit(data)
    assert caught.value.code == "proof"


@SETTINGS
@given(st.binary(min_size=8, max_size=8), st.integers(0, 1))
def test_no_zero_or_one_proof_for_the_value_two(seed: bytes, claimed: int) -> None:
    rng = TestRandomness(seed)
    key = base_mul(rng.scalar())
    r = rng.scalar()
    ct = encrypt(key, 2, r)
    ctx = [b"fingerprint", b"credential"]
    with pytest.raises(ProofError):
        prove_zero_or_one(TAG_BIT, ctx, key, ct, 2, r, rng)
    forged = prove_zero_or_one(TAG_BIT, ctx, key, ct, claimed, r, rng)
    assert not verify_zero_or_one(TAG_BIT, ctx, key, ct, forged)
    random_proof = DisjunctiveProof(
        rng.scalar(), rng.scalar(), rng.scalar(), rng.scalar()
    )
    assert not verify_zero_or_one(TAG_BIT, ctx, key, ct, random_proof)


def test_proof_scalars_at_or_above_the_order_are_refused() -> None:
    from votes.group import L

    too_big = (L).to_bytes(32, "little").hex()
    with pytest.raises(GroupError):
        DisjunctiveProof.from_hex([too_big, "00" * 32, "00" * 32, "00" * 32])
