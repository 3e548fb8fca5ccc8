"""The committee's command line (issue 5): `kiemdiem proof`, `verify --bundle`
offline with no database, `key export` and `cosign`, with plain-words refusals."""

from __future__ import annotations

import base64
import json
import shutil

import pytest
from click.testing import CliRunner

from cli.main import cli


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("KIEMDIEM_DATABASE_URL", f"sqlite:///{tmp_path}/k.db")
    monkeypatch.setenv("KIEMDIEM_INSTANCE_DIR", str(tmp_path))
    monkeypatch.setenv("KIEMDIEM_ARGON2_MEMORY_KIB", "1024")
    monkeypatch.delenv("KIEMDIEM_ADMIN_PASSWORD", raising=False)
    monkeypatch.delenv("KIEMDIEM_PASSWORD", raising=False)
    # Outside the demo the log key's passphrase is given (not kept beside it).
    monkeypatch.setenv("KIEMDIEM_LOG_KEY_PASSPHRASE", "mat-khau-khoa-so-cai-thu")
    monkeypatch.delenv("KIEMDIEM_LOG_KEY_PASSPHRASE_FILE", raising=False)
    return tmp_path


def run(*args, **kwargs):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False, **kwargs)


def _passwords(env) -> dict[str, str]:
    lines = (env / "demo-accounts.txt").read_text().splitlines()
    return {p[0]: p[2] for p in (line.split("\t") for line in lines) if len(p) == 3}


def _member_with_a_self_review() -> str:
    """The member whose review in the demo has a self-review (read from the store
    of the environment)."""
    from ledger.config import settings_from_environ
    from services.app import Kiemdiem

    services = Kiemdiem(settings_from_environ())
    try:
        events = [
            services.ledger.decode(n)
            for n in services.ledger.read_notifications(0, 100_000)
            if n.topic.endswith(("Review.Opened", "Review.SelfReviewSubmitted"))
        ]
    finally:
        services.close()
    reviewed = {e.stream for e in events if e.topic.endswith("SelfReviewSubmitted")}
    return next(
        e.event.subject_key[2:]
        for e in events
        if e.stream in reviewed and e.topic.endswith("Opened")
    )


@pytest.mark.slow
def test_demo_decision_bundle_verifies_offline_and_cosigning_works(
    env, tmp_path, monkeypatch
):
    assert run("init", "--origin", "kiemdiem.test/tinh", "--demo").exit_code == 0
    vote = json.loads(run("votes", "list", "--json").output)[0]
    out = tmp_path / "vote-2025.json"
    made = run("proof", "--subject", vote["vote_id"], "--out", str(out))
    assert made.exit_code == 0, made.output
    # One file per person (issue 13): a member's bundle holds their own review.
    member = _member_with_a_self_review()
    own = tmp_path / "member.json"
    assert run("proof", "--subject", member, "--out", str(own)).exit_code == 0
    # offline: the trust root and the bundle only; the database is gone
    away = tmp_path / "away"
    away.mkdir()
    shutil.copy(env / "trust-root.json", away / "trust-root.json")
    monkeypatch.setenv("KIEMDIEM_DATABASE_URL", "sqlite:////nonexistent/k.db")
    checked = run(
        "verify", "--bundle", str(out), "--trust-root", str(away / "trust-root.json")
    )
    assert checked.exit_code == 0, checked.output
    assert "Kết quả: HỢP LỆ" in checked.output
    assert "VoteTallyPublished" in checked.output
    person = run(
        "verify", "--bundle", str(own), "--trust-root", str(away / "trust-root.json")
    )
    assert person.exit_code == 0, person.output
    assert "SelfReviewSubmitted" in person.output
    assert "MeetingHeld" in person.output
    as_json = run(
        "verify",
        "--bundle",
        str(out),
        "--trust-root",
        str(away / "trust-root.json"),
        "--json",
    )
    report = json.loads(as_json.output)
    assert report["ok"] is True
    assert len(report["events"]) == len(json.loads(out.read_text())["events"])
    # one flipped bit in one envelope: exit 1, named at its leaf
    bundle = json.loads(out.read_text())
    raw = bytearray(base64.b64decode(bundle["events"][3]["envelope"]))
    raw[-3] ^= 1
    bundle["events"][3]["envelope"] = base64.b64encode(bytes(raw)).decode()
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(bundle))
    refused = run(
        "verify", "--bundle", str(bad), "--trust-root", str(away / "trust-root.json")
    )
    assert refused.exit_code == 1
    assert f"inclusion_failed tại #{bundle['events'][3]['index']}" in refused.output
    # the committee member exports their key and cosigns the latest checkpoint
    monkeypatch.setenv("KIEMDIEM_DATABASE_URL", f"sqlite:///{env}/k.db")
    monkeypatch.setenv("KIEMDIEM_PASSWORD", _passwords(env)["ubkt"])
    key_file = tmp_path / "ubkt.key"
    assert run("key", "export", "ubkt", "--out", str(key_file)).exit_code == 0
    note_file = sorted((env / "checkpoints").iterdir(), key=lambda p: int(p.stem))[-1]
    line = run(
        "cosign",
        str(note_file),
        "--key-file",
        str(key_file),
        "--trust-root",
        str(env / "trust-root.json"),
    )
    assert line.exit_code == 0, line.output
    assert line.output.startswith("— kiemdiem.test/tinh/ubkt/")
    # a wrong password: plain words, exit 1, no line
    monkeypatch.setenv("KIEMDIEM_PASSWORD", "sai-mat-khau")
    wrong = run("cosign", str(note_file), "--key-file", str(key_file))
    assert wrong.exit_code == 1
    assert "Không mở được khóa: sai mật khẩu" in wrong.output
    assert "does not open" not in wrong.output


def test_proof_and_bundle_refusals_in_plain_words(env, tmp_path):
    assert run("init", "--origin", "kiemdiem.test/tinh").exit_code == 0
    not_uuid = run("proof", "--subject", "abc", "--out", str(tmp_path / "x.json"))
    assert not_uuid.exit_code == 2
    assert "không phải mã UUID" in not_uuid.output
    missing = run(
        "proof",
        "--subject",
        "00000000-0000-0000-0000-000000000001",
        "--out",
        str(tmp_path / "x.json"),
    )
    assert missing.exit_code == 1
    assert "không có hồ sơ" in missing.output
    assert not (tmp_path / "x.json").exists()
    garbage = tmp_path / "garbage.json"
    garbage.write_text("{}")
    result = run("verify", "--bundle", str(garbage))
    assert result.exit_code == 2
    assert "kiemdiem-proof-bundle/v1" in result.output
    absent = run("verify", "--bundle", str(tmp_path / "absent.json"))
    assert absent.exit_code == 2
    assert "không đọc được gói bằng chứng" in absent.output
    both = run("verify", "sqlite:///x.db", "--bundle", str(garbage))
    assert both.exit_code == 2


def test_key_export_needs_the_right_password(env, tmp_path, monkeypatch):
    monkeypatch.setenv("KIEMDIEM_ADMIN_PASSWORD", "mat-khau-quan-tri")
    assert run("init", "--origin", "kiemdiem.test/tinh").exit_code == 0
    monkeypatch.setenv("KIEMDIEM_PASSWORD", "sai")
    refused = run("key", "export", "admin", "--out", str(tmp_path / "a.key"))
    assert refused.exit_code == 1
    assert "sai tên tài khoản hoặc mật khẩu" in refused.output
    assert not (tmp_path / "a.key").exists()
    monkeypatch.setenv("KIEMDIEM_PASSWORD", "mat-khau-quan-tri")
    done = run("key", "export", "admin", "--out", str(tmp_path / "a.key"))
    assert done.exit_code == 0
    exported = json.loads((tmp_path / "a.key").read_text())
    assert exported["cosigner_name"] is None  # not an inspector: cannot cosign
    assert "không dùng để đồng ký được" in done.output
    assert (tmp_path / "a.key").stat().st_mode & 0o777 == 0o600
