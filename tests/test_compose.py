"""docker-compose.yml cannot be run here (no Docker engine): parse it and check
what would make it fail to start or start in the wrong order."""

from pathlib import Path

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


def test_database_url_points_at_the_db_service():
    services = load()["services"]
    for name in ("init", "web", "worker"):
        url = services[name]["environment"]["KIEMDIEM_DATABASE_URL"]
        assert url.startswith("postgresql://kiemdiem:")
        assert url.endswith("@db:5432/kiemdiem")
    db_env = services["db"]["environment"]
    assert db_env["POSTGRES_DB"] == "kiemdiem"
    assert db_env["POSTGRES_USER"] == "kiemdiem"


def test_web_runs_gunicorn_on_the_wsgi_app_and_worker_runs_the_worker():
    services = load()["services"]
    command = services["web"]["command"]
    assert command[0] == "gunicorn"
    assert "web.wsgi:app" in command
    assert services["worker"]["command"] == ["kiemdiem", "worker"]
    assert (ROOT / "web" / "wsgi.py").exists()


def test_init_is_idempotent_so_restarts_do_not_block_the_app():
    assert "--if-missing" in load()["services"]["init"]["command"]


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
