"""Vietnamese messages for the error codes of the audit area (merged into
``web.messages.MESSAGES``; one module per area so areas do not edit one file),
and the Vietnamese names of the checks the workspace shows."""

from __future__ import annotations

MESSAGES: dict[str, str] = {
    "audit.subject_not_found": "Không tìm thấy hồ sơ (đối tượng) cần kiểm tra.",
    "audit.subject_invalid": "Mã hồ sơ “{value}” không hợp lệ (cần một mã UUID).",
    "audit.state_unreadable": (
        "Không dựng lại được trạng thái của hồ sơ vì dữ liệu lưu trữ không còn "
        "khớp chữ ký; xem lịch sử để biết vị trí sai lệch."
    ),
    "audit.out_of_scope": (
        "Hồ sơ này nằm ngoài phạm vi kiểm tra của bạn (tổ chức của bạn và cấp dưới)."
    ),
    "audit.version_unknown": (
        "Phiên bản không hợp lệ; hồ sơ có các phiên bản từ 1 đến {last}."
    ),
    "audit.date_invalid": (
        "Thời điểm “{value}” không hợp lệ; hãy nhập ngày dạng năm-tháng-ngày."
    ),
    "audit.naive_time": "Thời điểm phải kèm múi giờ.",
    "audit.event_not_found": "Không tìm thấy sự kiện trong sổ cái.",
    "audit.no_checkpoint": (
        "Chưa có checkpoint nào được ký; hãy tạo checkpoint rồi thử lại."
    ),
    "audit.checkpoint_not_found": "Không có checkpoint có kích thước {size}.",
    "audit.no_log_key": (
        "Máy chủ này không có khóa sổ cái nên không ký được checkpoint; "
        "checkpoint do tiến trình worker ký."
    ),
    "audit.checkpoint_invalid": "Checkpoint không hợp lệ: {reason}",
    "audit.no_cosigner_key": (
        "Khóa của bạn chưa có tên đồng ký. Đề nghị quản trị cấp lại mật khẩu để "
        "nhận khóa mới dành cho Ủy ban Kiểm tra."
    ),
    "audit.already_cosigned": "Bạn đã đồng ký checkpoint có kích thước {size}.",
    "audit.cosignature_invalid": (
        "Dòng đồng ký không hợp lệ với khóa đã đăng ký của bạn: {reason}"
    ),
    "audit.job_not_found": (
        "Không tìm thấy lượt kiểm tra này (máy chủ có thể đã khởi động lại)."
    ),
    "audit.view_unknown": "Loại truy cập không hợp lệ.",
    "audit.wrong_log": "Lượt xem không thuộc nhật ký truy cập này.",
    "audit.no_key": "Tài khoản chưa có khóa ký.",
}

CHECK_LABELS: dict[str, str] = {
    "ok": "Hợp lệ",
    "malformed_envelope": "Bản ghi hỏng",
    "non_canonical_content": "Nội dung bị sửa (không chuẩn)",
    "position_mismatch": "Vị trí không khớp nội dung ký",
    "wrong_origin": "Ký cho sổ cái khác",
    "unknown_key": "Khóa không được đăng ký",
    "key_not_yet_valid": "Khóa chưa có hiệu lực",
    "key_revoked": "Khóa đã bị thu hồi",
    "key_actor_mismatch": "Khóa của người khác",
    "log_key_misuse": "Dùng khóa sổ cái để ký sự kiện",
    "unauthorised_key_event": "Đăng ký khóa trái phép",
    "bad_signature": "Chữ ký không khớp nội dung",
    "chain_break": "Đứt chuỗi liên kết",
    "rollback": "Sổ cái bị cắt ngắn (rollback)",
    "fork": "Sổ cái bị viết lại (fork)",
    "cosignature_missing": "Chữ ký đồng ký đã biến mất",
    "consistent": "Nhất quán",
    "ahead": "Chưa có checkpoint mới hơn",
}

# Body fields the history shows as "why" (services.audit.EXPLANATION_FIELDS).
FIELD_LABELS: dict[str, str] = {
    "explanation": "Giải thích",
    "decision_no": "Số quyết định",
    "decided_on": "Ngày quyết định",
    "rulebook_id": "Quy định áp dụng",
    "rulebook": "Quy định áp dụng",
    "rules": "Các quy tắc đã dùng",
    "rule": "Quy tắc",
    "basis": "Căn cứ",
    "justification": "Lý do",
    "reason": "Lý do",
    "band": "Mức tín nhiệm",
}

# What a subject is, by its aggregate class (others keep the class name).
SUBJECT_KIND_LABELS: dict[str, str] = {
    "PartyMember": "Đảng viên",
    "Organisation": "Tổ chức đảng",
    "UserAccount": "Tài khoản",
    "SigningKey": "Khóa ký",
    "Vote": "Cuộc lấy phiếu tín nhiệm",
    "ConfidenceVote": "Kết quả lấy phiếu tín nhiệm",
    "ReviewCycle": "Kỳ kiểm điểm",
    "Review": "Hồ sơ kiểm điểm",
    "RatingRound": "Đợt đánh giá, xếp loại",
    "FileAccessLog": "Nhật ký truy cập hồ sơ",
    "CheckpointCosignature": "Chữ ký đồng ký checkpoint",
}

# What each incident means, for the committee (the detail stays technical).
INCIDENT_TEXT: dict[str, str] = {
    "rollback": (
        "Sổ cái hiện ngắn hơn so với lúc Ủy ban Kiểm tra ghi nhận checkpoint: có sự "
        "kiện đã bị xóa khỏi cuối sổ hoặc cơ sở dữ liệu đã bị khôi phục về bản cũ."
    ),
    "fork": (
        "Các sự kiện hiện lưu cho ra một gốc khác với checkpoint Ủy ban Kiểm tra đang "
        "giữ: lịch sử đã bị viết lại, hoặc sổ cái đã ký hai lịch sử khác nhau."
    ),
    "cosignature_missing": (
        "Chữ ký đồng ký đã được ghi nhận nay không còn trong sổ cái."
    ),
}
