"""``kiemdiem votes verify``: exit codes, the named failure and the JSON report."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner

from cli.votes_cmd import votes
from votes.protocol import Election
from votes.vectors import mutate
from votes.verifier.checks import CHECK_TITLES

# The verifier's English words (titles, results, the frame) a person must not read.
ENGLISH = (
    *CHECK_TITLES.values(),
    "OK",
    "FAIL",
    "NOT_RUN",
    "trust root",
    "every check passed",
    "note:",
    "compare with",
    "at position",
)


def english_words(text: str) -> list[str]:
    return [w for w in ENGLISH if re.search(rf"\b{re.escape(w)}\b", text)]


def test_the_english_check_can_fail() -> None:
    assert english_words("V9   ballots              OK") == ["ballots", "OK"]


def test_valid_record_exits_zero(
    record: bytes, tmp_path: Path, trust_root_file: Path
) -> None:
    path = tmp_path / "record.jsonl"
    path.write_bytes(record)
    result = CliRunner().invoke(
        votes, ["verify", "--trust-root", str(trust_root_file), str(path)]
    )
    assert result.exit_code == 0
    assert "ĐẠT: hồ sơ qua mọi bước kiểm tra" in result.output
    assert "V9   các phiếu đã bỏ" in result.output
    assert english_words(result.output) == []


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
    assert "KHÔNG ĐẠT: V14 (kết quả), ở sự kiện thứ" in result.output
    assert (
        "Chi tiết kỹ thuật: VoteTallyPublished, V14.band_mismatch leader=0"
        in result.output
    )
    assert "V15  không lộ danh tính người bỏ phiếu" in result.output
    assert "chưa kiểm tra" in result.output
    words = result.output.split("Chi tiết kỹ thuật")[0]  # the detail is the verifier's
    assert english_words(words) == []


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
    assert report["checks"][8] == {"check": "V9", "status": "OK", "title": "ballots"}
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


def test_the_trustee_tool_names_a_failed_check_in_vietnamese(record: bytes) -> None:
    """A trustee reads which check the record failed in Vietnamese; the
    verifier's detail follows as the technical part."""
    from votes import trustee as tool

    broken = record.replace(b"{", b"[", 1)
    try:
        tool.read_record(broken)
    except tool.TrusteeToolError as exc:
        said = str(exc)
    else:
        raise AssertionError("a broken record was read")
    assert said.startswith("hồ sơ không qua bước kiểm tra V1 (định dạng hồ sơ)")
    assert english_words(said.split("Chi tiết kỹ thuật")[0]) == []
    assert "does not verify" not in said
