"""web/catalogue: every error code of domain/ and services/ has a Vietnamese
message, written in NFC, with a generic fallback for the rest."""

from __future__ import annotations

import ast
import re
import unicodedata
from pathlib import Path

import pytest

from web.catalogue import (
    KIND_LABELS,
    MESSAGES,
    ROLE_LABELS,
    STATUS_LABELS,
    message_for,
)
from web.catalogue.flashes import DONE

ROOT = Path(__file__).resolve().parents[2]
# A refusal code: a string literal passed to an error class, e.g.
# DomainError("org.code_taken", ...) or NotFoundError(..., "org.not_found").
RAISED = re.compile(r'(?:Error\(|_get\([^)]*?)\s*"([a-z_]+\.[a-z_]+)"', re.S)
PERMISSION_ACTIONS = re.compile(r'"([a-z_]+\.[a-z_]+)": frozenset')
# The areas that have pages. An area joins this list with its blueprint (and its
# messages); until then its codes get the generic fallback message.
AREAS_WITH_PAGES = (
    "org.",
    "member.",
    "account.",
    "auth.",
    "store.",
    "key.",
    "vote.",
    "audit.",
)


def _codes_in_source() -> set[str]:
    codes: set[str] = set()
    for folder in ("domain", "services", "votes"):
        for path in (ROOT / folder).rglob("*.py"):
            codes |= set(RAISED.findall(path.read_text(encoding="utf-8")))
    actions = set(
        PERMISSION_ACTIONS.findall(
            (ROOT / "domain" / "permissions.py").read_text(encoding="utf-8")
        )
    )
    return {code for code in codes - actions if code.startswith(AREAS_WITH_PAGES)}


def test_the_scan_finds_codes():
    codes = _codes_in_source()
    assert {"org.not_found", "org.parent_not_found", "store.conflict"} <= codes
    assert "auth.signature_required" in codes


@pytest.mark.parametrize("code", sorted(_codes_in_source()))
def test_every_code_has_a_message(code):
    assert code in MESSAGES


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_messages_are_nfc_vietnamese(code):
    text = message_for(code, {"value": "x", "limit": 10})
    assert unicodedata.is_normalized("NFC", MESSAGES[code])
    assert text
    assert "{" not in text
    assert text[0].isupper()


def test_every_label_is_nfc():
    for labels in (ROLE_LABELS, KIND_LABELS, STATUS_LABELS):
        for label in labels.values():
            assert unicodedata.is_normalized("NFC", label)


def test_role_and_kind_labels():
    assert ROLE_LABELS == {
        "admin": "Quản trị",
        "secretary": "Thư ký",
        "decision_maker": "Cấp ủy (quyết định)",
        "inspector": "Ủy ban kiểm tra",
        "member": "Đảng viên",
        "counting": "Ban kiểm phiếu",
    }
    assert list(KIND_LABELS.values()) == [
        "Tỉnh ủy",
        "Huyện ủy",
        "Đảng ủy cơ sở",
        "Đảng ủy bộ phận",
        "Chi bộ",
        "Tập thể lãnh đạo",
    ]


def test_labels_cover_the_domain():
    from domain.accounts import Role
    from domain.members import MembershipStatus
    from domain.organisations import OrganisationKind

    assert set(ROLE_LABELS) == {r.value for r in Role}
    assert set(KIND_LABELS) == {k.value for k in OrganisationKind}
    assert set(STATUS_LABELS) == {s.value for s in MembershipStatus}


def test_details_fill_the_message():
    assert message_for("org.name_too_long", {"limit": 200}) == (
        "Tên tổ chức quá dài (tối đa 200 ký tự)."
    )
    assert message_for(
        "org.parent_not_allowed",
        {"kind": "district_committee", "parent_kind": "district_committee"},
    ) == ("Huyện ủy không thể trực thuộc huyện ủy.")
    assert message_for("org.parent_not_allowed", {"kind": "cell"}) == (
        "Chi bộ phải trực thuộc một tổ chức cấp trên."
    )


def test_missing_details_do_not_break_a_message():
    assert message_for("org.code_taken") == "Mã tổ chức “” đã được dùng."


def test_unknown_code_falls_back():
    assert message_for("nothing.unknown_code") == (
        "Không thể thực hiện yêu cầu (mã lỗi: nothing.unknown_code)."
    )


WEB = Path(__file__).resolve().parents[2] / "web"


def _flash_calls() -> list[tuple[Path, ast.Call]]:
    calls = []
    for path in WEB.rglob("*.py"):
        if "catalogue" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "flash"
            ):
                calls.append((path, node))
    return calls


def test_no_route_writes_its_own_confirmation():
    """Flashes come from the catalogue (web.catalogue.flashes), never a literal."""
    assert _flash_calls(), "no flash() call found: the test looks in the wrong place"
    literal = [
        f"{path.relative_to(WEB)}:{call.lineno}"
        for path, call in _flash_calls()
        if call.args and isinstance(call.args[0], (ast.Constant, ast.JoinedStr))
    ]
    assert literal == []


def test_every_confirmation_is_used_and_vietnamese():
    source = "\n".join(p.read_text(encoding="utf-8") for p in WEB.rglob("*.py"))
    unused = [key for key in DONE if f'done("{key}"' not in source]
    assert unused == []
    for text in DONE.values():
        assert unicodedata.is_normalized("NFC", text)
        assert text.endswith(".")


def test_level_names_agree_with_the_domain():
    """The rating pages and the recorded explanations name a level the same way."""
    from domain.explain import LEVEL_NAMES
    from web.catalogue.ratings import LEVEL_LABELS

    assert LEVEL_LABELS == LEVEL_NAMES


def test_every_rulebook_has_the_name_of_its_texts():
    """A decision records an ASCII rulebook id; pages cite the texts with their Đ."""
    from domain.rulebooks import all_rulebooks
    from web.catalogue.ratings import RULEBOOK_LABELS
    from web.templating import explanation_text

    for book in all_rulebooks():
        label = explanation_text(book.id, "rulebook_id")
        assert book.regulation in label and book.guidance in label
    assert set(RULEBOOK_LABELS) == {book.id for book in all_rulebooks()}
