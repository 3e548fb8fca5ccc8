"""Vietnamese names of the reports area (award kinds, awarding levels)."""

from __future__ import annotations

AWARD_KINDS: dict[str, str] = {
    "year_certificate": "Giấy khen — hoàn thành xuất sắc nhiệm vụ trong năm",
    "five_year_certificate": "Giấy khen — hoàn thành xuất sắc nhiệm vụ 5 năm liền",
    "five_year_merit": "Bằng khen — hoàn thành xuất sắc nhiệm vụ 5 năm liền",
}
AWARDING_LEVELS: dict[str, str] = {
    "grassroots": "Đảng ủy cơ sở, chi bộ cơ sở",
    "above_grassroots_standing": (
        "Ban Thường vụ cấp ủy cấp trên trực tiếp của tổ chức cơ sở đảng"
    ),
    "provincial_standing": "Ban Thường vụ tỉnh ủy, thành ủy",
}
BANDS: dict[str, str] = {
    "GT_HALF": "Trên 1/2 đến dưới 2/3 tín nhiệm thấp",
    "GTE_TWO_THIRDS": "Từ 2/3 trở lên tín nhiệm thấp",
}
