"""What a ConfigurationError says is read by the operator (on the command line,
in the server's log at start): every one raised in the code is Vietnamese. The
check walks the source: the message of each ``raise ConfigurationError(…)`` (a
text, an f-string, or the ``msg`` assigned just before it in the same
function) must have Vietnamese letters and none of the English words below."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("domain", "ledger", "services", "projections", "votes", "web", "cli")
VIETNAMESE = re.compile(r"[ăâđêôơưàáảãạèéẻẽẹìíỉĩịòóỏõọùúủũụỳýỷỹỵ]", re.IGNORECASE)
ENGLISH = re.compile(
    r"\b(the|is|are|must|cannot|not|no|does|set|use|give|would|refusing|first)\b"
)


def _text(node: ast.AST | None) -> str:
    """The fixed parts of a message expression (placeholders left out)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return " ".join(_text(v) for v in node.values)
    if isinstance(node, ast.BinOp):
        return _text(node.left) + " " + _text(node.right)
    return ""


def _assigned(tree: ast.AST, name: str, line: int) -> str:
    """The text assigned to ``name`` last before ``line`` (``msg = …`` just
    before its ``raise``)."""
    before = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign)
        and node.lineno < line
        and any(isinstance(t, ast.Name) and t.id == name for t in node.targets)
    ]
    return _text(max(before, key=lambda n: n.lineno).value) if before else ""


def messages() -> list[tuple[str, str]]:
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if not isinstance(node, ast.Raise):
                    continue
                call = node.exc
                if not (
                    isinstance(call, ast.Call)
                    and isinstance(call.func, ast.Name)
                    and call.func.id == "ConfigurationError"
                    and call.args
                ):
                    continue
                arg = call.args[0]
                text = (
                    _assigned(tree, arg.id, node.lineno)
                    if isinstance(arg, ast.Name)
                    else _text(arg)
                )
                found.append((f"{path.relative_to(ROOT)}:{node.lineno}", text))
    return found


MESSAGES = messages()


def english(text: str) -> list[str]:
    words = ENGLISH.findall(re.sub(r"`[^`]*`|[A-Z_]{4,}|--[a-z-]+", " ", text))
    missing = [] if VIETNAMESE.search(text) else ["(no Vietnamese letter)"]
    return missing + words


def test_the_walk_finds_the_messages_and_can_fail():
    assert len(MESSAGES) >= 30
    assert english("the log key passphrase does not open the log key")
    assert english("mật khẩu không mở được khóa sổ cái") == []


@pytest.mark.parametrize(("where", "text"), MESSAGES, ids=[w for w, _ in MESSAGES])
def test_every_configuration_error_speaks_vietnamese(where, text):
    assert english(text) == [], (where, text)
