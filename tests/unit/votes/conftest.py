"""Fixtures for the vote tests: one small, fully tallied mode A election."""

from __future__ import annotations

import pytest
from votes_testkit import VOTES, small_setup

from votes.protocol import Election, run_election
from votes.vectors.testrng import TestRandomness


@pytest.fixture(scope="module")
def election() -> Election:
    return run_election(small_setup(), VOTES, TestRandomness(b"tests/election"))


@pytest.fixture(scope="module")
def record(election: Election) -> bytes:
    return election.export()
