"""Vietnamese names of the demo province's build phases (``kiemdiem demo
--province``: progress bars and the summary). The internal names
(``services.demo_province.PHASES``) stay for the bench's tables."""

from __future__ import annotations

PHASE_LABELS: dict[str, str] = {
    "org_tree": "Cây tổ chức",
    "members": "Đảng viên",
    "accounts": "Tài khoản",
    "cycle_open": "Mở kỳ kiểm điểm",
    "reviews": "Bản kiểm điểm",
    "ratings": "Xếp loại",
}


def phase_label(phase: str) -> str:
    return PHASE_LABELS.get(phase, phase)
