"""What the vote pages share: the reads (scope-checked by the gateway), the one
way they send a command, the rows they look up, and the template filters that
name phases and bands in Vietnamese."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from services.read_gateway_more import VoteReads
from services.votes import VoteService
from votes.results import display_percent
from web.dispatch import submit
from web.forms import BaseForm
from web.identity import services
from web.reads import found_or_404, reads
from web.votes import bp

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


def vote_reads() -> VoteReads:
    """The vote reads of the signed-in user (scope-checked by the gateway)."""
    return reads().votes


def vote_service() -> VoteService:
    """The vote service, for commands only."""
    return services().votes


def send(command: Any, form: BaseForm) -> Any | None:
    """``web.dispatch.submit``: the command bus, refusals on the form."""
    return submit(command, form)


def found_vote(vote_id: UUID):
    """Phiên lấy phiếu: the vote's row, or its 404 page."""
    return found_or_404(vote_reads().vote_row(vote_id), "vote.not_found")


def found_public_vote(vote_id: UUID):
    """The vote as the booth's public bulletin shows it (no account scope)."""
    return found_or_404(vote_reads().booth_row(vote_id), "vote.not_found")


@bp.app_template_filter("phase_label")
def phase_label(value: str) -> str:
    return PHASE_LABELS.get(value, value)


@bp.app_template_filter("band_label")
def band_label(value: str | None) -> str:
    return BAND_LABELS.get(value or "", value or "")


@bp.app_template_filter("band_consequence")
def band_consequence(value: str | None) -> str:
    return BAND_CONSEQUENCES.get(value or "", "")


@bp.app_template_filter("percent")
def percent(fraction: str | None) -> str:
    """``count/returned`` shown to two decimals (display only, §9.2)."""
    if not fraction:
        return ""
    num, den = (int(x) for x in fraction.split("/"))
    return display_percent(num, den)
