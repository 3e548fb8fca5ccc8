"""The main pages in Chromium at phone size have no serious or critical
accessibility violation (axe-core, issue 13): the dashboard of each role, the
district's page and its list of who is on temporary party activity where, a
subject's page, a vote's page and the district's report, in
the route matrix's world (tests/web/matrix_world.py). A page a role may not open
is its refusal page, which is scanned too."""

from __future__ import annotations

import pytest

from tests.conftest import ACCOUNTS
from tests.e2e.test_journey import live_server  # noqa: F401
from tests.e2e.test_phone_booth import phone, serious_violations  # noqa: F401
from tests.e2e.test_rating_journey import login
from tests.web.matrix_world import build

pytestmark = pytest.mark.browser

MAIN_PAGES = {
    "trang chủ": "/",
    "tổ chức": "/organisations/{org_id}",
    "sinh hoạt tạm thời": "/organisations/{org_id}/sinh-hoat-tam-thoi",
    "đối tượng": "/ratings/cycles/{cycle_id}/subjects/{key}",
    "lấy phiếu": "/votes/{vote_id}",
    "báo cáo": "/reports/{org_id}/{year}",
}


@pytest.mark.parametrize("role", tuple(ACCOUNTS))
def test_main_pages_have_no_serious_accessibility_violation(
    phone,  # noqa: F811
    kiemdiem,
    world,
    role,
):
    ids = build(kiemdiem, world)[0].values
    login(phone, world, role)
    found, statuses = [], {}
    for name, pattern in MAIN_PAGES.items():
        response = phone.goto(pattern.format(**ids))
        statuses[name] = response.status if response else 0
        found += [f"{name} ({role}): {v}" for v in serious_violations(phone)]
    assert statuses["trang chủ"] == 200
    if role in ("secretary", "decision_maker", "admin"):
        # They read every one of the main pages: the scan saw the real pages.
        assert set(statuses.values()) == {200}, statuses
    assert found == []
