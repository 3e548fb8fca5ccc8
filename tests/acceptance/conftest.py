"""The rule scenarios through the HTTP API (``/api/v1``), on SQLite and on the
PostgreSQL of this machine: a fresh store per test, a small province, and one
signed-in client per role."""

from __future__ import annotations

import os
import uuid

import psycopg
import pytest

from ledger.config import settings_from_environ
from services.app import Kiemdiem
from services.setup import initialise
from tests.acceptance.ratings_api import ADMIN_PASSWORD, Province

PG = "host=127.0.0.1 port=5432 dbname=test user=postgres"


def _postgres() -> bool:
    try:
        with psycopg.connect(PG):
            return True
    except psycopg.OperationalError:
        return False


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request, tmp_path, monkeypatch):
    monkeypatch.setenv("KIEMDIEM_ARGON2_MEMORY_KIB", "1024")
    monkeypatch.setenv("KIEMDIEM_INSTANCE_DIR", str(tmp_path / "instance"))
    for key in ("KIEMDIEM_TRUST_ROOT", "KIEMDIEM_LOG_KEY_FILE", "KIEMDIEM_PROJECTIONS"):
        monkeypatch.delenv(key, raising=False)
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/kiemdiem.db"
        return
    if not _postgres():
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL on 127.0.0.1:5432 is required in CI")
        pytest.skip("PostgreSQL on 127.0.0.1:5432 is not running")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    monkeypatch.setenv("KIEMDIEM_PROJECTIONS", "inline")
    yield f"postgresql://postgres@127.0.0.1:5432/test?schema={schema}"
    with psycopg.connect(PG, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture
def province(database_url):
    from web import create_app, shutdown

    settings = settings_from_environ(database_url=database_url)
    initialise(
        settings,
        origin="kiemdiem.test/acceptance",
        admin_username="admin",
        admin_full_name="Quản trị hệ thống",
        admin_password=ADMIN_PASSWORD,
        demo=True,  # the generated log key passphrase beside the key
    )
    services = Kiemdiem(settings)
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "acceptance-secret-key-0123456789"},
        services=services,
    )
    try:
        yield Province(services, app)
    finally:
        shutdown(app)
        services.close()
