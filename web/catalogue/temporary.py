"""The words of the page of who is on temporary party activity where (sinh hoạt
đảng tạm thời, Hướng dẫn 43-HD/BTCTW mục 7.6), by organisation."""

from __future__ import annotations

TEMPORARY_TEXT: dict[str, str] = {
    # the organisation page's link, and the page's title
    "link": "Đảng viên sinh hoạt đảng tạm thời",
    "title": "Sinh hoạt đảng tạm thời",
    "intro": (
        "Đảng viên sinh hoạt đảng tạm thời được kiểm điểm, xếp loại tại chi bộ "
        "nơi sinh hoạt chính thức; trước khi xếp loại, chi bộ nơi sinh hoạt tạm "
        "thời gửi nhận xét về chi bộ đó (Hướng dẫn 43-HD/BTCTW, mục 7.6)."
    ),
    "here_heading": "Đảng viên đang sinh hoạt đảng tạm thời tại {org}",
    "here_heading_branch": (
        "Đảng viên đang sinh hoạt đảng tạm thời tại các chi bộ thuộc {org}"
    ),
    "here_empty": "Không có đảng viên nào đang sinh hoạt đảng tạm thời tại đây.",
    "here_pager": "Trang đảng viên sinh hoạt tạm thời tại đây",
    "away_heading": "Đảng viên của {org} đang sinh hoạt đảng tạm thời nơi khác",
    "away_empty": (
        "Không có đảng viên nào của tổ chức đang sinh hoạt đảng tạm thời nơi khác."
    ),
    "away_pager": "Trang đảng viên sinh hoạt tạm thời nơi khác",
    # the lists' columns
    "name": "Họ và tên",
    "home": "Chi bộ sinh hoạt chính thức",
    "host": "Chi bộ sinh hoạt tạm thời",
    "since": "Từ ngày",
    "basis": "Căn cứ",
    "by_decision": "Quyết định sắp xếp, tổ chức lại số {decision}",
    "no_basis": "—",
}
