"""Every official printout (Mẫu 01, 2A, 2B, 2C, 03, 04, the biên bản kiểm phiếu,
the report upward) and the ballot slip keep every Vietnamese letter: each is
rendered with a text holding all vowels with all five tones, đ/Đ, both cases, the
text is read back with pypdf and every letter is found; every font is embedded."""

from __future__ import annotations

import io
import unicodedata
from typing import Any

import pytest
from pypdf import PdfReader

from domain.rulebooks import FORM_SECTIONS
from services import report_documents as docs
from services.printouts import documents, layout, reviews
from services.printouts.reviews import ReviewSource, section_plan
from votes.credentials import Slip
from votes.printing import TallyRow, new_pdf, slips_pdf

BASES = "aăâeêioôơuưy"
TONES = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")
LOWER = [unicodedata.normalize("NFC", b + t) for b in BASES for t in TONES] + ["đ"]
LETTERS = "".join(LOWER) + "".join(c.upper() for c in LOWER)
ALL = f"Chữ Việt: {LETTERS}"
CELL, PARENT = (
    "00000000-0000-0000-0000-00000000000c",
    "00000000-0000-0000-0000-0000000000a1",
)
NAMES = {CELL: f"Chi bộ {LETTERS}", PARENT: "Đảng bộ Phường Ngọc Thụy"}


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return unicodedata.normalize("NFC", text)


def embedded_fonts(data: bytes) -> list[tuple[str, bool]]:
    """(base font, has an embedded font file) of every font of every page."""
    reader = PdfReader(io.BytesIO(data))
    found = []
    for page in reader.pages:
        resources: Any = page["/Resources"].get_object()
        fonts: Any = resources.get("/Font", {})
        for ref in fonts.get_object().values():
            font = ref.get_object()
            descendant = font["/DescendantFonts"][0].get_object()
            descriptor = descendant["/FontDescriptor"].get_object()
            found.append((str(font["/BaseFont"]), "/FontFile2" in descriptor))
    return found


def assert_every_letter(data: bytes) -> str:
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    missing = [c for c in LETTERS if c not in text]
    assert missing == [], f"letters lost in the PDF: {''.join(missing)}"
    fonts = embedded_fonts(data)
    assert fonts
    assert all(embedded for _, embedded in fonts), fonts
    return text


def _source(
    form: str, kind: str = "individual", report: dict[str, Any] | None = None
) -> ReviewSource:
    sections = {k: f"{k}: {ALL}" for k in FORM_SECTIONS[form]}
    step = (
        {"step": "self_review", "detail": {"form": form, "sections": sections}}
        if kind == "individual"
        else {"step": "report_circulated", "detail": report or {"sections": sections}}
    )
    timeline: list[dict[str, Any]] = [
        {**step, "venue_id": CELL, "on_date": "2025-12-05"},
        {
            "step": "suggestion",
            "venue_id": CELL,
            "on_date": None,
            "detail": {"text": f"Gợi ý {LETTERS}"},
        },
    ]
    return ReviewSource(
        cycle={"year": 2025, "org_name": "Đảng bộ"},
        subject={
            "name": f"Nguyễn Văn {LETTERS}",
            "posts": {PARENT: "head"},
            "path": [CELL, PARENT],
            "self_level": "HTTNV",
            "score": None,
        },
        venue_id=CELL,
        names=NAMES,
        timeline=timeline,
        carried_items=[
            {"description": f"Hạn chế {LETTERS}", "year": 2024, "status": "VERIFIED"}
        ],
        remediation_labels={"VERIFIED": "Đã được xác nhận khắc phục"},
    )


@pytest.mark.parametrize("form", ["2A", "2B", "2C"])
def test_self_review_forms_keep_every_letter_in_the_template_order(form):
    text = assert_every_letter(reviews.self_review_pdf(_source(form)))
    flat = " ".join(text.split())
    for needed in (
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        f"Mẫu {form}-HD KĐ.ĐG",
        "ngày 05 tháng 12 năm 2025",
        "NGƯỜI TỰ KIỂM ĐIỂM",
        "B. TỰ ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG",
        "Hoàn thành tốt nhiệm vụ",
        "Trang 1/",
    ):
        assert needed in flat, needed
    post = "Chức vụ: Người đứng đầu, Đảng bộ Phường Ngọc Thụy"
    assert (post in flat) is (form != "2C")
    assert ("Ngày sinh: ……" in flat) is (form == "2C")
    order = [flat.index(h.split(". ")[0] + ". ") for _, h, _ in section_plan(form)]
    assert order == sorted(order)
    omitted = "Không áp dụng: mục này chỉ dành cho cá nhân giữ chức vụ lãnh đạo"
    assert (omitted in flat) is (form != "2A")


def test_collective_report_form_01_has_every_section_in_the_template_order():
    """Mẫu 01: sections I–VI in order, each with its text (every letter), III
    with the shortcomings carried from the previous year, IV with the recorded
    suggestions, VI with the self-rating; header, signature and page number."""
    data = reviews.collective_report_pdf(_source("01", kind="collective"))
    flat = " ".join(assert_every_letter(data).split())
    for needed in (
        "Mẫu 01-HD KĐ.ĐG",
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "Số ……-BC/…",
        "ngày 05 tháng 12 năm 2025",
        "T/M",
        "Nơi nhận:",
        "Trang 1/",
    ):
        assert needed in flat, needed
    headings = [h for _, h in reviews.COLLECTIVE_SECTIONS]
    assert [h.split(". ")[0] for h in headings] == ["I", "II", "III", "IV", "V", "VI"]
    at = [flat.index(" ".join(h.split())) for h in headings]
    assert at == sorted(at)
    for key in FORM_SECTIONS["01"]:  # each section's own text, in its place
        assert f"{key}: Chữ Việt" in flat, key
    iii, iv, v, vi = at[2:]
    assert iii < flat.index("Hạn chế aàáả") < iv  # carried from 2024
    assert iv < flat.index("Gợi ý aàáả") < v
    assert vi < flat.index("Tự xếp loại: Hoàn thành tốt nhiệm vụ")


def test_a_report_circulated_as_one_text_prints_it_as_section_one():
    """A report sent before Mẫu 01 had sections (the view holds ``summary``)."""
    old = _source("01", kind="collective", report={"summary": f"Cũ {ALL}"})
    flat = " ".join(pdf_text(reviews.collective_report_pdf(old)).split())
    assert flat.index("I. Ưu điểm") < flat.index("Cũ Chữ Việt") < flat.index("II. ")
    assert "Không có nội dung" in flat  # II and V: nothing was written


def test_report_headings_are_the_catalogue_labels():
    """The screen's labels and the printout's headings are the same words."""
    from web.catalogue.ratings import REPORT_SECTION_LABELS

    printed = dict(reviews.COLLECTIVE_SECTIONS)
    assert list(REPORT_SECTION_LABELS) == list(FORM_SECTIONS["01"])
    assert all(printed[k] == v for k, v in REPORT_SECTION_LABELS.items())


def test_a_venue_without_a_signed_text_is_not_printable():
    source = _source("2B")
    empty = ReviewSource(source.cycle, source.subject, CELL, NAMES, [])
    with pytest.raises(reviews.NotPrintable):
        reviews.self_review_pdf(empty)
    with pytest.raises(reviews.NotPrintable):
        reviews.collective_report_pdf(empty)


def test_rerating_form_03_keeps_every_letter():
    decision = {
        "name": f"Trần Thị {LETTERS}",
        "kind": "individual",
        "year": 2025,
        "authority": f"Ban Thường vụ {LETTERS}",
        "regulation": "366-QĐ/TW",
        "previous_level": "HTXSNV",
        "level": "KHTNV",
        "decision_no": "12-QĐ/ĐU",
        "decided_on": "2026-02-03",
        "reason": ALL,
        "explanation": ALL,
    }
    flat = " ".join(assert_every_letter(docs.rerating_pdf(decision)).split())
    for needed in ("Số 12-QĐ/ĐU", "ngày 03 tháng 02 năm 2026", "Mẫu 03-HD KĐ.ĐG"):
        assert needed in flat, needed
    # Revised by the successor of an organisation that ended (issue 12).
    decision["succession"] = {
        "ended_authority_name": "Đảng ủy xã Yên Lạc",
        "successor_name": "Đảng ủy xã Yên Hòa",
        "links": [{"decision_no": "125-QĐ/TU", "effective_on": "2025-07-01"}],
    }
    flat = " ".join(assert_every_letter(docs.rerating_pdf(decision)).split())
    assert "Căn cứ Quyết định số 125-QĐ/TU ngày 01/07/2025" in flat
    assert "Đảng ủy xã Yên Hòa kế tục Đảng ủy xã Yên Lạc" in flat


def test_dossier_form_04_keeps_every_letter():
    dossier = {
        "name": f"Lê Văn {LETTERS}",
        "year": 2025,
        "organisation": f"Chi bộ {LETTERS}",
        "level": "HTNV",
        "items": [
            {"item": item, "present": n % 2 == 0, "evidence": ["2025-12-05"]}
            for n, item in enumerate(documents.DOSSIER_NAMES)
        ],
    }
    flat = " ".join(assert_every_letter(docs.dossier_pdf(dossier)).split())
    for needed in ("Mẫu 04-HD KĐ.ĐG", "NGƯỜI LẬP DANH MỤC", "05/12/2025"):
        assert needed in flat, needed


def test_tally_minutes_keep_every_letter():
    row = TallyRow(
        0,
        f"Phạm {LETTERS}",
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
    data = documents.tally_minutes_pdf(
        ALL, f"Đảng ủy {LETTERS}", "2025-12-18", [("Năm", "2025")], [row] * 3, [ALL]
    )
    flat = " ".join(assert_every_letter(data).split())
    for needed in ("BIÊN BẢN KIỂM PHIẾU", "T/M TỔ KIỂM PHIẾU", "ngày 18 tháng 12"):
        assert needed in flat, needed
    again = documents.tally_minutes_pdf(
        ALL, f"Đảng ủy {LETTERS}", "2025-12-18", [("Năm", "2025")], [row] * 3, [ALL]
    )
    assert again == data


def test_ballot_slip_keeps_every_letter_in_the_code_font():
    slip = Slip("6f1c2b1e-0b7a-4c1e-9d7e-3a2b1c0d9e8f", bytes(18))
    data = slips_pdf(ALL, "ABCD-EFGH", [slip])
    text = assert_every_letter(data)
    assert "Mã phiếu:" in " ".join(text.split())
    assert any("LiberationMono" in name for name, _ in embedded_fonts(data))


def test_the_monospace_font_has_every_letter():
    """The code font of the slip (DejaVu Sans Mono lacked "ế" and 45 others)."""
    pdf = new_pdf()
    pdf.add_page()
    pdf.set_font("Mono", "", 12)
    pdf.multi_cell(0, 7, ALL)
    data = bytes(pdf.output())
    assert_every_letter(data)
    assert [name.split("+")[-1] for name, _ in embedded_fonts(data)] == [
        "LiberationMono"
    ]


def test_a_long_table_never_strands_its_caption_at_a_page_foot():
    pdf = layout.new_document()
    pdf.set_y(pdf.h - pdf.b_margin - 12)  # room for the caption only
    layout.table(pdf, "Bảng 1. Cuối trang", ("A", "B"), [("x", "y")] * 3, (1, 1))
    assert pdf.page_no() == 2
    text = pdf_text(layout.finish(pdf))
    assert text.index("Bảng 1. Cuối trang") > text.index("Trang 1/2")


@pytest.mark.parametrize("leaders", [1, 3, 4, 6, 12])
def test_signature_blocks_stay_together_on_one_page(leaders):
    row = TallyRow(0, "Phạm Ấn", "Bí thư", 4, 4, 4, 0, 1, 1, 2, "", "", "", "")
    data = documents.tally_minutes_pdf(
        "Lấy phiếu", "Đảng ủy", None, [("Năm", "2025")], [row] * leaders, ["Ghi chú"]
    )
    reader = PdfReader(io.BytesIO(data))
    pages = [" ".join(page.extract_text().split()) for page in reader.pages]
    holding = [n for n, text in enumerate(pages) if "TỔ TRƯỞNG" in text]
    assert len(holding) == 1
    page = pages[holding[0]]
    assert "CÁC THÀNH VIÊN TỔ KIỂM PHIẾU" in page
    assert page.count("……") >= 2  # both names' lines
