"""The layer rules of architecture.md §2, checked on the source (AST)."""

import ast
import re
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


# -- the standalone verifiers (style.md §5, ledger.md §8, votes.md §10.2) ---------
# Each is a package a reader audits on its own. Every module of it, wherever the
# import stands (module level or in a function), imports only the standard
# library, its own package, the third-party libraries listed, and the plain
# ledger modules listed (those import only each other: checked below), never the
# library ``Application``, ``domain``, ``services``, ``projections``, ``web``,
# ``cli`` or the casting side of ``votes``.
LEDGER_PLAIN = (
    "ledger.canonical",
    "ledger.config",
    "ledger.envelope",
    "ledger.errors",
    "ledger.keyring",
    "ledger.merkle",
    "ledger.note",
    "ledger.trustroot",
    "ledger.verify_rows",
)
STANDALONE_VERIFIERS = {
    # directory: (its package, third-party libraries, plain ledger modules)
    "ledger/verify": (
        "ledger.verify",
        ("cryptography", "orjson", "psycopg", "pysodium"),
        LEDGER_PLAIN,
    ),
    "votes/verifier": ("votes.verifier", ("cryptography", "pysodium"), ()),
}


def full_imports(root: Path, path: Path) -> list[str]:
    """Every name ``path`` imports, fully qualified (``from a import b`` is
    ``a.b``), relative imports resolved against the file's own package."""
    package = list(path.relative_to(root).parent.parts)
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package[: len(package) - node.level + 1]
                base = ".".join([*up, base] if base else up)
            found += [f"{base}.{alias.name}" for alias in node.names]
    return found


def outside_imports(root: Path, directory: str) -> list[str]:
    """``path: module`` for each import of a verifier module it may not make."""
    own, libraries, plain = STANDALONE_VERIFIERS[directory]
    allowed = (own, *libraries, *plain, "__future__")
    return [
        f"{path.relative_to(root).as_posix()}: {name}"
        for path in sorted((root / directory).rglob("*.py"))
        for name in full_imports(root, path)
        if top(name) not in STDLIB and not within(name, allowed)
    ]


@pytest.mark.parametrize("directory", sorted(STANDALONE_VERIFIERS))
def test_the_standalone_verifiers_import_nothing_of_the_application(directory):
    assert outside_imports(ROOT, directory) == []


def test_the_plain_ledger_modules_the_verifier_uses_import_only_each_other():
    libraries = STANDALONE_VERIFIERS["ledger/verify"][1]
    bad = [
        (module, name)
        for module in LEDGER_PLAIN
        for name in full_imports(ROOT, ROOT / (module.replace(".", "/") + ".py"))
        if top(name) not in STDLIB
        and not within(name, (*LEDGER_PLAIN, *libraries, "__future__"))
    ]
    assert bad == []
    assert (ROOT / "ledger" / "__init__.py").read_text(encoding="utf-8").strip() == ""


def test_the_standalone_rule_fires_on_every_module_of_the_packages(tmp_path):
    (tmp_path / "ledger" / "verify" / "deep").mkdir(parents=True)
    (tmp_path / "votes" / "verifier").mkdir(parents=True)
    (tmp_path / "ledger" / "verify" / "new.py").write_text(
        "import os\nfrom ledger import merkle\nfrom ledger.verify import report\n"
        "def f():\n    from ledger import app\n    import eventsourcing.persistence\n"
    )
    (tmp_path / "ledger" / "verify" / "deep" / "x.py").write_text(
        "from services.app import Services\nfrom .. import base\nfrom ... import app\n"
    )
    (tmp_path / "votes" / "verifier" / "later.py").write_text(
        "import pysodium\nfrom votes.verifier.group import point\n"
        "from votes.group import add\nfrom .. import tally\nfrom . import record\n"
    )
    assert outside_imports(tmp_path, "ledger/verify") == [
        "ledger/verify/deep/x.py: services.app.Services",
        "ledger/verify/deep/x.py: ledger.app",
        "ledger/verify/new.py: ledger.app",
        "ledger/verify/new.py: eventsourcing.persistence",
    ]
    assert outside_imports(tmp_path, "votes/verifier") == [
        "votes/verifier/later.py: votes.group.add",
        "votes/verifier/later.py: votes.tally",
    ]


def test_projections_never_send_commands():
    bad = [
        (p.name, m)
        for p, m in imports_of("projections")
        if top(m) in {"services", "web", "cli"}
    ]
    assert bad == []


def names_imported(package: str) -> list[tuple[Path, str]]:
    """Every name a file of ``package`` imports, fully qualified: ``from a import
    b`` is ``a.b`` (so ``from domain import rulebooks`` is ``domain.rulebooks``
    and ``from ledger import verify`` is ``ledger.verify``)."""
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found += [(path, alias.name) for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found += [(path, f"{node.module}.{a.name}") for a in node.names]
    return found


def within(name: str, modules: tuple[str, ...]) -> bool:
    return any(name == m or name.startswith(f"{m}.") for m in modules)


@pytest.mark.parametrize("package", ["web", "cli"])
def test_entrypoints_do_not_reach_into_ledger_internals(package):
    """The ledger's public faces only: its settings, errors, trust root, and the
    standalone verifier (``ledger.verify``, ``ledger.bundle``) that
    ``kiemdiem verify`` runs. No file name is exempt."""
    public = (
        "ledger.config",
        "ledger.errors",
        "ledger.trustroot",
        "ledger.verify",
        "ledger.bundle",
    )
    bad = [
        (p.name, m)
        for p, m in names_imported(package)
        if top(m) == "ledger" and not within(m, public)
    ]
    assert bad == []


def test_web_asks_the_rules_through_the_gateway_never_the_rulebooks():
    """Rules stay in the domain (issue 10): pages ask the read gateway or the
    catalogue, never ``domain.rulebooks`` or ``domain.explain`` themselves."""
    bad = [
        (str(p.relative_to(ROOT)), m)
        for p, m in names_imported("web")
        if within(m, ("domain.rulebooks", "domain.explain"))
    ]
    assert bad == []


def test_the_entrypoint_rules_fire_on_a_violation(tmp_path, monkeypatch):
    (tmp_path / "web").mkdir()
    (tmp_path / "web" / "verify_x.py").write_text(
        "from domain import explain\nfrom ledger import store\n"
    )
    monkeypatch.setattr(__import__(__name__), "ROOT", tmp_path)
    names = [m for _, m in names_imported("web")]
    assert names == ["domain.explain", "ledger.store"]
    assert within("domain.explain", ("domain.explain",))
    assert not within("ledger.store", ("ledger.config", "ledger.verify"))


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


# -- services/: no import circle, nobody's private names (issue 10) ---------------
def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def services_graph(root: Path) -> dict[str, set[str]]:
    """Module → the ``services`` modules it imports, wherever the import stands
    (module level, in a function, under ``TYPE_CHECKING``): an import moved into
    a function to dodge a circle still counts."""
    paths = sorted((root / "services").rglob("*.py"))
    modules = {module_name(p, root) for p in paths}
    graph: dict[str, set[str]] = {}
    for path in paths:
        name = module_name(path, root)
        edges: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                base = node.module
                if node.level:
                    package = name.split(".")[: -node.level]
                    base = ".".join([*package, node.module])
                targets = [
                    f"{base}.{alias.name}"
                    if f"{base}.{alias.name}" in modules
                    else base
                    for alias in node.names
                ]
            else:
                continue
            edges |= {t for t in targets if t in modules and t != name}
        # A package's empty __init__ is imported on the way; it imports nothing.
        graph[name] = edges
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle of ``graph`` as the list of its modules, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)) is not None:
                return found
        stack.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)) is not None:
            return found
    return None


def private_reaches(root: Path, package: str = "services") -> list[str]:
    """``from x import _name`` and ``something._name`` where something is not
    ``self`` or ``cls`` (``self.app._get`` counts: another object's helper), and
    the same reach spelled ``getattr(something, "_name")`` (or ``hasattr``,
    ``setattr``, ``delattr``)."""
    found = []
    for path in sorted((root / package).rglob("*.py")):
        where = path.relative_to(root)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module != "__future__":
                found += [
                    f"{where}:{node.lineno} imports {node.module}.{alias.name}"
                    for alias in node.names
                    if alias.name.startswith("_")
                ]
            elif isinstance(node, ast.expr) and _reaches_private(node):
                found.append(f"{where}:{node.lineno} reaches {ast.unparse(node)}")
    return found


def _reaches_private(node: ast.expr) -> bool:
    """``other._name`` (not ``self``/``cls``) or ``getattr(other, "_name")``."""
    if isinstance(node, ast.Attribute):
        return _private(node.attr) and not (
            isinstance(node.value, ast.Name) and node.value.id in {"self", "cls"}
        )
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in {"getattr", "hasattr", "setattr", "delattr"}
        and len(node.args) >= 2
        and isinstance(node.args[1], ast.Constant)
        and isinstance(node.args[1].value, str)
        and _private(node.args[1].value)
    )


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def test_services_have_no_import_circle():
    assert find_cycle(services_graph(ROOT)) is None


def test_services_use_no_other_objects_private_names():
    assert private_reaches(ROOT) == []


def test_the_services_rules_fire_on_a_violation(tmp_path):
    (tmp_path / "services").mkdir()
    (tmp_path / "services" / "__init__.py").write_text("")
    (tmp_path / "services" / "app.py").write_text(
        "from services.ratings import RatingService\n"
    )
    (tmp_path / "services" / "ratings.py").write_text(
        "def make(app):\n"
        "    from services.app import thing  # dodging the circle still counts\n"
        "    return app._get(1)\n"
    )
    (tmp_path / "services" / "other.py").write_text(
        "from services.app import _helper\n"
        "class S:\n"
        "    def f(self):\n"
        "        return self._mine() + self.app._theirs()\n"
        "    def g(self, other):\n"
        "        return getattr(other, '_hidden', ())\n"
    )
    assert find_cycle(services_graph(tmp_path)) == [
        "services.app",
        "services.ratings",
        "services.app",
    ]
    assert private_reaches(tmp_path) == [
        "services/other.py:1 imports services.app._helper",
        "services/other.py:6 reaches getattr(other, '_hidden', ())",
        "services/other.py:4 reaches self.app._theirs",
        "services/ratings.py:3 reaches app._get",
    ]


# -- services/: read SQL lives next to its read model (issue 10) ------------------
# SQL over a projection's table names it through a ``{table}`` placeholder (the
# runtime prefixes it with the view's name): a string with a statement keyword
# followed by such a placeholder is read SQL. It belongs in the projection module
# that owns the table (``projections/…``: a function taking the runtime and
# returning typed rows), which the service calls.
SQL_OVER_A_VIEW = re.compile(
    r"\b(?:SELECT\b[\s\S]*?\bFROM|JOIN|INSERT\s+INTO|UPDATE|DELETE\s+FROM)"
    r"\s+\{\w+\}"
)
# Modules allowed to keep SQL over a view, each with its reason. None today:
# even the application's own directory lookups (``services.app``: organisations,
# members, accounts) read through ``projections.directory_reads``. A module added
# here needs a reason a reviewer accepts (e.g. a one-off migration).
SQL_ALLOWED: frozenset[str] = frozenset()


def sql_in_services(root: Path, allowed: frozenset[str] = SQL_ALLOWED) -> list[str]:
    """``path:line`` of every string in ``services/`` that is SQL over a view,
    outside the ``allowed`` modules."""
    found: list[tuple[str, int]] = []
    for path in sorted((root / "services").rglob("*.py")):
        where = path.relative_to(root).as_posix()
        if where in allowed:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and SQL_OVER_A_VIEW.search(node.value)
            ):
                found.append((where, node.lineno))
    return [f"{where}:{line}" for where, line in sorted(found)]


def test_services_hold_no_sql_over_the_projections():
    assert sql_in_services(ROOT) == []


def test_the_sql_rule_fires_on_a_violation(tmp_path):
    (tmp_path / "services").mkdir()
    (tmp_path / "services" / "app.py").write_text('Q = "SELECT * FROM {accounts}"\n')
    (tmp_path / "services" / "reads.py").write_text(
        "def rows(app):\n"
        '    """Read from {subjects}, in a docstring, is no SQL."""\n'
        "    return app.projections.query(\n"
        '        "ratings",\n'
        '        "SELECT s.name FROM {subjects} s "\n'
        '        "JOIN {cycles} c ON c.cycle_id = s.cycle_id",\n'
        "    )\n"
        'U = "UPDATE {subjects} SET level = ?"\n'
    )
    assert sql_in_services(tmp_path, frozenset({"services/app.py"})) == [
        "services/reads.py:5",
        "services/reads.py:8",
    ]
    assert sql_in_services(tmp_path, frozenset())[0] == "services/app.py:1"
