"""Printable slips and tally sheet: PDF with a Vietnamese-capable font and QR."""

from __future__ import annotations

import segno

from votes.credentials import Slip
from votes.printing import TallyRow, slips_pdf, tally_pdf


def test_slips_pdf_four_per_page_with_the_codes():
    slips = [
        Slip("6f1c2b1e-0b7a-4c1e-9d7e-3a2b1c0d9e8f", bytes([k]) * 18) for k in range(5)
    ]
    data = slips_pdf("Lấy phiếu tín nhiệm năm 2025", "ABCD-EFGH-IJKL-MNOP", slips)
    assert data.startswith(b"%PDF")
    assert data.count(b"/Type /Page\n") + data.count(b"/Type /Page ") >= 2
    assert b"DejaVu" in data
    # The QR payload fits comfortably in a medium-correction code.
    assert int(segno.make(slips[0].qr_payload, error="m").version) <= 5


def test_tally_pdf_renders_vietnamese_rows():
    row = TallyRow(
        0,
        "Nguyễn Văn Ấn",
        "Bí thư",
        40,
        40,
        40,
        0,
        10,
        9,
        21,
        "25,00%",
        "22,50%",
        "52,50%",
        "Trên 1/2 tín nhiệm thấp",
    )
    data = tally_pdf("Lấy phiếu", "Tỉnh ủy", [("Năm", "2025")], [row], ["Ghi chú"])
    assert data.startswith(b"%PDF")
    assert (
        tally_pdf("Lấy phiếu", "Tỉnh ủy", [("Năm", "2025")], [row], ["Ghi chú"]) == data
    )
