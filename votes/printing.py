"""Printable documents of the vote: credential slips (mode A, votes.md §6.1) and the
96-QĐ/TW tally sheet (biên bản kiểm phiếu), as PDF with a Unicode TTF font so that
Vietnamese renders (Debian's ``fonts-dejavu-core``), QR codes by ``segno``.

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
    Path("/usr/local/share/fonts/dejavu"),
)


class PrintingError(RuntimeError):
    """A document that cannot be produced (no Unicode font installed)."""


def _font(name: str) -> Path:
    override = os.environ.get("KIEMDIEM_FONT_DIR")
    dirs = (Path(override), *FONT_DIRS) if override else FONT_DIRS
    for folder in dirs:
        path = folder / name
        if path.is_file():
            return path
    msg = f"font {name} not found: install fonts-dejavu-core or set KIEMDIEM_FONT_DIR"
    raise PrintingError(msg)


def new_pdf(orientation: str = "P") -> FPDF:
    pdf = FPDF(orientation=orientation, unit="mm", format="A4")
    # A fixed creation date: the same tally gives the same file, and the PDF
    # carries no time of its own (the record has the dates).
    pdf.set_creation_date(CREATION_DATE)
    pdf.add_font("DejaVu", "", str(_font("DejaVuSans.ttf")))
    pdf.add_font("DejaVu", "B", str(_font("DejaVuSans-Bold.ttf")))
    pdf.add_font("DejaVuMono", "", str(_font("DejaVuSansMono.ttf")))
    pdf.set_auto_page_break(auto=True, margin=12)
    return pdf


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
        pdf.set_font("DejaVuMono", "", 12)
        pdf.multi_cell(120, 7, f"Mã phiếu: {slip.code}")
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
    return bytes(pdf.output())


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


def tally_pdf(
    title: str,
    organisation: str,
    facts: Sequence[tuple[str, str]],
    rows: Sequence[TallyRow],
    notes: Sequence[str],
) -> bytes:
    """The tally sheet of 96-QĐ/TW (landscape A4)."""
    pdf = new_pdf("L")
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 13)
    pdf.multi_cell(
        0, 7, "BIÊN BẢN KIỂM PHIẾU LẤY PHIẾU TÍN NHIỆM", align="C", **NEXT_LINE
    )
    pdf.set_font("DejaVu", "", 10)
    pdf.multi_cell(0, 5.5, f"{title}\n{organisation}", align="C", **NEXT_LINE)
    pdf.ln(2)
    for label, value in facts:
        pdf.multi_cell(0, 5, f"{label}: {value}", **NEXT_LINE)
    pdf.ln(2)
    headers = (
        ("TT", 9),
        ("Họ và tên, chức vụ", 78),
        ("Phát ra", 15),
        ("Thu về", 15),
        ("Hợp lệ", 15),
        ("Không hợp lệ", 18),
        ("Tín nhiệm cao", 27),
        ("Tín nhiệm", 27),
        ("Tín nhiệm thấp", 27),
        ("Kết quả", 46),
    )
    pdf.set_font("DejaVu", "B", 8)
    with pdf.table(
        col_widths=[w for _, w in headers], line_height=4.5, first_row_as_headings=True
    ) as table:
        head = table.row()
        for label, _ in headers:
            head.cell(label)
        pdf.set_font("DejaVu", "", 8)
        for r in rows:
            line = table.row()
            for value in (
                str(r.index + 1),
                f"{r.name}\n{r.post}",
                str(r.issued),
                str(r.returned),
                str(r.valid),
                str(r.invalid),
                f"{r.high} ({r.pct_high})",
                f"{r.normal} ({r.pct_normal})",
                f"{r.low} ({r.pct_low})",
                r.band,
            ):
                line.cell(value)
    pdf.ln(3)
    pdf.set_font("DejaVu", "", 8.5)
    for note in notes:
        pdf.multi_cell(0, 4.5, note, **NEXT_LINE)
    return bytes(pdf.output())
