"""The organiser's form to create a vote (/votes/new): every role, a vote made
through the page, refusals in Vietnamese that store nothing, more leader rows."""

from __future__ import annotations

from uuid import UUID

import pytest

from services import commands as c
from services.ids import account_id
from tests.conftest import ACCOUNTS, ROLES, csrf_token_from


@pytest.fixture
def trustees(kiemdiem, world) -> list[str]:
    """Three accounts of the ban kiểm phiếu: the seeded one and two more."""
    admin = kiemdiem.authenticate("admin", ACCOUNTS["admin"][2])
    for name in ("kiemphieu-b", "kiemphieu-c"):
        kiemdiem.handle(
            c.OpenAccount(
                admin.actor,
                name,
                f"Kiểm phiếu {name[-1].upper()}",
                ("counting",),
                "mat-khau-kp",
            ),
            admin.signer,
        )
    return [str(account_id(u)) for u in ("kiemphieu", "kiemphieu-b", "kiemphieu-c")]


def _form(world, chosen, **change) -> dict:
    data = {
        "org_id": str(world.orgs["collective"]),
        "code": "ltn-2026-btv",
        "title": "Lấy phiếu tín nhiệm năm 2026 đối với Ban Thường vụ",
        "vote_year": "2026",
        "conference_date": "2026-12-10",
        "convened": "9",
        "mode": "A",
        "leaders-0-member_id": str(world.member_id),
        "leaders-0-post": "Bí thư Huyện ủy",
        "leaders-0-appointed_or_elected_on": "2021-03-01",
        "trustees": chosen,
        "chair_id": chosen[1],
        "threshold": "",
        "min_ballots": "2",
        "submit": "Tạo cuộc bỏ phiếu",
    }
    data.update(change)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.parametrize("role", ROLES)
def test_only_the_organiser_gets_the_form(client, auth, role):
    auth.login(role)
    page = client.get("/votes/new")
    assert page.status_code == (200 if role == "admin" else 403)
    index = client.get("/votes/").get_data(as_text=True)
    assert ("Tạo cuộc bỏ phiếu" in index) == (role == "admin")
    if role == "admin":
        html = page.get_data(as_text=True)
        assert "Người được lấy phiếu" in html
        assert "Hoàng Thu Phiếu (kiemphieu)" in html  # role counting
        assert "Trần Thị Thư (thuky)" not in html  # not of the ban kiểm phiếu


def test_anonymous_is_sent_to_login(client):
    assert client.get("/votes/new").status_code == 302


def test_a_vote_created_through_the_page(client, auth, kiemdiem, world, trustees):
    auth.login("admin")
    answer = auth.post("/votes/new", _form(world, trustees))
    assert answer.status_code == 302, answer.get_data(as_text=True)[:3000]
    vote_id = answer.headers["Location"].rsplit("/", 1)[-1]
    detail = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Lấy phiếu tín nhiệm năm 2026 đối với Ban Thường vụ" in detail
    assert "Nguyễn Văn An — Bí thư Huyện ủy" in detail
    # The trustees with the index each gives their tool; the chair marked.
    assert '<li value="2">Kiểm phiếu B (kiemphieu-b) — <strong>Trưởng Ban' in detail
    assert '<li value="1">Hoàng Thu Phiếu (kiemphieu)</li>' in detail
    manifest = kiemdiem.votes.vote(UUID(vote_id)).manifest
    assert manifest["threshold"] == 2  # ⌊3/2⌋ + 1 by default
    assert manifest["chair_index"] == 2
    assert manifest["slip_count"] == 9
    assert [t["index"] for t in manifest["trustees"]] == [1, 2, 3]


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (
            {"leaders-0-appointed_or_elected_on": "2026-02-01"},
            "bổ nhiệm trong năm lấy phiếu (96-QĐ/TW): Nguyễn Văn An.",
        ),
        (
            {"leaders-0-pending_retirement_notice": "y"},
            "chờ nghỉ hưu (96-QĐ/TW): Nguyễn Văn An.",
        ),
        ({"threshold": "4"}, "Số thành viên cần để giải mã phải từ"),
        ({"threshold": "0"}, "Số thành viên cần để giải mã phải từ"),
        ({"slip_count": "0"}, "Số phiếu in ra phải không ít hơn"),
        ({"leaders-0-member_id": ""}, "Cần ít nhất một người được lấy phiếu"),
        (
            {
                "leaders-1-member_id": "same",
                "leaders-1-post": "Chủ tịch Hội đồng nhân dân huyện",
                "leaders-1-appointed_or_elected_on": "2021-05-01",
            },
            "Một người được liệt kê hai lần trong danh sách lấy phiếu.",
        ),
        ({"code": "Mã Có Dấu"}, "Mã cuộc bỏ phiếu chỉ gồm chữ thường"),
        ({"slip_count": "5"}, "Số phiếu in ra phải không ít hơn"),
        ({"two_trustees": True}, "Ban kiểm phiếu phải có từ 3 đến 7 thành viên"),
    ],
)
def test_refusals_are_in_vietnamese_and_store_nothing(
    client, auth, kiemdiem, world, trustees, change, words
):
    auth.login("admin")
    if change.pop("two_trustees", False):
        change = {"trustees": trustees[:2]}
    if change.get("leaders-1-member_id") == "same":
        change["leaders-1-member_id"] = str(world.member_id)
    before = kiemdiem.ledger.max_notification_id()
    answer = auth.post("/votes/new", _form(world, trustees, **change))
    assert answer.status_code == 422, answer.get_data(as_text=True)[:2000]
    assert words in answer.get_data(as_text=True)
    assert kiemdiem.ledger.max_notification_id() == before
    assert kiemdiem.votes.votes() == []


def test_a_trustee_without_the_counting_role_or_outside_the_chair_is_refused(
    client, auth, kiemdiem, world, trustees
):
    auth.login("admin")
    before = kiemdiem.ledger.max_notification_id()
    secretary = str(world.accounts["secretary"])
    answer = auth.post(
        "/votes/new", _form(world, trustees, trustees=[*trustees[:2], secretary])
    )
    assert answer.status_code == 422
    assert "không có vai trò Ban kiểm phiếu" in answer.get_data(as_text=True)
    answer = auth.post("/votes/new", _form(world, trustees, chair_id=secretary))
    assert answer.status_code == 422
    assert "Trưởng Ban kiểm phiếu phải là một thành viên" in answer.get_data(
        as_text=True
    )
    assert kiemdiem.ledger.max_notification_id() == before


def test_missing_date_is_a_shape_error_and_more_rows_keep_the_input(
    client, auth, kiemdiem, world, trustees
):
    auth.login("admin")
    before = kiemdiem.ledger.max_notification_id()
    answer = auth.post(
        "/votes/new",
        _form(world, trustees, **{"leaders-0-appointed_or_elected_on": ""}),
    )
    assert answer.status_code == 400
    assert "Vui lòng nhập ngày được bầu, bổ nhiệm." in answer.get_data(as_text=True)
    data = _form(world, trustees)
    del data["submit"]
    data["more"] = "Thêm dòng"
    page = auth.post("/votes/new", data)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'name="leaders-9-member_id"' in html
    assert 'value="Bí thư Huyện ủy"' in html
    assert kiemdiem.ledger.max_notification_id() == before
    assert csrf_token_from(html)
