"""Printable slips: PDF with a Vietnamese-capable font and QR (the tally sheet is
an official printout: tests/unit/test_printouts.py)."""

from __future__ import annotations

import segno

from votes.credentials import Slip
from votes.printing import slips_pdf


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
