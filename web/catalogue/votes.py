"""Vietnamese messages for the error codes of the votes area (merged into
``web.catalogue.MESSAGES``; one module per area so areas do not edit one file)."""

from __future__ import annotations

MESSAGES: dict[str, str] = {
    # -- the vote and its manifest ---------------------------------------------------
    "vote.not_found": "Không tìm thấy cuộc bỏ phiếu.",
    "vote.event_not_found": "Không tìm thấy sự kiện trong hồ sơ cuộc bỏ phiếu.",
    "vote.signer_unknown": (
        "Không tìm thấy khóa của người đã ký một sự kiện trong hồ sơ."
    ),
    "vote.exists": "Cuộc bỏ phiếu này đã được tạo.",
    "vote.code_invalid": (
        "Mã cuộc bỏ phiếu chỉ gồm chữ thường không dấu, chữ số và dấu gạch ngang "
        "(tối đa 64 ký tự)."
    ),
    "vote.code_taken": "Mã cuộc bỏ phiếu “{value}” đã được dùng trong tổ chức này.",
    "vote.title_required": "Vui lòng nhập tên cuộc bỏ phiếu.",
    "vote.mode_unknown": "Hình thức bỏ phiếu không hợp lệ.",
    "vote.remote_mode_disabled": (
        "Hệ thống này không cho phép bỏ phiếu từ xa (chế độ B): khóa của đảng viên "
        "không được mở trên thiết bị của chính họ."
    ),
    "vote.leaders_required": "Cần ít nhất một người được lấy phiếu.",
    "vote.leader_duplicate": (
        "Một người được liệt kê hai lần trong danh sách lấy phiếu."
    ),
    "vote.leader_post_required": "Vui lòng ghi chức vụ của người được lấy phiếu.",
    "vote.leader_appointed_this_year": (
        "Không lấy phiếu đối với người được bầu hoặc bổ nhiệm trong năm lấy phiếu "
        "(96-QĐ/TW): {name}."
    ),
    "vote.leader_appointment_mismatch": (
        "Ngày được bầu, bổ nhiệm đã nhập ({typed}) khác với ngày nhận chức vụ đã "
        "ghi nhận trong hệ thống ({recorded}) của {name}. Danh sách lấy phiếu căn "
        "cứ chức vụ đã ghi nhận (96-QĐ/TW): kiểm tra lại ngày hoặc ghi nhận lại "
        "chức vụ."
    ),
    "vote.leader_pending_retirement": (
        "Không lấy phiếu đối với người đã có thông báo nghỉ công tác chờ nghỉ hưu "
        "(96-QĐ/TW): {name}."
    ),
    "vote.manifest_invalid": "Danh mục cuộc bỏ phiếu không hợp lệ: {detail}",
    "vote.booth_hash_invalid": (
        "Mã băm phòng bỏ phiếu phải là 64 ký tự hex thường, không toàn số 0."
    ),
    "vote.booth_missing": (
        "Chưa cài đặt các tệp của phòng bỏ phiếu (chạy `npm ci`), nên chưa thể tạo "
        "cuộc bỏ phiếu: danh mục phải ghi mã băm của phòng bỏ phiếu."
    ),
    "vote.trustees_count": "Ban kiểm phiếu phải có từ 3 đến 7 thành viên.",
    "vote.trustee_duplicate": "Một thành viên Ban kiểm phiếu được chọn hai lần.",
    "vote.trustee_not_counting": "Tài khoản được chọn không có vai trò Ban kiểm phiếu.",
    "vote.trustee_without_key": "Thành viên Ban kiểm phiếu chưa có khóa ký hợp lệ.",
    "vote.threshold_invalid": (
        "Số thành viên cần để giải mã phải từ 2 đến số thành viên Ban kiểm phiếu ({n})."
    ),
    "vote.chair_not_trustee": "Trưởng Ban kiểm phiếu phải là một thành viên của Ban.",
    "vote.convened_invalid": "Số người được triệu tập phải ít nhất là 1.",
    "vote.min_ballots_invalid": "Số phiếu tối thiểu để giải mã phải ít nhất là 2.",
    "vote.slip_count_too_small": (
        "Số phiếu in ra phải không ít hơn số người được triệu tập ({convened})."
    ),
    "vote.not_organiser": (
        "Chỉ người đã tạo cuộc bỏ phiếu (Ban tổ chức), với khóa đã ký danh mục, "
        "mới thực hiện được bước này."
    ),
    "vote.wrong_phase": "Bước này không thực hiện được ở giai đoạn hiện tại.",
    "vote.wrong_mode": "Bước này không áp dụng cho hình thức bỏ phiếu này.",
    "vote.demo_needs_members": "Dữ liệu mẫu cần ít nhất {needed} đảng viên.",
    "vote.demo_no_key": "Dữ liệu mẫu: chưa có khóa bỏ phiếu.",
    "vote.message_invalid": (
        "Tệp thông điệp không hợp lệ hoặc không thuộc cuộc bỏ phiếu này "
        "(hãy dùng tệp do công cụ kiemdiem votes trustee tạo ra)."
    ),
    # -- key ceremony ------------------------------------------------------------------
    "vote.not_trustee": "Bạn không phải thành viên Ban kiểm phiếu ghi trong danh mục.",
    "vote.not_chair": "Chỉ Trưởng Ban kiểm phiếu thực hiện được bước này.",
    "vote.trustee_already_registered": "Thành viên {index} đã đăng ký trong lượt này.",
    "vote.transport_key_invalid": "Khóa truyền phần khóa không hợp lệ.",
    "vote.ceremony_registration_incomplete": (
        "Chưa đủ thành viên Ban kiểm phiếu đăng ký."
    ),
    "vote.trustee_already_committed": "Thành viên {index} đã công bố cam kết.",
    "vote.ceremony_complaint_pending": (
        "Có khiếu nại trong lượt tạo khóa: Ban tổ chức phải hủy lượt này và làm lại."
    ),
    "vote.commitments_invalid": "Cam kết của thành viên {index} không hợp lệ.",
    "vote.ceremony_commitments_incomplete": "Chưa đủ thành viên công bố cam kết.",
    "vote.shares_already_sent": "Thành viên {index} đã gửi các phần khóa.",
    "vote.shares_recipients": (
        "Thành viên {index} phải gửi đúng một phần khóa cho mỗi thành viên khác."
    ),
    "vote.complaint_invalid": "Khiếu nại không hợp lệ.",
    "vote.trustee_already_confirmed": "Thành viên {index} đã xác nhận phần khóa.",
    "vote.ceremony_shares_incomplete": "Chưa đủ các phần khóa được gửi.",
    "vote.verification_key_mismatch": (
        "Khóa kiểm tra của thành viên {index} không khớp với các cam kết."
    ),
    "vote.reason_required": "Vui lòng nêu lý do.",
    "vote.ceremony_not_started": "Lượt tạo khóa chưa bắt đầu.",
    "vote.ceremony_confirmations_incomplete": (
        "Chưa đủ thành viên Ban kiểm phiếu xác nhận phần khóa."
    ),
    # -- credentials, attendance, opening ------------------------------------------
    "vote.credentials_not_sorted": "Danh sách khóa phiếu phải được sắp xếp tăng dần.",
    "vote.credentials_invalid": "Danh sách khóa phiếu có khóa không hợp lệ.",
    "vote.credentials_count": "Số khóa phiếu phải bằng số phiếu in ra.",
    "vote.eligible_empty": "Danh sách đảng viên được bỏ phiếu đang trống.",
    "vote.eligible_duplicate": (
        "Một đảng viên hoặc một khóa có hai lần trong danh sách."
    ),
    "vote.member_without_account": (
        "Đảng viên chưa có tài khoản với khóa ký hợp lệ để bỏ phiếu từ xa."
    ),
    "vote.present_invalid": (
        "Số người có mặt phải từ 0 đến số người được triệu tập ({convened})."
    ),
    "vote.void_invalid": "Danh sách phiếu hủy có mã không thuộc danh sách hoặc đã hủy.",
    "vote.quorum_not_met": (
        "Không đủ 2/3 số người được triệu tập có mặt ({present}/{convened}): "
        "không được mở bỏ phiếu."
    ),
    "vote.issued_exceeds_present": (
        "Số phiếu phát ra ({issued}) nhiều hơn số người có mặt ({present}): hãy hủy "
        "các phiếu chưa phát."
    ),
    # -- casting -------------------------------------------------------------------
    "vote.not_open": "Cuộc bỏ phiếu không ở giai đoạn bỏ phiếu.",
    "vote.login_required": "Vui lòng đăng nhập để bỏ phiếu từ xa.",
    "vote.slip_key_invalid": "Khóa phiếu phải là 64 ký tự hex thường.",
    "vote.slip_too_many": (
        "Đã nhập sai mã phiếu quá nhiều lần. Vui lòng thử lại sau {minutes} phút."
    ),
    "vote.not_eligible": (
        "Tài khoản của bạn không có trong danh sách đảng viên được bỏ phiếu từ xa "
        "của cuộc bỏ phiếu này."
    ),
    "vote.key_not_wrapped": (
        "Không tìm thấy khóa ký của tài khoản bạn ở dạng mở được trên máy của bạn; "
        "liên hệ quản trị viên."
    ),
    "vote.double_ballot": "Phiếu này đã được bỏ; mỗi phiếu chỉ được bỏ một lần.",
    "vote.ballot_rejected": (
        "Phiếu bị từ chối vì không đúng quy cách (mã lý do: {reason}). "
        "Phiếu không được ghi nhận."
    ),
    "vote.ballot_box_missing": (
        "Máy chủ không mở được khóa hòm phiếu của cuộc bỏ phiếu."
    ),
    # -- closing, decryption, results ----------------------------------------------
    "vote.ballots_head_invalid": "Mã chuỗi của phiếu cuối cùng không hợp lệ.",
    "vote.not_closed": "Cuộc bỏ phiếu chưa kết thúc.",
    "vote.too_few_ballots": "Quá ít phiếu thu về: không được giải mã.",
    "vote.partial_duplicate": "Thành viên {index} đã gửi phần giải mã.",
    "vote.partial_head_mismatch": (
        "Phần giải mã không được tạo từ hồ sơ đã kết thúc ghi trong biên bản."
    ),
    "vote.partial_invalid": "Phần giải mã của thành viên {index} không hợp lệ.",
    "vote.below_threshold": "Chưa đủ thành viên Ban kiểm phiếu gửi phần giải mã.",
    "vote.tally_failed": "Không tổng hợp được kết quả từ các phần giải mã.",
    "vote.results_already_recorded": "Kết quả đã được ghi nhận.",
    "vote.results_shape": "Kết quả không khớp với danh sách người được lấy phiếu.",
    "vote.minutes_already_signed": "Thành viên {index} đã ký biên bản.",
    "vote.abandon_reason_unknown": "Lý do hủy cuộc bỏ phiếu không hợp lệ.",
    "vote.abandon_reason_quorum": (
        "Lý do “không đủ 2/3 số người được triệu tập có mặt” phải dùng đúng khi và "
        "chỉ khi số người có mặt đã ghi nhận dưới 2/3."
    ),
}


# -- what the vote pages show (phases, bands) -----------------------------------------
# Giai đoạn của cuộc bỏ phiếu (votes.vote_events.Phase).
PHASE_LABELS = {
    "ceremony": "Đang tạo khóa (Ban kiểm phiếu)",
    "key_published": "Đã công bố khóa bỏ phiếu",
    "credentials_published": "Đã công bố danh sách phiếu",
    "attendance_recorded": "Đã ghi nhận số người có mặt",
    "open": "Đang bỏ phiếu",
    "closed": "Đã kết thúc bỏ phiếu, chờ giải mã",
    "tallied": "Đã công bố kết quả",
    "abandoned": "Đã hủy",
}
# Mức tín nhiệm thấp của một người (votes.results.Band, §9.3).
BAND_LABELS = {
    "NONE": "Không thuộc diện",
    "GT_HALF": "Trên 1/2 tín nhiệm thấp",
    "GTE_TWO_THIRDS": "Từ 2/3 trở lên tín nhiệm thấp",
}
# What each band (decided by votes.results) entails, shown on its row (§9.3).
_KHTNV = (
    "Năm lấy phiếu xếp loại không hoàn thành nhiệm vụ (366-QĐ/TW); "
    "đưa ra khỏi quy hoạch chức danh cao hơn"
)
BAND_CONSEQUENCES = {
    "NONE": "",
    "GT_HALF": (
        f"{_KHTNV}; xem xét cho thôi giữ chức vụ, điều chuyển, từ chức hoặc bỏ "
        "phiếu tín nhiệm mà không chờ hết nhiệm kỳ."
    ),
    "GTE_TWO_THIRDS": (
        f"{_KHTNV}; cấp có thẩm quyền cho thôi giữ chức vụ hoặc miễn nhiệm mà "
        "không chờ hết nhiệm kỳ."
    ),
}
