"""The dashboard's to-do lists and "who acts next" (việc cần làm, bước tiếp theo):
the names of the steps (``domain.next_step.Step``), of who takes them, and the
headings of each group of the list."""

from __future__ import annotations

STEP_LABELS: dict[str, str] = {
    "open_review": "Mở kiểm điểm",
    "report": "Gửi dự thảo báo cáo kiểm điểm của tập thể (Mẫu 01)",
    "self_review": "Nộp bản kiểm điểm cá nhân",
    "meeting": "Tổ chức hội nghị kiểm điểm",
    "open_round": "Mở đợt đánh giá, xếp loại",
    "self_rating": "Bước 1. Tự đánh giá, xếp loại",
    "proposal": "Bước 2. Thẩm định, đề xuất mức xếp loại",
    "decision": "Bước 3. Quyết định xếp loại",
    "verification": "Kết luận xác minh trước khi quyết định",
    "key_ceremony": "Tạo khóa bỏ phiếu (nghi thức của Ban kiểm phiếu)",
    "print_slips": "In phiếu, hủy phiếu chưa phát (Trưởng Ban)",
    "decrypt": "Giải mã từng phần, tổng hợp và công bố kết quả",
    "minutes": "Ký biên bản kiểm phiếu",
}

# Who takes a step (người thực hiện), by the role that acts.
ACTOR_LABELS: dict[str, str] = {
    "secretary": "thư ký cấp ủy, chi bộ",
    "member": "đảng viên (thư ký ghi nhận)",
    "decision_maker": "cấp ủy có thẩm quyền",
    "inspector": "ủy ban kiểm tra",
    "counting": "Ban kiểm phiếu",
    "admin": "quản trị hệ thống",
}

GROUP_HEADINGS: dict[str, str] = {
    "status.pending": "Đối tượng đang kiểm điểm, chưa tự đánh giá",
    "status.self_rated": "Đã tự đánh giá, chờ thẩm định, đề xuất",
    "status.proposed": "Đề xuất chờ quyết định xếp loại",
    "status.cancelled": "Quyết định đã hủy, chờ quyết định lại",
    "orders": "Lệnh kiểm điểm, xếp loại lại chưa thực hiện xong",
    "incidents": "Sự cố sổ cái đã phát hiện",
    "changed": "Hồ sơ thay đổi sau điểm kiểm tra bạn đồng ký gần nhất",
    "own": "Việc kiểm điểm, xếp loại của bạn",
    "own_remediation": "Hạn chế, khuyết điểm của bạn đang khắc phục",
    "open_votes": "Lấy phiếu tín nhiệm đang mở",
    "ceremony": "Việc của Ban kiểm phiếu",
}

ORDER_SCOPES: dict[str, str] = {
    "review": "kiểm điểm lại",
    "rating": "xếp loại lại",
    "both": "kiểm điểm và xếp loại lại",
}

TEXT: dict[str, str] = {
    "heading": "Việc cần làm",
    "back": "Trang chủ",
    "nothing": "Hiện không có việc nào chờ bạn.",
    "next_step": "Bước tiếp theo",
    "who": "người thực hiện",
    "done": "Không còn bước nào: đối tượng đã được xếp loại hoặc được miễn.",
    "deadline": "hạn",
    "see_all": "Xem tất cả",
    "and_more": "và còn nữa",
    "technical": "Chi tiết kỹ thuật",
    "never_cosigned": "Bạn chưa đồng ký điểm kiểm tra nào.",
    "cosign": "Đồng ký điểm kiểm tra mới",
    "overdue": "Nhắc việc",
    "overdue_items": "hạn chế, khuyết điểm quá hạn khắc phục",
}


def step_label(code: str | None) -> str:
    return STEP_LABELS.get(code or "", code or "")


def actor_label(role: str | None) -> str:
    return ACTOR_LABELS.get(role or "", role or "")
