"""Ledger rules outside the tamper drills (ledger.md §10, §11 "Also required")."""

from __future__ import annotations

import dataclasses
import importlib.util
import re
from pathlib import Path

import psycopg
import pytest

from ledger.app import LedgerApplication
from ledger.config import FORBIDDEN_SETTINGS, settings_from_environ
from ledger.errors import ConfigurationError
from services.app import Kiemdiem
from services.demo import load_demo
from services.setup import initialise

TOPICS_FILE = Path(__file__).resolve().parents[1] / "topics.txt"


@pytest.mark.parametrize("key", FORBIDDEN_SETTINGS)
def test_startup_refuses_settings_that_bypass_signing(key, tmp_path):
    with pytest.raises(ConfigurationError, match=key):
        settings_from_environ({key: "anything"}, f"sqlite:///{tmp_path}/k.db")


def test_the_library_cannot_be_told_to_use_another_recorder(backend):
    env = dict(backend.settings.library_env)
    env["APPLICATION_RECORDER_TOPIC"] = (
        "eventsourcing.sqlite:SQLiteApplicationRecorder"
        if backend.backend == "sqlite"
        else "eventsourcing.postgres:PostgresApplicationRecorder"
    )
    settings = backend.settings.__class__(
        **{**vars(backend.settings), "library_env": env}
    )
    with pytest.raises(ConfigurationError):
        LedgerApplication(settings, backend.trust_root)


def test_pycryptodome_is_not_installed():
    assert importlib.util.find_spec("Crypto") is None
    assert importlib.util.find_spec("Cryptodome") is None


@pytest.mark.postgres
@pytest.mark.parametrize(
    "backend", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
def test_append_only_triggers_refuse_update_delete_truncate(world, backend):
    """SQLite has no equivalent: there, cryptography alone detects tampering."""
    backend.checkpoint()  # row triggers fire only on existing rows
    conninfo = "host=127.0.0.1 port=5432 dbname=test user=postgres"
    schema = backend.settings.pg_schema
    statements = [
        f'UPDATE "{schema}".ledger_events SET topic = topic',
        f'DELETE FROM "{schema}".ledger_events',
        f'TRUNCATE "{schema}".ledger_events',
        f'DELETE FROM "{schema}".ledger_leaves',
        f'UPDATE "{schema}".ledger_checkpoints SET note = note',
    ]
    for statement in statements:
        with (
            psycopg.connect(conninfo, autocommit=True) as conn,
            pytest.raises(psycopg.errors.RaiseException, match="append-only"),
        ):
            conn.execute(statement)
    # Inserting through the library still works.
    backend.open_review(world.alice, "Lê Văn Cường", ["Đồng ý"])


def committed_topics() -> set[str]:
    lines = TOPICS_FILE.read_text(encoding="utf-8").splitlines()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


def test_every_committed_topic_resolves():
    from eventsourcing.utils import resolve_topic

    import votes.aggregates  # noqa: F401 - registers the bare vote topics

    for topic in sorted(committed_topics()):
        assert resolve_topic(topic) is not None, topic


def test_every_stored_topic_is_committed(tmp_path, monkeypatch):
    """A demo store holds only topics from the committed list: a renamed event
    class would otherwise orphan signed history."""
    monkeypatch.setenv("KIEMDIEM_ARGON2_MEMORY_KIB", "1024")
    monkeypatch.setenv("KIEMDIEM_INSTANCE_DIR", str(tmp_path))
    settings = settings_from_environ(database_url=f"sqlite:///{tmp_path}/k.db")
    initialise(
        settings,
        origin="kiemdiem.test/topics",
        admin_username="admin",
        admin_full_name="Quản trị",
        admin_password="mat-khau-quan-tri",
        demo=True,  # the generated log key passphrase beside the key
    )
    services = Kiemdiem(settings)
    try:
        admin = services.authenticate("admin", "mat-khau-quan-tri")
        assert admin is not None
        load_demo(services, admin.signer)
        stored = {n.topic for n in services.ledger.read_notifications(0, 100_000)}
    finally:
        services.close()
    assert stored
    assert stored <= committed_topics()
    assert all(re.fullmatch(r"[a-z_.]+:[A-Za-z_.]+|Vote[A-Za-z]+", t) for t in stored)


@pytest.mark.postgres
@pytest.mark.parametrize(
    "backend", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
def test_the_app_role_inserts_through_the_library_but_cannot_rewrite(world, backend):
    """§10.3: the app role can append (the library's EXCLUSIVE lock included) but
    gets the trigger's error on UPDATE, DELETE and TRUNCATE."""
    from ledger.app import LedgerApplication as App
    from ledger.schema import grant_roles

    role = "kiemdiem_app_test"
    admin = "host=127.0.0.1 port=5432 dbname=test user=postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,))
        if exists.fetchone() is None:
            conn.execute(f"CREATE ROLE {role} LOGIN")
    grant_roles(backend.app.sql, app_role=role)
    env = dict(backend.settings.library_env, POSTGRES_USER=role)
    settings = dataclasses.replace(backend.settings, library_env=env)
    app = App(settings, backend.trust_root)
    try:
        backend.app.close()
        backend.app = app
        backend.open_review(world.alice, "Lê Văn Cường", ["Đồng ý"])
        table = f'"{settings.pg_schema}".ledger_events'
        for statement in (
            f"UPDATE {table} SET topic = topic",
            f"DELETE FROM {table}",
            f"TRUNCATE {table}",
        ):
            with (
                psycopg.connect(f"{admin[:-8]}{role}", autocommit=True) as conn,
                pytest.raises(psycopg.Error, match=r"append-only|permission denied"),
            ):
                conn.execute(statement)
        with (
            psycopg.connect(f"{admin[:-8]}{role}", autocommit=True) as conn,
            pytest.raises(psycopg.Error, match="must be owner"),
        ):
            conn.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
    finally:
        schema = f'"{settings.pg_schema}"'
        with psycopg.connect(admin, autocommit=True) as conn:
            for kind in ("TABLES", "SEQUENCES", "FUNCTIONS"):
                conn.execute(f"REVOKE ALL ON ALL {kind} IN SCHEMA {schema} FROM {role}")
            conn.execute(f"REVOKE ALL ON SCHEMA {schema} FROM {role}")


def test_a_fresh_process_lets_a_registered_member_sign_first_thing(world, backend):
    """A new process starts with only the trust-root keys in memory; the first
    save by anyone else must catch the registry up, not refuse the key."""
    backend.reopen()
    before = backend.app.max_notification_id()
    backend.open_review(world.bob, "Phạm Thị Dung", ["Đồng ý"])
    assert backend.app.max_notification_id() > before


def test_file_locations_come_from_the_environment_given(tmp_path, monkeypatch):
    """Paths follow the mapping the settings were read from, not the process."""
    monkeypatch.setenv("KIEMDIEM_TRUST_ROOT", "/process/trust-root.json")
    url = f"sqlite:///{tmp_path}/k.db"
    given = settings_from_environ({"KIEMDIEM_TRUST_ROOT": "/given/tr.json"}, url)
    assert given.trust_root_path == Path("/given/tr.json")
    assert (
        settings_from_environ({}, url).trust_root_path == tmp_path / "trust-root.json"
    )
    assert settings_from_environ(None, url).trust_root_path == Path(
        "/process/trust-root.json"
    )
