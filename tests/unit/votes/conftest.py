"""Fixtures for the vote tests: one small, fully tallied mode A election."""

from __future__ import annotations

import base64
import json
from pathlib import Path

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


@pytest.fixture
def trust_root_file(election: Election, tmp_path: Path) -> Path:
    """A trust root that vouches for the election's organiser (V3), as the
    committee holds it; `kiemdiem votes verify` requires one."""
    entry = {
        "key_id": election.organiser.key_id.hex(),
        "owner": election.organiser.actor,
        "public_key": base64.b64encode(election.organiser.public).decode(),
    }
    path = tmp_path / "trust-root.json"
    root = {"admin_keys": [entry], "origin": election.writer.log}
    path.write_text(json.dumps(root), encoding="utf-8")
    return path
