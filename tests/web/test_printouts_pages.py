"""The subject page lists the self-review sections in the template's order and says
why section V is absent from Mẫu 2B; the Mẫu 01 and Mẫu 2B printouts download from
it, in the official layout, and a venue with nothing signed yet is refused in
Vietnamese, not with a 500."""

from __future__ import annotations

import html
import io
import unicodedata

from pypdf import PdfReader

from domain.rulebooks import FORM_SECTIONS
from services.printouts.reviews import COLLECTIVE_SECTIONS
from services.rating_ids import review_id
from tests.web.test_rating_pages import SUBJ, R, url
from tests.web.test_rating_pages import cycle_world as cycle_world  # the fixture


def _text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    text = " ".join(page.extract_text() for page in reader.pages)
    return " ".join(unicodedata.normalize("NFC", text).split())


def test_form_2b_on_screen_and_printed(client, auth, cycle_world):
    ids = cycle_world
    auth.login("secretary")
    printout = url(f"{R}/cycles/{SUBJ}/venues/{{cell}}/ban-in.pdf", ids)
    refused = client.get(printout)
    assert refused.status_code != 500
    assert "chưa nộp bản kiểm điểm" in refused.get_data(as_text=True)
    page = client.get(url(f"{R}/cycles/{SUBJ}", ids)).get_data(as_text=True)
    order = [
        page.index(h)
        for h in (
            "A. Nội dung kiểm điểm",
            "IV. Giải trình",
            "V. Làm rõ trách nhiệm",
            "VI. Phương hướng",
            "B. Tự đánh giá, xếp loại chất lượng",
        )
    ]
    assert order == sorted(order)
    assert "không áp dụng: mục này chỉ dành cho cá nhân giữ chức vụ" in page
    submitted = auth.post(
        url(f"{R}/reviews/{{review}}/self-review", ids),
        {
            "form_code": "2B",
            "sv-strengths": "Gương mẫu, tận tụy",
            "sv-shortcomings": "Chậm báo cáo",
            "sv-measures": "Khắc phục ngay",
        },
    )
    assert submitted.status_code == 302
    page = client.get(url(f"{R}/cycles/{SUBJ}", ids)).get_data(as_text=True)
    assert "Tải Mẫu 2B (PDF)" in page
    auth.logout()
    auth.login("member")  # the subject prints their own Mẫu 2B to sign it
    assert "Tải Mẫu 2B (PDF)" in client.get(url(f"{R}/cycles/{SUBJ}", ids)).get_data(
        as_text=True
    )
    assert client.get(printout).status_code == 200
    auth.logout()
    auth.login("counting")  # reads no subject page, so prints none
    assert client.get(printout).status_code == 403
    auth.logout()
    auth.login("secretary")
    answer = client.get(printout)
    assert answer.status_code == 200
    assert answer.mimetype == "application/pdf"
    text = _text(answer.data)
    for needed in (
        "Mẫu 2B-HD KĐ.ĐG",
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "Gương mẫu, tận tụy",
        "V. Làm rõ trách nhiệm",
        "Không áp dụng",
        "NGƯỜI TỰ KIỂM ĐIỂM",
        "Trang 1/",
    ):
        assert needed in text, needed


def test_form_01_of_the_collective_downloads(client, auth, cycle_world):
    ids = cycle_world
    cell_key = f"o:{ids['cell']}"
    auth.login("secretary")
    subject = url(f"{R}/cycles/{{cycle}}/subjects/" + cell_key, ids)
    assert (
        auth.post(f"{subject}/reviews", {"or-venue_id": str(ids["cell"])}).status_code
        == 302
    )
    cell_review = review_id(ids["cycle"], cell_key, ids["cell"])
    form = client.get(subject).get_data(as_text=True)
    headings = [html.escape(h, quote=False) for _, h in COLLECTIVE_SECTIONS]
    order = [form.index(h) for h in headings]  # the form follows Mẫu 01
    assert order == sorted(order)
    for key in FORM_SECTIONS["01"]:
        assert f'name="rp-{key}"' in form, key
    assert (
        auth.post(
            f"{R}/reviews/{cell_review}/report",
            {"rp-measures": "Chỉ có mục V", "rp-circulated_on": "2025-12-01"},
        ).status_code
        == 400  # section I is required: nothing is sent
    )
    assert (
        auth.post(
            f"{R}/reviews/{cell_review}/report",
            {
                "rp-results": "Chi bộ hoàn thành kế hoạch",
                "rp-shortcomings": "Sinh hoạt chưa đều",
                "rp-measures": "Họp đúng kỳ hằng tháng",
                "rp-circulated_on": "2025-12-01",
            },
        ).status_code
        == 302
    )
    page = client.get(subject).get_data(as_text=True)
    shown = [page.index(t) for t in ("Chi bộ hoàn thành", "Sinh hoạt chưa", "Họp đúng")]
    assert shown == sorted(shown)  # the circulated report, on screen, in order
    assert "Tải Mẫu 01 (PDF)" in client.get(subject).get_data(as_text=True)
    answer = client.get(f"{subject}/venues/{ids['cell']}/ban-in.pdf")
    assert answer.status_code == 200
    text = _text(answer.data)
    for needed in (
        "Mẫu 01-HD KĐ.ĐG",
        "Chi bộ hoàn thành kế hoạch",
        "II. Hạn chế, khuyết điểm và nguyên nhân Sinh hoạt chưa đều",
        "V. Phương hướng, biện pháp khắc phục hạn chế, khuyết điểm Họp đúng",
        "VI. Tự đánh giá, xếp loại chất lượng",
        "ngày 01 tháng 12 năm 2025",
        "Nơi nhận:",
    ):
        assert needed in text, needed
    assert client.get(f"{subject}/venues/not-a-venue/ban-in.pdf").status_code == 404
