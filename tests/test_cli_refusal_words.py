"""What the command line says when it refuses is Vietnamese (issue 13 §5), as
its help is (tests/test_cli_help_words.py): the common refusal paths of the
commands — no store, a bad store address, a wrong password, an unknown id, a
file that is missing or not what it should be, the cosigning service's own
faults, ``votes create``'s checks of its file — are driven through click's
runner, and each answer must hold a Vietnamese letter and none of the English
of the deny-list. ``--json`` output keeps its English keys (not checked here);
the demo province's phases are named in Vietnamese too."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import cli
from tests.conftest import ACCOUNTS, MEMBER_CARD
from web.catalogue import message_for
from web.catalogue.audit import NOTE_REASONS
from web.catalogue.demo import PHASE_LABELS

# Words of English that a Vietnamese message never needs (whole words, any case):
# prose, and what Python, the C library and the json module say.
DENIED = (
    "the",
    "is",
    "not",
    "does",
    "cannot",
    "no",
    "of",
    "and",
    "with",
    "for",
    "such",
    "has",
    "must",
    "invalid",
    "unknown",
    "wrong",
    "error",
    "file",
    "directory",
    "open",
    "read",
    "expecting",
    "errno",
    "leader",
    "trustee",
    "usage",
    "password",
)
VIETNAMESE = set("ăâđêôơưàáạảãằắặẳẵầấậẩẫèéẹẻẽềếệểễìíịỉĩòóọỏõồốộổỗờớợởỡùúụủũừứựửữỳýỵỷỹ")


def prose(text: str) -> str:
    """``text`` without what is not prose: paths, `commands`, «file keys»,
    an error code in brackets and the environment's variable names."""
    text = re.sub(r"`[^`]*`|«[^»]*»|\([a-z_]+\.[a-z_.]+\)", " ", text)
    text = re.sub(r"\S*/\S*", " ", text)
    return re.sub(r"KIEMDIEM_[A-Z_]+", " ", text)


def english_in(text: str) -> list[str]:
    words = re.findall(r"(?<![\w-])[A-Za-z]+(?![\w-])", prose(text))
    return sorted({w.lower() for w in words if w.lower() in DENIED})


def assert_vietnamese(result, status: int | None = None) -> str:
    text = result.output
    if status is not None:
        assert result.exit_code == status, text
    else:
        assert result.exit_code != 0, text
    assert VIETNAMESE & set(text.lower()), text
    assert english_in(text) == [], text
    assert "Traceback" not in text
    return text


def run(*args: str, **env: str):
    return CliRunner().invoke(cli, list(args), env=env or None)


def test_the_check_can_fail():
    assert english_in("Lỗi: the key does not open: wrong password") == [
        "does",
        "not",
        "open",
        "password",
        "the",
        "wrong",
    ]
    assert english_in("Lỗi: không đọc được /tmp/x: No such file or directory") == [
        "directory",
        "file",
        "no",
        "such",
    ]
    assert english_in("Lỗi: leader 1: post phải là chuỗi không rỗng") == ["leader"]
    assert english_in("Expecting value: line 1 column 1 (char 0)") == ["expecting"]
    assert english_in("Lỗi: «leaders» phải là danh sách (xem `kiemdiem --help`)") == []
    assert english_in("Lỗi: không đọc được /tmp/the-file-is-not: lỗi") == []


@pytest.fixture
def nowhere(tmp_path, monkeypatch):
    """An empty directory as the instance: no store."""
    monkeypatch.setenv("KIEMDIEM_DATABASE_URL", f"sqlite:///{tmp_path}/k.db")
    monkeypatch.setenv("KIEMDIEM_INSTANCE_DIR", str(tmp_path))
    monkeypatch.setenv("KIEMDIEM_PASSWORD", "mat-khau")
    monkeypatch.setenv("KIEMDIEM_ADMIN_PASSWORD", "mat-khau")
    return tmp_path


@pytest.mark.parametrize(
    "args",
    [
        ("orgs", "list"),
        ("members", "list"),
        ("checkpoint",),
        ("verify",),
        ("votes", "list"),
        ("key", "export", "ubkt", "--out", "k.json"),
        ("demo",),
        ("logins",),
    ],
    ids=" ".join,
)
def test_no_store_is_said_in_vietnamese(nowhere, args):
    assert_vietnamese(run(*args))


def test_a_bad_store_address_is_said_in_vietnamese_and_named_where_it_came_from(
    nowhere,
):
    from_env = assert_vietnamese(
        run("orgs", "list", KIEMDIEM_DATABASE_URL="mysql://x"), 2
    )
    assert "KIEMDIEM_DATABASE_URL phải bắt đầu" in from_env
    argument = assert_vietnamese(run("verify", "mysql://x"), 2)
    assert "Địa chỉ kho phải bắt đầu" in argument
    assert "KIEMDIEM_DATABASE_URL" not in argument


def test_files_that_cannot_be_read_are_said_in_vietnamese(nowhere):
    absent = nowhere / "absent.json"
    garbage = nowhere / "garbage.json"
    garbage.write_text("{not json", encoding="utf-8")
    empty = nowhere / "empty.json"
    empty.write_text("{}", encoding="utf-8")
    said = [
        assert_vietnamese(run("verify", "--bundle", str(absent)), 2),
        assert_vietnamese(run("verify", "--bundle", str(garbage)), 2),
        assert_vietnamese(run("verify", "--bundle", str(empty)), 2),
        assert_vietnamese(
            run("verify", "--bundle", str(empty), "--trust-root", str(garbage)), 2
        ),
        assert_vietnamese(
            run("verify", "--bundle", str(empty), "--trust-root", str(absent)), 2
        ),
        assert_vietnamese(run("votes", "verify", str(absent)), 2),
        assert_vietnamese(
            run("votes", "verify", str(garbage), "--trust-root", str(garbage)), 2
        ),
        assert_vietnamese(run("cosign", str(absent), "--key-file", str(empty)), 2),
        assert_vietnamese(run("cosign", str(garbage), "--key-file", str(garbage)), 2),
    ]
    assert "gốc tin cậy" in said[0]
    assert "không có tệp hoặc thư mục này" in said[4]
    assert "không phải JSON hợp lệ (dòng 1, cột 2)" in said[3]


def test_the_cosigning_services_faults_are_the_catalogues(nowhere):
    note = nowhere / "note.txt"
    note.write_text("not a checkpoint\n", encoding="utf-8")
    key = nowhere / "key.json"
    key.write_text("{}", encoding="utf-8")
    bad_note = assert_vietnamese(run("cosign", str(note), "--key-file", str(key)), 1)
    assert message_for("audit.checkpoint_invalid", {"why": "malformed"}) in bad_note
    root = nowhere / "root.json"
    root.write_text('{"format": "x"}', encoding="utf-8")
    bad_root = run(
        "cosign", str(note), "--key-file", str(key), "--trust-root", str(root)
    )
    assert_vietnamese(bad_root, 2)
    # The web says the same for the same fault: one code, the reason by its key.
    for why, words in NOTE_REASONS.items():
        assert words in message_for("audit.checkpoint_invalid", {"why": why})
        assert words in message_for("audit.cosignature_invalid", {"why": why})
    assert english_in(message_for("audit.cosignature_invalid", {"reason": "x"})) == []


def _a_checkpoint(tmp_path: Path) -> Path:
    made = run("checkpoint")
    assert made.exit_code == 0, made.output
    note = tmp_path / "checkpoint.txt"
    note.write_text(made.output, encoding="utf-8")
    return note


def test_cosign_with_a_store_key_says_each_fault_in_vietnamese(
    store_dir, tmp_path, monkeypatch
):
    note = _a_checkpoint(tmp_path)
    key = tmp_path / "ubkt.key"
    monkeypatch.setenv("KIEMDIEM_PASSWORD", ACCOUNTS["inspector"][2])
    assert run("key", "export", "ubkt", "--out", str(key)).exit_code == 0
    monkeypatch.setenv("KIEMDIEM_PASSWORD", "sai-mat-khau")
    wrong = assert_vietnamese(run("cosign", str(note), "--key-file", str(key)), 1)
    assert message_for("audit.key_locked") in wrong
    exported = json.loads(key.read_text(encoding="utf-8"))
    admin_key = tmp_path / "admin.key"
    admin_key.write_text(json.dumps({**exported, "cosigner_name": None}))
    nameless = assert_vietnamese(
        run("cosign", str(note), "--key-file", str(admin_key)), 1
    )
    assert message_for("audit.no_cosigner_key") in nameless
    other = tmp_path / "other.key"
    other.write_text(json.dumps({**exported, "format": "x"}))
    not_a_key = assert_vietnamese(run("cosign", str(note), "--key-file", str(other)), 1)
    assert message_for("audit.key_file_invalid") in not_a_key
    monkeypatch.setenv("KIEMDIEM_PASSWORD", "sai")
    assert_vietnamese(run("key", "export", "ubkt", "--out", str(tmp_path / "x")), 1)
    assert_vietnamese(
        run(
            "proof",
            "--subject",
            "00000000-0000-0000-0000-000000000001",
            "--out",
            str(tmp_path / "p.json"),
        ),
        1,
    )
    assert_vietnamese(run("proof", "--subject", "abc", "--out", "p.json"), 2)
    garbage = tmp_path / "garbage.json"
    garbage.write_text("{not json", encoding="utf-8")
    bundle = assert_vietnamese(run("verify", "--bundle", str(garbage)), 2)
    assert "không phải JSON hợp lệ (dòng 1, cột 2)" in bundle


def _spec(**change: object) -> dict[str, object]:
    return {
        "organisation": "huyen-uy-dong",
        "code": "ltn-2026",
        "title": "Lấy phiếu tín nhiệm năm 2026",
        "vote_year": 2026,
        "conference_date": "2026-12-10",
        "convened": 9,
        "trustees": ["kiemphieu", "kiemphieu", "kiemphieu"],
        "leaders": [
            {
                "member": MEMBER_CARD,
                "post": "Bí thư",
                "appointed_or_elected_on": "2021-03-01",
            }
        ],
        **change,
    }


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (
            {"trustees": ["kiemphieu", "khong-co-ai"]},
            "thành viên Ban kiểm phiếu thứ 2: không có tài khoản tên “khong-co-ai”",
        ),
        (
            {"leaders": [{"member": MEMBER_CARD, "post": ""}]},
            "người được lấy phiếu thứ 1: «post» (chức vụ) phải là chuỗi không rỗng",
        ),
        (
            {"leaders": [{"member": "X", "post": "Bí thư", "chuc_vu": 1}]},
            "người được lấy phiếu thứ 1: các khóa là «appointed_or_elected_on»",
        ),
        (
            {
                "leaders": [
                    {
                        "member": MEMBER_CARD,
                        "post": "Bí thư",
                        "appointed_or_elected_on": 1,
                    }
                ]
            },
            "người được lấy phiếu thứ 1: «appointed_or_elected_on» (ngày bổ nhiệm",
        ),
        ({"leaders": {}}, "«leaders» (người được lấy phiếu) phải là một danh sách"),
        ({"vote_year": "2026"}, "«vote_year» (năm) phải là số nguyên"),
        ({"conference_date": "10/12/2026"}, "phải là ngày dạng năm-tháng-ngày"),
        ({"organisation": "khong-co"}, "không có tổ chức có mã hoặc id “khong-co”"),
    ],
)
def test_votes_create_checks_its_file_in_vietnamese(
    store_dir, tmp_path, monkeypatch, change, words
):
    monkeypatch.setenv("KIEMDIEM_ADMIN_PASSWORD", ACCOUNTS["admin"][2])
    path = tmp_path / "vote.json"
    path.write_text(json.dumps(_spec(**change), ensure_ascii=False), encoding="utf-8")
    said = assert_vietnamese(run("votes", "create", str(path)), 2)
    assert words in said


def test_votes_create_refuses_a_bad_file_or_password_in_vietnamese(
    store_dir, tmp_path, monkeypatch
):
    monkeypatch.setenv("KIEMDIEM_ADMIN_PASSWORD", ACCOUNTS["admin"][2])
    assert_vietnamese(run("votes", "create", str(tmp_path / "absent.json")), 2)
    broken = tmp_path / "vote.yaml"
    broken.write_text("leaders: [\n", encoding="utf-8")
    assert_vietnamese(run("votes", "create", str(broken)), 2)
    good = tmp_path / "vote.json"
    good.write_text(json.dumps(_spec(), ensure_ascii=False), encoding="utf-8")
    monkeypatch.setenv("KIEMDIEM_ADMIN_PASSWORD", "sai")
    assert_vietnamese(run("votes", "create", str(good)), 2)
    assert_vietnamese(run("demo"), 1)


def test_the_demo_phases_have_vietnamese_names():
    from services.demo_province import PHASES

    assert set(PHASE_LABELS) == set(PHASES)
    for label in PHASE_LABELS.values():
        assert VIETNAMESE & set(label.lower()), label
        assert "_" not in label


def test_lists_name_kinds_and_roles_in_vietnamese_and_json_keeps_the_codes(
    store_dir,
):
    orgs = run("orgs", "list")
    assert orgs.exit_code == 0, orgs.output
    assert "[Chi bộ]" in orgs.output
    assert "[cell]" not in orgs.output
    assert {o["kind"] for o in json.loads(run("orgs", "list", "--json").output)} >= {
        "cell"
    }
    users = run("users", "list")
    assert users.exit_code == 0, users.output
    assert "Quản trị" in users.output
    assert "'admin'" not in users.output
    rows = json.loads(run("users", "list", "--json").output)
    assert any("admin" in row["roles"] for row in rows)
