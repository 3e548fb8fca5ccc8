"""The demo on a phone (issue 13, "done when"): at 412 px each demo role signs
in, sees its first to-do link on the dashboard, on screen and inside the page's
width (no sideways scrolling), and reaches its task with one tap.

Drives Debian's Chromium through Playwright (fixtures of test_journey and
test_phone_booth); the demo province is served from a store of its own.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from werkzeug.serving import make_server

from tests.e2e.test_journey import _shot
from tests.e2e.test_phone_booth import PHONE, _browser_context
from tests.web.demo_app import demo_app

pytestmark = pytest.mark.browser

# username → (the to-do group's heading, where the first link lands)
ROLES = {
    "thuky": ("Đối tượng đang kiểm điểm", "Bước tiếp theo:"),
    "captuy": ("Đề xuất chờ quyết định xếp loại", "Quyết định"),
    "dangvien": ("Việc kiểm điểm, xếp loại của bạn", "Bước tiếp theo:"),
    "ubkt": ("Hồ sơ thay đổi sau điểm kiểm tra", "Bước tiếp theo:"),
    "bkp-truongban": ("Việc của Ban kiểm phiếu", "Ký biên bản kiểm phiếu"),
}
# How far the page reaches beyond the screen's width, in CSS pixels.
OVERFLOW = (
    "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
)


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Iterator[dict[str, Any]]:
    with demo_app(tmp_path_factory, "demo-phone") as found:
        yield found


@pytest.fixture(scope="module")
def demo_server(demo) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, demo["app"], threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture
def phone(demo_server) -> Iterator[Any]:
    yield from _browser_context(demo_server, PHONE)


@pytest.mark.parametrize("username", list(ROLES))
def test_each_role_reaches_its_first_task_on_a_phone(phone, demo, username):
    heading, lands_on = ROLES[username]
    phone.goto("/auth/login")
    phone.get_by_label("Tên đăng nhập").fill(username)
    phone.get_by_label("Mật khẩu").fill(demo["logins"][username])
    phone.get_by_role("button", name="Đăng nhập").click()
    todo = phone.locator("#viec-can-lam-khoi")
    todo.wait_for()
    assert heading in todo.inner_text()
    assert phone.evaluate(OVERFLOW) <= 0, "the dashboard scrolls sideways"
    first = todo.locator("li a").first
    first.scroll_into_view_if_needed()
    assert first.is_visible()
    box = first.bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= PHONE["width"], box
    _shot(phone, f"phone-dashboard-{username}")
    first.tap()
    phone.wait_for_load_state()
    assert lands_on in phone.locator("main").inner_text()
    assert phone.evaluate(OVERFLOW) <= 0, f"{phone.url} scrolls sideways"
    # the probe sees sideways scrolling when there is some
    phone.evaluate(
        "() => { const wide = document.createElement('div');"
        " wide.style.width = '900px'; wide.style.height = '1px';"
        " document.querySelector('main').appendChild(wide); }"
    )
    assert phone.evaluate(OVERFLOW) > 0
