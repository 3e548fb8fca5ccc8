"""The peer-group form in Chromium at phone size: typing part of a name asks
the round's suggestions (static/suggest.js), choosing one adds it to the chosen
subjects, and the form defines the group with it; the page has no serious
accessibility violation and does not scroll sideways."""

from __future__ import annotations

from datetime import date

import pytest

from services import rating_commands as rc
from tests.e2e.test_journey import live_server  # noqa: F401
from tests.e2e.test_phone_booth import (  # noqa: F401
    no_horizontal_scroll,
    phone,
    serious_violations,
)
from tests.e2e.test_rating_journey import login

pytestmark = pytest.mark.browser


def test_typing_chooses_the_members_of_a_peer_group(
    phone,  # noqa: F811
    world,
    kiemdiem,
):
    sec = kiemdiem.authenticate("thuky", world.password("secretary"))
    dm = kiemdiem.authenticate("captuy", world.password("decision_maker"))
    cycle = kiemdiem.handle(
        rc.OpenCycle(
            sec.actor, world.orgs["district"], 2025, reference_date=date(2025, 12, 1)
        ),
        sec.signer,
    )
    rnd = kiemdiem.handle(
        rc.OpenRound(dm.actor, cycle, world.orgs["cell_a"]), dm.signer
    )
    login(phone, world, "secretary")
    phone.goto(f"/ratings/rounds/{rnd}")
    assert serious_violations(phone) == [], "round page"
    no_horizontal_scroll(phone)
    phone.get_by_label("Mã nhóm").fill("dang-vien")
    phone.get_by_label("Tên nhóm so sánh").fill("Đảng viên chi bộ")
    field = phone.get_by_role("combobox")
    field.press_sequentially("nguyen van", delay=30)
    option = phone.get_by_role("option", name="Nguyễn Văn An")
    option.first.wait_for()
    field.press("ArrowDown")
    field.press("Enter")
    chosen = phone.get_by_role("checkbox", name="Nguyễn Văn An")
    assert chosen.is_checked()
    assert field.input_value() == ""
    phone.get_by_role("button", name="Lập nhóm so sánh").click()
    phone.get_by_text("Đã lập nhóm so sánh.").wait_for()
    (group,) = kiemdiem.ratings.peer_groups(rnd)
    assert group["members"] == [f"m:{world.member_id}"]
