"""The layout of an official party document (thể thức văn bản của Đảng), shared by
every printout: the form code, the party header (the issuing organisation on the
left with its number "Số …", "ĐẢNG CỘNG SẢN VIỆT NAM" and the place and date line on
the right), the title, numbered sections (an omitted one explained in one line),
tables whose caption never stays alone at a page foot, the signature blocks
("T/M …", "NGƯỜI TỰ KIỂM ĐIỂM", "Nơi nhận:") and "Trang n/N" at each page foot.

Fonts are Liberation Serif (body) and Liberation Mono (codes) from Debian's
``fonts-liberation2``, both with every Vietnamese letter; fpdf2 embeds a subset of
each font used.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from fpdf import FPDF

from votes.printing import NEXT_LINE, font_path, new_pdf

PARTY = "ĐẢNG CỘNG SẢN VIỆT NAM"
SERIF = "Serif"
# Liberation Serif (fonts-liberation2): Times New Roman's metrics, as the party's
# documents are typed, with every Vietnamese letter in all four styles.
SERIF_FILES = {
    "": "LiberationSerif-Regular.ttf",
    "B": "LiberationSerif-Bold.ttf",
    "I": "LiberationSerif-Italic.ttf",
    "BI": "LiberationSerif-BoldItalic.ttf",
}
MONO = "Mono"
DOTS = "……"
LINE = 6.0
LINES = "LINES"


@dataclass(frozen=True)
class Header:
    """The top of the page: form code, issuer (left), party name and date (right).

    ``number`` is the number the record has ("Số 12-QĐ/HU"), ``""`` for the blank
    "Số    -…/…" that the template has and the office fills in by hand, or
    ``None`` where the template has no number (a personal self-review)."""

    form_code: str
    issuer: tuple[str, ...]
    number: str | None = ""
    number_suffix: str = ""
    place: str = ""
    on: date | str | None = None


@dataclass(frozen=True)
class Signature:
    """One signature block: caption lines, the hint, and the signer's name."""

    caption: tuple[str, ...]
    hint: str = "(Ký, ghi rõ họ tên)"
    name: str = ""


class OfficialPdf(FPDF):
    """A4 with "Trang n/N" centred at each page foot."""

    def footer(self) -> None:
        self.set_y(-10)
        self.set_font(SERIF, "I", 10)
        self.cell(0, 5, f"Trang {self.page_no()}/{{nb}}", align="C")


def new_document(orientation: str = "P") -> OfficialPdf:
    pdf = cast(OfficialPdf, new_pdf(orientation, OfficialPdf))
    for style, name in SERIF_FILES.items():
        pdf.add_font(SERIF, style, str(font_path(name)))
    pdf.set_margins(20, 15, 15)
    pdf.set_auto_page_break(auto=True, margin=16)
    pdf.add_page()
    return pdf


def as_date(value: date | str | None) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def date_line(place: str, on: date | str | None) -> str:
    """ "Hà Nội, ngày 05 tháng 12 năm 2025"; dots where the record has nothing."""
    day = as_date(on)
    where = place or DOTS
    if day is None:
        return f"{where}, ngày {DOTS} tháng {DOTS} năm {DOTS}"
    return f"{where}, ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"


def vn_date(value: date | str | None) -> str:
    day = as_date(value)
    return day.strftime("%d/%m/%Y") if day else DOTS


def party_header(pdf: FPDF, header: Header) -> None:
    left, width = pdf.l_margin, pdf.epw
    left_w = width * 0.45
    right_x, right_w = left + left_w, width - left_w
    pdf.set_font(SERIF, "I", 11)
    pdf.multi_cell(0, 5, header.form_code, align="R", **NEXT_LINE)
    top = pdf.get_y()
    for n, line in enumerate(header.issuer):
        pdf.set_x(left)
        last = n == len(header.issuer) - 1
        pdf.set_font(SERIF, "B" if last else "", 12.5)
        pdf.multi_cell(left_w, LINE, line.upper(), align="C", **NEXT_LINE)
    pdf.set_x(left)
    pdf.set_font(SERIF, "", 12.5)
    pdf.multi_cell(left_w, LINE, "*", align="C", **NEXT_LINE)
    if header.number is not None:
        pdf.set_x(left)
        number = header.number or f"Số {DOTS}-{header.number_suffix or DOTS}"
        pdf.multi_cell(left_w, LINE, number, align="C", **NEXT_LINE)
    bottom_left = pdf.get_y()
    pdf.set_xy(right_x, top)
    pdf.set_font(SERIF, "BU", 13)
    pdf.multi_cell(right_w, LINE + 0.5, PARTY, align="C", **NEXT_LINE)
    pdf.ln(LINE + 1)
    pdf.set_x(right_x)
    pdf.set_font(SERIF, "I", 12.5)
    pdf.multi_cell(
        right_w, LINE, date_line(header.place, header.on), align="C", **NEXT_LINE
    )
    pdf.set_y(max(bottom_left, pdf.get_y()) + 5)


def title(pdf: FPDF, main: str, *subtitles: str) -> None:
    pdf.set_font(SERIF, "B", 14)
    pdf.multi_cell(0, 7, main, align="C", **NEXT_LINE)
    pdf.set_font(SERIF, "B", 13)
    for line in subtitles:
        pdf.multi_cell(0, 6, line, align="C", **NEXT_LINE)
    pdf.ln(3)


def fields(pdf: FPDF, items: Sequence[tuple[str, str]]) -> None:
    """ "Họ và tên: …" lines; an empty value prints dots to fill by hand."""
    for label, value in items:
        pdf.set_font(SERIF, "", 13)
        pdf.multi_cell(
            0, LINE + 0.5, f"{label}: {value or DOTS}", align="L", **NEXT_LINE
        )
    pdf.ln(1)


def _keep(pdf: FPDF, height: float) -> None:
    """Start a new page unless ``height`` mm still fit on this one."""
    if pdf.will_page_break(height):
        pdf.add_page()


def heading(pdf: FPDF, text: str, size: float = 13) -> None:
    _keep(pdf, 3 * LINE + 2)  # the heading and two lines of what follows
    pdf.ln(1.5)
    pdf.set_font(SERIF, "B", size)
    pdf.multi_cell(0, LINE + 0.5, text, **NEXT_LINE)


def paragraph(pdf: FPDF, text: str, style: str = "", size: float = 13) -> None:
    """A text as it was written: each of its lines a paragraph of its own
    (justified, its last line not stretched), a blank line a half-line gap. The
    text is printed as plain text (no markup is read in it)."""
    pdf.set_font(SERIF, style, size)
    for line in text.split("\n"):
        if line.strip():
            pdf.multi_cell(0, LINE + 0.5, line, align="J", **NEXT_LINE)
        else:
            pdf.ln(LINE / 2)


def article(pdf: FPDF, label: str, text: str) -> None:
    """ "Điều 1. …": the bold label runs on into its text, as in a decision."""
    _keep(pdf, 2 * LINE)
    pdf.set_font(SERIF, "B", 13)
    pdf.write(LINE + 0.5, f"{label} ")
    pdf.set_font(SERIF, "", 13)
    pdf.write(LINE + 0.5, text)
    pdf.ln(LINE + 1)


def section(pdf: FPDF, title_text: str, body: str) -> None:
    heading(pdf, title_text)
    paragraph(pdf, body or DOTS)


def omitted(pdf: FPDF, title_text: str, why: str) -> None:
    """A section of the template that does not apply, with the reason in one line."""
    heading(pdf, title_text)
    paragraph(pdf, f"Không áp dụng: {why}", "I", 12)


def table(
    pdf: FPDF,
    caption: str | None,
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    widths: Sequence[float],
    size: float = 9,
) -> None:
    """A table with its caption kept on the page of its heading row and first row;
    the heading row repeats on every page the table runs to."""
    scale = pdf.epw / sum(widths)
    cols = [w * scale for w in widths]
    line_height = size * 0.5

    def row_height(cells: Sequence[Any], style: str) -> float:
        pdf.set_font(SERIF, style, size)
        most = 1
        for w, v in zip(cols, cells, strict=True):
            lines: Any = pdf.multi_cell(
                w - 2, line_height, str(v), dry_run=True, output=LINES
            )
            most = max(most, len(lines))
        return most * line_height + 2

    needed = row_height(headers, "B") + (row_height(rows[0], "") if rows else 0)
    _keep(pdf, needed + (2 * LINE + 3 if caption else 2))
    if caption:
        pdf.ln(1.5)
        pdf.set_font(SERIF, "B", 12)
        pdf.multi_cell(0, LINE, caption, **NEXT_LINE)
    if not rows:
        paragraph(pdf, "Không có.", "I", 12)
        return
    pdf.set_font(SERIF, "B", size)
    with pdf.table(
        col_widths=tuple(widths),
        line_height=line_height,
        first_row_as_headings=True,
        repeat_headings=1,
        text_align="LEFT",
        padding=(0.8, 1),
    ) as grid:
        head = grid.row()
        for h in headers:
            head.cell(str(h))
        pdf.set_font(SERIF, "", size)
        for r in rows:
            line = grid.row()
            for value in r:
                line.cell(str(value))
    pdf.ln(2)


def _caption_height(pdf: FPDF, width: float, block: Signature) -> float:
    pdf.set_font(SERIF, "B", 13)
    lines = 0
    for line in block.caption:
        wrapped: Any = pdf.multi_cell(
            width, LINE + 0.5, line.upper(), dry_run=True, output=LINES
        )
        lines += len(wrapped)
    return lines * (LINE + 0.5) + 5.5


def signatures(
    pdf: FPDF, blocks: Sequence[Signature], recipients: Sequence[str] = ()
) -> None:
    """Signature blocks across the page foot, all on one page, the names on one
    line; "Nơi nhận:" on the left if given. One block sits on the right, two
    share the width."""
    half = pdf.epw / 2
    columns: list[tuple[float, Signature | None]] = []
    if recipients or len(blocks) == 1:
        columns = [(pdf.l_margin, None), (pdf.l_margin + half, blocks[0])]
    else:
        columns = [(pdf.l_margin + n * half, b) for n, b in enumerate(blocks[:2])]
    sign_at = max(
        [34.0] + [_caption_height(pdf, half, b) + 20 for _, b in columns if b]
    )
    _keep(pdf, 4 + max(sign_at + LINE, 6 + 5 * len(recipients)) + 2)
    auto, margin = pdf.auto_page_break, pdf.b_margin
    pdf.set_auto_page_break(False)
    pdf.ln(4)
    top = pdf.get_y()
    bottom = top
    for x, block in columns:
        pdf.set_xy(x, top)
        if block is None:
            if recipients:
                pdf.set_font(SERIF, "BI", 12)
                pdf.multi_cell(half, 5.5, "Nơi nhận:", **NEXT_LINE)
                pdf.set_font(SERIF, "", 11)
                for line in recipients:
                    pdf.set_x(x)
                    pdf.multi_cell(half, 4.8, f"- {line}", **NEXT_LINE)
            bottom = max(bottom, pdf.get_y())
            continue
        pdf.set_font(SERIF, "B", 13)
        for line in block.caption:
            pdf.set_x(x)
            pdf.multi_cell(half, LINE + 0.5, line.upper(), align="C", **NEXT_LINE)
        pdf.set_x(x)
        pdf.set_font(SERIF, "I", 12)
        pdf.multi_cell(half, 5.5, block.hint, align="C", **NEXT_LINE)
        pdf.set_xy(x, top + sign_at)  # room to sign
        pdf.set_font(SERIF, "B", 13)
        pdf.multi_cell(half, LINE, block.name or DOTS, align="C", **NEXT_LINE)
        bottom = max(bottom, pdf.get_y())
    pdf.set_auto_page_break(auto, margin)
    pdf.set_y(bottom + 2)


def finish(pdf: FPDF) -> bytes:
    return bytes(pdf.output())
