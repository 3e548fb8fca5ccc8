"""What the web says after a command succeeded (the flash shown on the next page),
one entry per kind of success, so no route writes its own Vietnamese."""

from __future__ import annotations

from typing import Any

DONE: dict[str, str] = {
    "account.opened": "Đã tạo tài khoản {username} và cấp khóa ký số.",
    "account.roles_changed": "Đã cập nhật vai trò.",
    "account.disabled": "Đã khóa tài khoản và thu hồi khóa ký số.",
    "account.password_reset": "Đã đặt lại mật khẩu và cấp khóa ký số mới.",
    "auth.signed_in": "Đăng nhập thành công. Khóa ký số của bạn đã được mở.",
    "auth.signed_out": "Bạn đã đăng xuất.",
    "auth.signed_out_everywhere": (
        "Đã đăng xuất khỏi mọi nơi ({sessions} phiên đăng nhập đã kết thúc)."
    ),
    "auth.unlocked": "Đã mở khóa ký. Vui lòng gửi lại thao tác của bạn.",
    "audit.checkpoint_signed": "Đã ký checkpoint có kích thước {size}.",
    "audit.cosigned": "Đã ghi nhận chữ ký đồng ký checkpoint {size}.",
    "remediation.plan_adopted": "Đã thông qua kế hoạch khắc phục.",
    "remediation.progress_reported": "Đã ghi nhận báo cáo tiến độ.",
    "remediation.completion_claimed": "Đã báo cáo hoàn thành khắc phục; chờ xác nhận.",
    "remediation.verified": "Đã xác nhận kết quả khắc phục.",
    "remediation.rejected": "Đã ghi nhận không xác nhận kết quả khắc phục.",
    "remediation.shortcoming_recorded": "Đã ghi nhận hạn chế, khuyết điểm.",
    "member.enrolled": "Đã ghi nhận đảng viên {name}.",
    "member.transferred": "Đã chuyển sinh hoạt đảng cho {name}.",
    "recorded": "Đã ghi nhận.",
    "cycle.opened": "Đã mở kỳ kiểm điểm.",
    "cycle.combined_set": "Đã ghi nhận nơi kiểm điểm của tập thể.",
    "round.opened": "Đã mở đợt xếp loại.",
    "review.opened": "Đã mở kiểm điểm.",
    "review.redo_ordered": "Đã yêu cầu tiến hành lại.",
    "review.report_circulated": "Đã ghi nhận gửi dự thảo báo cáo.",
    "review.self_review_submitted": "Đã ghi nhận bản kiểm điểm.",
    "review.meeting_held": "Đã ghi nhận hội nghị kiểm điểm.",
    "rating.self_rated": "Đã ghi nhận tự đánh giá, xếp loại.",
    "rating.proposed": "Đã ghi nhận thẩm định, đề xuất.",
    "rating.decided": "Đã quyết định xếp loại.",
    "rating.held": "Đã tạm dừng để xác minh.",
    "rating.mitigation_decided": "Đã ghi nhận quyết định xem xét giảm nhẹ.",
    "rating.rerated": "Đã huỷ kết quả cũ và xếp loại lại.",
    "rating.peer_group_defined": "Đã lập nhóm so sánh.",
    "rating.quota_raised": "Đã nâng tỉ lệ xuất sắc của nhóm.",
    "review.comment_added": "Đã ghi nhận góp ý.",
    "review.suggestion_added": "Đã ghi nhận gợi ý kiểm điểm.",
    "review.opinion_recorded": "Đã ghi nhận ý kiến.",
    "review.residence_comment": "Đã ghi nhận nhận xét của cấp ủy nơi cư trú.",
    "review.temporary_cell_comment": (
        "Đã ghi nhận nhận xét của chi bộ nơi sinh hoạt tạm thời."
    ),
    "criteria.defined": "Đã ban hành bộ tiêu chí cụ thể hoá.",
    "member.imported": "Đã nhập {count} đảng viên.",
    "cycle.deadline_set": "Đã đặt thời hạn.",
    "commendation.granted": "Đã ghi quyết định khen thưởng.",
    "org.founded": "Đã thành lập “{name}”.",
    "org.renamed": "Đã đổi tên tổ chức.",
    "org.dissolved": "Đã giải thể “{name}”.",
    "org.reorganised": (
        "Đã ghi nhận sắp xếp, tổ chức lại theo quyết định {decision_no}."
    ),
    "vote.created": "Đã tạo cuộc bỏ phiếu “{title}”.",
    "vote.key_published": "Đã công bố khóa bỏ phiếu.",
    "vote.opened": "Đã mở bỏ phiếu.",
    "vote.closed": "Đã kết thúc bỏ phiếu.",
    "vote.tallied": "Đã công bố kết quả.",
    "vote.minutes_signed": "Đã ký biên bản kiểm phiếu.",
    "vote.eligible_published": (
        "Đã công bố danh sách {count} đảng viên được bỏ phiếu từ xa."
    ),
    "vote.attendance_recorded": "Đã ghi nhận {count} người có mặt.",
    "vote.abandoned": "Đã hủy cuộc bỏ phiếu.",
    "vote.trustee_message": "Đã ký và ghi nhận thông điệp của Ban kiểm phiếu.",
}


def done(key: str, **values: Any) -> str:
    """The confirmation for ``key``, with its values filled in."""
    return DONE[key].format(**values)
