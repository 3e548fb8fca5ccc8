"""The layer rules of architecture.md §2, checked on the source (AST)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STDLIB = set(__import__("sys").stdlib_module_names)


def imports_of(package: str) -> list[tuple[Path, str]]:
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found += [(path, alias.name) for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.append((path, node.module))
    return found


def top(module: str) -> str:
    return module.split(".")[0]


def test_domain_imports_only_stdlib_and_eventsourcing_domain():
    bad = [
        (p.name, m)
        for p, m in imports_of("domain")
        if top(m) not in STDLIB | {"domain", "__future__"}
        and m not in {"eventsourcing.domain"}
    ]
    assert bad == []


def test_ledger_knows_nothing_of_the_domain_or_the_layers_above():
    bad = [
        (p.name, m)
        for p, m in imports_of("ledger")
        if top(m) in {"domain", "services", "projections", "web", "cli", "votes"}
    ]
    assert bad == []


def test_verify_does_not_use_the_library_application():
    bad = [
        m
        for p, m in imports_of("ledger")
        if p.name == "verify.py"
        and (m.startswith("eventsourcing") or m == "ledger.app")
    ]
    assert bad == []


def test_projections_never_send_commands():
    bad = [
        (p.name, m)
        for p, m in imports_of("projections")
        if top(m) in {"services", "web", "cli"}
    ]
    assert bad == []


@pytest.mark.parametrize("package", ["web", "cli"])
def test_entrypoints_do_not_reach_into_ledger_internals(package):
    allowed = {"ledger.config", "ledger.errors", "ledger.trustroot"}
    bad = [
        (p.name, m)
        for p, m in imports_of(package)
        if top(m) == "ledger" and m not in allowed and not p.name.startswith("verify")
    ]
    assert bad == []


def test_vote_crypto_has_no_flask_and_no_database():
    bad = [
        (p.name, m)
        for p, m in imports_of("votes")
        if top(m) in {"flask", "sqlite3", "psycopg", "web", "services"}
    ]
    assert bad == []


def test_rules_fire_on_a_violation(tmp_path, monkeypatch):
    """The checker itself must be able to fail."""
    (tmp_path / "domain").mkdir()
    (tmp_path / "domain" / "bad.py").write_text("import flask\n")
    monkeypatch.setattr(__import__(__name__), "ROOT", tmp_path)
    assert imports_of("domain") == [(tmp_path / "domain" / "bad.py", "flask")]
