"""Files stay small enough to read in one sitting (style.md): every module of
the application at most ~600 lines, the standalone verifiers too (packages of
small modules: ``ledger/verify/``, ``votes/verifier/``)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = (
    "bench",
    "cli",
    "domain",
    "ledger",
    "projections",
    "services",
    "votes",
    "web",
)
LIMIT = 600


def too_long(root: Path) -> dict[str, int]:
    found = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            name = path.relative_to(root).as_posix()
            lines = len(path.read_text(encoding="utf-8").splitlines())
            if lines > LIMIT:
                found[name] = lines
    return found


def test_every_module_reads_in_one_sitting():
    assert too_long(ROOT) == {}


def test_the_rule_fires_on_a_long_module(tmp_path):
    (tmp_path / "domain").mkdir()
    (tmp_path / "domain" / "long.py").write_text("x = 1\n" * (LIMIT + 1))
    assert too_long(tmp_path) == {"domain/long.py": LIMIT + 1}
