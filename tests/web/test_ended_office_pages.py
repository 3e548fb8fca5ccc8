"""An account whose organisation ended by a reorganisation decision (issue 12;
docs/rules.md "Accounts of an organisation that ended"): its pages offer none
of the acts it would be refused (``domain.permissions.may_offer``), its
dashboard says when and by which decision the organisation ended and names the
successor, and the administrator's page of that account suggests an account at
the successor. Nothing moves the account by itself."""

from __future__ import annotations

import html
from typing import Any

import pytest

from services import reorganisation_commands as ro
from tests.conftest import ADMIN_PASSWORD

DECISION = "77-QĐ/TU"


@pytest.fixture
def merged(kiemdiem, world) -> dict[str, Any]:
    """Huyện ủy Đông Hà (where the seeded accounts sit) merged today into a new
    Huyện ủy Đông Hà Mới under the province."""
    admin = kiemdiem.authenticate("admin", ADMIN_PASSWORD)
    today = kiemdiem.today()
    successor = kiemdiem.handle(
        ro.MergeOrganisations(
            admin.actor, DECISION, today, absorbed_ids=(world.orgs["district"],),
            new_successor=ro.NewSuccessor(
                "huyen-uy-dong-moi", "Huyện ủy Đông Hà Mới", "district_committee",
                world.orgs["province"],
            ),
        ),
        admin.signer,
    )  # fmt: skip
    return {"successor": successor, "on": today.strftime("%d/%m/%Y")}


def text(client: Any, url: str) -> str:
    answer = client.get(url)
    assert answer.status_code == 200, url
    return html.unescape(answer.get_data(as_text=True))


def test_the_buttons_of_an_office_still_in_place_show(client, auth, world):
    auth.login("secretary")
    assert "Ghi nhận đảng viên" in text(client, "/members/")
    assert "Mở kỳ kiểm điểm" in text(client, "/ratings/")


def test_an_ended_office_is_offered_no_act_and_told_why(client, auth, merged):
    auth.login("secretary")
    members = text(client, "/members/")
    assert "Ghi nhận đảng viên" not in members
    assert "Mở kỳ kiểm điểm" not in text(client, "/ratings/")
    home = text(client, "/")
    assert "Tổ chức của tài khoản đã kết thúc hoạt động" in home
    assert f"từ ngày {merged['on']} theo Quyết định số {DECISION} (hợp nhất)" in home
    assert "Tổ chức kế tục: Huyện ủy Đông Hà Mới." in home
    assert "Đề nghị quản trị viên gắn tài khoản với tổ chức kế tục" in home
    assert "Ghi nhận đảng viên" not in home  # the dashboard's shortcuts too


def test_the_administrator_is_offered_an_account_at_the_successor(
    client, auth, world, merged
):
    auth.login("admin")
    account = text(client, f"/admin/accounts/{world.accounts['secretary']}")
    assert "Đơn vị của tài khoản đã kết thúc hoạt động" in account
    assert "Mở tài khoản tại Huyện ủy Đông Hà Mới" in account
    link = f"/admin/accounts/new?org_id={merged['successor']}"
    assert link in account
    form = text(client, f"{link}&full_name=Trần+Thị+Thư&roles=secretary")
    assert f'<option selected value="{merged["successor"]}"' in form or (
        f'value="{merged["successor"]}" selected' in form
    )
    assert 'value="Trần Thị Thư"' in form
    # the administrator's own buttons are unaffected
    assert "Ghi nhận đảng viên" in text(client, "/members/")


def test_an_ended_office_has_no_keepers_to_do(client, auth, kiemdiem, world):
    """The to-do lists offer a keeper's steps only while the office lasts
    (``domain.permissions.keeps_office``)."""
    from services import rating_commands as rc
    from tests.conftest import ACCOUNTS

    secretary = kiemdiem.authenticate("thuky", ACCOUNTS["secretary"][2])
    year = kiemdiem.today().year
    kiemdiem.handle(
        rc.OpenCycle(secretary.actor, world.orgs["district"], year), secretary.signer
    )
    auth.login("secretary")
    heading = "Đối tượng đang kiểm điểm, chưa tự đánh giá"
    assert heading in text(client, "/")
    admin = kiemdiem.authenticate("admin", ADMIN_PASSWORD)
    kiemdiem.handle(
        ro.MergeOrganisations(
            admin.actor, DECISION, kiemdiem.today(),
            absorbed_ids=(world.orgs["district"],),
            new_successor=ro.NewSuccessor(
                "huyen-uy-dong-moi", "Huyện ủy Đông Hà Mới", "district_committee",
                world.orgs["province"],
            ),
        ),
        admin.signer,
    )  # fmt: skip
    assert heading not in text(client, "/")
