"""Vietnamese names shown on the rating pages (levels, statuses, steps)."""

from __future__ import annotations

LEVEL_LABELS: dict[str, str] = {
    "HTXSNV": "Hoàn thành xuất sắc nhiệm vụ",
    "HTTNV": "Hoàn thành tốt nhiệm vụ",
    "HTNV": "Hoàn thành nhiệm vụ",
    "KHTNV": "Không hoàn thành nhiệm vụ",
}
# The automatic KHTNV triggers (domain/evaluation.py) by their codes, for the
# authority's mitigation form; the explanation's full sentences are in domain/explain.
TRIGGER_LABELS: dict[str, str] = {
    "discipline": "Bị kỷ luật trong năm",
    "member_discipline": "Có thành viên bị kỷ luật trong năm",
    "degradation": "Bị kết luận suy thoái, “tự diễn biến”, “tự chuyển hoá”",
    "confidence": "Trên 1/2 số phiếu tín nhiệm thấp",
    "tasks_not_done": "Nhiệm vụ trong năm không hoàn thành vượt tỉ lệ",
    "tasks_below_minimum": "Hoàn thành dưới mức tối thiểu nhiệm vụ theo kế hoạch",
    "overseen_units_khtnv": (
        "Trên 1/2 lĩnh vực, đơn vị trực tiếp phụ trách “Không hoàn thành nhiệm vụ”"
    ),
    "led_unit_khtnv": "Đơn vị trực tiếp lãnh đạo “Không hoàn thành nhiệm vụ”",
    "management_case": (
        "Tham nhũng, lãng phí, tiêu cực ở nơi quản lý trực tiếp, đã bị xử lý kỷ luật"
    ),
    "subordinate_case": "Đơn vị trực thuộc để xảy ra tham nhũng, lãng phí",
    "unit_tasks_below_minimum": "Địa phương, đơn vị hoàn thành dưới mức chỉ tiêu",
    "socio_economic_targets": "Không đạt chỉ tiêu kinh tế - xã hội cơ bản",
    "collective_conclusion": "Tập thể bị kết luận vi phạm, mất đoàn kết",
    "member_degradation": "Có thành viên bị kết luận suy thoái",
    "collective_disciplined": "Tập thể bị xử lý kỷ luật trong năm",
    "subordinate_units_disciplined": "Tổ chức trực thuộc bị kỷ luật vượt tỉ lệ",
    "members_khtnv": "Đảng viên “Không hoàn thành nhiệm vụ” vượt tỉ lệ",
}
STATUS_LABELS: dict[str, str] = {
    "pending": "Chưa tự đánh giá",
    "self_rated": "Đã tự đánh giá",
    "proposed": "Đã thẩm định, đề xuất",
    "decided": "Đã quyết định",
    "cancelled": "Đã huỷ, chờ xếp loại lại",
    "exempt": "Miễn",
}
EXEMPT_LABELS: dict[str, str] = {
    "exempt_party_activity": "Miễn công tác và sinh hoạt đảng",
    "party_activity_suspended": "Đình chỉ sinh hoạt đảng",
    "admitted_lt_6_months": "Mới kết nạp chưa đủ 6 tháng",
}
POPULATION_LABELS: dict[str, str] = {
    "party_orgs": "Tổ chức đảng",
    "members": "Đảng viên",
    "leadership_collectives": "Tập thể lãnh đạo, quản lý",
    "leaders": "Cá nhân lãnh đạo, quản lý",
}
STEP_LABELS: dict[str, str] = {
    "review_opened": "Mở kiểm điểm",
    "report_circulated": "Gửi dự thảo báo cáo (Mẫu 01)",
    "self_review": "Nộp bản kiểm điểm",
    "comment": "Góp ý",
    "suggestion": "Gợi ý kiểm điểm",
    "opinion": "Ý kiến chủ thể tham gia đánh giá",
    "residence_comment": "Nhận xét nơi cư trú",
    "temporary_cell_comment": "Nhận xét của chi bộ sinh hoạt tạm thời",
    "meeting": "Hội nghị kiểm điểm",
    "self_rated": "Tự đánh giá, xếp loại",
    "proposed": "Thẩm định, đề xuất",
    "held": "Tạm dừng để xác minh",
    "released": "Kết thúc xác minh",
    "mitigation": "Quyết định xem xét giảm nhẹ",
    "decided": "Quyết định xếp loại",
    "cancelled": "Huỷ kết quả xếp loại",
    "revised": "Xếp loại lại (Mẫu 03)",
    "chair_responsibility": "Kiểm điểm trách nhiệm người chủ trì",
    "rereview_ordered": "Cấp trên yêu cầu tiến hành lại",
    "review_redo": "Kiểm điểm trước đó phải làm lại",
    "rating_redo": "Kết quả xếp loại trước đó phải làm lại",
}
REREVIEW_SCOPES: dict[str, str] = {
    "review": "Kiểm điểm lại",
    "rating": "Đánh giá, xếp loại lại",
    "both": "Kiểm điểm và xếp loại lại",
}
KLASS_LABELS: dict[str, str] = {
    "member_of_subordinate_cell": "Đảng viên chi bộ trực thuộc",
    "member_of_grassroots_cell": "Đảng viên chi bộ cơ sở",
    "leader": "Cán bộ lãnh đạo, quản lý",
    "subordinate_cell": "Chi bộ trực thuộc",
    "grassroots_cell": "Chi bộ cơ sở",
    "partial_committee": "Đảng bộ bộ phận",
    "grassroots_committee": "Đảng bộ cơ sở",
    "district_committee": "Đảng bộ cấp trên cơ sở",
    "provincial_committee": "Đảng bộ tỉnh",
    "leadership_collective": "Tập thể lãnh đạo, quản lý",
}
DEADLINE_LEVELS: dict[str, str] = {
    "member": "Đảng viên",
    "leader": "Cán bộ lãnh đạo",
    "cell": "Chi bộ",
    "partial_committee": "Đảng bộ bộ phận",
    "grassroots_committee": "Đảng bộ cơ sở",
    "district_committee": "Đảng bộ cấp trên cơ sở",
    "provincial_committee": "Đảng bộ tỉnh",
    "leadership_collective": "Tập thể lãnh đạo",
}
MILESTONES: dict[str, str] = {
    "review": "Kiểm điểm",
    "rating": "Xếp loại",
    "report": "Báo cáo",
}
ISSUE_LABELS: dict[str, str] = {
    "flag": "Cần xem xét",
    "prerequisite": "Chờ xếp loại trước",
    "held": "Tạm dừng xác minh",
    "violation": "Vi phạm quy định",
    "deadline_at_risk": "Sắp đến hạn",
    "deadline_missed": "Quá hạn",
    "rereview_open": "Đang tiến hành lại theo yêu cầu",
    "rereview_at_risk": "Sắp đến hạn tiến hành lại",
    "rereview_late": "Quá hạn tiến hành lại",
}
ISSUE_RULES: dict[str, str] = {
    "rated_without_review": "Đã xếp loại nhưng chưa kiểm điểm đủ nơi bắt buộc",
    "discipline_after_decision": (
        "Có quyết định kỷ luật ghi nhận sau khi xếp loại: xem xét xếp loại lại"
    ),
    "complaint": "Khiếu nại",
    "denunciation": "Tố cáo",
    "disunity": "Mất đoàn kết",
    "violation": "Vi phạm",
    "rereview_review": "Yêu cầu kiểm điểm lại",
    "rereview_rating": "Yêu cầu đánh giá, xếp loại lại",
    "rereview_both": "Yêu cầu kiểm điểm và xếp loại lại",
}
HOLD_REASONS: dict[str, str] = {
    "complaint": "Khiếu nại",
    "denunciation": "Tố cáo",
    "disunity": "Dấu hiệu mất đoàn kết",
    "violation": "Phản ánh vi phạm",
}
SECTION_LABELS: dict[str, str] = {
    "strengths": "I. Ưu điểm, kết quả đạt được",
    "shortcomings": "II. Hạn chế, khuyết điểm và nguyên nhân",
    "remediation": "III. Kết quả khắc phục hạn chế, khuyết điểm kỳ trước",
    "suggestions": "IV. Giải trình các vấn đề được gợi ý kiểm điểm",
    "responsibility": "V. Làm rõ trách nhiệm đối với hạn chế, khuyết điểm của tập thể",
    "measures": "VI. Phương hướng, biện pháp khắc phục",
}

FACT_KIND_LABELS: dict[str, str] = {
    "PostAssigned": "Giữ chức vụ",
    "PostEnded": "Thôi giữ chức vụ",
    "TemporaryCellAttached": "Sinh hoạt đảng tạm thời",
    "TemporaryCellDetached": "Thôi sinh hoạt tạm thời",
    "ExemptionRecorded": "Miễn, đình chỉ sinh hoạt đảng",
    "LeaveRecorded": "Nghỉ ốm, thai sản",
    "DisciplineRecorded": "Kỷ luật",
    "DegradationConcluded": "Kết luận suy thoái",
    "ConfidenceResultRecorded": "Kết quả lấy phiếu tín nhiệm",
    "WorkSituationSet": "Tình trạng công tác",
    "OversightAssigned": "Phân công trực tiếp phụ trách",
    "OversightEnded": "Thôi phụ trách",
}

# -- facts about organisations and oversight (366 Điều 11, Điều 7.3) -------------------
SECTOR_LABELS: dict[str, str] = {
    "party": "Đảng (cấp ủy, ban thường vụ)",
    "government": "Chính quyền",
    "professional": "Chuyên môn",
    "mass_org": "Đoàn thể",
}
CONCLUSION_LABELS: dict[str, str] = {
    "personnel_wrongdoing": "Sai phạm trong công tác cán bộ",
    "disunity": "Mất đoàn kết nội bộ",
    "factionalism": "Cục bộ, bè phái",
    "buying_posts": "Chạy chức, chạy quyền",
}
TARGET_LABELS: dict[str, str] = {
    "growth": "Tăng trưởng kinh tế",
    "budget_revenue": "Thu ngân sách",
    "public_investment": "Giải ngân vốn đầu tư công",
    "income_per_capita": "Thu nhập bình quân đầu người",
    "poverty_reduction": "Giảm nghèo",
}
CASE_LABELS: dict[str, str] = {
    "corruption": "Tham nhũng",
    "waste": "Lãng phí",
    "negativity": "Tiêu cực",
}
ORG_DISCIPLINE_LABELS: dict[str, str] = {
    "reprimand": "Khiển trách",
    "warning": "Cảnh cáo",
    "dissolution": "Giải tán",
}
ORG_FACT_LABELS: dict[str, str] = {
    "SectorSet": "Khối",
    "ConclusionRecorded": "Kết luận về tập thể",
    "TaskResultsRecorded": "Kết quả thực hiện nhiệm vụ, chỉ tiêu",
    "CaseRecorded": "Vụ việc tham nhũng, lãng phí, tiêu cực đã xử lý kỷ luật",
    "DisciplineRecorded": "Kỷ luật tổ chức",
}
