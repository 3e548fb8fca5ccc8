"""Service-level fixtures: a fresh initialised store on SQLite and on the real
PostgreSQL of this machine (each test gets its own schema)."""

import os
import uuid

import psycopg
import pytest

from ledger.config import settings_from_environ
from services.app import Kiemdiem
from services.setup import initialise

PG_BASE = "postgresql://postgres@127.0.0.1:5432/test"
ADMIN_PASSWORD = "mat-khau-quan-tri"


def postgres_available() -> bool:
    try:
        with psycopg.connect("host=127.0.0.1 port=5432 dbname=test user=postgres"):
            return True
    except psycopg.OperationalError:
        return False


def _drop_schema(schema: str) -> None:
    with psycopg.connect(
        "host=127.0.0.1 port=5432 dbname=test user=postgres", autocommit=True
    ) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request, tmp_path, monkeypatch):
    monkeypatch.setenv("KIEMDIEM_ARGON2_MEMORY_KIB", "1024")
    monkeypatch.setenv("KIEMDIEM_INSTANCE_DIR", str(tmp_path / "instance"))
    for key in ("KIEMDIEM_TRUST_ROOT", "KIEMDIEM_LOG_KEY_FILE", "KIEMDIEM_PROJECTIONS"):
        monkeypatch.delenv(key, raising=False)
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/kiemdiem.db"
        return
    if not postgres_available():
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL on 127.0.0.1:5432 is required in CI")
        pytest.skip("PostgreSQL on 127.0.0.1:5432 is not running")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    # Tests run the embedded mode on PostgreSQL too: catch-up inline after writes.
    monkeypatch.setenv("KIEMDIEM_PROJECTIONS", "inline")
    yield f"{PG_BASE}?schema={schema}"
    _drop_schema(schema)


@pytest.fixture
def settings(database_url):
    return settings_from_environ(database_url=database_url)


@pytest.fixture
def services(settings):
    initialise(
        settings,
        origin="kiemdiem.test/tinh-uy",
        admin_username="admin",
        admin_full_name="Quản trị hệ thống",
        admin_password=ADMIN_PASSWORD,
        demo=True,  # the generated log key passphrase beside the key
    )
    app = Kiemdiem(settings)
    yield app
    app.close()


@pytest.fixture
def admin(services):
    session = services.authenticate("admin", ADMIN_PASSWORD)
    assert session is not None
    return session


def stored_rows(services) -> list[tuple]:
    """Every stored event as bytes and coordinates: what "unchanged" compares."""
    return [
        (n.id, n.originator_id, n.originator_version, n.topic, bytes(n.state))
        for n in services.ledger.recorder.select_notifications(start=1, limit=10**7)
    ]


@pytest.fixture
def refused(services):
    """``refused(code, call)``: ``call()`` raises DomainError ``code`` (with the
    given details) and the store is byte-identical afterwards."""
    from domain.errors import DomainError

    def check(code: str, call, **details):
        before = stored_rows(services)
        with pytest.raises(DomainError) as caught:
            call()
        assert caught.value.code == code, caught.value
        for key, value in details.items():
            assert caught.value.details.get(key) == value, caught.value.details
        assert stored_rows(services) == before
        return caught.value

    return check


@pytest.fixture
def new_events(services):
    """``new_events(call)``: run ``call`` and return the topics it stored, in order
    (the "then" of given → command → then events)."""

    def run(call) -> list[str]:
        before = services.ledger.max_notification_id()
        call()
        return [
            n.topic.rsplit(":", 1)[-1]
            for n in services.ledger.recorder.select_notifications(
                start=before + 1, limit=10**6
            )
        ]

    return run
