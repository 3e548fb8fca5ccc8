"""Printable documents of the vote: credential slips (mode A, votes.md §6.1) and the
96-QĐ/TW tally sheet (biên bản kiểm phiếu), as PDF with a Unicode TTF font so that
Vietnamese renders (Debian's ``fonts-dejavu-core``; the slip codes in Liberation
Mono from ``fonts-liberation2``, a monospace face with every Vietnamese letter,
where DejaVu Sans Mono lacks 46 of them, "ế" among them), QR codes by ``segno``.

Slips are built in memory by the chair's tool and written only where the chair says;
nothing here stores a slip secret.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import segno
from fpdf import FPDF

from votes.credentials import Slip

NEXT_LINE: dict[str, Any] = {"new_x": "LMARGIN", "new_y": "NEXT"}
CREATION_DATE = datetime(2000, 1, 1, tzinfo=UTC)
FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/truetype/liberation2"),
    Path("/usr/local/share/fonts/dejavu"),
)
MONO_FONT = "LiberationMono-Regular.ttf"


class PrintingError(RuntimeError):
    """A document that cannot be produced (no Unicode font installed)."""


def font_path(name: str) -> Path:
    """The installed TTF file ``name`` (``KIEMDIEM_FONT_DIR`` first)."""
    override = os.environ.get("KIEMDIEM_FONT_DIR")
    dirs = (Path(override), *FONT_DIRS) if override else FONT_DIRS
    for folder in dirs:
        path = folder / name
        if path.is_file():
            return path
    msg = (
        f"không tìm thấy phông chữ {name}: hãy cài fonts-dejavu-core và "
        "fonts-liberation2, hoặc đặt KIEMDIEM_FONT_DIR"
    )
    raise PrintingError(msg)


def new_pdf(orientation: str = "P", cls: type[FPDF] = FPDF) -> FPDF:
    pdf = cls(orientation=orientation, unit="mm", format="A4")
    # A fixed creation date: the same tally gives the same file, and the PDF
    # carries no time of its own (the record has the dates).
    pdf.set_creation_date(CREATION_DATE)
    pdf.add_font("DejaVu", "", str(font_path("DejaVuSans.ttf")))
    pdf.add_font("DejaVu", "B", str(font_path("DejaVuSans-Bold.ttf")))
    pdf.add_font("Mono", "", str(font_path(MONO_FONT)))
    pdf.set_auto_page_break(auto=True, margin=12)
    return pdf


def pdf_bytes(pdf: FPDF) -> bytes:
    """The finished file, with the font files closed: fpdf2 opens each font
    lazily through fontTools and leaves the file open until garbage collection,
    a handle leaked per font per printout otherwise."""
    try:
        return bytes(pdf.output())
    finally:
        for font in pdf.fonts.values():
            ttfont = getattr(font, "ttfont", None)
            if ttfont is not None:
                ttfont.close()


def _qr(pdf: FPDF, payload: str, x: float, y: float, size: float) -> None:
    """Draw the QR code as filled squares (no image library needed)."""
    code = segno.make(payload, error="m", micro=False)
    matrix = [list(row) for row in code.matrix]
    modules = len(matrix) + 8  # 4-module quiet zone on each side
    cell = size / modules
    pdf.set_fill_color(0, 0, 0)
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            if dark:
                pdf.rect(x + (c + 4) * cell, y + (r + 4) * cell, cell, cell, style="F")


def slips_pdf(title: str, short_fingerprint: str, slips: Sequence[Slip]) -> bytes:
    """Four slips per A4 page: title, short fingerprint, code and QR (§4.6, §6.1)."""
    pdf = new_pdf()
    height = 297 / 4
    for index, slip in enumerate(slips):
        if index % 4 == 0:
            pdf.add_page()
        top = (index % 4) * height
        pdf.set_draw_color(160, 160, 160)
        pdf.set_dash_pattern(dash=2, gap=2)
        pdf.line(5, top + height, 205, top + height)
        pdf.set_dash_pattern()
        pdf.set_xy(12, top + 8)
        pdf.set_font("DejaVu", "B", 11)
        pdf.multi_cell(120, 5.5, "PHIẾU BỎ PHIẾU TÍN NHIỆM (ĐIỆN TỬ)")
        pdf.set_x(12)
        pdf.set_font("DejaVu", "", 9.5)
        pdf.multi_cell(120, 5, title)
        pdf.set_x(12)
        pdf.multi_cell(120, 5, f"Mã xác thực cuộc bỏ phiếu: {short_fingerprint}")
        pdf.set_x(12)
        pdf.set_font("Mono", "", 12)
        pdf.multi_cell(120, 6, "Mã phiếu:", align="L")
        pdf.set_x(12)
        pdf.multi_cell(120, 7, slip.code, align="L")
        pdf.set_x(12)
        pdf.set_font("DejaVu", "", 8)
        pdf.multi_cell(
            120,
            4,
            "Nhập mã phiếu hoặc quét mã QR tại trang bỏ phiếu. Mỗi mã chỉ bỏ được "
            "một lần; không ai biết mã này được phát cho ai. Giữ kín cho đến khi bỏ "
            "phiếu.",
        )
        _qr(pdf, slip.qr_payload, 140, top + 6, 60)
    return pdf_bytes(pdf)


@dataclass(frozen=True)
class TallyRow:
    """One leader's line of the tally sheet (display strings already computed)."""

    index: int
    name: str
    post: str
    issued: int
    returned: int
    valid: int
    invalid: int
    high: int
    normal: int
    low: int
    pct_high: str
    pct_normal: str
    pct_low: str
    band: str
