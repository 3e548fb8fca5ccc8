"""A store written by the first release still verifies, rebuilds, replays and shows
its history after every later change (tests/fixtures/store_2026_12/README).

The store is copied out of the fixture for each test: nothing here may change the
fixture itself, and what the test does to its copy (rebuilt views) is thrown away.
"""

import hashlib
import json
import sqlite3
from pathlib import Path
from uuid import UUID

import pytest
from click.testing import CliRunner
from eventsourcing.domain import Aggregate

from cli.main import cli
from ledger.config import settings_from_environ
from services.app import Kiemdiem
from tests.old_store import DEMO_LOGINS, copy_old_store

EVENTS = 605
STREAMS = 163


@pytest.fixture
def old_store(tmp_path, monkeypatch):
    instance = tmp_path / "instance"
    return instance, copy_old_store(instance, monkeypatch)


def _events_digest(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT * FROM stored_events ORDER BY rowid").fetchall()
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def _run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_the_old_store_verifies_against_its_trust_root(old_store):
    instance, url = old_store
    result = _run(
        "verify", url, "--trust-root", str(instance / "trust-root.json"), "--json"
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["ok"] is True


def test_the_old_store_rebuilds_every_view_and_stays_byte_identical(old_store):
    instance, _ = old_store
    before = _events_digest(instance / "kiemdiem.db")
    result = _run("rebuild")
    assert result.exit_code == 0, result.output
    first = json.loads(_run("views", "digest", "--json").output)
    assert first, "no view was rebuilt"
    assert _run("rebuild").exit_code == 0
    assert json.loads(_run("views", "digest", "--json").output) == first
    assert _events_digest(instance / "kiemdiem.db") == before


def test_every_aggregate_of_the_old_store_replays(old_store):
    """Every stream, the votes' own included, loads into its aggregate."""
    instance, url = old_store
    with sqlite3.connect(instance / "kiemdiem.db") as conn:
        streams = conn.execute(
            "SELECT originator_id, MAX(originator_version) FROM stored_events "
            "GROUP BY originator_id"
        ).fetchall()
        total = conn.execute("SELECT COUNT(*) FROM stored_events").fetchone()[0]
    assert total == EVENTS
    assert len(streams) == STREAMS
    app = Kiemdiem(settings_from_environ({"KIEMDIEM_INSTANCE_DIR": str(instance)}, url))
    try:
        for originator, version in streams:
            aggregate: Aggregate = app.ledger.repository.get(UUID(originator))
            assert aggregate.version == version
    finally:
        app.close()


def test_the_old_store_shows_a_members_history_on_the_web(old_store):
    from web import create_app

    instance, _ = old_store
    with sqlite3.connect(instance / "kiemdiem.db") as conn:
        (stored_id,) = conn.execute(
            "SELECT originator_id FROM stored_events "
            "WHERE topic = 'domain.members:PartyMember.DisciplineRecorded' LIMIT 1"
        ).fetchone()
    member = UUID(stored_id)
    assert _run("rebuild").exit_code == 0
    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False})
    client = app.test_client()
    login = client.post(
        "/auth/login",
        data={"username": "ubkt", "password": DEMO_LOGINS["ubkt"]},
        follow_redirects=True,
    )
    assert login.status_code == 200
    page = client.get(f"/members/{member}")
    assert page.status_code == 200, page.status_code
    history = client.get(f"/audit/subjects/{member}")
    assert history.status_code == 200, history.status_code
    text = history.get_data(as_text=True)
    assert "Kỷ luật" in text or "kỷ luật" in text
