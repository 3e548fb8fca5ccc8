"""The collective's report (Mẫu 01) through the JSON API, on SQLite and
PostgreSQL (issue 13): the report step takes every section I–V by the
template's keys, and the API's read, the subject page and the PDF show them in
the template's order. A client written before sections still sends one
``summary`` (deprecated), read as section I. An unknown section, a section not
text, or both ``sections`` and ``summary`` are the one 400 answer and store
nothing; a report without section I is the domain's refusal."""

from __future__ import annotations

import html
import io
import unicodedata
from typing import Any

from pypdf import PdfReader

from services.printouts.reviews import COLLECTIVE_SECTIONS
from tests.acceptance.ratings_api import Province
from tests.acceptance.test_rule_scenarios import key, refuse
from web.catalogue import message_for

ON = "2025-12-01"
SECTIONS = {
    "results": "Chi bộ lãnh đạo thôn hoàn thành 12/12 chỉ tiêu kinh tế – xã hội",
    "shortcomings": "Sinh hoạt chuyên đề chưa đều; nguyên nhân chủ quan là chính",
    "remediation": "Đã khắc phục việc chậm nộp đảng phí nêu tại kỳ kiểm điểm trước",
    "suggestions": "Giải trình việc chậm triển khai Nghị quyết về chuyển đổi số",
    "measures": "Duy trì sinh hoạt định kỳ ngày 03 hằng tháng; phân công rõ người",
}


def _pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    text = " ".join(page.extract_text() for page in reader.pages)
    return " ".join(unicodedata.normalize("NFC", text).split())


def _open_review(p: Province, cycle: str, org: str) -> str:
    venue = str(p.orgs[org])
    body = {"subject_key": key("o", venue), "venue_id": venue}
    return str(p.sec.post(f"/cycles/{cycle}/reviews", body, 201)["id"])


def _report_read(p: Province, cycle: str, org: str) -> dict[str, Any]:
    timeline = p.sec.get(f"/cycles/{cycle}/subjects/o:{p.orgs[org]}")["timeline"]
    (report,) = [t for t in timeline if t["step"] == "report_circulated"]
    return report


def _bad_shape(p: Province, path: str, body: dict[str, Any]) -> dict[str, Any]:
    before = p.store_position()
    answer = p.sec.post(path, body, 400)
    assert answer["code"] == "form.invalid", answer
    assert answer["message"] == message_for("form.invalid")
    assert p.store_position() == before
    fields: dict[str, list[str]] = answer["fields"]
    return fields


def test_the_report_takes_every_section_and_shows_them_read_on_screen_and_printed(
    province,
):
    p = province
    cycle = p.open_cycle(2025)
    review = _open_review(p, cycle, "cell")
    path = f"/reviews/{review}/report"

    unknown = _bad_shape(
        p, path, {"sections": {**SECTIONS, "responsibility": "x"}, "circulated_on": ON}
    )
    assert list(unknown) == ["sections"]
    assert "“responsibility”" in unknown["sections"][0]
    not_text = _bad_shape(
        p,
        path,
        {"sections": {"results": ["không", "phải", "chuỗi"]}, "circulated_on": ON},
    )
    assert not_text == {"sections": ["Mục “results”: Phải là một chuỗi văn bản."]}
    both = _bad_shape(
        p, path, {"sections": SECTIONS, "summary": "Tóm tắt", "circulated_on": ON}
    )
    assert set(both) == {"sections", "summary"}
    refused = refuse(
        p,
        p.sec,
        path,
        {"sections": {"measures": "Chỉ có mục V"}, "circulated_on": ON},
        "review.section_missing",
    )
    assert refused["field"] == "sections"

    p.sec.post(path, {"sections": SECTIONS, "circulated_on": ON})

    report = _report_read(p, cycle, "cell")
    assert report["detail"]["sections"] == SECTIONS
    subject = f"/ratings/cycles/{cycle}/subjects/o:{p.orgs['cell']}"
    page = p.sec.client.get(subject).get_data(as_text=True)
    shown = [page.index(html.escape(text, quote=False)) for text in SECTIONS.values()]
    assert shown == sorted(shown)
    answer = p.sec.client.get(f"{subject}/venues/{p.orgs['cell']}/ban-in.pdf")
    assert answer.status_code == 200
    assert answer.mimetype == "application/pdf"
    printed = _pdf_text(answer.data)
    headings = dict(COLLECTIVE_SECTIONS)
    at = [printed.index(f"{headings[k]} {text}") for k, text in SECTIONS.items()]
    assert at == sorted(at)  # each section under its heading, in the form's order
    assert headings["rating"] in printed


def test_a_client_written_before_sections_sends_section_one_as_summary(province):
    p = province
    cycle = p.open_cycle(2025)
    review = _open_review(p, cycle, "cell2")
    p.sec.post(
        f"/reviews/{review}/report",
        {"summary": "Chi bộ hoàn thành tốt nhiệm vụ năm 2025", "circulated_on": ON},
    )
    report = _report_read(p, cycle, "cell2")
    assert report["detail"]["sections"] == {
        "results": "Chi bộ hoàn thành tốt nhiệm vụ năm 2025"
    }
    subject = f"/ratings/cycles/{cycle}/subjects/o:{p.orgs['cell2']}"
    answer = p.sec.client.get(f"{subject}/venues/{p.orgs['cell2']}/ban-in.pdf")
    printed = _pdf_text(answer.data)
    results = dict(COLLECTIVE_SECTIONS)["results"]
    assert f"{results} Chi bộ hoàn thành tốt nhiệm vụ năm 2025" in printed
