"""Vietnamese messages for the error codes of the ratings area (merged into
``web.catalogue.MESSAGES``; one module per area so areas do not edit one file)."""

from __future__ import annotations

MESSAGES: dict[str, str] = {
    # -- access ----------------------------------------------------------------------
    "auth.out_of_scope": (
        "Bạn không có quyền với dữ liệu này: tài khoản của bạn không phụ trách tổ "
        "chức này (chỉ tổ chức của bạn và cấp dưới)."
    ),
    # -- member facts ---------------------------------------------------------------
    "member.confidence_counts_invalid": (
        "Số phiếu không hợp lệ: số phiếu thu về phải lớn hơn 0 và số phiếu tín nhiệm "
        "thấp không vượt quá số phiếu thu về."
    ),
    "member.date_before_admission": "Ngày này không thể trước ngày vào Đảng.",
    "member.discipline_recorded": "Quyết định kỷ luật này đã được ghi nhận.",
    "member.discipline_unknown": "Hình thức kỷ luật không hợp lệ.",
    "member.exemption_unknown": "Loại miễn, đình chỉ sinh hoạt đảng không hợp lệ.",
    "member.leave_unknown": "Loại nghỉ không hợp lệ (nghỉ ốm hoặc thai sản).",
    "member.no_temporary_cell": "Đảng viên không sinh hoạt đảng tạm thời.",
    "member.follow_unknown": "Hình thức sắp xếp không hợp lệ: {how}.",
    "member.period_invalid": "Ngày kết thúc không thể trước ngày bắt đầu.",
    "member.post_not_held": "Đảng viên không giữ chức vụ tại tổ chức này.",
    "member.post_role_unknown": "Chức vụ không hợp lệ.",
    "member.post_unchanged": "Đảng viên đã giữ chức vụ này tại tổ chức này.",
    "member.reference_required": "Vui lòng nhập số, ký hiệu văn bản làm căn cứ.",
    "member.reference_too_long": "Số, ký hiệu văn bản quá dài (tối đa {limit} ký tự).",
    "member.situation_unchanged": "Tình trạng công tác không thay đổi.",
    "member.temporary_is_official": (
        "Chi bộ sinh hoạt tạm thời phải khác chi bộ sinh hoạt chính thức."
    ),
    "member.temporary_unchanged": "Đảng viên đã sinh hoạt tạm thời tại chi bộ này.",
    # -- bulk import of members ------------------------------------------------------
    "import.card_twice": "Số thẻ đảng viên trùng với dòng {first}.",
    "import.cell_unknown": "Không tìm thấy chi bộ theo mã này.",
    "import.columns_missing": "Tệp thiếu cột bắt buộc: {columns}.",
    "import.date_invalid": "Ngày không hợp lệ (dạng 2025-12-31 hoặc 31/12/2025).",
    "import.empty": "Tệp không có dữ liệu.",
    "import.file_too_large": "Tệp quá lớn.",
    "import.file_type": "Chỉ nhận tệp .csv hoặc .xlsx.",
    "import.file_unreadable": "Không đọc được tệp (CSV phải là UTF-8).",
    "import.rows_invalid": (
        "Có dòng chưa hợp lệ; chưa nhập đảng viên nào. Sửa các dòng được nêu và "
        "gửi lại."
    ),
    "import.too_many_rows": "Tệp có quá nhiều dòng (tối đa {limit}).",
    "import.value_required": "Thiếu giá trị bắt buộc.",
    # -- cycles ---------------------------------------------------------------------
    "cycle.not_found": "Không tìm thấy kỳ kiểm điểm.",
    "cycle.closed": "Kỳ kiểm điểm đã kết thúc, không thể thay đổi.",
    "cycle.combined_invalid": (
        "Chỉ tập thể lãnh đạo trùng thành viên với cấp ủy mới được kiểm điểm chung "
        "tại hội nghị của cấp ủy."
    ),
    "cycle.criteria_invalid": "Bộ tiêu chí cụ thể hoá không hợp lệ.",
    "cycle.criteria_frame": (
        "Bộ tiêu chí phải giữ khung {general_max} điểm tiêu chí chung và "
        "{task_max} điểm kết quả thực hiện nhiệm vụ (đang là {general} và {task})."
    ),
    "cycle.criteria_not_scored": "Quy định của năm này không chấm điểm theo tiêu chí.",
    "cycle.deadline_date": "Thời hạn phải thuộc năm kiểm điểm hoặc năm kế tiếp.",
    "cycle.deadline_invalid": "Cấp hoặc mốc thời hạn không hợp lệ.",
    "cycle.deadline_twice": "Thời hạn cho cùng cấp và mốc đã được nhập.",
    "cycle.exists": "Tổ chức này đã mở kỳ kiểm điểm năm {year}.",
    "cycle.holidays_invalid": "Danh sách ngày nghỉ không hợp lệ.",
    "cycle.no_regime": "Chưa có quy định áp dụng cho năm {year}.",
    "cycle.no_subjects": "Tổ chức này chưa có tập thể, cá nhân nào để kiểm điểm.",
    "cycle.option_not_configurable": (
        "Quy định của năm này không cho phép thay đổi tuỳ chọn này."
    ),
    "cycle.option_unknown": "Tuỳ chọn không hợp lệ: {option}.",
    "cycle.period_invalid": "Kỳ đánh giá không hợp lệ với quy định của năm này.",
    "cycle.reference_date_invalid": "Ngày tính đủ 6 tháng tuổi đảng không hợp lệ.",
    "cycle.rounding_unknown": "Cách làm tròn tỉ lệ không hợp lệ.",
    "cycle.rulebook_unknown": "Không tìm thấy quy định áp dụng.",
    "cycle.subjects_unchanged": "Danh sách đối tượng không có gì thay đổi.",
    "cycle.year_invalid": "Năm kiểm điểm không hợp lệ.",
    # -- reviews --------------------------------------------------------------------
    "review.not_found": "Không tìm thấy buổi kiểm điểm.",
    "review.attendees_invalid": "Số người dự phải lớn hơn 0.",
    "review.conclusion_required": "Vui lòng nhập kết luận.",
    "review.evaluator_required": "Vui lòng nêu chủ thể tham gia đánh giá.",
    "review.evaluator_unknown": "Chủ thể tham gia đánh giá không hợp lệ.",
    "review.exists": "Buổi kiểm điểm này đã được mở.",
    "review.meeting_already_held": (
        "Hội nghị kiểm điểm đã được ghi nhận, không thể sửa."
    ),
    "review.minutes_required": "Vui lòng nhập biên bản hội nghị.",
    "review.no_temporary_cell": "Đảng viên không sinh hoạt đảng tạm thời.",
    "review.not_the_temporary_cell": "Đây không phải chi bộ sinh hoạt tạm thời.",
    "review.order_violation": (
        "Chưa đúng trình tự kiểm điểm ({rule_label}): {subject} chưa kiểm điểm."
    ),
    "review.author_ambiguous": (
        "Có {count} người dự hội nghị khớp với “{text}”: vui lòng nhập đủ họ tên "
        "hoặc số thẻ đảng viên."
    ),
    "review.author_required": "Vui lòng chọn hoặc nhập người góp ý.",
    "review.author_unknown": (
        "Không tìm thấy người dự hội nghị kiểm điểm tại nơi này khớp với “{text}”. "
        "Vui lòng nhập số thẻ đảng viên hoặc họ tên."
    ),
    "review.author_not_participant": (
        "Người góp ý phải là người dự hội nghị kiểm điểm tại nơi này: đảng viên "
        "của chi bộ hoặc người giữ chức vụ ở tổ chức nơi kiểm điểm."
    ),
    "review.report_for_collectives": "Báo cáo kiểm điểm (Mẫu 01) chỉ dành cho tập thể.",
    "review.report_not_circulated": (
        "Chưa gửi dự thảo báo cáo kiểm điểm tập thể (Mẫu 01) đến người dự hội nghị."
    ),
    "review.report_too_late": (
        "Dự thảo báo cáo phải gửi trước ít nhất {required} ngày làm việc "
        "(mới được {days} ngày)."
    ),
    "review.section_missing": "Bản kiểm điểm còn thiếu nội dung bắt buộc.",
    "review.section_unknown": "Bản kiểm điểm có mục không thuộc mẫu.",
    "review.self_review_for_individuals": "Nội dung này chỉ dành cho cá nhân.",
    "review.self_review_missing": "Cá nhân chưa nộp bản kiểm điểm.",
    "review.subject_exempt": "Đối tượng được miễn kiểm điểm, đánh giá, xếp loại.",
    "review.text_required": "Vui lòng nhập nội dung.",
    "review.text_too_long": "Nội dung quá dài (tối đa {limit} ký tự).",
    "review.venue_not_required": "Đối tượng không kiểm điểm tại nơi này.",
    "review.venue_ended": (
        "Tổ chức “{venue}” đã kết thúc hoạt động do sắp xếp, tổ chức lại (hợp "
        "nhất, sáp nhập, chia tách hoặc giải thể): không tiến hành kiểm điểm tại "
        "tổ chức này nữa. {successors_text} Hãy cập nhật danh sách đối tượng của "
        "kỳ, rồi kiểm điểm tại tổ chức kế tục."
    ),
    "review.issuer_ended": (
        "Tổ chức “{issuer}” đã kết thúc hoạt động do sắp xếp, tổ chức lại (hợp "
        "nhất, sáp nhập, chia tách hoặc giải thể) nên không còn gợi ý nội dung "
        "kiểm điểm. {successors_text}"
    ),
    "review.wrong_form": (
        "Cá nhân này kiểm điểm theo Mẫu {expected}, không phải {form}."
    ),
    # -- rating ---------------------------------------------------------------------
    "rating.round_not_found": "Không tìm thấy đợt xếp loại.",
    "rating.subject_not_found": "Không tìm thấy đối tượng trong kỳ kiểm điểm.",
    "rating.already_decided": (
        "Đối tượng đã được quyết định xếp loại; muốn thay đổi phải xếp loại lại "
        "(Mẫu 03)."
    ),
    "rating.already_held": "Việc xếp loại đối tượng này đang tạm dừng để xác minh.",
    "rating.authority_decides_nothing": (
        "Cấp này không có thẩm quyền quyết định xếp loại đối tượng nào trong kỳ."
    ),
    "rating.counts_invalid": "Số lượng không thể âm.",
    "rating.criteria_unknown": "Không có bộ tiêu chí cho đối tượng này.",
    "rating.criterion_missing": "Còn thiếu điểm của tiêu chí: {codes}.",
    "rating.criterion_unknown": "Tiêu chí không thuộc bộ tiêu chí: {codes}.",
    "rating.cycle_mismatch": "Đợt xếp loại không thuộc kỳ kiểm điểm này.",
    "rating.decision_no_required": "Vui lòng nhập số quyết định.",
    "rating.exceeded_too_many": (
        "Số nhiệm vụ vượt mức không thể nhiều hơn số nhiệm vụ đã hoàn thành."
    ),
    "rating.group_code_invalid": (
        "Mã nhóm chỉ gồm chữ thường không dấu, số và dấu gạch."
    ),
    "rating.group_empty": "Nhóm so sánh phải có ít nhất một đối tượng.",
    "rating.group_exists": "Mã nhóm “{value}” đã được dùng.",
    "rating.group_member_ambiguous": (
        "Có {count} đối tượng của đợt xếp loại này khớp với “{text}”: vui lòng "
        "nhập đủ họ tên hoặc số thẻ đảng viên, hoặc chọn trong gợi ý."
    ),
    "rating.group_member_unknown": (
        "Không có đối tượng nào của đợt xếp loại này (chưa thuộc nhóm nào, không "
        "được miễn) khớp với “{text}”."
    ),
    "rating.group_name_required": "Vui lòng nhập tên nhóm.",
    "rating.group_not_found": "Không tìm thấy nhóm so sánh “{value}”.",
    "rating.group_overlap": "Đối tượng {subject} đã thuộc một nhóm so sánh khác.",
    "rating.head_above_collective": (
        "Mức xếp loại của người đứng đầu không được cao hơn mức của tập thể "
        "“{collective_name}”."
    ),
    "rating.held_for_verification": (
        "Đang tạm dừng để thẩm tra, xác minh ({reason}); chưa thể quyết định."
    ),
    "rating.hold_reason_unknown": "Lý do tạm dừng không hợp lệ.",
    "rating.justification_required": (
        "Cấp có thẩm quyền phải nêu rõ giải trình bằng văn bản."
    ),
    "rating.level_not_allowed": (
        "Không thể xếp loại “{level_label}”: theo quy định mức cao nhất là "
        "“{ceiling_label}” (căn cứ: {rule_label})."
    ),
    "rating.level_unknown": "Mức xếp loại không hợp lệ.",
    "rating.level_open_question": (
        "Không thể xếp loại “{level_label}”: điểm thuộc khung “{band_label}” nhưng "
        "không đủ điều kiện của mức “Hoàn thành nhiệm vụ” (hoàn thành 100% nhiệm vụ, "
        "không quá 20% nhiệm vụ chậm tiến độ) và quy định chưa xác định mức áp dụng "
        "trong trường hợp này. Hệ thống không xếp “Hoàn thành nhiệm vụ”; đối tượng "
        "được chuyển cấp có thẩm quyền xem xét, quyết định, có giải trình."
    ),
    "rating.open_question_justification_required": (
        "Quy định chưa xác định mức xếp loại trong trường hợp này ({question_label}). "
        "Cấp có thẩm quyền phải ghi rõ giải trình của quyết định."
    ),
    "rating.mitigation_not_allowed": (
        "Quy định của năm này không cho phép xem xét giảm nhẹ căn cứ này."
    ),
    "rating.authority_ended": (
        "Tổ chức “{authority}” đã kết thúc hoạt động do sắp xếp, tổ chức lại "
        "(hợp nhất, sáp nhập, chia tách hoặc giải thể): việc đánh giá, xếp loại "
        "do tổ chức kế tục thực hiện. {successors_text} Hãy cập nhật danh sách "
        "đối tượng của kỳ, rồi thực hiện ở phiên xếp loại của tổ chức kế tục."
    ),
    "rating.not_competent": (
        "Cấp này không có thẩm quyền quyết định xếp loại {subject}."
    ),
    "rating.not_decided": "Đối tượng chưa được quyết định xếp loại.",
    "rating.not_held": "Việc xếp loại đối tượng này không bị tạm dừng.",
    "rating.note_required": "Vui lòng nhập nội dung.",
    "rating.peer_group_required": (
        "Muốn xếp loại “Hoàn thành xuất sắc nhiệm vụ”, đối tượng phải thuộc một "
        "nhóm so sánh để tính tỉ lệ."
    ),
    "rating.points_invalid": (
        "Điểm “{value}” không hợp lệ (số, tối đa 2 chữ số thập phân)."
    ),
    "rating.points_out_of_range": "Điểm tiêu chí {criterion} phải từ 0 đến {max}.",
    "rating.prerequisite_missing": (
        "Chưa đúng trình tự xếp loại ({rule_label}): {subject} chưa được quyết định."
    ),
    "rating.proposal_missing": "Chưa có thẩm định, đề xuất mức xếp loại.",
    "rating.quota_exceeded": (
        "Vượt tỉ lệ: nhóm “{group_name}” có {good} “Hoàn thành tốt nhiệm vụ”, "
        "tối đa {cap} “Hoàn thành xuất sắc nhiệm vụ” ({ratio_pct}%)."
    ),
    "rating.quota_exception_not_allowed": (
        "Quy định của năm này không cho phép nâng tỉ lệ xuất sắc."
    ),
    "rating.quota_exception_range": (
        "Tỉ lệ nâng lên phải cao hơn hiện tại và không quá {limit}%."
    ),
    "rating.reason_required": "Vui lòng nêu lý do.",
    "rating.remedied_too_many": (
        "Số hạn chế đã khắc phục không thể nhiều hơn số hạn chế đã chỉ ra."
    ),
    "rating.round_exists": "Đợt xếp loại của cấp này đã được mở.",
    "rating.self_rating_missing": "Đối tượng chưa tự đánh giá, xếp loại.",
    "rating.self_rating_not_own": "Đảng viên chỉ tự đánh giá, xếp loại cho chính mình.",
    "rating.subject_exempt": "Đối tượng được miễn đánh giá, xếp loại.",
    "rating.subject_unknown": "Đối tượng không thuộc kỳ kiểm điểm này.",
    "rating.tasks_do_not_add_up": (
        "Tổng số nhiệm vụ đúng hạn, chậm tiến độ và chưa hoàn thành phải bằng {total}."
    ),
    "rating.tasks_required": "Vui lòng nhập số nhiệm vụ được giao.",
    "rating.temporary_cell_comment_missing": (
        "Chưa có nhận xét của chi bộ nơi sinh hoạt tạm thời."
    ),
    "rating.text_too_long": "Nội dung quá dài (tối đa {limit} ký tự).",
    "rating.trigger_not_mitigable": "Căn cứ này không thể xem xét giảm nhẹ.",
    "rating.trigger_not_present": "Đối tượng không có căn cứ này.",
    # -- re-review orders (§5.4) ------------------------------------------------------
    "rereview.scope_unknown": (
        "Phạm vi không hợp lệ: kiểm điểm lại, xếp loại lại hoặc cả hai."
    ),
    "rereview.subject_exempt": "Đối tượng được miễn kiểm điểm, xếp loại.",
    "rereview.not_higher": (
        "Chỉ cấp ủy cấp trên của {subject} mới yêu cầu tiến hành lại kiểm điểm, "
        "xếp loại."
    ),
    "rereview.reason_required": "Vui lòng nêu lý do yêu cầu tiến hành lại.",
    "rereview.text_too_long": "Nội dung quá dài (tối đa {limit} ký tự).",
    "rereview.deadline_past": "Thời hạn thực hiện không thể trước ngày ra yêu cầu.",
    "rereview.review_not_held": (
        "Đối tượng {subject} chưa họp kiểm điểm (hoặc đang kiểm điểm lại): chưa có "
        "gì để kiểm điểm lại."
    ),
    "rereview.rating_not_decided": (
        "Đối tượng {subject} chưa có quyết định xếp loại: chưa có gì để xếp loại lại."
    ),
    "rereview.quota_would_break": (
        "Rút kết quả này thì nhóm “{group_name}” còn {good} người hoàn thành tốt "
        "nhiệm vụ, chỉ được tối đa {cap} người xuất sắc nhưng đang có {excellent}: "
        "cần yêu cầu xếp loại lại các trường hợp xuất sắc trước."
    ),
    "rereview.meeting_before_earlier": (
        "Hội nghị kiểm điểm lại không thể họp trước hội nghị đã bị yêu cầu làm lại."
    ),
    # -- combined conference (43-HD mục 2.4) -------------------------------------------
    "cycle.combined_unchanged": "Lựa chọn kiểm điểm gộp không thay đổi.",
    "cycle.combined_not_same_people": (
        "Chỉ kiểm điểm gộp khi thành viên của {collective} cũng chính là thành viên "
        "của {committee}."
    ),
    "cycle.combined_reviews_opened": (
        "Đã mở {count} cuộc kiểm điểm tại nơi cũ: không thể đổi nơi kiểm điểm nữa."
    ),
    # -- criteria refined by a province or unit (366 Điều 10) ------------------------
    "criteria.year_invalid": "Năm áp dụng {year} không thuộc quy định nào.",
    "criteria.not_scored": (
        "Năm {year} áp dụng quy định không chấm điểm: chỉ cụ thể hoá tiêu chí từ năm "
        "2025 (Quy định 366-QĐ/TW)."
    ),
    "criteria.appendix_unknown": "Phụ lục không hợp lệ (PL1 đến PL5).",
    "criteria.empty": "Vui lòng nhập ít nhất một tiêu chí.",
    "criteria.too_many": "Quá nhiều tiêu chí (tối đa {limit}).",
    "criteria.code_invalid": (
        "Dòng {line}: mã tiêu chí chỉ gồm chữ thường không dấu, số, dấu chấm, "
        "gạch ngang (ví dụ 1.2)."
    ),
    "criteria.code_twice": "Dòng {line}: mã tiêu chí “{criterion}” bị trùng.",
    "criteria.title_invalid": "Dòng {line}: thiếu nội dung tiêu chí (hoặc quá dài).",
    "criteria.group_invalid": (
        "Dòng {line}: nhóm tiêu chí phải là “chung” hoặc “nhiệm vụ”."
    ),
    "criteria.points_invalid": "Dòng {line}: điểm tối đa phải là số nguyên dương.",
    "criteria.frame": (
        "Tổng điểm chưa đúng khung: nhóm tiêu chí chung {general}/{general_max} "
        "điểm, nhóm kết quả thực hiện nhiệm vụ {task}/{task_max} điểm."
    ),
    "criteria.exists": (
        "Tổ chức này đã cụ thể hoá tiêu chí của phụ lục này từ năm {year}; "
        "hãy ban hành bộ mới từ năm sau."
    ),
}


# -- names shown on the ratings pages ---------------------------------------------
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
    "carried": "Chuyển sang phiên xếp loại của tổ chức kế tục",
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
# Mẫu 01, the collective's report: its sections I–V (VI is the self-rating step);
# the printout's headings (services.printouts.reviews.COLLECTIVE_SECTIONS).
REPORT_CONTENT_LABEL = "Nội dung báo cáo kiểm điểm của tập thể (Mẫu 01)"
REPORT_SECTION_LABELS: dict[str, str] = {
    "results": "I. Ưu điểm, kết quả đạt được",
    "shortcomings": "II. Hạn chế, khuyết điểm và nguyên nhân",
    "remediation": (
        "III. Kết quả khắc phục hạn chế, khuyết điểm đã được cấp có thẩm quyền "
        "kết luận hoặc chỉ ra ở các kỳ kiểm điểm trước"
    ),
    "suggestions": "IV. Giải trình các vấn đề được gợi ý kiểm điểm (nếu có)",
    "measures": "V. Phương hướng, biện pháp khắc phục hạn chế, khuyết điểm",
}

FACT_KIND_LABELS: dict[str, str] = {
    "PostAssigned": "Giữ chức vụ",
    "PostEnded": "Thôi giữ chức vụ",
    "TemporaryCellAttached": "Sinh hoạt đảng tạm thời",
    "TemporaryCellDetached": "Thôi sinh hoạt tạm thời",
    "TemporaryCellFollowed": "Nơi sinh hoạt tạm thời theo quyết định sắp xếp",
    "ExemptionRecorded": "Miễn, đình chỉ sinh hoạt đảng",
    "LeaveRecorded": "Nghỉ ốm, thai sản",
    "DisciplineRecorded": "Kỷ luật",
    "DegradationConcluded": "Kết luận suy thoái",
    "ConfidenceResultRecorded": "Kết quả lấy phiếu tín nhiệm",
    "WorkSituationSet": "Tình trạng công tác",
    "OversightAssigned": "Phân công trực tiếp phụ trách",
    "OversightEnded": "Thôi phụ trách",
}

# The codes a recorded fact's detail holds (chức vụ, loại tổ chức, miễn/đình chỉ,
# nghỉ, kỷ luật), as the member's facts page names them.
FACT_VALUE_LABELS: dict[str, str] = {
    "head": "Người đứng đầu",
    "deputy": "Cấp phó",
    "member": "Thành viên, ủy viên",
    "provincial_committee": "Tỉnh ủy",
    "district_committee": "Huyện ủy",
    "grassroots_committee": "Đảng ủy cơ sở",
    "partial_committee": "Đảng ủy bộ phận",
    "cell": "Chi bộ",
    "leadership_collective": "Tập thể lãnh đạo",
    "exempt_party_activity": "Miễn công tác và sinh hoạt đảng",
    "party_activity_suspended": "Đình chỉ sinh hoạt đảng",
    "maternity": "Nghỉ thai sản",
    "sick": "Nghỉ ốm",
    "reprimand": "Khiển trách",
    "warning": "Cảnh cáo",
    "removal": "Cách chức",
    "expulsion": "Khai trừ",
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
# The rulebooks by the id their decisions record (an ASCII id that never changes),
# written as the texts are cited.
RULEBOOK_LABELS: dict[str, str] = {
    "132-QD-TW/21-HD-BTCTW": "Quy định 132-QĐ/TW và Hướng dẫn 21-HD/BTCTW",
    "124-QD-TW/25-HD-BTCTW": "Quy định 124-QĐ/TW và Hướng dẫn 25-HD/BTCTW",
    "366-QD-TW/43-HD-BTCTW": "Quy định 366-QĐ/TW và Hướng dẫn 43-HD/BTCTW",
}
