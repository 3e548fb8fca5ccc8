"""Tally correctness and threshold properties on random small elections."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from votes_testkit import small_setup

from votes.group import base_mul
from votes.protocol import Election, ProtocolError, run_election
from votes.tally import TallyError, combine, verify_partial
from votes.vectors.testrng import TestRandomness
from votes.verifier import verify_record

FAST = settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@st.composite
def elections(draw: st.DrawFn) -> tuple[int, int, list[list[int | None]]]:
    leader_count = draw(st.integers(1, 3))
    trustees = draw(st.integers(1, 4))
    choice = st.one_of(st.none(), st.integers(0, 2))
    votes = draw(
        st.lists(
            st.lists(choice, min_size=leader_count, max_size=leader_count),
            min_size=2,
            max_size=6,
        )
    )
    return leader_count, trustees, votes


@FAST
@given(elections(), st.binary(min_size=4, max_size=4))
def test_published_counts_equal_the_plaintext_counts(
    case: tuple[int, int, list[list[int | None]]], seed: bytes
) -> None:
    leader_count, trustees, votes = case
    setup = small_setup(
        leader_count, trustees=trustees, convened=len(votes), present=len(votes)
    )
    election = run_election(setup, votes, TestRandomness(seed))
    assert election.results is not None
    for leader, result in enumerate(election.results):
        marks = [ballot[leader] for ballot in votes]
        assert (result.high, result.normal, result.low) == (
            marks.count(0),
            marks.count(1),
            marks.count(2),
        )
        assert result.returned == len(votes)
        assert result.invalid == marks.count(None)
    assert verify_record(election.export()).ok


def _tallied(trustees: int, seed: bytes) -> Election:
    votes: list[list[int | None]] = [[0, 2], [2, None], [1, 2], [2, 2]]
    setup = small_setup(2, trustees=trustees, convened=4, present=4, slip_count=4)
    return run_election(setup, votes, TestRandomness(seed))


def test_every_t_subset_gives_the_same_counts() -> None:
    election = _tallied(5, b"subsets")
    assert election.tally is not None
    results = {
        combine(election.tally, election.partials, list(subset), len(election.accepted))
        for subset in itertools.combinations(range(1, 6), election.threshold)
    }
    assert len(results) == 1


@FAST
@given(st.integers(2, 5), st.binary(min_size=4, max_size=4))
def test_fewer_than_t_trustees_cannot_decrypt(trustees: int, seed: bytes) -> None:
    election = _tallied(trustees, seed)
    assert election.tally is not None
    t = election.threshold
    for subset in itertools.combinations(range(1, trustees + 1), t - 1):
        if not subset:
            continue
        with pytest.raises(TallyError):
            combine(
                election.tally, election.partials, list(subset), len(election.accepted)
            )


def test_tally_refused_with_fewer_than_t_partial_decryptions() -> None:
    setup = small_setup(1, trustees=3, convened=3, present=3, slip_count=3)
    election = Election(setup, TestRandomness(b"few"))
    election.run_ceremony()
    election.publish_credentials()
    election.record_attendance()
    slips = election.void_unissued(3)
    election.open_voting()
    for slip, choice in zip(slips, [0, 1, 2], strict=True):
        election.vote(slip, [choice])
    election.close_voting()
    election.decrypt(2)
    with pytest.raises(TallyError):
        election.publish_tally()


def test_bad_partial_decryption_is_skipped_and_t_honest_ones_decrypt() -> None:
    election = _tallied(3, b"bad-partial")
    assert election.tally is not None
    bad = election.partials[1]
    tampered = ((bad[0][1], *bad[0][1:]), *bad[1:])
    assert not verify_partial(
        election.fingerprint,
        1,
        base_mul(election.trustees[0].key_share),
        election.tally,
        tampered,
    )
    counts = combine(election.tally, election.partials, [2, 3], len(election.accepted))
    assert counts == tuple((r.high, r.normal, r.low) for r in election.results or [])


def test_trustee_refuses_second_decryption_and_small_tallies() -> None:
    election = _tallied(3, b"refusals")
    with pytest.raises(ProtocolError):
        election.decrypt(1)
    setup = small_setup(1, trustees=3, convened=2, present=2, slip_count=2)
    lonely = Election(setup, TestRandomness(b"lonely"))
    lonely.run_ceremony()
    lonely.publish_credentials()
    lonely.record_attendance()
    slips = lonely.void_unissued(2)
    lonely.open_voting()
    lonely.vote(slips[0], [2])
    lonely.close_voting()
    with pytest.raises(ProtocolError):
        lonely.decrypt(1)


def test_quorum_and_issued_rules_refuse_opening() -> None:
    election = Election(
        small_setup(1, convened=30, present=19, slip_count=30), TestRandomness(b"q")
    )
    election.run_ceremony()
    election.publish_credentials()
    election.record_attendance()
    election.void_unissued(19)
    with pytest.raises(ProtocolError):
        election.open_voting()
    allowed = Election(
        small_setup(1, convened=30, present=20, slip_count=30), TestRandomness(b"q")
    )
    allowed.run_ceremony()
    allowed.publish_credentials()
    allowed.record_attendance()
    allowed.void_unissued(20)
    allowed.open_voting()
    too_many = Election(
        small_setup(1, convened=30, present=20, slip_count=30), TestRandomness(b"q")
    )
    too_many.run_ceremony()
    too_many.publish_credentials()
    too_many.record_attendance()
    too_many.void_unissued(21)
    with pytest.raises(ProtocolError):
        too_many.open_voting()
