"""Vietnamese messages for the error codes of the remediation area (merged into
``web.catalogue.MESSAGES``; one module per area so areas do not edit one file)."""

from __future__ import annotations

MESSAGES: dict[str, str] = {
    "remediation.already_recurred": (
        "Hạn chế, khuyết điểm kỳ trước này đã được ghi nhận là tái diễn."
    ),
    "remediation.cause_unknown": "Nguyên nhân phải là khách quan hoặc chủ quan.",
    "remediation.collective_only": (
        "Chỉ tập thể mới xác định trách nhiệm của tập thể và của từng thành viên."
    ),
    "remediation.deadline_in_past": (
        "Thời hạn khắc phục không thể trước ngày thông qua kế hoạch."
    ),
    "remediation.description_required": (
        "Vui lòng nhập nội dung hạn chế, khuyết điểm."
    ),
    "remediation.document_hash_invalid": (
        "Mã SHA-256 của tài liệu phải gồm đúng 64 ký tự thập lục phân."
    ),
    "remediation.document_reference_required": (
        "Có mã SHA-256 thì phải ghi số, ký hiệu hoặc tên tài liệu minh chứng."
    ),
    "remediation.measures_required": "Vui lòng nhập ít nhất một biện pháp khắc phục.",
    "remediation.not_own": (
        "Đảng viên chỉ báo cáo việc khắc phục hạn chế, khuyết điểm của chính mình."
    ),
    "remediation.not_supervisor": (
        "Chỉ Ủy ban Kiểm tra phụ trách hoặc cấp ủy cấp trên mới xác nhận hay "
        "không xác nhận kết quả khắc phục."
    ),
    "remediation.person_not_in_collective": (
        "Người được xác định trách nhiệm phải là người đứng đầu hoặc thành viên "
        "của tập thể."
    ),
    "remediation.person_twice": "Mỗi thành viên chỉ được nêu trách nhiệm một lần.",
    "remediation.plan_mixes_subjects": (
        "Một kế hoạch khắc phục chỉ gồm hạn chế, khuyết điểm của một đối tượng "
        "trong một kỳ kiểm điểm."
    ),
    "remediation.plan_not_found": "Không tìm thấy hồ sơ khắc phục.",
    "remediation.plan_closed": (
        "Kế hoạch khắc phục đã hoàn thành; kế hoạch được giữ nguyên tại tổ chức cũ."
    ),
    "remediation.follow_unknown": "Hình thức sắp xếp không hợp lệ: {how}.",
    "remediation.follow_path": (
        "Tổ chức tiếp nhận kế hoạch khắc phục không khớp với đường dẫn tổ chức."
    ),
    "remediation.plan_required": (
        "Cần thông qua kế hoạch khắc phục trước khi báo cáo tiến độ hoặc hoàn thành."
    ),
    "remediation.reason_required": (
        "Vui lòng nêu lý do không xác nhận kết quả khắc phục."
    ),
    "remediation.recurrence_not_earlier": (
        "Hạn chế, khuyết điểm tái diễn phải là của một kỳ kiểm điểm trước."
    ),
    "remediation.recurrence_other_subject": (
        "Hạn chế, khuyết điểm tái diễn phải là của cùng đối tượng."
    ),
    "remediation.responsibility_required": (
        "Vui lòng nêu trách nhiệm của từng thành viên được xác định."
    ),
    "remediation.review_mismatch": (
        "Hồ sơ kiểm điểm được chọn không phải của đối tượng này trong kỳ này."
    ),
    "remediation.shortcoming_exists": "Hạn chế, khuyết điểm này đã được ghi nhận.",
    "remediation.shortcoming_not_found": "Không tìm thấy hạn chế, khuyết điểm.",
    "remediation.shortcomings_required": (
        "Vui lòng chọn ít nhất một hạn chế, khuyết điểm cho kế hoạch."
    ),
    "remediation.source_unknown": "Nguồn phát hiện hạn chế, khuyết điểm không hợp lệ.",
    "remediation.status_not_allowed": (
        "Không thể thực hiện bước này khi hạn chế, khuyết điểm đang ở trạng thái "
        "“{status_label}”."
    ),
    "remediation.subject_without_place": (
        "Đối tượng không thuộc tổ chức đảng nào, không thể lập hồ sơ khắc phục."
    ),
    "remediation.supervisor_unknown": (
        "Cơ quan giám sát phải là Ủy ban Kiểm tra hoặc cấp ủy cấp trên."
    ),
    "remediation.text_required": "Vui lòng nhập nội dung.",
    "remediation.text_too_long": "Nội dung quá dài (tối đa {limit} ký tự).",
    "remediation.verified_before_claim": (
        "Ngày xác nhận không thể trước ngày báo cáo hoàn thành."
    ),
    "remediation.verifier_is_claimant": (
        "Người báo cáo hoàn thành không thể tự xác nhận kết quả khắc phục."
    ),
}

# Labels of the remediation codes (pages, API ``*_label`` fields).
STATUS_LABELS: dict[str, str] = {
    "OPEN": "Chưa có kế hoạch",
    "IN_PROGRESS": "Đang khắc phục",
    "DONE": "Đã báo cáo hoàn thành, chờ xác nhận",
    "VERIFIED": "Đã được xác nhận khắc phục",
    "NOT_DONE": "Không được xác nhận, tiếp tục khắc phục",
    "RECURRED": "Tái diễn",
}
SOURCE_LABELS: dict[str, str] = {
    "SELF": "Tự kiểm điểm",
    "MEMBER_COMMENT": "Góp ý của đảng viên",
    "SUGGESTION": "Gợi ý kiểm điểm của cấp trên",
    "HIGHER_CONCLUSION": "Kết luận của cấp có thẩm quyền",
    "INSPECTION": "Kiểm tra, giám sát",
}
CAUSE_LABELS: dict[str, str] = {"OBJECTIVE": "Khách quan", "SUBJECTIVE": "Chủ quan"}
SUPERVISOR_LABELS: dict[str, str] = {
    "INSPECTION_COMMITTEE": "Ủy ban Kiểm tra",
    "HIGHER_COMMITTEE": "Cấp ủy cấp trên",
}
URGENCY_LABELS: dict[str, str] = {"overdue": "Quá hạn", "due_soon": "Sắp đến hạn"}
STEP_LABELS: dict[str, str] = {
    "recorded": "Ghi nhận",
    "plan_adopted": "Thông qua kế hoạch khắc phục",
    "progress": "Báo cáo tiến độ",
    "claimed": "Báo cáo hoàn thành",
    "verified": "Xác nhận đã khắc phục",
    "refused": "Không xác nhận",
    "recurred": "Tái diễn ở kỳ sau",
    "followed": "Chuyển theo quyết định sắp xếp, tổ chức lại",
}
