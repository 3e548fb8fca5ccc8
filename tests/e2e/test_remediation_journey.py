"""Key journey in a real browser: a shortcoming pointed out at the 2024 review
is recorded and planned by the secretary; past its deadline it is on the
inspection committee's dashboard and worklist.

Drives Debian's Chromium through Playwright (fixtures of test_journey).
Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import pytest

from tests.e2e.test_journey import _shot, live_server, page  # noqa: F401
from tests.e2e.test_rating_journey import login, logout

pytestmark = pytest.mark.browser
TEXT = "Chậm nộp báo cáo tháng"


def test_a_shortcoming_from_recording_to_the_worklist(page, world):  # noqa: F811
    login(page, world, "secretary")
    page.get_by_role("link", name="Kiểm điểm, xếp loại").click()
    page.get_by_label("Tổ chức đảng").fill("Huyện ủy Đông Hà (huyen-uy-dong)")
    page.get_by_label("Năm kiểm điểm").fill("2024")
    page.get_by_label("Ngày tính đủ 6 tháng tuổi đảng").fill("2024-12-01")
    page.get_by_role("button", name="Mở kỳ kiểm điểm").click()
    page.get_by_text("Đã mở kỳ kiểm điểm.").wait_for()
    page.get_by_role("link", name="Danh sách đối tượng").click()
    page.get_by_role("link", name="Nguyễn Văn An", exact=True).click()
    page.get_by_role(
        "link", name="Ghi nhận hạn chế, khuyết điểm chỉ ra ở kỳ này"
    ).click()
    page.get_by_label("Nguồn phát hiện").select_option("MEMBER_COMMENT")
    page.locator("#sc-description").fill(TEXT)
    page.get_by_label("Nguyên nhân").select_option("SUBJECTIVE")
    page.get_by_label("Ngày ghi nhận").fill("2024-12-10")
    page.get_by_role("button", name="Ghi nhận hạn chế, khuyết điểm").click()
    page.get_by_text("Đã ghi nhận hạn chế, khuyết điểm.").wait_for()
    page.get_by_role("checkbox", name=TEXT).check()
    page.get_by_label("Biện pháp, lộ trình khắc phục").fill("Nộp trước ngày 25")
    page.get_by_label("Người chịu trách nhiệm thực hiện").fill("Nguyễn Văn An")
    page.get_by_label("Thời hạn hoàn thành").fill("2025-06-30")
    page.get_by_label("Thuộc tổ chức").fill("huyen-uy-dong")
    page.get_by_label("Ngày thông qua").fill("2024-12-20")
    page.get_by_role("button", name="Thông qua kế hoạch khắc phục").click()
    page.get_by_text("Đã thông qua kế hoạch khắc phục.").wait_for()
    assert page.get_by_text("Đang khắc phục").first.is_visible()
    _shot(page, "remediation-journey-planned")
    logout(page)

    login(page, world, "inspector")
    page.get_by_text("hạn chế, khuyết điểm quá hạn khắc phục").wait_for()
    page.get_by_role("link", name="Khắc phục khuyết điểm").click()
    page.get_by_role("link", name="Danh sách việc cần kiểm tra, xác nhận").click()
    page.get_by_role("heading", name="Quá hạn khắc phục (1)").wait_for()
    assert page.get_by_text(TEXT).first.is_visible()
    _shot(page, "remediation-journey-worklist")
