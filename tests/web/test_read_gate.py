"""Every read of the web goes through the scoped read gateway (``reads()``): no
module under web/ reads through ``services()`` itself, so a new query can't
forget the scope check (issue 10, "scope at the gate"). Checked on the source."""

from __future__ import annotations

import ast
from pathlib import Path

WEB = Path(__file__).resolve().parents[2] / "web"

# What ``services()`` may still be used for: commands, signing keys, the session
# and the one place that builds the gateway. Anything else is a read.
ALLOWED_CHAINS = {
    "handle",  # the command bus
    "authenticate",
    "signer_for",
    "unlocked.get",
    "unlocked.put",
    "unlocked.drop",
    "unlocked.drop_actor",  # sign out everywhere: the account's keys go
    "audit.record_access",  # the signed access log (a write)
    "audit.issue_checkpoint",  # signs a checkpoint (a command)
    "audit.start_verification",  # starts a verification job (a command)
    "views_after",  # a block's writes shown by the views at its end (not a read)
}
# (module, chain): narrower exceptions, each for a reason.
ALLOWED_IN = {
    ("identity.py", "account"),  # loading the signed-in user's own account
    ("identity.py", ""),  # the definition of services()
    ("reads.py", ""),  # builds the gateway from the services
    ("votes/shared.py", "votes"),  # vote_service(): the vote commands
    ("ratings/members.py", ""),  # member import: sends signed commands
    ("api/rating_facts.py", ""),  # member import: sends signed commands
    ("idempotency.py", "ledger.sql"),  # the Idempotency-Key table's connection
}


def chain_after_services(node: ast.Call, parents: dict[ast.AST, ast.AST]) -> str:
    """The attribute chain read off ``services()``: ``services().a.b(...)`` is
    ``a.b``; a bare ``services()`` is ``""``."""
    names: list[str] = []
    current: ast.AST = node
    while isinstance(parents.get(current), ast.Attribute):
        current = parents[current]
        assert isinstance(current, ast.Attribute)
        names.append(current.attr)
    return ".".join(names)


def services_uses(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parents = {
        child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)
    }
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "services"
        ):
            found.append((node.lineno, chain_after_services(node, parents)))
    return sorted(found)


def offenders(root: Path = WEB) -> list[str]:
    bad = []
    for path in sorted(root.rglob("*.py")):
        module = path.relative_to(root).as_posix()
        for line, chain in services_uses(path):
            if chain in ALLOWED_CHAINS or (module, chain) in ALLOWED_IN:
                continue
            bad.append(f"web/{module}:{line}: services().{chain}")
    return bad


def test_no_web_module_reads_through_services():
    assert offenders() == [], "read through reads() (services/read_gateway.py)"


def test_the_check_finds_a_direct_read(tmp_path):
    """The check itself fails on a route that reads without the gate."""
    fake = tmp_path / "web"
    (fake / "members").mkdir(parents=True)
    (fake / "members" / "routes.py").write_text(
        "def page():\n"
        "    rows = services().members()\n"
        "    cycle = services().ratings.cycle_row(1)\n"
        "    ratings = services().ratings\n"
        "    services().handle(None, None)\n",
        encoding="utf-8",
    )
    assert offenders(fake) == [
        "web/members/routes.py:2: services().members",
        "web/members/routes.py:3: services().ratings.cycle_row",
        "web/members/routes.py:4: services().ratings",
    ]
