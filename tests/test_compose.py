"""docker-compose.yml cannot be run here (no Docker engine): parse it and check
what would make it fail to start or start in the wrong order, and that it runs as
production does (issue 11.6, 14.4): the owner initialises, the web app and the
worker run as the insert-only app role, secrets come from Docker secrets, gunicorn
runs a worker per core. Nothing here pretends the stack ran."""

import os
import runpy
import shlex
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


def load() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def test_services_present():
    assert set(load()["services"]) == {"db", "init", "web", "worker"}


def test_database_has_a_healthcheck():
    db = load()["services"]["db"]
    assert db["image"].startswith("postgres:15")
    check = db["healthcheck"]["test"]
    assert "pg_isready" in " ".join(check)
    assert db["healthcheck"]["retries"] >= 5


def test_app_waits_for_a_healthy_database_and_init():
    services = load()["services"]
    for name in ("web", "worker"):
        depends = services[name]["depends_on"]
        assert depends["db"]["condition"] == "service_healthy"
        assert depends["init"]["condition"] == "service_completed_successfully"
    assert services["init"]["depends_on"]["db"]["condition"] == "service_healthy"


def _init_steps() -> list[list[str]]:
    command = load()["services"]["init"]["command"]
    assert command[:2] == ["sh", "-c"]
    return [shlex.split(step) for step in command[2].split("&&")]


def test_init_is_idempotent_so_restarts_do_not_block_the_app():
    steps = _init_steps()
    assert steps[0] == ["kiemdiem", "init", "--if-missing"]


def test_init_runs_db_init_and_grant_as_the_owner():
    steps = _init_steps()
    assert ["kiemdiem", "db", "init"] in steps
    assert ["kiemdiem", "db", "grant", "--app-role", "kiemdiem_app"] in steps
    assert steps.index(["kiemdiem", "db", "init"]) < len(steps) - 1  # grant last
    env = load()["services"]["init"]["environment"]
    assert env["KIEMDIEM_DATABASE_URL"] == "postgresql://kiemdiem@db:5432/kiemdiem"
    assert env["KIEMDIEM_DATABASE_PASSWORD_FILE"] == "/run/secrets/db_owner_password"
    assert "db_owner_password" in load()["services"]["init"]["secrets"]
    db = load()["services"]["db"]["environment"]
    assert db["POSTGRES_USER"] == "kiemdiem"
    assert db["POSTGRES_DB"] == "kiemdiem"
    assert db["POSTGRES_PASSWORD_FILE"] == "/run/secrets/db_owner_password"
    assert "POSTGRES_PASSWORD" not in db


def test_web_and_worker_run_as_the_app_role_with_its_password_from_a_secret():
    services = load()["services"]
    for name in ("web", "worker"):
        env = services[name]["environment"]
        url = env["KIEMDIEM_DATABASE_URL"]
        assert url == "postgresql://kiemdiem_app@db:5432/kiemdiem", name
        assert env["KIEMDIEM_DATABASE_PASSWORD_FILE"] == "/run/secrets/db_app_password"
        assert services[name]["secrets"] == [
            s
            for s in ("db_app_password", "log_key_passphrase")
            if s in env_secrets(env)
        ]
        assert "db_owner_password" not in services[name]["secrets"], name
        assert env["KIEMDIEM_PROJECTIONS"] == "worker"
    for name, service in services.items():
        for value in (service.get("environment") or {}).values():
            assert "PASSWORD}" not in str(value) or name == "init", (name, value)


def env_secrets(env: dict) -> set[str]:
    return {
        str(v).removeprefix("/run/secrets/")
        for v in env.values()
        if str(v).startswith("/run/secrets/")
    }


def test_the_app_role_is_created_by_the_database_on_first_start():
    db = load()["services"]["db"]
    assert "./deploy/postgres:/docker-entrypoint-initdb.d:ro" in db["volumes"]
    assert set(db["secrets"]) == {"db_owner_password", "db_app_password"}
    script = (ROOT / "deploy" / "postgres" / "10-app-role.sh").read_text("utf-8")
    assert "/run/secrets/db_app_password" in script
    assert "CREATE ROLE kiemdiem_app LOGIN NOSUPERUSER" in script
    assert "ON_ERROR_STOP=1" in script
    assert os.access(ROOT / "deploy" / "postgres" / "10-app-role.sh", os.X_OK)


def test_the_log_key_passphrase_is_a_secret_never_beside_the_key():
    compose = load()
    services = compose["services"]
    assert compose["secrets"]["log_key_passphrase"] == {
        "file": "./secrets/log_key_passphrase"
    }
    for name in ("init", "worker"):
        env = services[name]["environment"]
        path = env["KIEMDIEM_LOG_KEY_PASSPHRASE_FILE"]
        assert path == "/run/secrets/log_key_passphrase"
        assert "log_key_passphrase" in services[name]["secrets"]
        instance = env["KIEMDIEM_INSTANCE_DIR"]
        assert not path.startswith(instance)  # the key lives in the instance volume
        assert "KIEMDIEM_LOG_KEY_PASSPHRASE" not in env
    # The web app signs no checkpoint in worker mode: it gets no passphrase.
    assert "log_key_passphrase" not in services["web"]["secrets"]
    assert "KIEMDIEM_LOG_KEY_PASSPHRASE_FILE" not in services["web"]["environment"]
    for secret in compose["secrets"].values():
        assert secret["file"].startswith("./secrets/")
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    assert "secrets/" in ignored


def _gunicorn_settings(monkeypatch, **env: str) -> dict:
    for key in ("WEB_CONCURRENCY", "GUNICORN_THREADS", "GUNICORN_BIND"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def test_gunicorn_runs_one_worker_per_core_with_threads(monkeypatch):
    services = load()["services"]
    assert services["web"]["command"] == [
        "gunicorn",
        "--config=gunicorn.conf.py",
        "web.wsgi:app",
    ]
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert 'CMD ["gunicorn", "--config=gunicorn.conf.py", "web.wsgi:app"]' in dockerfile
    assert "COPY gunicorn.conf.py ./" in dockerfile
    conf = _gunicorn_settings(monkeypatch)
    assert conf["workers"] == len(os.sched_getaffinity(0))
    assert conf["threads"] == 8
    assert conf["worker_class"] == "gthread"
    assert conf["preload_app"] is False  # each worker opens its own pools
    assert conf["bind"] == "0.0.0.0:8000"
    conf = _gunicorn_settings(monkeypatch, WEB_CONCURRENCY="3", GUNICORN_THREADS="4")
    assert (conf["workers"], conf["threads"]) == (3, 4)
    with pytest.raises(ValueError, match="WEB_CONCURRENCY"):
        _gunicorn_settings(monkeypatch, WEB_CONCURRENCY="0")
    # Passed through only when set: gunicorn itself fails on an empty value.
    env = services["web"]["environment"]
    assert "WEB_CONCURRENCY" in env
    assert env["WEB_CONCURRENCY"] is None


def test_dockerfile_installs_every_package_the_wheel_contains():
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    for package in (
        "domain",
        "ledger",
        "services",
        "projections",
        "votes",
        "web",
        "cli",
    ):
        assert f"COPY {package} {package}" in dockerfile
    assert "libsodium23" in dockerfile


def test_dockerfile_builds_the_booth_with_npm_ci_from_debian():
    """The booth's @noble packages come from package-lock.json through `npm ci`
    with Debian's node/npm, and the app serves them from where they were installed
    (votes.md §7.1); the build fails if the booth hash cannot be computed."""
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    lines = [
        line.strip()
        for line in dockerfile.splitlines()
        if not line.lstrip().startswith("#")
    ]
    assert "COPY package.json package-lock.json ./" in lines
    assert "COPY booth booth" in lines
    install = next(i for i, line in enumerate(lines) if "npm ci" in line)
    apt = next(
        i for i, line in enumerate(lines) if "apt-get install" in line and "npm" in line
    )
    assert "nodejs" in lines[apt]
    assert apt < install  # Debian's node/npm, then the locked install
    assert "--ignore-scripts" in lines[install]
    assert "curl" not in dockerfile
    assert "nodesource" not in dockerfile  # no third-party apt source
    assert "ENV KIEMDIEM_BOOTH_ROOT=/srv/kiemdiem" in lines
    assert "WORKDIR /srv/kiemdiem" in lines
    assert any("kiemdiem votes booth-hash" in line for line in lines)
    assert (ROOT / "package-lock.json").exists()
    for name in ("booth-ui.js", "kiemdiem-booth.js"):
        assert (ROOT / "booth" / name).exists()
