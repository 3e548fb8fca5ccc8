"""Vietnamese messages for the facts the rating rules read about organisations
and leaders (sector, conclusions, task results, disciplined cases, oversight) and
for the rules added on them (merged into ``web.catalogue.MESSAGES``)."""

from __future__ import annotations

MESSAGES: dict[str, str] = {
    # -- organisation facts ----
    "org.sector_fixed": (
        "Tổ chức đảng luôn thuộc khối Đảng; chỉ tập thể lãnh đạo, quản lý mới cần "
        "ghi khối."
    ),
    "org.sector_unknown": "Khối không hợp lệ.",
    "org.sector_unchanged": "Tập thể đã được ghi thuộc khối này.",
    "org.conclusion_kind_unknown": "Loại kết luận không hợp lệ.",
    "org.fact_recorded_twice": "Nội dung này đã được ghi nhận.",
    "org.reference_required": "Vui lòng nhập số, ký hiệu văn bản làm căn cứ.",
    "org.reference_too_long": "Số, ký hiệu văn bản quá dài (tối đa {limit} ký tự).",
    "org.year_invalid": "Năm không hợp lệ.",
    "org.task_counts_invalid": (
        "Số nhiệm vụ theo kế hoạch phải lớn hơn 0 và số đã hoàn thành không vượt "
        "quá số theo kế hoạch."
    ),
    "org.target_unknown": "Chỉ tiêu kinh tế - xã hội không hợp lệ: {targets}.",
    "org.targets_do_not_apply": (
        "Đã ghi chỉ tiêu kinh tế - xã hội không đạt nhưng các chỉ tiêu này không "
        "áp dụng cho đơn vị."
    ),
    "org.case_kind_unknown": "Loại vụ việc không hợp lệ.",
    "org.discipline_level_unknown": "Hình thức kỷ luật tổ chức không hợp lệ.",
    # -- oversight ----
    "member.oversight_unchanged": (
        "Đảng viên đã được phân công trực tiếp phụ trách đơn vị này."
    ),
    "member.oversight_not_held": (
        "Đảng viên không được phân công phụ trách đơn vị này."
    ),
    # -- cycle options and rules ----
    "cycle.party_org_triggers_invalid": (
        "Tỉ lệ của tổ chức đảng phải là số nguyên từ 0 đến 100 hoặc để trống."
    ),
    "rating.not_proposer": (
        "Theo thẩm quyền, việc đề xuất xếp loại đối tượng này do {proposes} thực hiện."
    ),
}
