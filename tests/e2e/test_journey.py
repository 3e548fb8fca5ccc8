"""Key journey in a real browser: an administrator founds a chi bộ under a huyện
ủy, enrols a member in it and finds them in the list.

Drives Debian's Chromium (/usr/bin/chromium) through Playwright; never downloads
a browser. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def _need_browser(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (required in CI)")
    pytest.skip(reason)


@pytest.fixture
def live_server(app) -> Iterator[str]:
    """The app on 127.0.0.1 with an ephemeral port, in a thread."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture
def page(live_server):
    if not CHROMIUM.exists():
        _need_browser(f"{CHROMIUM} is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _need_browser("the playwright package is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        context = browser.new_context(
            base_url=live_server,
            locale="vi-VN",
            viewport={"width": 1280, "height": 900},
        )
        context.set_default_timeout(15_000)
        tab = context.new_page()
        try:
            yield tab
        finally:
            context.close()
            browser.close()


def _shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def test_admin_founds_a_cell_and_enrols_a_member(page, world):
    page.goto("/")
    assert page.url.endswith("/auth/login?next=/")
    page.get_by_label("Tên đăng nhập").fill(world.username("admin"))
    page.get_by_label("Mật khẩu").fill(world.password("admin"))
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("heading", name="Xin chào, Quản trị hệ thống").wait_for()

    # Found a chi bộ under the huyện ủy.
    page.get_by_role("link", name="Tổ chức đảng").first.click()
    page.get_by_role("link", name="Thành lập tổ chức").click()
    page.get_by_label("Loại tổ chức").select_option("cell")
    page.get_by_label("Trực thuộc").select_option(str(world.orgs["district"]))
    page.get_by_label("Tên tổ chức").fill("Chi bộ thôn Đồng Xuân")
    page.get_by_label("Mã tổ chức").fill("chi-bo-thon-dong-xuan")
    page.get_by_role("button", name="Thành lập").click()
    page.get_by_text("Đã thành lập “Chi bộ thôn Đồng Xuân”.").wait_for()
    assert page.get_by_role("heading", name="Chi bộ thôn Đồng Xuân").is_visible()

    # Enrol a member in it, from the chi bộ's own page.
    page.get_by_role("link", name="Kết nạp / ghi nhận đảng viên").click()
    page.get_by_label("Họ và tên").fill("Lương Thị Xuân")
    page.get_by_label("Số thẻ đảng viên").fill("DV20250001")
    page.get_by_label("Ngày sinh").fill("1992-08-19")
    page.get_by_label("Ngày vào Đảng").fill("2020-05-19")
    page.get_by_label("Tình trạng").select_option("full")
    page.get_by_role("button", name="Ghi nhận đảng viên").click()
    page.get_by_text("Đã ghi nhận đảng viên Lương Thị Xuân.").wait_for()

    # Find the member by typing part of the name without diacritics.
    page.get_by_role("link", name="Đảng viên", exact=True).click()
    page.get_by_label("Tìm đảng viên").fill("luong thi xu")
    page.get_by_role("button", name="Tìm", exact=True).click()
    page.get_by_role("link", name="Lương Thị Xuân").click()
    page.get_by_role("heading", name="Lương Thị Xuân").wait_for()
    crumbs = page.get_by_role("navigation", name="Đường dẫn tổ chức")
    assert "Chi bộ thôn Đồng Xuân" in crumbs.inner_text()

    # See the member in the list of the new chi bộ.
    page.get_by_role("link", name="← Đảng viên của Chi bộ thôn Đồng Xuân").click()
    row = page.get_by_role("row", name="Lương Thị Xuân")
    row.wait_for()
    assert "19/08/1992" in row.inner_text()
    assert "Chính thức" in row.inner_text()
    assert page.get_by_text("1 người trên trang này").is_visible()
    assert _shot(page, "journey-member-list").stat().st_size > 0

    # The tree, opened level by level, shows the new chi bộ with its one member.
    page.get_by_role("link", name="Tổ chức đảng").first.click()
    page.get_by_role("link", name="Tỉnh ủy Thử Nghiệm").click()
    page.get_by_role("link", name="Huyện ủy Đông Hà").click()
    tree_row = page.get_by_role("row", name="Chi bộ thôn Đồng Xuân")
    assert tree_row.locator("td.num").last.inner_text() == "1"
    _shot(page, "journey-organisation-tree")


def test_wrong_password_shows_a_vietnamese_error(page, world):
    page.goto("/auth/login")
    page.get_by_label("Tên đăng nhập").fill("admin")
    page.get_by_label("Mật khẩu").fill("khong-phai-mat-khau")
    page.get_by_role("button", name="Đăng nhập").click()
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in alert.inner_text()
    _shot(page, "login-wrong-password")
