"""Key journey in a real browser: open a 2025 cycle, record the chi bộ's and a
member's review, self-rate, propose, decide, and read the statistics.

Drives Debian's Chromium through Playwright (fixtures of test_journey); never
downloads a browser. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import pytest

from tests.e2e.test_journey import _shot, live_server, page  # noqa: F401

pytestmark = pytest.mark.browser


def login(tab, world, role: str) -> None:
    tab.goto("/auth/login")
    tab.get_by_label("Tên đăng nhập").fill(world.username(role))
    tab.get_by_label("Mật khẩu").fill(world.password(role))
    tab.get_by_role("button", name="Đăng nhập").click()
    tab.get_by_role("button", name="Đăng xuất", exact=True).wait_for()


def logout(tab) -> None:
    tab.get_by_role("button", name="Đăng xuất", exact=True).click()
    tab.get_by_label("Tên đăng nhập").wait_for()


def test_a_2025_cycle_from_opening_to_statistics(page, world):  # noqa: F811
    login(page, world, "secretary")
    page.get_by_role("link", name="Kiểm điểm, xếp loại").click()
    page.get_by_label("Tổ chức đảng").fill("Huyện ủy Đông Hà (huyen-uy-dong)")
    page.get_by_label("Năm kiểm điểm").fill("2025")
    page.get_by_label("Ngày tính đủ 6 tháng tuổi đảng").fill("2025-12-01")
    page.get_by_role("button", name="Mở kỳ kiểm điểm").click()
    page.get_by_text("Đã mở kỳ kiểm điểm.").wait_for()
    assert page.get_by_text("366-QĐ/TW và 43-HD/BTCTW").first.is_visible()
    cycle_url = page.url
    logout(page)

    login(page, world, "decision_maker")
    page.goto(cycle_url)
    page.get_by_label("Cấp có thẩm quyền").select_option(label="Chi bộ xóm A")
    page.get_by_role("button", name="Mở đợt xếp loại").click()
    page.get_by_text("Đã mở đợt xếp loại.").wait_for()
    logout(page)

    # The chi bộ's own review first (Mẫu 01 sent 3 working days before).
    login(page, world, "secretary")
    page.goto(cycle_url)
    page.get_by_role("link", name="Danh sách đối tượng").click()
    page.get_by_role("link", name="Chi bộ xóm A").click()
    page.get_by_role("button", name="Mở kiểm điểm tại đây").click()
    page.get_by_label("I. Ưu điểm, kết quả đạt được").fill("Báo cáo năm 2025")
    page.get_by_label("II. Hạn chế, khuyết điểm và nguyên nhân").fill("Họp chưa đều")
    page.get_by_label("V. Phương hướng, biện pháp khắc phục hạn chế, khuyết điểm").fill(
        "Họp đúng kỳ"
    )
    page.get_by_label("Ngày gửi người dự hội nghị").fill("2025-12-01")
    page.get_by_role("button", name="Ghi nhận đã gửi dự thảo").click()
    page.get_by_text("Đã ghi nhận gửi dự thảo báo cáo.").wait_for()
    page.get_by_label("Ngày họp").fill("2025-12-05")
    page.get_by_label("Số người dự").fill("12")
    page.get_by_label("Biên bản hội nghị").fill("Biên bản hội nghị chi bộ")
    page.get_by_label("Kết luận").fill("Chi bộ đoàn kết, hoàn thành tốt nhiệm vụ")
    page.get_by_role("button", name="Ghi nhận hội nghị kiểm điểm").click()
    page.get_by_text("Đã ghi nhận hội nghị kiểm điểm.").wait_for()

    # The member: review (Mẫu 2B), self-rating on 100 points, proposal.
    page.get_by_role("link", name="← Danh sách đối tượng").click()
    page.get_by_role("link", name="Nguyễn Văn An", exact=True).click()
    page.get_by_role("button", name="Mở kiểm điểm tại đây").click()
    page.get_by_label("I. Ưu điểm, kết quả đạt được").fill("Hoàn thành nhiệm vụ")
    page.get_by_label("II. Hạn chế, khuyết điểm và nguyên nhân").fill("Còn chậm")
    page.get_by_label("VI. Phương hướng, biện pháp khắc phục").fill("Khắc phục")
    page.get_by_role("button", name="Nộp bản kiểm điểm").click()
    page.get_by_text("Đã ghi nhận bản kiểm điểm.").wait_for()
    page.get_by_label("Ngày họp").fill("2025-12-05")
    page.get_by_label("Số người dự").fill("12")
    page.get_by_label("Biên bản hội nghị").fill("Biên bản")
    page.get_by_label("Kết luận").fill("Hoàn thành tốt nhiệm vụ")
    page.get_by_role("button", name="Ghi nhận hội nghị kiểm điểm").click()
    page.get_by_text("Đã ghi nhận hội nghị kiểm điểm.").wait_for()
    for code, points in (
        ("c1", "9"),
        ("c2", "9"),
        ("c3", "8.5"),
        ("t1", "36"),
        ("t2", "22"),
    ):
        page.locator(f"#diem-{code}").fill(points)
    page.get_by_label("Số nhiệm vụ được giao").fill("12")
    page.get_by_label("Hoàn thành đúng tiến độ, bảo đảm chất lượng").fill("12")
    page.get_by_label("Tự xếp loại").select_option("HTTNV")
    page.get_by_role("button", name="Ghi nhận tự đánh giá, xếp loại").click()
    page.get_by_text("Đã ghi nhận tự đánh giá, xếp loại.").wait_for()
    assert page.get_by_text("84.5 điểm").count()
    page.locator("#pr-level").select_option("HTTNV")
    page.get_by_role("button", name="Ghi nhận thẩm định, đề xuất").click()
    page.get_by_text("Đã ghi nhận thẩm định, đề xuất.").wait_for()
    decision_url = page.url
    _shot(page, "rating-journey-proposed")
    logout(page)

    # The competent authority decides; a refused level shows the rule.
    login(page, world, "decision_maker")
    page.goto(decision_url)
    page.get_by_label("Mức xếp loại").select_option("HTXSNV")
    page.get_by_label("Số quyết định").fill("15-QĐ/CB")
    page.get_by_label("Ngày quyết định").fill("2025-12-20")
    page.get_by_role("button", name="Quyết định xếp loại").click()
    page.get_by_text("Không thể xếp loại “Hoàn thành xuất sắc nhiệm vụ”").wait_for()
    page.get_by_label("Mức xếp loại").select_option("HTTNV")
    page.get_by_label("Ngày quyết định").fill("2025-12-20")
    page.get_by_role("button", name="Quyết định xếp loại").click()
    page.get_by_text("Đã quyết định xếp loại.").wait_for()
    why = page.locator("#giai-thich").inner_text()
    assert "Áp dụng 366-QĐ/TW và 43-HD/BTCTW" in why
    assert "Hoàn thành tốt nhiệm vụ" in page.locator("#ket-qua").inner_text()
    _shot(page, "rating-journey-decided")

    # Statistics: 1 member rated, 100% HTTNV (a hand count of one).
    page.goto(cycle_url + "/statistics")
    members = page.get_by_role("region", name="Đảng viên", exact=True)
    # The level's own row (the headline "… trở lên" row also names it).
    row = members.get_by_role("row", name="Hoàn thành tốt nhiệm vụ").filter(
        has_not_text="trở lên"
    )
    assert "100,00%" in row.inner_text()
    headline = members.get_by_role("row", name="Hoàn thành tốt nhiệm vụ trở lên")
    assert "100,00%" in headline.inner_text()
    _shot(page, "rating-journey-statistics")
