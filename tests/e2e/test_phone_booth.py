"""The booth on a phone (412 × 915) and the accessibility scan (issue 13, item 6).

A voter casts a ballot in Chromium at phone size: one card per leader, no
horizontal scroll at any step, no hash shown outside the technical fold, the
tracking code copied by its button.  A used or voided slip is refused as soon as
its code is entered.  axe-core (npm, ``node_modules/axe-core``) scans the booth and
the main pages: no serious or critical violations.

Screenshots go to test-artifacts/ (``phone-*.png``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from services import vote_commands as vc
from services.ids import actor_of
from tests.conftest import ACCOUNTS
from tests.e2e.test_journey import (  # noqa: F401
    CHROMIUM,
    CHROMIUM_ARGS,
    _need_browser,
    _shot,
    live_server,
)
from tests.e2e.test_rating_journey import login
from tests.service.test_votes import mode_b_ballot, small_vote
from votes import trustee as tool

pytestmark = pytest.mark.browser

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 412, "height": 915}
HEX_64 = re.compile(r"\b[0-9a-f]{64}\b")


def _browser_context(
    base_url: str, viewport: Any, *, mobile: bool = True
) -> Iterator[Any]:
    """A page of headless Chromium at ``viewport``; ``mobile``: a touch phone
    (else a desktop browser with a mouse)."""
    if not CHROMIUM.exists():
        _need_browser(f"{CHROMIUM} is not installed (apt-get install chromium)")
    if not AXE.is_file():
        _need_browser(f"{AXE} is missing: run `npm ci`")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _need_browser("the playwright package is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        context = browser.new_context(
            base_url=base_url,
            locale="vi-VN",
            viewport=viewport,
            is_mobile=mobile,
            has_touch=mobile,
            accept_downloads=True,
        )
        context.set_default_timeout(15_000)
        context.grant_permissions(
            ["clipboard-read", "clipboard-write"], origin=base_url
        )
        try:
            yield context.new_page()
        finally:
            context.close()
            browser.close()


@pytest.fixture
def phone(live_server) -> Iterator[Any]:  # noqa: F811
    yield from _browser_context(live_server, PHONE)


def serious_violations(tab) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now.

    The script is evaluated through the DevTools protocol, which the pages'
    Content-Security-Policy (``script-src 'self'``) does not apply to."""
    if not tab.evaluate("typeof window.axe !== 'undefined'"):
        tab.evaluate(AXE.read_text(encoding="utf-8"))
    found = tab.evaluate(
        """async (tags) => {
          const result = await axe.run(document, {
            resultTypes: ['violations'], runOnly: { type: 'tag', values: tags },
          });
          const where = (v) => v.nodes.map((n) => n.target.join(' ')).join(', ');
          return result.violations
            .filter((v) => v.impact === 'serious' || v.impact === 'critical')
            .map((v) => `${v.impact} ${v.id}: ${where(v)}`);
        }""",
        AXE_TAGS,
    )
    return list(found)


def no_horizontal_scroll(tab) -> None:
    widths = tab.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert widths[0] <= widths[1], f"page is {widths[0]} px wide in {widths[1]} px"


def open_vote(kiemdiem, *, leaders: int = 3, void: int = 0):
    admin = kiemdiem.authenticate("admin", ACCOUNTS["admin"][2])
    small = small_vote(kiemdiem, admin, convened=3 + void, leaders=leaders)
    small.organiser(vc.RecordAttendance, 3)
    if void:
        unissued = small.slips[-void:]
        small.submit(
            small.trustees[0],
            tool.void_message(small.view(), 1, [s.code for s in unissued]),
        )
    small.organiser(vc.OpenVoting)
    return small


@pytest.mark.parametrize("width", [360, 412])
def test_a_voter_casts_on_a_phone_without_horizontal_scroll(phone, kiemdiem, width):
    small = open_vote(kiemdiem, leaders=3)
    vid = small.vote_id
    phone.set_viewport_size({"width": width, "height": PHONE["height"]})
    urls: list[str] = []
    phone.on("request", lambda request: urls.append(request.url))
    phone.goto(f"/votes/{vid}/booth")
    phone.get_by_text("khớp với mã ghi trong danh mục").wait_for()
    phone.get_by_label("Nhập mã in trên phiếu").wait_for()
    no_horizontal_scroll(phone)
    # The booth's 64-hex hash is only in the closed technical fold.
    assert HEX_64.search(phone.locator("body").inner_text()) is None
    assert phone.locator("#booth-hash").is_hidden()
    assert serious_violations(phone) == []
    _shot(phone, f"phone-{width}-booth-code")

    phone.get_by_label("Nhập mã in trên phiếu").fill(small.slips[0].code)
    phone.get_by_role("button", name="Tiếp tục").click()
    phone.get_by_label("Lãnh đạo 0: Tín nhiệm cao").wait_for()
    # One card per leader, its three choices stacked as large tap targets.
    cards = phone.locator("#leaders fieldset.leader-card")
    assert cards.count() == 3
    for label in ("Tín nhiệm cao", "Tín nhiệm", "Tín nhiệm thấp"):
        box = phone.get_by_label(f"Lãnh đạo 1: {label}", exact=True).locator("..")
        size = box.bounding_box()
        assert size is not None
        assert size["height"] >= 44
        assert size["width"] >= width - 120
    no_horizontal_scroll(phone)
    phone.get_by_label("Lãnh đạo 0: Tín nhiệm thấp").check()
    phone.get_by_label("Lãnh đạo 1: Tín nhiệm cao").check()
    phone.get_by_label("Lãnh đạo 2: Tín nhiệm").first.check()
    phone.get_by_role("button", name="Bỏ chọn: Lãnh đạo 2").click()
    assert not phone.get_by_label("Lãnh đạo 2: Tín nhiệm cao").is_checked()
    phone.get_by_label("Lãnh đạo 2: Tín nhiệm", exact=True).check()
    assert serious_violations(phone) == []
    _shot(phone, f"phone-{width}-booth-mark")

    phone.get_by_role("button", name="Xem lại phiếu").click()
    phone.get_by_role("button", name="Mã hóa phiếu").click()
    code = phone.locator("#tracking-code").inner_text()
    assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){3}", code)
    phone.get_by_role("button", name="Sao chép mã").first.click()
    phone.get_by_text(f"Đã sao chép mã theo dõi {code}.").wait_for()
    assert phone.evaluate("navigator.clipboard.readText()") == code
    no_horizontal_scroll(phone)
    assert serious_violations(phone) == []
    _shot(phone, f"phone-{width}-booth-encrypted")
    phone.get_by_role("button", name="Bỏ phiếu", exact=True).click()
    phone.get_by_text(f"Đã bỏ phiếu. Mã theo dõi: {code}").wait_for()
    assert phone.locator("#done-code").inner_text() == code
    phone.get_by_role("button", name="Sao chép mã").last.click()
    phone.get_by_text(f"Đã sao chép mã theo dõi {code}.").wait_for()
    assert phone.evaluate("navigator.clipboard.readText()") == code
    no_horizontal_scroll(phone)
    assert HEX_64.search(phone.locator("body").inner_text()) is None
    assert serious_violations(phone) == []
    _shot(phone, f"phone-{width}-booth-done")
    assert small.votes.find_tracking_code(vid, code) is not None
    assert small.slips[0].credential_pub in small.votes.vote(vid).used
    # The slip check sent the credential key in a body, never in a logged URL.
    assert any(url.endswith("/booth/slip-status") for url in urls)
    assert not any(HEX_64.search(url) for url in urls)

    # The voter finds the code in the record, from the same phone.
    phone.get_by_role("link", name="Kiểm tra mã theo dõi trong hồ sơ").click()
    phone.get_by_label("Mã theo dõi").fill(code)
    phone.get_by_role("button", name="Kiểm tra").click()
    phone.get_by_text("có trong hồ sơ cuộc bỏ phiếu").wait_for()
    no_horizontal_scroll(phone)
    assert serious_violations(phone) == []
    _shot(phone, f"phone-{width}-track")


def test_a_used_or_voided_slip_is_refused_at_code_entry(phone, kiemdiem):
    small = open_vote(kiemdiem, leaders=2, void=1)
    vid = small.vote_id
    small.cast(small.slips[1], [0, 1])
    ballots = small.votes.vote(vid).ballot_count
    phone.goto(f"/votes/{vid}/booth")
    phone.get_by_text("khớp với mã ghi trong danh mục").wait_for()
    field = phone.get_by_label("Nhập mã in trên phiếu")

    field.fill(small.slips[1].code)
    phone.get_by_role("button", name="Tiếp tục").click()
    phone.get_by_text("Phiếu này đã được dùng để bỏ phiếu").wait_for()
    assert phone.locator("#step-mark").is_hidden()
    _shot(phone, "phone-booth-used-slip")

    field.fill(small.slips[-1].code)
    phone.get_by_role("button", name="Tiếp tục").click()
    phone.get_by_text("Phiếu này đã bị hủy").wait_for()
    assert phone.locator("#step-mark").is_hidden()
    assert serious_violations(phone) == []

    # A fresh slip still goes on to the ballot; nothing was recorded meanwhile.
    field.fill(small.slips[0].code)
    phone.get_by_role("button", name="Tiếp tục").click()
    phone.get_by_label("Lãnh đạo 0: Tín nhiệm cao").wait_for()
    assert small.votes.vote(vid).ballot_count == ballots


def test_mode_b_a_member_who_has_voted_is_told_at_the_start(phone, kiemdiem, world):
    admin = kiemdiem.authenticate("admin", ACCOUNTS["admin"][2])
    small = small_vote(kiemdiem, admin, convened=3, leaders=1, mode="B")
    small.organiser(vc.PublishEligibleAccounts, (world.member_id,))
    small.organiser(vc.RecordAttendance, 3)
    small.organiser(vc.OpenVoting)
    vid = small.vote_id
    account = world.accounts["member"]
    key = kiemdiem.vault.unlock(
        str(account), actor_of(account), world.password("member")
    )
    small.votes.cast_ballot(
        vc.CastBallot(vid, mode_b_ballot(small, key, [0])), key.actor
    )
    login(phone, world, "member")
    phone.goto(f"/votes/{vid}/booth")
    phone.get_by_text("Bạn đã bỏ phiếu trong cuộc bỏ phiếu này").wait_for()
    assert phone.locator("#step-unlock").is_hidden()
    assert phone.locator("#step-mark").is_hidden()
    no_horizontal_scroll(phone)
    assert serious_violations(phone) == []
    _shot(phone, "phone-booth-mode-b-voted")


@pytest.mark.parametrize("width", [412, 1366])
def test_the_main_pages_have_no_serious_accessibility_violations(
    phone, kiemdiem, world, width
):
    small = open_vote(kiemdiem, leaders=1)
    phone.set_viewport_size({"width": width, "height": PHONE["height"]})
    phone.goto("/auth/login")
    assert serious_violations(phone) == [], "login"
    _shot(phone, f"a11y-{width}-login")
    # The scan does find a critical violation when there is one.
    phone.evaluate(
        "document.querySelector('main').append(Object.assign("
        "document.createElement('input'), {type: 'text', id: 'unlabelled'}))"
    )
    assert [v.split(":")[0] for v in serious_violations(phone)] == ["critical label"]
    login(phone, world, "secretary")
    assert serious_violations(phone) == [], "dashboard"
    _shot(phone, f"a11y-{width}-dashboard")

    phone.goto("/ratings/")
    phone.get_by_label("Tổ chức đảng").fill("Huyện ủy Đông Hà (huyen-uy-dong)")
    phone.get_by_label("Năm kiểm điểm").fill("2025")
    phone.get_by_label("Ngày tính đủ 6 tháng tuổi đảng").fill("2025-12-01")
    phone.get_by_role("button", name="Mở kỳ kiểm điểm").click()
    phone.get_by_text("Đã mở kỳ kiểm điểm.").wait_for()
    assert serious_violations(phone) == [], "cycle page"
    _shot(phone, f"a11y-{width}-cycle")
    phone.get_by_role("link", name="Danh sách đối tượng").click()
    phone.get_by_role("link", name="Chi bộ xóm A").click()
    phone.get_by_role("button", name="Mở kiểm điểm tại đây").wait_for()
    assert serious_violations(phone) == [], "subject page"
    _shot(phone, f"a11y-{width}-subject")

    phone.get_by_role("button", name="Đăng xuất", exact=True).click()
    login(phone, world, "admin")
    phone.goto(f"/votes/{small.vote_id}")
    phone.get_by_role("heading", level=1).wait_for()
    assert serious_violations(phone) == [], "vote page"
    _shot(phone, f"a11y-{width}-vote")
