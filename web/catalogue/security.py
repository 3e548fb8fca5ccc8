"""Vietnamese messages for the codes of sessions, input hygiene and repeated
requests (issue 11; merged into ``web.catalogue.MESSAGES``)."""

from __future__ import annotations

MESSAGES: dict[str, str] = {
    # -- text refused at the input boundary (domain.text) ---------------------------
    "text.surrogate": (
        "Văn bản chứa ký tự không hợp lệ (mã UTF-16 đơn lẻ). Vui lòng nhập lại."
    ),
    "text.control_character": (
        "Văn bản chứa ký tự điều khiển (như NUL) không được phép. Vui lòng nhập lại."
    ),
    "text.bidi_control": (
        "Văn bản chứa ký tự đảo chiều hiển thị (U+202A–U+202E, U+2066–U+2069) "
        "không được phép."
    ),
    "text.invisible_only": "Giá trị chỉ gồm ký tự vô hình; vui lòng nhập nội dung.",
    # -- request bodies and parameters ----------------------------------------------
    "input.json_invalid": "Nội dung gửi lên không phải JSON hợp lệ.",
    "input.json_too_deep": (
        "Dữ liệu JSON lồng nhau quá sâu (tối đa {limit} cấp). Vui lòng gửi dữ liệu "
        "phẳng hơn."
    ),
    "input.json_too_large": "Dữ liệu JSON quá lớn (tối đa {limit} byte).",
    "input.number_out_of_range": (
        "Số “{name}” nằm ngoài khoảng cho phép (số nguyên 64 bit)."
    ),
    "input.number_not_finite": "Số “{name}” không hợp lệ (NaN hoặc vô cực).",
    "input.text_invalid": "Trường “{name}”: {reason}",
    # -- the fields of a JSON API body (web.api.fields) -------------------------------
    "input.field_required": "Vui lòng điền trường này.",
    "input.field_invalid": "Giá trị không hợp lệ.",
    "input.text_expected": "Phải là một chuỗi văn bản.",
    "input.text_too_long": "Không được dài quá {limit} ký tự.",
    "input.id_invalid": "Mã định danh không hợp lệ.",
    "input.date_invalid": "Ngày không hợp lệ (định dạng năm-tháng-ngày).",
    "input.integer_invalid": "Phải là một số nguyên từ {low} đến {high}.",
    "input.integer_expected": "Phải là một số nguyên.",
    "input.limit_invalid": "Phải là một số nguyên từ 1 đến 500.",
    "input.cursor_invalid": (
        "Con trỏ trang không hợp lệ (dùng giá trị “next” của trang trước)."
    ),
    "input.boolean_invalid": "Phải là true hoặc false.",
    "input.decimal_invalid": (
        "Phải là một số nguyên, hoặc một số thập phân viết thành chuỗi (như “8.5”)."
    ),
    "input.base64_invalid": "Phải là dữ liệu mã hóa base64.",
    "input.list_expected": "Phải là một danh sách.",
    "input.list_too_short": "Phải có ít nhất {count} mục.",
    "input.list_item_missing": "Danh sách có mục để trống.",
    "input.object_expected": "Phải là một đối tượng JSON.",
    "input.member_missing": "Thiếu mục “{name}”.",
    "input.member_unknown": "Không có mục “{name}” (các mục được nhận: {known}).",
    "input.member_invalid": "Mục “{name}”: {reason}",
    "input.fields_apart": "Chỉ gửi một trong các trường {names}, không gửi cùng lúc.",
    "input.choice_invalid": "Lựa chọn không hợp lệ.",
    # -- sign-in records ------------------------------------------------------------
    "auth.sign_out_reason_unknown": "Lý do đăng xuất “{reason}” không hợp lệ.",
    # -- Idempotency-Key ---------------------------------------------------------------
    "idempotency.key_invalid": (
        "Tiêu đề Idempotency-Key không hợp lệ (1–200 ký tự ASCII in được)."
    ),
    "idempotency.key_reused": (
        "Idempotency-Key này đã được dùng cho một yêu cầu khác. Hãy dùng khóa mới "
        "cho mỗi thao tác mới."
    ),
    "idempotency.in_progress": (
        "Yêu cầu với Idempotency-Key này đang được xử lý. Vui lòng thử lại sau."
    ),
}
