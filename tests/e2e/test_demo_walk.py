"""Walking the demo as each role (issue 13, "done when"), in Chromium on a phone
(412 × 915, touch) and on a laptop (1366 × 768, mouse): every demo login, the
administrator's included, signs in and sees its next task on the dashboard, on
screen and inside the page's width (no sideways scrolling); one tap or click
reaches the task's page, and that page is the task's (its heading names what
the link named, and it shows the task's step or form). The inspection
committee's member finds a member by typing part of the name without
diacritics in the audit workspace and downloads a proof bundle that holds the
member's self-review.

The demo province is served from a store of its own (``tests.web.demo_app``).
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from werkzeug.serving import make_server

from tests.e2e.test_journey import _shot
from tests.e2e.test_phone_booth import PHONE, _browser_context, serious_violations
from tests.web.demo_app import demo_app

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1366, "height": 768}
SIZES = {"phone": PHONE, "laptop": LAPTOP}

COUNTING = ("Việc của Ban kiểm phiếu", ("button", "Ký biên bản kiểm phiếu"))
# username → (the to-do group's heading, what the task's page shows: a role of
# element and its accessible name, or "text" and a text of the page's main)
ROLES: dict[str, tuple[str, tuple[str, str]]] = {
    "thuky": ("Đối tượng đang kiểm điểm", ("button", "Mở kiểm điểm tại đây")),
    "captuy": ("Đề xuất chờ quyết định xếp loại", ("button", "Quyết định xếp loại")),
    "dangvien": (
        "Việc kiểm điểm, xếp loại của bạn",
        ("text", "Bước tiếp theo: Nộp bản kiểm điểm cá nhân"),
    ),
    "ubkt": ("Hồ sơ thay đổi sau điểm kiểm tra", ("heading", "Diễn biến")),
    "bankiemphieu": COUNTING,
    "bkp-uyvien1": COUNTING,
    "bkp-uyvien2": COUNTING,
    "bkp-uyvien3": COUNTING,
    "bkp-uyvien4": COUNTING,
    # the merged đảng bộ xã's secretary: the plan that followed the merger is overdue
    "thuky-xa": ("Nhắc việc", ("button", "Báo cáo tiến độ")),
    "admin": ("Nhắc việc", ("heading", "Chưa tham gia đầy đủ sinh hoạt chi bộ")),
}
# How far the page reaches beyond the screen's width, in CSS pixels.
OVERFLOW = (
    "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
)
# The merger demo's member whose 2024 self-review is in her file.
REVIEWED = ("luong diep", "Lương Thị Diệp")


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Iterator[dict[str, Any]]:
    with demo_app(tmp_path_factory, "demo-walk") as found:
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


@pytest.fixture(params=list(SIZES))
def screen(request, demo_server) -> Iterator[tuple[str, Any]]:
    """A browser page at phone or laptop size, and the size's name."""
    size = request.param
    for tab in _browser_context(demo_server, SIZES[size], mobile=size == "phone"):
        yield size, tab


def sign_in(tab: Any, demo: dict[str, Any], username: str) -> None:
    tab.goto("/auth/login")
    tab.get_by_label("Tên đăng nhập").fill(username)
    tab.get_by_label("Mật khẩu").fill(demo["logins"][username])
    tab.get_by_role("button", name="Đăng nhập").click()
    tab.locator("#viec-can-lam-khoi").wait_for()


def test_every_demo_login_is_walked(demo):
    assert set(ROLES) == set(demo["logins"])


@pytest.mark.parametrize("username", list(ROLES))
def test_each_role_reaches_its_next_task_in_one_click(screen, demo, username):
    size, tab = screen
    heading, (kind, shown) = ROLES[username]
    viewport = SIZES[size]
    sign_in(tab, demo, username)
    todo = tab.locator("#viec-can-lam-khoi")
    assert heading in todo.inner_text()
    assert tab.evaluate(OVERFLOW) <= 0, "the dashboard scrolls sideways"
    first = todo.locator("li a").first
    if size == "phone":
        first.scroll_into_view_if_needed()
    assert first.is_visible()
    box = first.bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= viewport["width"], box
    if size == "laptop":  # seen as the dashboard opens, without scrolling
        assert box["y"] + box["height"] <= viewport["height"], box
    name = first.inner_text().strip()
    _shot(tab, f"{size}-dashboard-{username}")
    # Wait for the task's page itself: on a loaded machine the tap's navigation
    # can start after the action returns, and the dashboard's heading was read.
    with tab.expect_navigation():
        if size == "phone":
            first.tap()
        else:
            first.click()
    tab.wait_for_load_state()
    main = tab.locator("main")
    assert name in main.get_by_role("heading", level=1).inner_text(), tab.url
    if kind == "text":
        assert shown in " ".join(main.inner_text().split()), tab.url
    else:
        main.get_by_role(kind, name=shown).first.wait_for()
    assert tab.evaluate(OVERFLOW) <= 0, f"{tab.url} scrolls sideways"
    _shot(tab, f"{size}-task-{username}")


def test_the_overflow_probe_sees_sideways_scrolling(screen, demo):
    size, tab = screen
    sign_in(tab, demo, "thuky")
    assert tab.evaluate(OVERFLOW) <= 0
    tab.evaluate(
        "(width) => { const wide = document.createElement('div');"
        " wide.style.width = width + 'px'; wide.style.height = '1px';"
        " document.querySelector('main').appendChild(wide); }",
        SIZES[size]["width"] + 200,
    )
    assert tab.evaluate(OVERFLOW) > 0


# Lists and pages on the way to the tasks, per login: none widens the page (a
# wide table scrolls in its own box, a signed note wraps).
ON_THE_WAY = {
    "ubkt": (
        "/audit/",
        "/audit/checkpoints",
        "/remediation/",
        "/remediation/worklist",
        "/viec-can-lam/ho-so-thay-doi",
    ),
    "thuky": ("/members/", "/organisations/", "/ratings/", "/reports/", "/votes/"),
}


@pytest.mark.parametrize("username", list(ON_THE_WAY))
def test_the_lists_on_the_way_fit_the_screen(screen, demo, username):
    size, tab = screen
    sign_in(tab, demo, username)
    for url in ON_THE_WAY[username]:
        response = tab.goto(url)
        assert response is not None, url
        assert response.status == 200, url
        assert tab.evaluate(OVERFLOW) <= 0, f"{url} scrolls sideways at {size}"
        if size == "phone":
            assert serious_violations(tab) == [], url


def _topics(bundle: dict[str, Any]) -> list[tuple[str, str]]:
    """(stream, topic) of each event in a proof bundle."""
    found = []
    for entry in bundle["events"]:
        content = json.loads(base64.b64decode(entry["envelope"])[84:])
        found.append((content["stream"], content["topic"]))
    return found


def test_the_inspector_finds_a_member_without_diacritics_and_downloads_the_review(
    screen, demo, tmp_path
):
    size, tab = screen
    typed, full_name = REVIEWED
    sign_in(tab, demo, "ubkt")
    tab.get_by_role("link", name="Kiểm tra", exact=True).click()
    tab.get_by_label("Tên đảng viên, tên tổ chức, số thẻ hoặc mã").fill(typed)
    tab.get_by_role("button", name="Tìm", exact=True).click()
    found = tab.get_by_role("link", name=full_name)
    found.wait_for()
    assert tab.evaluate(OVERFLOW) <= 0, "the search page scrolls sideways"
    found.click()
    tab.get_by_role("heading", name=f"Lịch sử hồ sơ: {full_name}").wait_for()
    assert tab.evaluate(OVERFLOW) <= 0, f"{tab.url} scrolls sideways"
    if size == "phone":
        assert serious_violations(tab) == [], "the member's file"
    _shot(tab, f"{size}-audit-file")
    with tab.expect_download() as download:
        tab.get_by_role("link", name="Tải gói bằng chứng (toàn bộ hồ sơ)").click()
    path = tmp_path / "bundle.json"
    download.value.save_as(str(path))
    bundle = json.loads(path.read_text(encoding="utf-8"))
    member = tab.url.split("/audit/subjects/")[1].split("?")[0].strip("/")
    assert bundle["subject"] == member
    reviews = [
        stream for stream, topic in _topics(bundle) if "SelfReviewSubmitted" in topic
    ]
    assert reviews, "the bundle holds no self-review"
    # the review's stream is in the file whole, beside the member's own
    assert set(reviews) <= set(bundle["streams"]) - {member}
