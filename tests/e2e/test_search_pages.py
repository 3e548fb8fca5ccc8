"""Search, the paged lists and the breadcrumbs in Chromium at phone size (issue
13, items 2 and 6): the inspector finds a member by typing part of the name
without diacritics and opens the member's history from the audit workspace; the
search page, the tree and a chi bộ's page fit a 412 px screen and have no
serious or critical accessibility violation."""

from __future__ import annotations

import pytest

from tests.e2e.test_journey import _shot, live_server  # noqa: F401
from tests.e2e.test_phone_booth import (  # noqa: F401
    no_horizontal_scroll,
    phone,
    serious_violations,
)
from tests.e2e.test_rating_journey import login

pytestmark = pytest.mark.browser


def test_the_inspector_finds_a_member_without_diacritics(phone, world):  # noqa: F811
    login(phone, world, "inspector")
    phone.goto("/audit/")
    phone.get_by_label("Tên đảng viên, tên tổ chức, số thẻ hoặc mã").fill("van an")
    phone.get_by_role("button", name="Tìm", exact=True).click()
    phone.get_by_role("link", name="Nguyễn Văn An").wait_for()
    assert serious_violations(phone) == [], "search page"
    no_horizontal_scroll(phone)
    _shot(phone, "search-results")
    phone.get_by_role("link", name="Nguyễn Văn An").click()
    assert f"/audit/subjects/{world.member_id}" in phone.url


def test_tree_and_chi_bo_pages_fit_a_phone(phone, world):  # noqa: F811
    login(phone, world, "secretary")
    phone.goto("/organisations/")
    phone.get_by_role("link", name="Tỉnh ủy Thử Nghiệm").click()
    phone.get_by_role("link", name="Huyện ủy Đông Hà").click()
    phone.get_by_role("link", name="Chi bộ xóm A").click()
    phone.get_by_role("heading", name="Chi bộ xóm A").wait_for()
    crumbs = phone.get_by_role("navigation", name="Đường dẫn tổ chức")
    assert "Huyện ủy Đông Hà" in crumbs.inner_text()
    assert serious_violations(phone) == [], "chi bộ page"
    no_horizontal_scroll(phone)
    _shot(phone, "search-chi-bo")
    phone.get_by_role("link", name="Nguyễn Văn An").click()
    phone.get_by_role("heading", name="Nguyễn Văn An").wait_for()
    assert serious_violations(phone) == [], "member page"
    phone.goto(f"/members/?cell={world.orgs['cell_a']}")
    assert serious_violations(phone) == [], "member list"
    no_horizontal_scroll(phone)
