"""``kiemdiem votes verify``: exit codes, the named failure and the JSON report."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from cli.votes_cmd import votes
from votes.protocol import Election
from votes.vectors import mutate


def test_valid_record_exits_zero(
    record: bytes, tmp_path: Path, trust_root_file: Path
) -> None:
    path = tmp_path / "record.jsonl"
    path.write_bytes(record)
    result = CliRunner().invoke(
        votes, ["verify", "--trust-root", str(trust_root_file), str(path)]
    )
    assert result.exit_code == 0
    assert "OK: every check passed" in result.output


def test_tampered_record_exits_one_naming_the_check(
    election: Election, tmp_path: Path, trust_root_file: Path
) -> None:
    def edit(contents: mutate.Contents) -> None:
        mutate.of_topic(contents, "VoteTallyPublished")[0]["results"][0]["band"] = (
            "GT_HALF"
        )

    path = tmp_path / "record.jsonl"
    path.write_bytes(mutate.rewrite(election, edit))
    result = CliRunner().invoke(
        votes, ["verify", "--trust-root", str(trust_root_file), str(path)]
    )
    assert result.exit_code == 1
    assert "FAIL V14.band_mismatch leader=0" in result.output
    assert "(VoteTallyPublished)" in result.output


def test_json_report_has_ok_checks_and_first_failure(
    election: Election, record: bytes, tmp_path: Path, trust_root_file: Path
) -> None:
    path = tmp_path / "record.jsonl"
    path.write_bytes(record)
    head = election.closing.event_hash.hex() if election.closing else ""
    given = ["--trust-root", str(trust_root_file)]
    result = CliRunner().invoke(
        votes, ["verify", "--json", "--head", head, *given, str(path)]
    )
    report = json.loads(result.output)
    assert result.exit_code == 0
    assert report["ok"] is True
    assert report["first_failure"] is None
    assert len(report["checks"]) == 15
    result = CliRunner().invoke(
        votes, ["verify", "--json", "--head", "00" * 32, *given, str(path)]
    )
    report = json.loads(result.output)
    assert result.exit_code == 1
    assert report["first_failure"]["name"] == "V2.head_mismatch"


def test_unreadable_input_exits_two(record: bytes, tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(votes, ["verify", str(tmp_path / "missing")]).exit_code == 2
    path = tmp_path / "record.jsonl"
    path.write_bytes(record)
    assert runner.invoke(votes, ["verify", "--head", "XYZ", str(path)]).exit_code == 2
    root = tmp_path / "root.json"
    root.write_text("not json", encoding="utf-8")
    args = ["verify", "--json", "--trust-root", str(root), str(path)]
    result = runner.invoke(votes, args)
    assert result.exit_code == 2
    assert json.loads(result.output)["ok"] is False
