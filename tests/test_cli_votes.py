"""`kiemdiem votes create` from a YAML or JSON file, `votes booth-hash`, and the
booth hash printed by `votes verify`; refusals are in plain words and store
nothing."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from cli.main import cli
from services import booth
from services import commands as c
from tests.conftest import ACCOUNTS, MEMBER_CARD

YAML = """\
organisation: huyen-uy-dong
code: ltn-2026-btv
title: Lấy phiếu tín nhiệm năm 2026
vote_year: 2026
conference_date: 2026-12-10
convened: 9
chair: kiemphieu-b
trustees: [kiemphieu, kiemphieu-b, kiemphieu-c]
leaders:
  - member: {card}
    post: Bí thư Huyện ủy
    appointed_or_elected_on: {appointed}
"""


@pytest.fixture
def store(store_dir, monkeypatch):
    """The seeded store with two more members of the ban kiểm phiếu."""
    from ledger.config import settings_from_environ
    from services.app import Kiemdiem

    services = Kiemdiem(settings_from_environ())
    try:
        admin = services.authenticate("admin", ACCOUNTS["admin"][2])
        assert admin is not None
        for name in ("kiemphieu-b", "kiemphieu-c"):
            services.handle(
                c.OpenAccount(admin.actor, name, name, ("counting",), "mat-khau-kp"),
                admin.signer,
            )
    finally:
        services.close()
    monkeypatch.setenv("KIEMDIEM_ADMIN_PASSWORD", ACCOUNTS["admin"][2])
    return store_dir


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def tip() -> tuple[int, int]:
    """The ledger's last notification and the number of ballot-box key files."""
    from ledger.config import settings_from_environ
    from services.app import Kiemdiem

    settings = settings_from_environ()
    services = Kiemdiem(settings)
    try:
        boxes = settings.instance_dir / "ballot-box"
        files = len(list(boxes.iterdir())) if boxes.exists() else 0
        return services.ledger.max_notification_id(), files
    finally:
        services.close()


def test_create_from_yaml_lists_the_vote_with_its_threshold(store, tmp_path):
    path = tmp_path / "vote.yaml"
    path.write_text(
        YAML.format(card=MEMBER_CARD, appointed="2021-03-01"), encoding="utf-8"
    )
    made = run("votes", "create", str(path))
    assert made.exit_code == 0, made.output
    listed = json.loads(run("votes", "list", "--json").output)
    assert [v["vote_id"] for v in listed] == [made.output.strip()]
    vote = listed[0]
    assert (vote["code"], vote["state"]) == ("ltn-2026-btv", "ceremony")
    assert (vote["trustees"], vote["threshold"], vote["leaders"]) == (3, 2, 1)
    exported = tmp_path / "record.jsonl"
    assert run("votes", "export", vote["vote_id"], str(exported)).exit_code == 0
    manifest = json.loads(exported.read_text().splitlines()[0])["content"]["body"]
    assert manifest["manifest"]["chair_index"] == 2
    assert manifest["manifest"]["leaders"][0]["post"] == "Bí thư Huyện ủy"


@pytest.mark.parametrize(
    ("appointed", "change", "words"),
    [
        ("2026-03-01", {}, "được bầu hoặc bổ nhiệm trong năm lấy phiếu"),
        (
            "2021-03-01",
            {"trustees": ["kiemphieu", "kiemphieu-b", "thuky"]},
            "không có vai trò Ban kiểm phiếu",
        ),
        ("2021-03-01", {"threshold": 4}, "phải từ 2 đến số thành viên Ban kiểm phiếu"),
        ("2021-03-01", {"threshold": 0}, "phải từ 2 đến số thành viên Ban kiểm phiếu"),
        ("2021-03-01", {"convened": 0}, "phải ít nhất là 1"),
    ],
)
def test_a_refused_vote_stores_nothing(store, tmp_path, appointed, change, words):
    spec = {
        "organisation": "huyen-uy-dong",
        "code": "ltn-2026",
        "title": "Lấy phiếu tín nhiệm năm 2026",
        "vote_year": 2026,
        "conference_date": "2026-12-10",
        "convened": 9,
        "trustees": ["kiemphieu", "kiemphieu-b", "kiemphieu-c"],
        "leaders": [
            {
                "member": MEMBER_CARD,
                "post": "Bí thư",
                "appointed_or_elected_on": appointed,
            }
        ],
        **change,
    }
    path = tmp_path / "vote.json"
    path.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    before = tip()
    result = run("votes", "create", str(path))
    assert result.exit_code == 1
    assert result.output.startswith("Bị từ chối: ")
    assert "(vote." in result.output  # the code, for the operator's search
    assert words in result.output
    assert tip() == before


def test_a_malformed_file_is_named_and_stores_nothing(store, tmp_path):
    before = tip()
    path = tmp_path / "vote.json"
    for text, words in [
        ("[1, 2]", "phải chứa một đối tượng"),
        ('{"code": "x", "colour": 1}', "khóa không hợp lệ: «colour»"),
        ("{not json", "không phải JSON hợp lệ"),
    ]:
        path.write_text(text, encoding="utf-8")
        result = run("votes", "create", str(path))
        assert result.exit_code == 2
        assert words in result.output
    assert tip() == before
    assert "leaders:" in run("votes", "create", "--example").output


def test_booth_hash_is_the_pinned_hash_the_verifier_prints(store, tmp_path):
    result = run("votes", "booth-hash", "--files")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[-1] == booth.bundle().sha256.hex()
    assert any(line.endswith("  booth/kiemdiem-booth.js") for line in lines)
    path = tmp_path / "vote.yaml"
    path.write_text(
        YAML.format(card=MEMBER_CARD, appointed="2021-03-01"), encoding="utf-8"
    )
    vote = run("votes", "create", str(path)).output.strip()
    record = tmp_path / "record.jsonl"
    run("votes", "export", vote, str(record))
    verified = run("votes", "verify", "--jobs", "1", str(record))
    assert f"booth_sha256 {lines[-1]}" in verified.output
    assert run("votes", "booth-hash", "--root", str(tmp_path)).exit_code == 2


def test_the_example_names_the_demo_s_counting_logins():
    """``votes create --example`` names the demo's province and, as chair and
    trustees, logins of the ban kiểm phiếu that ``init --demo`` opens (the
    demo's counting committee chair is ``bankiemphieu``)."""
    import yaml

    from cli.votes_create import CREATE_EXAMPLE
    from services import demo, demo_vote

    example = yaml.safe_load(CREATE_EXAMPLE)
    counting = {u for u, _name, roles in demo.DEMO_ACCOUNTS if "counting" in roles}
    counting |= {u for u, _name in demo_vote.TRUSTEES}
    assert example["chair"] in counting
    assert set(example["trustees"]) <= counting
    assert example["chair"] in example["trustees"]
    assert example["organisation"] == demo.PROVINCE[0]
