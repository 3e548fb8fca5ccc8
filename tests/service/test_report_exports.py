"""Exports read back: XLSX cell values via openpyxl, PDF text via pypdf (NFC, with
diacritics intact) — the five-year history and the demo province."""

import io
import unicodedata
from datetime import date

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from services import report_documents as docs
from services.demo import load_demo
from services.demo_history import CELL_1, PROVINCE, RERATE_YEAR, RERATED, STREAK
from services.ids import organisation_id
from tests import history_store as store

history_store = store.history_store
TODAY = date(2026, 12, 4)


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    return unicodedata.normalize("NFC", text)


def flat(text: str) -> str:
    return " ".join(text.split())


def sheet_rows(data: bytes) -> dict[str, list[tuple]]:
    book = load_workbook(io.BytesIO(data))
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}


def test_report_xlsx_holds_every_table_with_exact_fractions(history_store):
    services, history, _admin = history_store
    report = services.reports.report(history.orgs[PROVINCE], 2025, today=TODAY)
    sheets = sheet_rows(docs.report_xlsx(report))
    assert sheets["Thông tin"][0][0] == (
        "BÁO CÁO KẾT QUẢ KIỂM ĐIỂM, ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG NĂM 2025"
    )
    assert sheets["Thông tin"][1] == ("Tổ chức", "Tỉnh ủy Lam Sơn")
    titles = [rows[0][0] for name, rows in sheets.items() if name.startswith("Bảng")]
    assert titles == [t for t, _h, _r in docs.report_tables(report)]
    summary = sheets["Bảng 1"]
    (members,) = [r for r in summary if r[0] == "Đảng viên"]
    stats = report["populations"]["members"]
    assert members[1] == stats["rated"]
    excellent = stats["levels"]["HTXSNV"]
    assert members[2:5] == (excellent["n"], excellent["percent"], excellent["fraction"])
    deadlines = sheets["Bảng 7"]
    (late,) = [r for r in deadlines if r[0] == "Đảng bộ cấp trên cơ sở"]
    assert late[5] == "Huyện ủy Đông Sơn (2026-01-20)"
    assert late[7] == "Muộn"


def test_report_pdf_text_keeps_its_diacritics(history_store):
    services, history, _admin = history_store
    report = services.reports.report(history.orgs[PROVINCE], 2024, today=TODAY)
    text = flat(pdf_text(docs.report_pdf(report)))
    for phrase in (
        "BÁO CÁO KẾT QUẢ KIỂM ĐIỂM, ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG NĂM 2024",
        "Tỉnh ủy Lam Sơn",
        "Hoàn thành xuất sắc nhiệm vụ",
        "Miễn công tác và sinh hoạt đảng",
        "Đánh giá, xếp loại lại (Mẫu 03)",
        "Chi bộ trực thuộc",
        "124-QĐ/TW",
    ):
        assert phrase in text, phrase
    members = report["populations"]["members"]["levels"]["HTTNV"]["percent"]
    assert members in text


def test_dossier_pdf_marks_each_item_of_article_17(history_store):
    services, history, _admin = history_store
    key = history.key(STREAK)
    dossier = services.reports.dossier(history.cycles[2025], key)
    present = {i["item"]: i["present"] for i in dossier["items"]}
    assert len(present) == 9
    assert present["appraisal"] is True
    assert present["conclusion"] is True
    assert present["minutes"] is False  # the history holds no review meetings
    text = flat(pdf_text(docs.dossier_pdf(dossier)))
    assert "DANH MỤC HỒ SƠ KIỂM ĐIỂM, ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG" in text
    assert "Biên bản hội nghị kiểm điểm Không có" in text
    assert "Kết luận đánh giá, xếp loại chất lượng của cấp có thẩm quyền Có" in text
    assert "Lê Văn Bảo" in text


def test_rerating_pdf_is_the_decision_of_form_03(history_store):
    services, history, _admin = history_store
    key = history.key(RERATED)
    decision = services.reports.rerating(history.cycles[RERATE_YEAR], key)
    assert (decision["previous_level"], decision["level"]) == ("HTTNV", "HTNV")
    assert decision["authority"] == "Đảng ủy xã Đông Hòa"
    text = flat(pdf_text(docs.rerating_pdf(decision)))
    assert "Mẫu 03-HD KĐ.ĐG" in text
    assert "về việc đánh giá, xếp loại lại đảng viên năm 2024" in text
    assert "Hủy bỏ kết quả xếp loại chất lượng năm 2024" in text
    assert "Hoàn thành tốt nhiệm vụ" in text
    assert "03-QĐ/2024" in text
    from services.errors import NotFoundError

    with pytest.raises(NotFoundError):
        services.reports.rerating(history.cycles[2025], history.key((CELL_1, 1)))


def test_the_demo_province_report_for_2025_agrees_with_the_statistics_page(
    services, admin
):
    load_demo(services, admin.signer)
    province = organisation_id("tinh-uy-song-hong")
    report = services.reports.report(province, 2025)
    (cycle,) = report["cycles"]
    stats = services.ratings.statistics(cycle["cycle_id"], province)
    district = services.ratings.statistics(
        cycle["cycle_id"], organisation_id("huyen-uy-phu-loc")
    )
    for pop, theirs in stats.items():
        mine = report["populations"][pop]
        assert (mine["rated"], mine["pending"], mine["exempt"], mine["levels"]) == (
            theirs["rated"],
            theirs["pending"],
            theirs["exempt"],
            theirs["levels"],
        )
        assert district[pop]["levels"] == theirs["levels"]
    assert report["populations"]["members"]["levels"]["HTTNV"]["n"] >= 1
    sheets = sheet_rows(docs.report_xlsx(report))
    (members,) = [r for r in sheets["Bảng 1"] if r[0] == "Đảng viên"]
    good = stats["members"]["levels"]["HTTNV"]
    assert members[5:8] == (good["n"], good["percent"], good["fraction"])
    text = flat(pdf_text(docs.report_pdf(report)))
    assert "Tỉnh ủy Sông Hồng" in text
    assert "Hoàn thành tốt nhiệm vụ" in text
    assert good["percent"] in text
    assert report["confidence"]["votes"] >= 1
