"""V17: `kiemdiem votes verify RECORD --audit-ballot FILE` opens a ballot the
voter challenged in the booth, catches a booth that encrypted something other than
what it showed, and prints the decoded choices (votes.md §7.1 step 5, §13.10)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from cli.votes_cmd import votes
from votes.ballot import BallotOpening, encrypt_ballot
from votes.credentials import new_slip
from votes.protocol import Election
from votes.verifier import verify_record


def _opening(election: Election, choices: list[int | None]) -> BallotOpening:
    assert election.election_key is not None
    slip = new_slip(election.election_id)
    return encrypt_ballot(
        election.fingerprint, election.election_key, slip.credential_pub, choices
    )


def _file(opening: BallotOpening, **change: Any) -> bytes:
    """The booth's audit file (JSON.stringify of ballot, choices, randomness)."""
    data: dict[str, Any] = {
        "ballot": opening.ballot,
        "choices": list(opening.choices),
        "randomness": [[r.hex() for r in row] for row in opening.randomness],
    }
    data.update(change)
    return json.dumps(data).encode()


def test_an_honest_opening_verifies_and_shows_the_choices(election, record):
    audit = _file(_opening(election, [2, None]))
    report = verify_record(record, audit_ballots=[audit], jobs=1)
    assert report.ok
    (outcome,) = report.audits
    assert outcome.ok, outcome.detail
    assert outcome.choices == [
        "Lãnh đạo 0: tín nhiệm thấp",
        "Lãnh đạo 1: không đánh dấu",
    ]


def test_a_booth_that_encrypts_another_choice_is_caught(election, record):
    # The patched booth showed "tín nhiệm cao" for leader 0 but encrypted "thấp".
    opening = _opening(election, [2, 1])
    shown = _file(opening, choices=[0, 1])
    wrong_r = _file(
        opening,
        randomness=[list(reversed(row)) for row in _json(_file(opening))["randomness"]],
    )
    (lie, swapped) = verify_record(
        record, audit_ballots=[shown, wrong_r], jobs=1
    ).audits
    assert not lie.ok
    assert lie.detail.startswith("V17.opening_mismatch leader=0 level=0")
    assert lie.choices == []
    assert not swapped.ok
    assert "opening_mismatch" in swapped.detail


def test_a_bad_proof_another_election_or_a_double_mark_fail(election, record):
    opening = _opening(election, [0, 1])
    ballot = json.loads(json.dumps(opening.ballot))
    proof = ballot["answers"][1]["choices"][0]["proof"]
    proof[2] = ("0" if proof[2][0] != "0" else "1") + proof[2][1:]
    other = json.loads(json.dumps(opening.ballot))
    other["election"] = "00" * 32
    audits = [
        _file(opening, ballot=ballot),
        _file(opening, ballot=other),
        _file(opening, choices=[[0, 1], 1]),
        b"not json",
    ]
    outcomes = verify_record(record, audit_ballots=audits, jobs=1).audits
    assert [o.ok for o in outcomes] == [False] * 4
    assert outcomes[0].detail.startswith(("V17.proof_invalid", "V17.scalar_invalid"))
    assert "another election" in outcomes[1].detail
    assert "a choice is 0, 1, 2 or null" in outcomes[2].detail
    assert outcomes[3].detail.startswith("not JSON")


def test_cli_prints_the_choices_and_exits_one_on_a_failed_audit(
    election, record, tmp_path: Path, trust_root_file: Path
):
    given = ["--trust-root", str(trust_root_file)]
    path = tmp_path / "record.jsonl"
    path.write_bytes(record)
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    opening = _opening(election, [1, 0])
    good.write_bytes(_file(opening))
    bad.write_bytes(_file(opening, choices=[0, 0]))
    ok = CliRunner().invoke(
        votes,
        ["verify", str(path), *given, "--jobs", "1", "--audit-ballot", str(good)],
    )
    assert ok.exit_code == 0, ok.output
    assert f"V17  phiếu kiểm tra tại buồng bỏ phiếu {good}: đạt" in ok.output
    assert "Lãnh đạo 0: tín nhiệm\n" in ok.output
    assert "Lãnh đạo 1: tín nhiệm cao" in ok.output
    failed = CliRunner().invoke(
        votes,
        [
            "verify",
            str(path),
            *given,
            "--audit-ballot",
            str(good),
            "--audit-ballot",
            str(bad),
        ],
    )
    assert failed.exit_code == 1
    assert f"{bad}: KHÔNG ĐẠT V17.opening_mismatch" in failed.output
    assert "ĐẠT: hồ sơ qua mọi bước kiểm tra" in failed.output  # the record is fine
    missing = CliRunner().invoke(
        votes, ["verify", str(path), *given, "--audit-ballot", str(tmp_path / "nope")]
    )
    assert missing.exit_code == 2


def _json(data: bytes) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(data)
    return value
