"""The chi bộ field of enrolment in Chromium at phone size: with more chi bộ in
reach than the page lists, typing part of a name asks the search and offers
"name (code)" to choose; the form enrols in the chosen chi bộ; the page has no
serious accessibility violation and does not scroll sideways."""

from __future__ import annotations

import pytest

from tests.e2e.test_journey import live_server  # noqa: F401
from tests.e2e.test_phone_booth import (  # noqa: F401
    no_horizontal_scroll,
    phone,
    serious_violations,
)
from tests.e2e.test_rating_journey import login

pytestmark = pytest.mark.browser


def test_typing_finds_the_chi_bo_to_enrol_in(
    phone,  # noqa: F811
    world,
    kiemdiem,
    monkeypatch,
):
    monkeypatch.setattr("web.members.routes.CELL_CHOICES", 0)  # none in the page
    login(phone, world, "secretary")
    phone.goto("/members/new")
    suggested = phone.locator("#chi-bo-trong-pham-vi option")
    assert suggested.count() == 0
    assert serious_violations(phone) == [], "enrolment page"
    no_horizontal_scroll(phone)
    field = phone.get_by_label("Chi bộ sinh hoạt")
    field.press_sequentially("xom b", delay=30)
    phone.wait_for_function(
        "() => [...document.querySelectorAll('#chi-bo-trong-pham-vi option')]"
        ".some(o => o.value === 'Chi bộ xóm B (chi-bo-xom-b)')"
    )
    field.fill("Chi bộ xóm B (chi-bo-xom-b)")  # as choosing the suggestion does
    phone.get_by_label("Họ và tên").fill("Phan Thị Duyên")
    phone.get_by_label("Số thẻ đảng viên").fill("DV20250099")
    phone.get_by_label("Ngày sinh").fill("1995-01-02")
    phone.get_by_label("Ngày vào Đảng").fill("2020-03-04")
    phone.get_by_label("Tình trạng").select_option("full")
    phone.get_by_role("button", name="Ghi nhận đảng viên").click()
    phone.get_by_text("Đã ghi nhận đảng viên Phan Thị Duyên.").wait_for()
    (enrolled,) = kiemdiem.members(cell_id=world.orgs["cell_b"])
    assert enrolled.full_name == "Phan Thị Duyên"


def test_typing_finds_the_organisation_of_the_remediation_list(
    phone,  # noqa: F811
    world,
):
    """The same script on the remediation list's organisation field (any kind
    of organisation, the list's scope only): typing finds, the filter lists."""
    import web.remediation.routes as remediation_routes

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(remediation_routes, "ORG_CHOICES", 0)  # none in the page
        login(phone, world, "secretary")
        phone.goto("/remediation/")
        assert phone.locator("#to-chuc-trong-pham-vi option").count() == 0
        assert serious_violations(phone) == [], "remediation list"
        field = phone.get_by_label("Tổ chức")
        field.fill("")
        field.press_sequentially("xom b", delay=30)
        phone.wait_for_function(
            "() => [...document.querySelectorAll('#to-chuc-trong-pham-vi option')]"
            ".some(o => o.value === 'Chi bộ xóm B (chi-bo-xom-b)')"
        )
        field.fill("Chi bộ xóm B (chi-bo-xom-b)")  # as choosing the suggestion does
        phone.get_by_role("button", name="Lọc").click()
        phone.get_by_text("Chi bộ xóm B và các tổ chức trực thuộc").wait_for()
