"""Ledger rules outside the tamper drills (ledger.md §10, §11 "Also required")."""

from __future__ import annotations

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
    assert all(re.fullmatch(r"[a-z_.]+:[A-Za-z_.]+", t) for t in stored)
