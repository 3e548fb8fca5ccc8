"""Vietnamese messages for the reorganisation of the party tree (sắp xếp, tổ chức
lại: đổi tên, chuyển trực thuộc, đổi loại hình, hợp nhất, chia tách, giải thể),
merged into ``web.catalogue.MESSAGES``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

MESSAGES: dict[str, str] = {
    "org.decision_required": "Vui lòng nhập số quyết định.",
    "org.decision_too_long": "Số quyết định quá dài (tối đa {limit} ký tự).",
    "org.effective_too_far": (
        "Ngày hiệu lực không được sau ngày hôm nay quá {days} ngày."
    ),
    "org.effective_before_last_change": (
        "Ngày hiệu lực không được trước ngày hiệu lực của lần sắp xếp gần nhất "
        "của tổ chức này."
    ),
    "org.move_cycle": (
        "Không thể chuyển tổ chức về trực thuộc chính nó hoặc một tổ chức cấp dưới "
        "của nó."
    ),
    "org.parent_unchanged": "Tổ chức đã trực thuộc tổ chức cấp trên này.",
    "org.kind_unchanged": "Loại hình mới trùng với loại hình hiện tại.",
    "org.kind_change_not_allowed": (
        "Không thể đổi giữa tổ chức đảng và tập thể lãnh đạo, quản lý."
    ),
    "org.child_kind_not_allowed": (
        "Loại hình mới không thể có tổ chức trực thuộc hiện có; hãy chuyển các tổ "
        "chức trực thuộc trước."
    ),
    "org.merge_into_self": "Không thể hợp nhất tổ chức vào chính nó.",
    "org.merge_into_descendant": (
        "Không thể hợp nhất, chia tách vào một tổ chức cấp dưới của chính tổ chức đó."
    ),
    "org.successor_dissolved": "Tổ chức kế tục đã giải thể hoặc đã được sắp xếp.",
    "org.predecessor_dissolved": (
        "Tổ chức được hợp nhất, chia tách đã giải thể hoặc đã được sắp xếp."
    ),
    "org.merge_kind_mismatch": (
        "Chỉ hợp nhất chi bộ vào chi bộ, đảng bộ vào đảng bộ (cùng loại hình)."
    ),
    "org.merge_needs_one": (
        "Vui lòng chọn ít nhất một tổ chức được hợp nhất, không trùng lặp."
    ),
    "org.split_needs_two": ("Chia tách cần ít nhất hai tổ chức kế tục khác nhau."),
    "org.successor_required": (
        "Vui lòng chọn một tổ chức kế tục có sẵn hoặc nhập tổ chức mới thành lập "
        "(chỉ một trong hai)."
    ),
    "org.split_unplaced": (
        "Mỗi đảng viên (kể cả đảng viên đang sinh hoạt tạm thời tại chi bộ) và mỗi "
        "tổ chức trực thuộc phải được chuyển về đúng một tổ chức kế tục."
    ),
    "org.not_empty": (
        "Tổ chức còn đảng viên hoặc tổ chức trực thuộc; hãy chuyển đi trước khi "
        "giải thể."
    ),
    "org.placement_unknown": (
        "Dòng phân bổ không hợp lệ: “{line}” (cần: số thẻ hoặc mã tổ chức = mã tổ "
        "chức kế tục)."
    ),
    "org.operation_unknown": "Vui lòng chọn một thao tác sắp xếp, tổ chức lại.",
    "org.succession_unknown": "Hình thức kế tục không hợp lệ.",
    "org.member_not_in_cell": (
        "Đảng viên đã chọn không sinh hoạt tại chi bộ được sắp xếp."
    ),
    "org.successor_not_a_cell": "Đảng viên chỉ có thể chuyển về một chi bộ.",
    "auth.office_ended": (
        "Tổ chức của tài khoản này đã kết thúc hoạt động theo quyết định sắp xếp, "
        "tổ chức lại (hợp nhất, chia tách hoặc giải thể): tài khoản chỉ còn xem "
        "được hồ sơ cũ. Đề nghị quản trị viên gắn tài khoản với tổ chức kế tục."
    ),
    "org.split_plans_unplaced": (
        "Tổ chức được chia tách còn kế hoạch khắc phục hạn chế, khuyết điểm chưa "
        "hoàn thành; vui lòng chọn tổ chức kế tục tiếp nhận các kế hoạch đó."
    ),
    "org.successor_not_listed": (
        "Tổ chức nhận đảng viên, chức vụ phải là một tổ chức kế tục theo quyết định."
    ),
}

# How a stretch of a member's party life began (quá trình sinh hoạt đảng, the
# member page; ``domain.reorganisation.chi_bo_over_time``).
MEMBER_PLACE_LABELS: dict[str, str] = {
    "enrolled": "Kết nạp, ghi nhận",
    "transferred": "Chuyển sinh hoạt đảng",
    "reorganised": "Quyết định sắp xếp, tổ chức lại",
    "corrected": "Điều chỉnh hồ sơ tổ chức",
}

# An account whose organisation ended (the dashboard and the administrator's
# account page; ``ReadGateway.ended_office``).
ENDED_HOW: dict[str, str] = {
    "merge": "hợp nhất",
    "split": "chia tách",
    "dissolve": "giải thể",
}
ENDED_OFFICE: dict[str, str] = {
    "heading": "Tổ chức của tài khoản đã kết thúc hoạt động",
    "ended": (
        "{org} đã kết thúc hoạt động từ ngày {on} theo Quyết định số {decision} "
        "({how})."
    ),
    "ended_undated": "{org} đã kết thúc hoạt động ({how}).",
    "successors": "Tổ chức kế tục: {names}.",
    "no_successor": "Tổ chức này không có tổ chức kế tục.",
    "ask_admin": (
        "Từ ngày đó tài khoản không còn thẩm quyền ghi hồ sơ thay cho tổ chức "
        "này, chỉ còn xem được hồ sơ cũ. Đề nghị quản trị viên gắn tài khoản với "
        "tổ chức kế tục: người giữ chức vụ ở tổ chức kế tục do tổ chức kế tục "
        "phân công, nên hệ thống không tự chuyển tài khoản."
    ),
    "admin_heading": "Đơn vị của tài khoản đã kết thúc hoạt động",
    "admin_ask": (
        "Tài khoản không còn thẩm quyền ghi hồ sơ. Nếu người này được phân công ở "
        "tổ chức kế tục, hãy mở tài khoản tại tổ chức kế tục (đề xuất bên dưới) "
        "và khóa tài khoản này; hệ thống không tự chuyển tài khoản."
    ),
    "admin_suggest": "Mở tài khoản tại {name}",
}


def ended_office_lines(end: Mapping[str, Any], on: str) -> list[str]:
    """The sentences that say how an account's organisation ended (``end``
    from ``ReadGateway.ended_office``; ``on`` its date as dd/mm/yyyy)."""
    how = ENDED_HOW.get(str(end["how"]), str(end["how"]))
    org = str(end["name"])
    if on and end.get("decision_no"):
        first = ENDED_OFFICE["ended"].format(
            org=org, on=on, decision=end["decision_no"], how=how
        )
    else:
        first = ENDED_OFFICE["ended_undated"].format(org=org, how=how)
    successors = end.get("successors") or []
    names = ", ".join(str(s["name"]) for s in successors)
    second = (
        ENDED_OFFICE["successors"].format(names=names)
        if names
        else ENDED_OFFICE["no_successor"]
    )
    return [first, second]
