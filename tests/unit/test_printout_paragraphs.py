"""The printouts print a text written in paragraphs one paragraph a line (issue
13): Mẫu 01's sections, a self-review's, a re-rating's reason; markup in the
text is printed as the characters typed."""

from __future__ import annotations

from services.printouts import documents, layout, reviews
from services.printouts.reviews import ReviewSource
from tests.unit.test_printouts import CELL, NAMES, pdf_text

POINTS = "1. Sinh hoạt đúng kỳ\n2. Kết nạp hai đảng viên\n\n<b>3.</b> & <script>"


def _lines(data: bytes) -> list[str]:
    return [line.strip() for line in pdf_text(data).splitlines() if line.strip()]


def _follows(lines: list[str], *expected: str) -> bool:
    first = lines.index(expected[0])
    return lines[first : first + len(expected)] == list(expected)


def _source(step: str, detail: dict[str, object]) -> ReviewSource:
    return ReviewSource(
        cycle={"year": 2025, "org_name": "Đảng bộ"},
        subject={"name": "Chi bộ xóm A", "path": [CELL], "self_level": None},
        venue_id=CELL,
        names=NAMES,
        timeline=[
            {"step": step, "venue_id": CELL, "on_date": "2025-12-01", "detail": detail}
        ],
    )


def test_form_01_prints_each_line_of_a_section_as_a_paragraph():
    data = reviews.collective_report_pdf(
        _source("report_circulated", {"sections": {"results": POINTS}})
    )
    lines = _lines(data)
    assert _follows(
        lines,
        "I. Ưu điểm, kết quả đạt được",
        "1. Sinh hoạt đúng kỳ",
        "2. Kết nạp hai đảng viên",
        "<b>3.</b> & <script>",
    )


def test_a_self_review_prints_each_line_of_a_section_as_a_paragraph():
    sections = {"strengths": POINTS, "shortcomings": "Chậm", "measures": "Sửa"}
    data = reviews.self_review_pdf(
        _source("self_review", {"form": "2B", "sections": sections})
    )
    assert _follows(
        _lines(data),
        "I. Ưu điểm, kết quả đạt được",
        "1. Sinh hoạt đúng kỳ",
        "2. Kết nạp hai đảng viên",
        "<b>3.</b> & <script>",
        "II. Hạn chế, khuyết điểm và nguyên nhân",
    )


def test_the_reason_of_a_rerating_keeps_its_lines():
    decision = {
        "name": "Trần Thị B",
        "kind": "individual",
        "year": 2025,
        "authority": "Ban Thường vụ Huyện ủy",
        "regulation": "366-QĐ/TW",
        "previous_level": "HTXSNV",
        "level": "KHTNV",
        "decision_no": "12-QĐ/ĐU",
        "decided_on": "2026-02-03",
        "reason": "Kê khai sai thành tích.\nCó đơn tố cáo đúng.",
        "explanation": "Giải trình: dòng một\ndòng hai",
    }
    lines = _lines(documents.rerating_pdf(decision))
    assert _follows(
        lines, "- Xét lý do: Kê khai sai thành tích.", "Có đơn tố cáo đúng."
    )
    assert _follows(lines, "Giải thích: Giải trình: dòng một", "dòng hai")


def test_a_blank_line_is_a_gap_not_a_printed_line():
    """Two lines apart by a blank one take less room than three lines."""
    pdf = layout.new_document()

    def height(text: str) -> float:
        pdf.add_page()
        top = pdf.get_y()
        layout.paragraph(pdf, text)
        return float(pdf.get_y() - top)

    two, three = height("một\nhai"), height("một\nhai\nba")
    assert two < height("một\n\nhai") < three
