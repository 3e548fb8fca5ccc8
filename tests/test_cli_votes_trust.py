"""Votes (issue 11, deliverable 7; votes.md V3 and §7.1): `kiemdiem votes verify`
requires the trust root and says where it took it from; a vote is never created
while the booth files are missing, so no manifest pins a hash of nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cli.main import cli
from tests.conftest import MEMBER_CARD
from tests.test_cli_votes import YAML, store, tip

__all__ = ["store"]  # the fixture, shared with the vote creation tests


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def _exported_record(store_dir: Path, tmp_path: Path) -> Path:
    path = tmp_path / "vote.yaml"
    path.write_text(
        YAML.format(card=MEMBER_CARD, appointed="2021-03-01"), encoding="utf-8"
    )
    made = run("votes", "create", str(path))
    assert made.exit_code == 0, made.output + made.stderr
    record = tmp_path / "record.jsonl"
    assert run("votes", "export", made.output.strip(), str(record)).exit_code == 0
    return record


def test_verify_takes_the_trust_root_beside_the_store_and_says_so(
    store: Path, tmp_path: Path
) -> None:
    record = _exported_record(store, tmp_path)
    found = run("votes", "verify", "--jobs", "1", str(record))
    beside = store / "instance" / "trust-root.json"
    assert found.output.splitlines()[0] == (
        f"Gốc tin cậy: {beside} (tìm thấy cạnh kho dữ liệu)"
    )
    assert "no trust root given" not in found.output
    as_json = json.loads(run("votes", "verify", "--json", str(record)).stdout)
    assert as_json["trust_root"] == f"{beside} (found beside the store)"


def test_verify_with_a_given_trust_root_names_it(store: Path, tmp_path: Path) -> None:
    record = _exported_record(store, tmp_path)
    given = tmp_path / "handed-over.json"
    given.write_bytes((store / "instance" / "trust-root.json").read_bytes())
    result = run("votes", "verify", "--trust-root", str(given), str(record))
    assert result.output.splitlines()[0] == (
        f"Gốc tin cậy: {given} (chỉ ra bằng --trust-root)"
    )


def test_verify_without_a_trust_root_fails_plainly(
    store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = _exported_record(store, tmp_path)
    elsewhere = tmp_path / "no-store"
    elsewhere.mkdir()
    monkeypatch.setenv("KIEMDIEM_INSTANCE_DIR", str(elsewhere))
    monkeypatch.setenv("KIEMDIEM_DATABASE_URL", f"sqlite:///{elsewhere}/k.db")
    result = run("votes", "verify", str(record))
    assert result.exit_code == 2
    assert "chưa có gốc tin cậy: hãy chỉ ra --trust-root FILE" in result.stderr
    assert "không bao giờ lấy từ chính hồ sơ" in result.stderr
    assert "ĐẠT" not in result.stdout
    as_json = run("votes", "verify", "--json", str(record))
    assert as_json.exit_code == 2
    assert json.loads(as_json.stdout)["ok"] is False


def test_verify_fails_when_the_trust_root_does_not_vouch_for_the_organiser(
    store: Path, tmp_path: Path
) -> None:
    record = _exported_record(store, tmp_path)
    other = json.loads((store / "instance" / "trust-root.json").read_text())
    other["admin_keys"] = []
    given = tmp_path / "other.json"
    given.write_text(json.dumps(other), encoding="utf-8")
    result = run("votes", "verify", "--trust-root", str(given), str(record))
    assert result.exit_code == 1
    assert "untrusted_organiser" in result.output


def test_a_vote_is_refused_while_the_booth_files_are_missing(
    store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "no-booth"
    (empty / "booth").mkdir(parents=True)
    monkeypatch.setenv("KIEMDIEM_BOOTH_ROOT", str(empty))
    path = tmp_path / "vote.yaml"
    path.write_text(
        YAML.format(card=MEMBER_CARD, appointed="2021-03-01"), encoding="utf-8"
    )
    before = tip()
    result = run("votes", "create", str(path))
    assert result.exit_code == 1
    assert "Bị từ chối: " in result.stderr
    assert "(vote.booth_missing)" in result.stderr
    assert "chạy `npm ci`" in result.stderr
    assert tip() == before


def test_a_zerobooth_hash_is_refused(store: Path) -> None:
    from domain.errors import DomainError
    from services.vote_booth import booth_hash

    with pytest.raises(DomainError) as refused:
        booth_hash("0" * 64)
    assert refused.value.code == "vote.booth_hash_invalid"
    assert len(booth_hash("ab" * 32)) == 32
