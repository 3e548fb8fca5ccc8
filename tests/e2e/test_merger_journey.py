"""The demo's 2025 merger in a real browser (issue 12, "Done when"): signed in as
the new Đảng bộ xã Yên Hòa's secretary (``thuky-xa``), the 2024 cycles of the two
merged đảng ủy xã are listed and a merged member's 2024 rating opens; the
shortcoming still being remedied shows; the 2025 statistics page rates the
merged members, rolled up by the tree at the report date. The province's
secretary then reads the 2025 report: the đảng bộ xã once among the
organisations directly under the tỉnh ủy.

Drives Debian's Chromium through Playwright (fixtures of test_journey).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import SECRET_KEY, _environment
from tests.e2e.test_journey import _shot, live_server, page  # noqa: F401
from tests.web import demo_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from ledger.config import settings_from_environ
    from services.demo import load_demo

    root = tmp_path_factory.mktemp("merger-journey")
    with pytest.MonkeyPatch.context() as mp:
        _environment(mp, root)
        with demo_app.demo_store(settings_from_environ()) as (services, admin):
            result = load_demo(services, admin.signer)
    return {
        "root": root,
        "logins": {a.username: a.password for a in result.accounts},
        "merger": result.merger,
    }


@pytest.fixture
def app(demo_store: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The web app on the demo store (overrides the seeded world's)."""
    from web import create_app, shutdown

    _environment(monkeypatch, demo_store["root"])
    application = create_app({"TESTING": True, "SECRET_KEY": SECRET_KEY})
    yield application
    shutdown(application)


def sign_in(tab: Any, demo_store: dict[str, Any], username: str) -> None:
    tab.goto("/auth/login")
    tab.get_by_label("Tên đăng nhập").fill(username)
    tab.get_by_label("Mật khẩu").fill(demo_store["logins"][username])
    tab.get_by_role("button", name="Đăng nhập").click()
    tab.get_by_role("button", name="Đăng xuất", exact=True).wait_for()


def test_the_merger_walked_as_the_new_secretary(page, demo_store):  # noqa: F811
    from services.demo_merger import COMPLETED_SLOT, REMEDIATION_SLOT, SHORTCOMING
    from services.ids import organisation_id

    merger = demo_store["merger"]
    sign_in(page, demo_store, "thuky-xa")
    page.goto("/ratings/")
    yen_lac = merger.cycles_2024["dang-uy-xa-yen-lac"]
    page.locator(f'a[href$="/ratings/cycles/{yen_lac}"]').first.click()
    page.wait_for_url(f"**/ratings/cycles/{yen_lac}")
    key = f"m:{merger.members[COMPLETED_SLOT]}"
    page.goto(f"/ratings/cycles/{yen_lac}/subjects/{key}")
    assert page.get_by_text("Hoàn thành nhiệm vụ").first.is_visible()
    _shot(page, "merger-journey-2024-rating")

    page.goto(f"/remediation/subjects/m:{merger.members[REMEDIATION_SLOT]}")
    page.get_by_text(SHORTCOMING).first.wait_for()
    _shot(page, "merger-journey-remediation")

    page.goto(f"/ratings/cycles/{merger.cycle_2025}/statistics")
    assert "tại ngày báo cáo" in page.locator("#cay-to-chuc").inner_text()
    assert "12/12" in page.locator("#ttnv-tro-len-members").inner_text()
    _shot(page, "merger-journey-statistics")

    page.get_by_role("button", name="Đăng xuất", exact=True).click()
    sign_in(page, demo_store, "thuky")
    province = organisation_id("tinh-uy-song-hong")
    page.goto(f"/reports/{province}/2025")
    page.get_by_role("heading", name="Hoàn thành tốt nhiệm vụ trở lên").wait_for()
    # "Đảng viên theo tổ chức trực thuộc": one row for it, its 12 members rated
    rows = page.locator("tr", has_text="Đảng bộ xã Yên Hòa")
    assert rows.count() == 1
    assert rows.first.locator("td").first.inner_text().strip() == "12"
    # the two đảng ủy xã ended on 30/6/2025: no row of their own in 2025
    assert page.locator("tr", has_text="Đảng ủy xã Yên").count() == 0
    _shot(page, "merger-journey-province-report")
