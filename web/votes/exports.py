"""The tally sheet of one vote as XLSX and PDF (96-QĐ/TW: per leader issued,
returned, valid, invalid, each level with its percentage of ballots returned).

The figures are the published ones from the ``vote_results`` view; the percentage
strings are display only (two decimals, integer rounding), the exact fraction is
written beside them in the spreadsheet.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from fractions import Fraction

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from services.printouts.documents import tally_minutes_pdf
from services.spreadsheet import Day, Percent, append_row, fit_columns
from services.vote_rows import LeaderResultRow, VoteRow
from votes.printing import TallyRow
from votes.results import display_percent

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BANDS = {
    "NONE": "Không thuộc diện xem xét",
    "GT_HALF": "Trên 1/2 tín nhiệm thấp",
    "GTE_TWO_THIRDS": "Từ 2/3 trở lên tín nhiệm thấp",
}
NOTES = (
    "Tỉ lệ phần trăm tính trên tổng số phiếu thu về (96-QĐ/TW); phiếu không đánh "
    "dấu ô nào đối với một người là phiếu không hợp lệ đối với người đó.",
    "Trên 1/2 tín nhiệm thấp: đưa ra khỏi quy hoạch chức danh cao hơn; xem xét "
    "miễn nhiệm, cho thôi giữ chức vụ, điều chuyển, từ chức hoặc bỏ phiếu tín nhiệm "
    "mà không chờ hết nhiệm kỳ; năm đó xếp loại không hoàn thành nhiệm vụ "
    "(366-QĐ/TW).",
    "Từ 2/3 trở lên tín nhiệm thấp: cấp có thẩm quyền cho thôi giữ chức vụ hoặc miễn "
    "nhiệm mà không chờ hết nhiệm kỳ.",
)


def stream(data: bytes) -> io.BytesIO:
    return io.BytesIO(data)


def _pct(fraction: str) -> str:
    num, den = (int(x) for x in fraction.split("/"))
    return display_percent(num, den)


def _facts(vote: VoteRow) -> list[tuple[str, str | Day]]:
    return [
        ("Năm", str(vote.vote_year)),
        ("Ngày hội nghị", Day(date.fromisoformat(vote.conference_date))),
        ("Số người được triệu tập", str(vote.convened)),
        ("Số người có mặt", "" if vote.present is None else str(vote.present)),
        ("Số phiếu phát ra", "" if vote.issued is None else str(vote.issued)),
        ("Số phiếu thu về", str(vote.ballots)),
        ("Mã xác thực cuộc bỏ phiếu", vote.short_fingerprint or ""),
    ]


def tally_rows(rows: Sequence[LeaderResultRow]) -> list[TallyRow]:
    return [
        TallyRow(
            index=r.leader_index,
            name=r.name,
            post=r.post,
            issued=r.issued,
            returned=r.returned,
            valid=r.valid,
            invalid=r.invalid,
            high=r.high,
            normal=r.normal,
            low=r.low,
            pct_high=_pct(r.pct_high),
            pct_normal=_pct(r.pct_normal),
            pct_low=_pct(r.pct_low),
            band=BANDS.get(r.band, r.band),
        )
        for r in rows
    ]


def tally_pdf(vote: VoteRow, rows: Sequence[LeaderResultRow]) -> bytes:
    """The biên bản kiểm phiếu in the official layout (services.printouts)."""
    return tally_minutes_pdf(
        vote.title,
        vote.organisation,
        vote.conference_date,
        [(label, str(value)) for label, value in _facts(vote)],
        tally_rows(rows),
        NOTES,
    )


def tally_xlsx(vote: VoteRow, rows: Sequence[LeaderResultRow]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Kiểm phiếu"
    append_row(sheet, ["BIÊN BẢN KIỂM PHIẾU LẤY PHIẾU TÍN NHIỆM"])
    sheet["A1"].font = Font(bold=True, size=13)
    append_row(sheet, [vote.title])
    append_row(sheet, [vote.organisation])
    for label, value in _facts(vote):
        append_row(sheet, [label, value])
    sheet.append([])
    headers = [
        "TT",
        "Họ và tên",
        "Chức vụ",
        "Phát ra",
        "Thu về",
        "Hợp lệ",
        "Không hợp lệ",
        "Tín nhiệm cao",
        "Tỉ lệ",
        "Phân số",
        "Tín nhiệm",
        "Tỉ lệ",
        "Phân số",
        "Tín nhiệm thấp",
        "Tỉ lệ",
        "Phân số",
        "Kết quả",
    ]
    append_row(sheet, headers)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True)
    for r, t in zip(rows, tally_rows(rows), strict=True):
        line: list[object] = [
            t.index + 1,
            t.name,
            t.post,
            t.issued,
            t.returned,
            t.valid,
            t.invalid,
        ]
        for count, shown, exact in (
            (t.high, t.pct_high, r.pct_high),
            (t.normal, t.pct_normal, r.pct_normal),
            (t.low, t.pct_low, r.pct_low),
        ):
            line += [count, Percent(Fraction(exact), shown), exact]
        line.append(t.band)
        append_row(sheet, line)
    fit_columns(sheet, skip_rows=3, least=6, most=40)  # not the titles nor the notes
    sheet.append([])
    for note in NOTES:
        append_row(sheet, [note])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
