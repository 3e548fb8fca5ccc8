"""Key journey in a real browser (issue 13): once the secretary opens a cycle and
the member's review, the member's dashboard says what is theirs to do, one click
reaches the subject's page, and it says plainly who acts next.

Drives Debian's Chromium through Playwright (fixtures of test_journey).
"""

from __future__ import annotations

from datetime import date

import pytest

from services import rating_commands as rc
from tests.conftest import ACCOUNTS
from tests.e2e.test_journey import _shot, live_server, page  # noqa: F401
from tests.e2e.test_rating_journey import login

pytestmark = pytest.mark.browser


def test_the_member_reaches_their_next_step_from_the_dashboard(
    page,  # noqa: F811
    world,
    kiemdiem,
):
    username, _, password = ACCOUNTS["secretary"]
    sec = kiemdiem.authenticate(username, password)
    cycle = kiemdiem.handle(
        rc.OpenCycle(
            sec.actor, world.orgs["district"], 2025, reference_date=date(2025, 12, 1)
        ),
        sec.signer,
    )
    cell = world.orgs["cell_a"]
    kiemdiem.handle(
        rc.OpenReview(sec.actor, cycle, f"m:{world.member_id}", cell), sec.signer
    )

    login(page, world, "member")
    page.get_by_role("heading", name="Việc kiểm điểm, xếp loại của bạn: 1").wait_for()
    assert page.get_by_text("Nộp bản kiểm điểm cá nhân").first.is_visible()
    _shot(page, "todo-journey-dashboard")
    page.locator("#viec-can-lam-khoi li a").first.click()
    next_step = page.locator("#buoc-tiep-theo")
    next_step.wait_for()
    assert "Nộp bản kiểm điểm cá nhân" in next_step.inner_text()
    assert "người thực hiện: đảng viên" in next_step.inner_text()
    _shot(page, "todo-journey-subject")
