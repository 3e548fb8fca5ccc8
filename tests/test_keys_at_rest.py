"""Keys and files at rest (issue 11, deliverable 5): the instance folder is 0700
and every file in it 0600 from its creation; outside the demo the log key's
passphrase never lives beside the key; ``kiemdiem checkpoint`` refuses a log key
that is not in the trust root; a write whose due checkpoint can't be signed says
so and stays committed."""

from __future__ import annotations

import json
import logging
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cli.main import cli
from ledger.config import Settings, settings_from_environ
from ledger.errors import ConfigurationError

KIEMDIEM = str(Path(sys.executable).with_name("kiemdiem"))
ADMIN_PASSWORD = "mat-khau-quan-tri"
PASSPHRASE = "mat-khau-khoa-so-cai-rieng"


def _modes(folder: Path) -> dict[str, int]:
    """Mode bits of the folder and of everything below it (relative names)."""
    found = {".": stat.S_IMODE(folder.stat().st_mode)}
    for path in folder.rglob("*"):
        found[str(path.relative_to(folder))] = stat.S_IMODE(path.stat().st_mode)
    return found


def _not_private(folder: Path) -> dict[str, str]:
    wrong = {}
    for name, mode in _modes(folder).items():
        path = folder / name
        expected = 0o700 if path.is_dir() else 0o600
        if mode != expected:
            wrong[name] = oct(mode)
    return wrong


@pytest.fixture
def loose_umask() -> Iterator[None]:
    """The usual umask (022), under which a plain write is world-readable."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


@pytest.fixture
def places(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    instance = tmp_path / "instance"
    secrets = tmp_path / "secrets"
    secrets.mkdir(mode=0o700)
    secret = secrets / "log-key-passphrase"
    secret.write_text(PASSPHRASE + "\n", encoding="utf-8")
    monkeypatch.setenv("KIEMDIEM_DATABASE_URL", f"sqlite:///{instance}/kiemdiem.db")
    monkeypatch.setenv("KIEMDIEM_INSTANCE_DIR", str(instance))
    monkeypatch.setenv("KIEMDIEM_ARGON2_MEMORY_KIB", "1024")
    monkeypatch.setenv("KIEMDIEM_ADMIN_PASSWORD", ADMIN_PASSWORD)
    for key in (
        "KIEMDIEM_LOG_KEY_PASSPHRASE",
        "KIEMDIEM_LOG_KEY_PASSPHRASE_FILE",
        "KIEMDIEM_LOG_KEY_FILE",
        "KIEMDIEM_TRUST_ROOT",
        "KIEMDIEM_CHECKPOINT_DIR",
        "KIEMDIEM_CHECKPOINT_EVERY",
        "KIEMDIEM_PROJECTIONS",
    ):
        monkeypatch.delenv(key, raising=False)
    return {"instance": instance, "secret": secret, "tmp": tmp_path}


def _initialise(settings: Settings, *, demo: bool = False) -> object:
    from services.setup import initialise

    return initialise(
        settings,
        origin="kiemdiem.test/tep",
        admin_username="admin",
        admin_full_name="Quản trị",
        admin_password=ADMIN_PASSWORD,
        demo=demo,
    )


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


# -- file modes -------------------------------------------------------------------
def test_a_fresh_instance_is_private_from_creation(
    places: dict[str, Path], monkeypatch: pytest.MonkeyPatch, loose_umask: None
) -> None:
    """initialise() under umask 022: the folder 0700, every file 0600, the SQLite
    database's -wal/-shm (while a process has it open), views and checkpoints."""
    from services.app import Kiemdiem

    monkeypatch.setenv("KIEMDIEM_LOG_KEY_PASSPHRASE_FILE", str(places["secret"]))
    settings = settings_from_environ()
    _initialise(settings)
    instance = places["instance"]
    services = Kiemdiem(settings)
    try:
        services.integrator.catch_up()
        names = set(_modes(instance))
        assert {
            "trust-root.json",
            "log.key",
            "kiemdiem.db",
            "kiemdiem.db-wal",
            "kiemdiem.db-shm",
            "checkpoints",
        } <= names
        assert any(n.startswith("checkpoints/") for n in names)
        assert any(n.startswith("kiemdiem.views/") for n in names)
        assert "log.pass" not in names  # the passphrase is not beside the key
        assert _not_private(instance) == {}
    finally:
        services.close()


def test_init_tightens_an_instance_folder_made_beforehand(
    places: dict[str, Path], monkeypatch: pytest.MonkeyPatch, loose_umask: None
) -> None:
    """`make run` does `mkdir -p instance` before `kiemdiem init`."""
    places["instance"].mkdir(mode=0o755)
    monkeypatch.setenv("KIEMDIEM_LOG_KEY_PASSPHRASE", PASSPHRASE)
    _initialise(settings_from_environ())
    assert _not_private(places["instance"]) == {}


def test_demo_instance_files_are_private_ballot_box_and_logins_included(
    places: dict[str, Path],
) -> None:
    """`kiemdiem init --demo` as a process started with umask 022: the demo
    logins, the ballot-box key and the demo's passphrase file are 0600 too,
    and the command says the passphrase is kept beside the key."""
    done = subprocess.run(
        [KIEMDIEM, "init", "--demo", "--origin", "kiemdiem.test/tep"],
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        preexec_fn=lambda: os.umask(0o022),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "để cạnh khóa" in done.stdout
    assert "KIEMDIEM_LOG_KEY_PASSPHRASE_FILE" in done.stdout
    names = set(_modes(places["instance"]))
    assert {"demo-accounts.txt", "log.pass", "log.key"} <= names
    assert any(n.startswith("ballot-box/") and n.endswith(".key") for n in names)
    assert _not_private(places["instance"]) == {}


# -- the log key's passphrase ---------------------------------------------------------
def test_outside_the_demo_init_needs_a_given_passphrase(
    places: dict[str, Path],
) -> None:
    result = run("init")
    assert result.exit_code == 1
    assert "chưa có mật khẩu cho khóa sổ cái" in result.output
    assert "KIEMDIEM_LOG_KEY_PASSPHRASE_FILE" in result.output
    assert not (places["instance"] / "log.key").exists()
    assert not (places["instance"] / "trust-root.json").exists()


def test_a_passphrase_file_beside_the_key_is_refused_outside_the_demo(
    places: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    beside = places["instance"] / "log.pass"
    beside.parent.mkdir()
    beside.write_text(PASSPHRASE, encoding="utf-8")
    monkeypatch.setenv("KIEMDIEM_LOG_KEY_PASSPHRASE_FILE", str(beside))
    with pytest.raises(ConfigurationError, match="nằm cùng thư mục với khóa sổ cái"):
        _initialise(settings_from_environ())
    assert not (places["instance"] / "log.key").exists()


def test_a_missing_secret_file_is_refused(
    places: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(
        "KIEMDIEM_LOG_KEY_PASSPHRASE_FILE", str(places["tmp"] / "nowhere")
    )
    with pytest.raises(ConfigurationError, match="không tồn tại"):
        _initialise(settings_from_environ())


def test_the_passphrase_from_the_environment_opens_the_log_key(
    places: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from services.logkey import load_log_key

    monkeypatch.setenv("KIEMDIEM_LOG_KEY_PASSPHRASE", PASSPHRASE)
    settings = settings_from_environ()
    _initialise(settings)
    assert PASSPHRASE not in repr(settings)
    assert load_log_key(settings).name == "kiemdiem.test/tep"
    monkeypatch.setenv("KIEMDIEM_LOG_KEY_PASSPHRASE", "sai-mat-khau-roi")
    with pytest.raises(ConfigurationError, match="không mở được khóa sổ cái"):
        load_log_key(settings_from_environ())


# -- checkpoints --------------------------------------------------------------------
def _checkpoint_rows(settings: Settings) -> list[int]:
    from services.app import Kiemdiem

    services = Kiemdiem(settings)
    try:
        table = services.ledger.sql.table("ledger_checkpoints")
        with services.ledger.sql.tx() as cur:
            return [r[0] for r in cur.execute(f"SELECT size FROM {table}").fetchall()]
    finally:
        services.close()


def test_checkpoint_refuses_a_log_key_not_in_the_trust_root(
    places: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from services.logkey import create_log_key

    monkeypatch.setenv("KIEMDIEM_LOG_KEY_PASSPHRASE", PASSPHRASE)
    settings = settings_from_environ()
    _initialise(settings)
    before = _checkpoint_rows(settings)
    files = sorted((places["instance"] / "checkpoints").iterdir())
    # Another key, wrapped under the same passphrase, put in the log key's place.
    settings.log_key_file.unlink()
    create_log_key(settings, "kiemdiem.test/tep", PASSPHRASE)
    # A write first, so that there is something new to checkpoint.
    monkeypatch.setenv("KIEMDIEM_NEW_PASSWORD", "mat-khau-thu-ky")
    users = run("users", "create", "thuky", "--name", "Trần Thư", "--role", "secretary")
    assert users.exit_code == 0, users.output
    result = run("checkpoint")
    assert result.exit_code == 1
    assert "is not in the trust root" in result.output
    assert "no checkpoint was signed or stored" in result.output
    assert _checkpoint_rows(settings) == before
    assert sorted((places["instance"] / "checkpoints").iterdir()) == files


def test_a_write_whose_checkpoint_cannot_be_signed_warns_and_stays_committed(
    places: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KIEMDIEM_LOG_KEY_PASSPHRASE_FILE", str(places["secret"]))
    settings = settings_from_environ()
    _initialise(settings)
    before = _checkpoint_rows(settings)
    # Every write makes a checkpoint due; the secret is gone (not mounted).
    monkeypatch.setenv("KIEMDIEM_CHECKPOINT_EVERY", "1")
    places["secret"].rename(places["tmp"] / "elsewhere")
    done = subprocess.run(
        [
            KIEMDIEM,
            "users",
            "create",
            "thuky",
            "--name",
            "Trần Thư",
            "--role",
            "secretary",
        ],
        env={**os.environ, "KIEMDIEM_NEW_PASSWORD": "mat-khau-thu-ky"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "Cảnh báo (chi tiết kỹ thuật, " in done.stderr  # the level in Vietnamese
    assert "checkpoint that is due was not signed" in done.stderr
    assert "không đọc được tệp mật khẩu của khóa sổ cái" in done.stderr
    users = json.loads(run("users", "list", "--json").output)
    assert "thuky" in {u["username"] for u in users}  # committed
    assert _checkpoint_rows(settings) == before  # left for later
    # With the secret back, the checkpoint is signed later.
    (places["tmp"] / "elsewhere").rename(places["secret"])
    assert run("checkpoint").exit_code == 0
    assert len(_checkpoint_rows(settings)) == len(before) + 1


def test_a_web_write_whose_checkpoint_cannot_be_signed_succeeds_with_a_warning(
    places: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The service behind the web: the command returns, a warning is logged."""
    from services import commands as c
    from services.app import Kiemdiem

    monkeypatch.setenv("KIEMDIEM_LOG_KEY_PASSPHRASE", PASSPHRASE)
    _initialise(settings_from_environ())
    monkeypatch.setenv("KIEMDIEM_CHECKPOINT_EVERY", "1")
    monkeypatch.setenv("KIEMDIEM_LOG_KEY_PASSPHRASE", "khong-phai-mat-khau")
    settings = settings_from_environ()
    before = _checkpoint_rows(settings)
    services = Kiemdiem(settings)
    try:
        admin = services.authenticate("admin", ADMIN_PASSWORD)
        assert admin is not None
        with caplog.at_level(logging.WARNING):
            org = services.handle(
                c.FoundOrganisation(
                    admin.actor, "tinh-uy", "Tỉnh ủy", "provincial_committee", None
                ),
                admin.signer,
            )
        assert services.organisation(org) is not None
        warnings = [r.getMessage() for r in caplog.records]
        assert any("mật khẩu không mở được khóa sổ cái" in m for m in warnings)
    finally:
        services.close()
    assert _checkpoint_rows(settings) == before


def test_a_worker_round_whose_checkpoint_cannot_be_signed_goes_on(
    places: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from services import commands as c
    from services.app import Kiemdiem

    monkeypatch.setenv("KIEMDIEM_LOG_KEY_PASSPHRASE", PASSPHRASE)
    _initialise(settings_from_environ())
    monkeypatch.setenv("KIEMDIEM_PROJECTIONS", "worker")
    monkeypatch.setenv("KIEMDIEM_CHECKPOINT_EVERY", "1")
    monkeypatch.setenv("KIEMDIEM_LOG_KEY_PASSPHRASE", "khong-phai-mat-khau")
    settings = settings_from_environ()
    before = _checkpoint_rows(settings)
    services = Kiemdiem(settings)
    try:
        admin = services.authenticate("admin", ADMIN_PASSWORD)
        assert admin is not None
        services.handle(
            c.FoundOrganisation(
                admin.actor, "tinh-uy", "Tỉnh ủy", "provincial_committee", None
            ),
            admin.signer,
        )
        with caplog.at_level(logging.WARNING):
            services.work_once()
        assert services.integrator.size == services.ledger.max_notification_id()
        warnings = [r.getMessage() for r in caplog.records]
        assert any("checkpoint that is due was not signed" in m for m in warnings)
    finally:
        services.close()
    assert _checkpoint_rows(settings) == before
