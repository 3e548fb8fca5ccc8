"""The one catalogue of Vietnamese text a person reads: every message for an error
code, the names of roles, organisation kinds and membership statuses here; the names
of each area (levels, steps, statuses, event names…) in its module beside this one
(``web.catalogue.ratings``, ``.audit``, ``.remediation``, ``.reports``, ``.votes``,
``.rules``), and the confirmations shown after a command (``flashes``).

This is the only place that maps a code to Vietnamese: pages, flashes and the JSON
API (``code`` plus ``message``) all read from it. Codes come from ``domain/`` and
``services/`` (``DomainError.code``); a few belong to the web itself (``form.*``,
``http.*``, ``auth.login_required``, ``auth.invalid_credentials``, ``store.busy``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from web.catalogue import audit as messages_audit
from web.catalogue import ratings as messages_ratings
from web.catalogue import remediation as messages_remediation
from web.catalogue import reorganisation as messages_reorganisation
from web.catalogue import reports as messages_reports
from web.catalogue import rules as messages_rules
from web.catalogue import security as messages_security
from web.catalogue import votes as messages_votes

ROLE_LABELS: dict[str, str] = {
    "admin": "Quản trị",
    "secretary": "Thư ký",
    "decision_maker": "Cấp ủy (quyết định)",
    "inspector": "Ủy ban kiểm tra",
    "member": "Đảng viên",
    "counting": "Ban kiểm phiếu",
}

KIND_LABELS: dict[str, str] = {
    "provincial_committee": "Tỉnh ủy",
    "district_committee": "Huyện ủy",
    "grassroots_committee": "Đảng ủy cơ sở",
    "partial_committee": "Đảng ủy bộ phận",
    "cell": "Chi bộ",
    "leadership_collective": "Tập thể lãnh đạo",
}

STATUS_LABELS: dict[str, str] = {
    "probationary": "Dự bị",
    "full": "Chính thức",
}

# What an integrity alert of the ledger found (ledger.integrator.Alert.kind).
ALERT_LABELS: dict[str, str] = {
    "bad_signature": "Chữ ký số không hợp lệ",
    "unknown_key": "Ký bằng khóa không có trong danh mục khóa",
    "malformed_envelope": "Bản ghi bị hỏng, không đọc được",
    "position_mismatch": "Vị trí bản ghi không khớp với nội dung đã ký",
    "wrong_origin": "Bản ghi thuộc một sổ cái khác",
}

MESSAGES: dict[str, str] = {
    # -- organisations ------------------------------------------------------------
    "org.not_found": "Không tìm thấy tổ chức đảng.",
    "org.unmatched": (
        "Không tìm thấy tổ chức “{text}” trong phạm vi của bạn: hãy gõ tên hoặc "
        "mã tổ chức rồi chọn trong danh sách gợi ý."
    ),
    "org.ambiguous": (
        "Có nhiều tổ chức cùng tên “{text}”: hãy chọn trong danh sách gợi ý hoặc "
        "gõ kèm mã tổ chức trong ngoặc, ví dụ “Đảng ủy xã A (DUXA)”."
    ),
    "org.parent_not_found": "Không tìm thấy tổ chức cấp trên đã chọn.",
    "org.code_invalid": (
        "Mã tổ chức chỉ gồm chữ thường không dấu, chữ số và dấu gạch ngang "
        "(tối đa 64 ký tự)."
    ),
    "org.code_taken": "Mã tổ chức “{value}” đã được dùng.",
    "org.dissolved": "Tổ chức đã giải thể, không thể thay đổi.",
    "org.kind_unknown": "Loại tổ chức không hợp lệ.",
    "org.name_required": "Vui lòng nhập tên tổ chức.",
    "org.name_too_long": "Tên tổ chức quá dài (tối đa {limit} ký tự).",
    "org.name_unchanged": "Tên mới trùng với tên hiện tại.",
    "org.parent_dissolved": "Tổ chức cấp trên đã giải thể.",
    "org.parent_not_allowed": "{kind_label} không thể trực thuộc {parent_label}.",
    "org.reason_required": "Vui lòng nêu lý do giải thể.",
    # -- members --------------------------------------------------------------------
    "member.not_found": "Không tìm thấy đảng viên.",
    "member.admission_in_future": "Ngày vào Đảng không thể sau ngày hôm nay.",
    "member.already_full": "Đảng viên đã là đảng viên chính thức.",
    "member.birth_after_admission": "Ngày sinh phải trước ngày vào Đảng.",
    "member.card_invalid": (
        "Số thẻ đảng viên không hợp lệ (chỉ gồm chữ, số và các dấu - . /, "
        "tối đa 32 ký tự)."
    ),
    "member.card_taken": "Số thẻ đảng viên “{value}” đã có trong hệ thống.",
    "member.confirmation_before_admission": (
        "Ngày công nhận đảng viên chính thức không thể trước ngày vào Đảng."
    ),
    "member.name_required": "Vui lòng nhập họ và tên.",
    "member.name_too_long": "Họ và tên quá dài (tối đa {limit} ký tự).",
    "member.not_a_cell": (
        "Đảng viên chỉ sinh hoạt tại chi bộ; tổ chức đã chọn không phải là chi bộ."
    ),
    "member.same_cell": "Đảng viên đang sinh hoạt tại chi bộ này.",
    "member.cell_unmatched": (
        "Không tìm thấy chi bộ “{text}” trong phạm vi của bạn: hãy gõ tên hoặc "
        "mã chi bộ rồi chọn trong danh sách gợi ý."
    ),
    "member.cell_ambiguous": (
        "Có nhiều chi bộ cùng tên “{text}”: hãy chọn trong danh sách gợi ý hoặc "
        "gõ kèm mã chi bộ trong ngoặc, ví dụ “Chi bộ 1 (CB01)”."
    ),
    "member.status_unknown": "Tình trạng đảng viên không hợp lệ.",
    "account.username_unmatched": (
        "Không có tài khoản nào có tên đăng nhập “{text}”: mỗi dòng ghi đúng một "
        "tên đăng nhập."
    ),
    "member.unmatched": (
        "Không tìm thấy đảng viên “{text}” trong phạm vi của bạn: hãy gõ họ tên "
        "hoặc số thẻ đảng viên rồi chọn trong danh sách gợi ý."
    ),
    "member.ambiguous": (
        "Có nhiều đảng viên cùng tên “{text}”: hãy chọn trong danh sách gợi ý hoặc "
        "gõ kèm số thẻ đảng viên trong ngoặc, ví dụ “Nguyễn Văn A (12345)”."
    ),
    # -- accounts -------------------------------------------------------------------
    "account.not_found": "Không tìm thấy tài khoản.",
    "account.already_disabled": "Tài khoản này đã bị khóa trước đó.",
    "account.cannot_disable_self": "Bạn không thể tự khóa tài khoản của mình.",
    "account.cannot_drop_own_admin": (
        "Bạn không thể tự bỏ vai trò Quản trị của chính mình."
    ),
    "account.disabled": "Tài khoản đã bị khóa.",
    "account.name_required": "Vui lòng nhập họ và tên.",
    "account.password_too_short": "Mật khẩu phải có ít nhất {limit} ký tự.",
    "account.password_whitespace": (
        "Mật khẩu không được để trống, bắt đầu hoặc kết thúc bằng khoảng trắng."
    ),
    "account.reason_required": "Vui lòng nêu lý do khóa tài khoản.",
    "account.role_required": "Vui lòng chọn ít nhất một vai trò.",
    "account.role_unknown": "Vai trò không hợp lệ.",
    "account.roles_unchanged": "Vai trò không thay đổi so với hiện tại.",
    "account.username_invalid": (
        "Tên đăng nhập phải bắt đầu bằng chữ cái, dài 3–32 ký tự, chỉ gồm chữ "
        "thường không dấu, chữ số và các dấu . _ -"
    ),
    "account.username_taken": "Tên đăng nhập “{value}” đã được dùng.",
    "key.not_found": "Không tìm thấy khóa ký của tài khoản.",
    # -- authentication and signing -------------------------------------------------
    "auth.actor_mismatch": (
        "Người ký không khớp với người thực hiện. Vui lòng đăng nhập lại."
    ),
    "auth.forbidden": "Bạn không có quyền thực hiện thao tác này.",
    "auth.signature_required": "Vui lòng nhập lại mật khẩu để ký.",
    "auth.key_not_valid": (
        "Khóa ký của bạn đã bị thu hồi hoặc không còn hiệu lực. "
        "Vui lòng nhập lại mật khẩu để ký bằng khóa hiện hành."
    ),
    "auth.login_required": "Vui lòng đăng nhập để tiếp tục.",
    "auth.invalid_credentials": "Tên đăng nhập hoặc mật khẩu không đúng.",
    "auth.wrong_password": "Mật khẩu không đúng.",
    "auth.too_many_attempts": (
        "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {minutes} phút."
    ),
    # -- store ----------------------------------------------------------------------
    "store.conflict": (
        "Dữ liệu vừa được người khác thay đổi cùng lúc. "
        "Vui lòng tải lại trang và thử lại."
    ),
    "store.busy": "Hệ thống đang bận. Vui lòng thử lại sau ít phút.",
    # -- forms and HTTP -------------------------------------------------------------
    "form.invalid": "Dữ liệu chưa hợp lệ. Vui lòng kiểm tra các trường được đánh dấu.",
    "form.csrf": (
        "Biểu mẫu đã hết hạn hoặc không hợp lệ (thiếu mã chống giả mạo). "
        "Vui lòng tải lại trang và thử lại."
    ),
    "http.bad_request": "Yêu cầu không hợp lệ.",
    "http.unauthorized": "Vui lòng đăng nhập để tiếp tục.",
    "http.forbidden": "Bạn không có quyền truy cập trang này.",
    "http.not_found": "Không tìm thấy trang hoặc dữ liệu được yêu cầu.",
    "http.method_not_allowed": "Phương thức này không được hỗ trợ tại địa chỉ này.",
    "http.conflict": "Yêu cầu xung đột với dữ liệu hiện có.",
    "http.too_large": "Dữ liệu gửi lên quá lớn.",
    "http.unsupported_media_type": "Định dạng dữ liệu không được hỗ trợ.",
    "http.server_error": (
        "Đã xảy ra lỗi hệ thống. Vui lòng thử lại sau hoặc liên hệ quản trị viên."
    ),
    "http.unavailable": "Hệ thống tạm thời không phục vụ được. Vui lòng thử lại sau.",
}

NEEDS_PARENT = "{kind_label} phải trực thuộc một tổ chức cấp trên."

# Each area keeps its own catalogue module; they are merged here, once.
for _area in (
    messages_votes,
    messages_ratings,
    messages_audit,
    messages_reports,
    messages_remediation,
    messages_rules,
    messages_reorganisation,
    messages_security,
):
    _clash = MESSAGES.keys() & _area.MESSAGES.keys()
    if _clash:
        raise RuntimeError(f"message codes defined twice: {sorted(_clash)}")
    MESSAGES.update(_area.MESSAGES)

FALLBACK = "Không thể thực hiện yêu cầu (mã lỗi: {code})."

HTTP_CODES: dict[int, str] = {
    400: "http.bad_request",
    401: "http.unauthorized",
    403: "http.forbidden",
    404: "http.not_found",
    405: "http.method_not_allowed",
    409: "http.conflict",
    413: "http.too_large",
    415: "http.unsupported_media_type",
    500: "http.server_error",
    503: "http.unavailable",
}

ERROR_TITLES: dict[int, str] = {
    400: "Yêu cầu không hợp lệ",
    401: "Cần đăng nhập",
    403: "Không có quyền truy cập",
    404: "Không tìm thấy",
    405: "Phương thức không được hỗ trợ",
    409: "Xung đột dữ liệu",
    413: "Dữ liệu quá lớn",
    415: "Định dạng không được hỗ trợ",
    422: "Yêu cầu bị từ chối",
    500: "Lỗi hệ thống",
    503: "Hệ thống đang bận",
}

# WTForms' own English messages, in Vietnamese (used through ``Translations``).
FORM_MESSAGES: dict[str, str] = {
    "This field is required.": "Vui lòng điền trường này.",
    "Not a valid date value.": "Ngày không hợp lệ (định dạng năm-tháng-ngày).",
    "Not a valid choice.": "Lựa chọn không hợp lệ.",
    "'%(value)s' is not a valid choice for this field.": "Lựa chọn không hợp lệ.",
    "'%(value)s' are not valid choices for this field.": "Lựa chọn không hợp lệ.",
    "Invalid Choice: could not coerce.": "Lựa chọn không hợp lệ.",
    "Invalid choice(s): one or more data inputs could not be coerced.": (
        "Lựa chọn không hợp lệ."
    ),
    "Choices cannot be None.": "Lựa chọn không hợp lệ.",
    "Field must be equal to %(other_name)s.": "Hai mật khẩu không khớp nhau.",
    "Field must be at least %(min)d character long.": (
        "Phải có ít nhất %(min)d ký tự."
    ),
    "Field must be at least %(min)d characters long.": (
        "Phải có ít nhất %(min)d ký tự."
    ),
    "Field cannot be longer than %(max)d character.": (
        "Không được dài quá %(max)d ký tự."
    ),
    "Field cannot be longer than %(max)d characters.": (
        "Không được dài quá %(max)d ký tự."
    ),
    "Field must be exactly %(max)d character long.": "Phải có đúng %(max)d ký tự.",
    "Field must be exactly %(max)d characters long.": "Phải có đúng %(max)d ký tự.",
    "Field must be between %(min)d and %(max)d characters long.": (
        "Phải dài từ %(min)d đến %(max)d ký tự."
    ),
    "Invalid input.": "Giá trị không hợp lệ.",
    "Invalid UUID.": "Mã định danh không hợp lệ.",
    "The CSRF token is missing.": MESSAGES["form.csrf"],
    "The CSRF token has expired.": MESSAGES["form.csrf"],
    "The CSRF token is invalid.": MESSAGES["form.csrf"],
    "The CSRF tokens do not match.": MESSAGES["form.csrf"],
    "CSRF token missing.": MESSAGES["form.csrf"],
    "Invalid CSRF Token.": MESSAGES["form.csrf"],
    "CSRF failed.": MESSAGES["form.csrf"],
    "CSRF token expired.": MESSAGES["form.csrf"],
}


class _Blank(dict[str, Any]):
    """Format values: a missing key renders as nothing rather than failing."""

    def __missing__(self, key: str) -> str:
        return ""


# Refusals of an act at or by an organisation that ended (``domain.succession``):
# the details name its successors.
ENDED_CODES = frozenset(
    {"rating.authority_ended", "review.venue_ended", "review.issuer_ended"}
)


def successors_text(names: Any) -> str:
    """“Tổ chức kế tục: “A”, “B”.”, or that there is none (dissolved)."""
    listed = [str(n) for n in names] if isinstance(names, list | tuple) else []
    if not listed:
        return "Tổ chức này không có tổ chức kế tục."
    return "Tổ chức kế tục: " + ", ".join(f"“{n}”" for n in listed) + "."


def _extra_details(code: str, details: Mapping[str, Any]) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    if code == "org.parent_not_allowed":
        kind = str(details.get("kind") or "")
        parent = details.get("parent_kind")
        extra["kind_label"] = KIND_LABELS.get(kind, "Tổ chức này")
        extra["parent_label"] = KIND_LABELS.get(str(parent), "tổ chức đã chọn").lower()
    if code in ("audit.checkpoint_invalid", "audit.cosignature_invalid"):
        why = str(details.get("why") or "malformed")
        reasons = messages_audit.NOTE_REASONS
        extra["reason_label"] = reasons.get(why, reasons["malformed"])
    if code in ENDED_CODES:
        extra["successors_text"] = successors_text(details.get("successors") or [])
    if code == "remediation.status_not_allowed":
        status = str(details.get("status") or "")
        extra["status_label"] = messages_remediation.STATUS_LABELS.get(status, status)
    return extra


def message_for(code: str, details: Mapping[str, Any] | None = None) -> str:
    """The Vietnamese message for an error code, with a generic fallback."""
    details = dict(details or {})
    template = MESSAGES.get(code)
    if code == "org.parent_not_allowed" and not details.get("parent_kind"):
        template = NEEDS_PARENT
    if template is None:
        return FALLBACK.format(code=code)
    values = _Blank({k: v for k, v in details.items() if v is not None})
    values.update(_extra_details(code, details))
    return template.format_map(values)


def http_message(status: int) -> str:
    return MESSAGES[HTTP_CODES.get(status, "http.server_error")]


def role_label(role: str) -> str:
    return ROLE_LABELS.get(role, role)


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


class Translations:
    """A gettext-like object for WTForms: its built-in messages in Vietnamese."""

    def gettext(self, string: str) -> str:
        return FORM_MESSAGES.get(string, string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.gettext(singular if n == 1 else plural)


def alert_label(code: str) -> str:
    """Cảnh báo toàn vẹn: an integrity alert's kind in Vietnamese."""
    return ALERT_LABELS.get(code, "Bản ghi không vượt qua kiểm tra")
