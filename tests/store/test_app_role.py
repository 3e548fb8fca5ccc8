"""PostgreSQL as docker-compose runs it (issue 11.6): the owner initialises the
store (``kiemdiem init``, ``kiemdiem db init``, ``kiemdiem db grant --app-role``);
the web app and the worker run as the insert-only app role, which writes commands
and keeps the views, and cannot rewrite evidence nor turn its triggers off."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from ledger.config import settings_from_environ
from services import commands as c
from services.app import Kiemdiem
from services.setup import (
    create_database_tables,
    grant_database_roles,
    initialise,
)

pytestmark = pytest.mark.postgres

PG_ADMIN = "host=127.0.0.1 port=5432 dbname=test user=postgres"
PASSWORD = "mat-khau-quan-tri"
EVIDENCE = ("ledger_events", "ledger_leaves", "ledger_checkpoints")


@pytest.fixture
def deployment(tmp_path, monkeypatch) -> Iterator[dict[str, Any]]:
    try:
        admin = psycopg.connect(PG_ADMIN, autocommit=True)
    except psycopg.OperationalError:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL on 127.0.0.1:5432 is required in CI")
        pytest.skip("PostgreSQL on 127.0.0.1:5432 is not running")
    monkeypatch.setenv("KIEMDIEM_ARGON2_MEMORY_KIB", "1024")
    monkeypatch.setenv("KIEMDIEM_INSTANCE_DIR", str(tmp_path / "instance"))
    monkeypatch.setenv("KIEMDIEM_PROJECTIONS", "worker")
    for key in ("KIEMDIEM_TRUST_ROOT", "KIEMDIEM_LOG_KEY_FILE"):
        monkeypatch.delenv(key, raising=False)
    # Not a demo store: the log key's passphrase comes from the environment.
    monkeypatch.setenv("KIEMDIEM_LOG_KEY_PASSPHRASE", "cum-tu-khoa-nhat-ky-thu")
    suffix = uuid.uuid4().hex[:10]
    schema, role = f"t_{suffix}", f"kd_app_{suffix}"
    secret = tmp_path / "db_app_password"
    secret.write_text("app-role-secret\n", encoding="utf-8")
    admin.execute(f"CREATE ROLE {role} LOGIN PASSWORD 'app-role-secret'")
    try:
        yield {
            "owner": f"postgresql://postgres@127.0.0.1:5432/test?schema={schema}",
            "app": f"postgresql://{role}@127.0.0.1:5432/test?schema={schema}",
            "role": role,
            "schema": schema,
            "secret": secret,
        }
    finally:
        admin.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        admin.execute(f"DROP OWNED BY {role}")
        admin.execute(f"DROP ROLE {role}")
        admin.close()


def _as_app_role(deployment: dict[str, Any]) -> psycopg.Connection[Any]:
    return psycopg.connect(
        f"host=127.0.0.1 port=5432 dbname=test user={deployment['role']} "
        "password=app-role-secret",
        autocommit=True,
    )


def test_web_and_worker_run_as_the_app_role_which_cannot_rewrite_evidence(
    deployment, monkeypatch
):
    owner = settings_from_environ(database_url=deployment["owner"])
    initialise(  # kiemdiem init, as the owner: tables, triggers, genesis, views
        owner,
        origin="kiemdiem.test/tinh-uy",
        admin_username="admin",
        admin_full_name="Quản trị hệ thống",
        admin_password=PASSWORD,
    )
    root = json.loads(owner.trust_root_path.read_text("utf-8"))
    create_database_tables(owner, root)  # kiemdiem db init (idempotent)
    grant_database_roles(owner, root, app_role=deployment["role"])

    # The app role's password comes from a secret file, not the URL.
    app_env = {
        "KIEMDIEM_DATABASE_PASSWORD_FILE": str(deployment["secret"]),
        "KIEMDIEM_INSTANCE_DIR": os.environ["KIEMDIEM_INSTANCE_DIR"],
        "KIEMDIEM_PROJECTIONS": "worker",
    }
    app_settings = settings_from_environ(app_env, deployment["app"])
    assert app_settings.pg_conninfo["password"] == "app-role-secret"
    assert "app-role-secret" not in app_settings.database_url
    web, worker = Kiemdiem(app_settings), Kiemdiem(app_settings)
    try:
        session = web.authenticate("admin", PASSWORD)
        assert session is not None
        command = c.FoundOrganisation(
            session.actor, "tinh", "Tỉnh ủy", "provincial_committee", None
        )
        web.handle(command, session.signer)  # insert + the views, as the app role
        worker.work_once()  # integrate, checkpoint, project
        assert worker.integrator.size == web.ledger.max_notification_id()
        assert [o.code for o in web.organisations()] == ["tinh"]
        worker.projections.rebuild(["directory"])  # drops and re-creates its tables
        assert [o.code for o in web.organisations()] == ["tinh"]
        tip = web.ledger.max_notification_id()
    finally:
        web.close()
        worker.close()

    schema = deployment["schema"]
    with _as_app_role(deployment) as conn:
        for name in EVIDENCE:
            table = f'"{schema}".{name}'
            for statement in (
                f"ALTER TABLE {table} DISABLE TRIGGER USER",
                f"ALTER TABLE {table} DISABLE TRIGGER append_only_rows",
                f"ALTER TABLE {table} DISABLE TRIGGER ALL",
            ):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    conn.execute(statement)
            for statement in (
                f"DELETE FROM {table}",
                f"UPDATE {table} SET {_a_column(name)} = {_a_column(name)}",
                f"TRUNCATE {table}",
                f"DROP TABLE {table}",
            ):
                with pytest.raises(
                    psycopg.Error, match=r"append-only|permission denied|must be owner"
                ):
                    conn.execute(statement)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(f'DROP FUNCTION "{schema}".kiemdiem_append_only() CASCADE')
        with pytest.raises(psycopg.Error, match=r"permission denied|must be"):
            conn.execute("SET session_replication_role = replica")
    with psycopg.connect(PG_ADMIN) as conn:
        rows = conn.execute(f'SELECT count(*) FROM "{schema}".ledger_events').fetchone()
    assert rows is not None
    assert rows[0] == tip


def _a_column(table: str) -> str:
    return {"ledger_events": "topic", "ledger_leaves": "idx"}.get(table, "size")
