"""The errors the command line prints as they are (``Lỗi: …``) speak Vietnamese:
like tests/test_configuration_words.py, the source is walked and the fixed text
of each ``raise`` of the errors below, and of each call to the commands' ways to
stop (``bad_input``, ``refused``, ``fail``…), must have a Vietnamese letter and
none of the English words; a message made only of a variable (``str(exc)``) is
checked where that error is raised."""

from __future__ import annotations

import ast
import re

import pytest

from tests.test_configuration_words import ENGLISH, ROOT, _assigned, _text

# Raised in these packages and printed by the command line as they are.
ERRORS = {
    "VerifyInputError",
    "StoreUnreadableError",
    "BundleInputError",
    "TrusteeToolError",
    "PrintingError",
    "ClickException",
    "UsageError",
    "BadParameter",
}
# The commands' ways to stop with a message.
STOPS = {"bad_input", "refused", "fail", "_fail", "_bad_input", "_unreadable"}
PACKAGES = ("cli", "ledger", "votes", "services")
VIETNAMESE = set("ăâđêôơưàáạảãằắặẳẵầấậẩẫèéẹẻẽềếệểễìíịỉĩòóọỏõồốộổỗờớợởỡùúụủũừứựửữỳýỵỷỹ")


def english(text: str) -> list[str]:
    """The English words of a message, or that it has no Vietnamese letter."""
    words = ENGLISH.findall(re.sub(r"`[^`]*`|[A-Z_]{4,}|--[a-z-]+", " ", text))
    missing = [] if VIETNAMESE & set(text.lower()) else ["(no Vietnamese letter)"]
    return missing + words


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else ""


def messages() -> list[tuple[str, str]]:
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                    call, wanted = node.exc, ERRORS
                elif isinstance(node, ast.Call) and package == "cli":
                    # (the verifiers' own ``_fail`` records a finding's English
                    # detail, shown as its technical part)
                    call, wanted = node, STOPS
                else:
                    continue
                if _name(call.func) not in wanted or not call.args:
                    continue
                arg = call.args[0]
                text = (
                    _assigned(tree, arg.id, node.lineno)
                    if isinstance(arg, ast.Name)
                    else _text(arg)
                )
                if re.search(r"[^\W\d_]", text):  # else only placeholders
                    found.append((f"{path.relative_to(ROOT)}:{node.lineno}", text))
    return found


MESSAGES = messages()


def test_the_walk_finds_the_messages_and_can_fail():
    assert english("the bundle is not a JSON document")
    assert english("không đọc được gốc tin cậy") == []
    places = {where.split(":")[0] for where, _ in MESSAGES}
    assert len(MESSAGES) >= 60
    assert {
        "ledger/verify/inputs.py",
        "ledger/bundle.py",
        "cli/votes_create.py",
    } <= places


@pytest.mark.parametrize(("where", "text"), MESSAGES, ids=[w for w, _ in MESSAGES])
def test_every_message_the_command_line_prints_speaks_vietnamese(where, text):
    assert english(text) == [], (where, text)
