"""Search and list navigation (tìm kiếm, phân trang, đường dẫn): the Vietnamese
names of what a search finds and the words of its pages."""

from __future__ import annotations

SEARCH_KIND_LABELS: dict[str, str] = {
    "member": "Đảng viên",
    "organisation": "Tổ chức đảng",
    "cycle": "Kỳ kiểm điểm",
    "vote": "Cuộc lấy phiếu tín nhiệm",
}
SEARCH_TEXT: dict[str, str] = {
    "too_short": "Hãy gõ ít nhất 2 chữ cái hoặc chữ số của tên, số thẻ hoặc mã.",
    "nothing": "Không tìm thấy kết quả nào trong phạm vi bạn được xem.",
    "full": "Chỉ hiện {n} kết quả đầu tiên; hãy gõ thêm để thu hẹp.",
}
# The keyset pagers of every list (search/_nav.html ``pager``).
PAGER_TEXT: dict[str, str] = {
    "previous": "← Trang trước",
    "next": "Trang sau →",
    "label": "Phân trang",
}
