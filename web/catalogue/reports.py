"""Vietnamese messages for the error codes of the reports area (merged into
``web.catalogue.MESSAGES``; one module per area so areas do not edit one file)."""

from __future__ import annotations

MESSAGES: dict[str, str] = {
    "commendation.kind_unknown": "Hình thức khen thưởng không hợp lệ.",
    "commendation.kind_not_configured": (
        "Hình thức khen thưởng 5 năm liền này không được áp dụng theo quy định của "
        "đảng bộ (xem cấu hình khen thưởng)."
    ),
    "commendation.subject_not_member": "Chỉ khen thưởng đảng viên theo hình thức này.",
    "commendation.awarding_level": (
        "Tổ chức ra quyết định không đúng thẩm quyền khen thưởng theo Hướng dẫn "
        "06-HD/TW mục 19.2."
    ),
    "commendation.awarding_org_not_above": (
        "Tổ chức ra quyết định phải là cấp ủy của đảng viên hoặc cấp trên."
    ),
    "commendation.basis_not_supported": (
        "Lịch sử xếp loại không đủ căn cứ: năm {year} xếp loại {level}, cần hoàn "
        "thành xuất sắc nhiệm vụ {needed} năm liền."
    ),
    "commendation.decision_no_required": "Cần nhập số quyết định khen thưởng.",
    "commendation.text_too_long": "Nội dung quá dài (tối đa {limit} ký tự).",
    "commendation.decided_before_year": (
        "Ngày quyết định không thể trước năm được khen thưởng ({year})."
    ),
    "commendation.subject_unknown": (
        "Không tìm thấy đối tượng trong kỳ xếp loại năm đó."
    ),
    "commendation.exists": "Đảng viên đã được khen thưởng hình thức này năm {year}.",
    "report.rerating_not_found": "Đối tượng này chưa được đánh giá, xếp loại lại.",
    "report.year_invalid": "Năm báo cáo không hợp lệ.",
    "report.no_cycle": "Chưa có kỳ kiểm điểm năm {year} cho tổ chức này.",
    "report.deadline_unknown": "Không có cấp thời hạn này trong kế hoạch kiểm điểm.",
}


# -- names shown on the reports pages ---------------------------------------------
AWARD_KINDS: dict[str, str] = {
    "year_certificate": "Giấy khen — hoàn thành xuất sắc nhiệm vụ trong năm",
    "five_year_certificate": "Giấy khen — hoàn thành xuất sắc nhiệm vụ 5 năm liền",
    "five_year_merit": "Bằng khen — hoàn thành xuất sắc nhiệm vụ 5 năm liền",
}
AWARDING_LEVELS: dict[str, str] = {
    "grassroots": "Đảng ủy cơ sở, chi bộ cơ sở",
    "above_grassroots_standing": (
        "Ban Thường vụ cấp ủy cấp trên trực tiếp của tổ chức cơ sở đảng"
    ),
    "provincial_standing": "Ban Thường vụ tỉnh ủy, thành ủy",
}
BANDS: dict[str, str] = {
    "GT_HALF": "Trên 1/2 đến dưới 2/3 tín nhiệm thấp",
    "GTE_TWO_THIRDS": "Từ 2/3 trở lên tín nhiệm thấp",
}
