"""The command line as a script uses it: no terminal, everything from the
environment, JSON where it matters, exit codes that mean something."""

import json
import sqlite3

import pytest
from click.testing import CliRunner

from cli.main import cli


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("KIEMDIEM_DATABASE_URL", f"sqlite:///{tmp_path}/k.db")
    monkeypatch.setenv("KIEMDIEM_INSTANCE_DIR", str(tmp_path))
    monkeypatch.setenv("KIEMDIEM_ARGON2_MEMORY_KIB", "1024")
    monkeypatch.delenv("KIEMDIEM_ADMIN_PASSWORD", raising=False)
    # Outside the demo the log key's passphrase is given (not kept beside it).
    monkeypatch.setenv("KIEMDIEM_LOG_KEY_PASSPHRASE", "mat-khau-khoa-so-cai-thu")
    monkeypatch.delenv("KIEMDIEM_LOG_KEY_PASSPHRASE_FILE", raising=False)
    return tmp_path


def run(*args, **kwargs):
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False, **kwargs)
    return result


def test_init_and_demo_without_a_terminal(env):
    result = run("init", "--origin", "kiemdiem.test/tinh", "--demo")
    assert result.exit_code == 0, result.output
    assert "Quản trị: admin / mật khẩu: " in result.output
    assert "Đã nạp bản demo: 24 tổ chức, 72 đảng viên" in result.output
    assert (env / "trust-root.json").exists()
    assert (env / "demo-accounts.txt").stat().st_mode & 0o777 == 0o600

    orgs = json.loads(run("orgs", "list", "--json").output)
    assert len(orgs) == 24  # with the 2025 merger: two đảng ủy xã, 3 chi bộ, 1 đảng bộ
    assert orgs[0]["name"] == "Tỉnh ủy Sông Hồng"
    assert orgs[0]["depth"] == 0
    members = json.loads(run("members", "list", "--json").output)
    assert len(members) == 72
    users = json.loads(run("users", "list", "--json").output)
    assert {u["username"] for u in users} >= {"admin", "thuky", "ubkt", "thuky-xa"}
    assert all(u["key_id"] for u in users)


def test_init_twice_is_refused_unless_if_missing(env):
    assert run("init").exit_code == 0
    second = run("init")
    assert second.exit_code != 0
    assert "Kho đã được khởi tạo" in second.output
    assert run("init", "--if-missing").exit_code == 0


def test_demo_needs_the_admin_password_when_there_is_no_terminal(env):
    assert run("init").exit_code == 0
    result = run("demo")
    assert result.exit_code == 2
    assert "KIEMDIEM_ADMIN_PASSWORD" in result.output


def test_wrong_admin_password_changes_nothing(env, monkeypatch):
    monkeypatch.setenv("KIEMDIEM_ADMIN_PASSWORD", "mat-khau-quan-tri")
    assert run("init").exit_code == 0
    before = json.loads(run("orgs", "list", "--json").output)
    monkeypatch.setenv("KIEMDIEM_ADMIN_PASSWORD", "sai-mat-khau-roi")
    result = run("demo")
    assert result.exit_code == 1
    assert "sai tên hoặc mật khẩu quản trị" in result.output
    assert json.loads(run("orgs", "list", "--json").output) == before


def test_checkpoint_prints_a_signed_note(env):
    assert run("init", "--origin", "kiemdiem.test/tinh").exit_code == 0
    note = run("checkpoint").output
    lines = note.split("\n")
    assert lines[0] == "kiemdiem.test/tinh"
    assert int(lines[1]) >= 2
    assert lines[3] == ""
    assert lines[4].startswith("— kiemdiem.test/tinh ")


def test_verify_passes_then_names_an_edited_row(env):
    assert run("init", "--demo").exit_code == 0
    saved = env / "saved.checkpoint"
    saved.write_text(run("checkpoint").output, encoding="utf-8")
    ok = run("verify", "--json", "--jobs", "1")
    assert ok.exit_code == 0, ok.output
    report = json.loads(ok.output)
    assert report["ok"] is True
    assert report["events"] == report["counts"]["events"] >= 90

    with sqlite3.connect(env / "k.db") as conn:
        rowid, state = conn.execute(
            "SELECT rowid, state FROM stored_events WHERE topic LIKE "
            "'domain.members:%' ORDER BY rowid LIMIT 1"
        ).fetchone()
        edited = state.replace("Nguyễn".encode(), b"Nguyen", 1)
        if edited == state:
            edited = state[:-3] + b"X" + state[-2:]
        conn.execute(
            "UPDATE stored_events SET state = ? WHERE rowid = ?", (edited, rowid)
        )
    bad = run("verify", "--json", "--jobs", "1")
    assert bad.exit_code == 1
    first = json.loads(bad.output)["first_failure"]
    assert first["notification_id"] == rowid
    assert first["kind"] in {"bad_signature", "non_canonical_content"}
    assert first["stream"]
    assert first["version"] == 1


def test_verify_fails_against_an_earlier_checkpoint_after_deleting_the_tail(env):
    assert run("init", "--demo").exit_code == 0
    saved = env / "saved.checkpoint"
    saved.write_text(run("checkpoint").output, encoding="utf-8")
    with sqlite3.connect(env / "k.db") as conn:
        conn.execute(
            "DELETE FROM stored_events "
            "WHERE rowid = (SELECT MAX(rowid) FROM stored_events)"
        )
        conn.execute(
            "DELETE FROM ledger_leaves WHERE idx = (SELECT MAX(idx) FROM ledger_leaves)"
        )
        conn.execute("DELETE FROM ledger_checkpoints")
    bad = run("verify", "--json", "--jobs", "1", "--checkpoint", str(saved))
    assert bad.exit_code == 1
    assert (
        json.loads(bad.output)["first_failure"]["kind"] == "log_shorter_than_checkpoint"
    )


def test_commands_outside_a_store_say_what_to_do(env):
    result = run("orgs", "list")
    assert result.exit_code == 1
    assert "kiemdiem init" in result.output


def test_the_demo_logins_are_shown_again_with_the_admins(env):
    """`make run` shows every demo login, the administrator's included, with
    Vietnamese role names and the address to sign in at (issue 13, the first hour)."""
    result = run("init", "--demo")
    assert result.exit_code == 0, result.output
    admin_password = result.output.split("Quản trị: admin / mật khẩu: ")[1]
    admin_password = admin_password.split()[0]
    shown = run("logins", "--url", "http://127.0.0.1:8081/auth/login")
    assert shown.exit_code == 0, shown.output
    lines = shown.output.splitlines()
    assert lines[0] == "Đăng nhập tại: http://127.0.0.1:8081/auth/login"
    assert lines[1].split() == ["Tài", "khoản", "Vai", "trò", "Mật", "khẩu"]
    rows = {line.split()[0]: line for line in lines[3:]}
    assert admin_password in rows["admin"]
    assert "Quản trị" in rows["admin"]
    assert "Thư ký" in rows["thuky"]
    assert "Ban kiểm phiếu" in rows["bankiemphieu"]
    assert "secretary" not in shown.output


def test_logins_without_a_demo_says_so(env):
    assert run("init").exit_code == 0  # a store without demo logins
    shown = CliRunner().invoke(cli, ["logins"])
    assert shown.exit_code == 1
    assert "không có tài khoản thử nghiệm" in shown.output


def test_make_run_takes_another_port():
    """`make run PORT=…` serves and shows the login address on that port, and
    installs only what the app runs on (no test tools)."""
    import shutil
    import subprocess
    from pathlib import Path

    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    root = Path(__file__).resolve().parents[1]
    plan = subprocess.run(
        [make, "-n", "-C", str(root), "run", "PORT=8081"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "--port 8081" in plan
    assert "http://127.0.0.1:8081/auth/login" in plan
    assert "'.[dev]'" not in plan


def test_usage_errors_and_refusals_speak_vietnamese(env):
    """Issue 13 §5: a person reads Vietnamese on the command line too; the exit
    codes stay click's (2 for bad usage)."""
    missing = run("export", "report", "--org", "x", "--format", "pdf", "--out", "r")
    assert missing.exit_code == 2
    assert "Lỗi: thiếu tham số '--year'." in missing.output
    assert "Cách dùng: cli export report [TÙY CHỌN]" in missing.output
    assert "export report --help' để biết cách dùng." in missing.output
    unknown = run("orgs", "list", "--khong-co")
    assert unknown.exit_code == 2
    assert "Lỗi: không có tùy chọn '--khong-co'." in unknown.output
    bad = run("export", "report", "--org", "x", "--year", "abc", "--format", "pdf")
    assert bad.exit_code == 2
    assert "Lỗi: giá trị không hợp lệ cho '--year'" in bad.output
    assert "Error:" not in missing.output + unknown.output + bad.output
    no_store = run("orgs", "list")
    assert no_store.exit_code == 1
    assert no_store.output.startswith("Lỗi: chưa có kho dữ liệu ở đây")
