"""Card numbers and birth dates: shown to those who keep or judge the records,
and to the member themself; never to other members."""

from __future__ import annotations

from datetime import date

import pytest

from domain import permissions
from services import commands as c

KEEPERS = ["admin", "secretary", "decision_maker", "inspector"]
CARD = "DV00000001"
BIRTH = "17/05/1980"


@pytest.fixture
def other_member(kiemdiem, world):
    admin = kiemdiem.authenticate("admin", "mat-khau-quan-tri")
    return kiemdiem.handle(
        c.EnrolMember(
            admin.actor,
            "Lê Văn Khác",
            "DV00000077",
            date(1970, 1, 2),
            date(2000, 3, 4),
            "full",
            world.orgs["cell_a"],
        ),
        admin.signer,
    )


@pytest.mark.parametrize("role", KEEPERS)
def test_keepers_see_personal_data_in_the_list(client, auth, role):
    auth.login(role)
    body = client.get("/members/").get_data(as_text=True)
    assert CARD in body
    assert BIRTH in body
    assert "Ngày sinh" in body


@pytest.mark.parametrize("role", ["member", "counting"])
def test_others_do_not_see_it_in_the_list(client, auth, role):
    auth.login(role)
    body = client.get("/members/").get_data(as_text=True)
    assert "Nguyễn" in body or "đảng viên" in body
    assert CARD not in body
    assert BIRTH not in body
    assert "Ngày sinh" not in body


def test_a_member_sees_their_own_record(client, auth, world):
    auth.login("member")
    body = client.get(f"/members/{world.member_id}").get_data(as_text=True)
    assert CARD in body
    assert BIRTH in body


def test_a_member_does_not_see_another_members_record(client, auth, other_member):
    auth.login("member")
    body = client.get(f"/members/{other_member}").get_data(as_text=True)
    assert "Lê Văn Khác" in body
    assert "DV00000077" not in body
    assert "02/01/1970" not in body


def test_the_api_leaves_the_fields_out(client, auth, world, other_member):
    auth.login("member")
    listed = client.get("/api/v1/members").get_json()["members"]
    assert listed
    assert all("party_card_no" not in m and "birth_date" not in m for m in listed)
    own = client.get(f"/api/v1/members/{world.member_id}").get_json()["member"]
    assert own["party_card_no"] == CARD
    other = client.get(f"/api/v1/members/{other_member}").get_json()["member"]
    assert "birth_date" not in other
    assert other["full_name"] == "Lê Văn Khác"


def test_the_api_gives_keepers_the_fields(client, auth, other_member):
    auth.login("inspector")
    other = client.get(f"/api/v1/members/{other_member}").get_json()["member"]
    assert other["party_card_no"] == "DV00000077"
    assert other["birth_date"] == "1970-01-02"


def test_the_rule():
    assert permissions.may_read_personal(["member"], own_record=True)
    assert not permissions.may_read_personal(["member", "counting"], own_record=False)
    assert permissions.may_read_personal(["inspector"], own_record=False)
