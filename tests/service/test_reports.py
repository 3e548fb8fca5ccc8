"""Reports upward on the five-year history, checked against an independent
recount from the generator's own list of decisions (never from a view); the
exports read back (XLSX cells via openpyxl, PDF text via pypdf, NFC, diacritics
intact), also for the demo province."""

import io
import unicodedata
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from services import report_documents as docs
from services.demo import load_demo
from services.demo_history import (
    CELL_1,
    COMMUNE,
    DISTRICT,
    PROVINCE,
    RERATE_YEAR,
    RERATED,
    STREAK,
    YEARS,
)
from services.errors import NotFoundError
from services.ids import organisation_id

POPULATIONS = ("party_orgs", "members", "leadership_collectives", "leaders")
LEVELS = ("HTXSNV", "HTTNV", "HTNV", "KHTNV")
TODAY = date(2026, 12, 4)


def percent(n, rated):
    """Two decimals, half up, comma — computed here with Decimal, independently."""
    value = (Decimal(n) * 100 / Decimal(rated)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    return f"{value}".replace(".", ",") + "%"


def recount(history, org_id, year, population):
    decided = [
        d
        for d in history.decisions
        if d.year == year and d.population == population and str(org_id) in d.path
    ]
    counts = {lv: sum(1 for d in decided if d.level == lv) for lv in LEVELS}
    exempt: dict[str, int] = {}
    for e in history.exemptions:
        if e.year == year and e.population == population and str(org_id) in e.path:
            exempt[e.reason] = exempt.get(e.reason, 0) + 1
    return counts, exempt


@pytest.mark.parametrize("code", [PROVINCE, DISTRICT, COMMUNE, CELL_1])
def test_rolled_up_percentages_match_an_independent_recount(history_store, code):
    services, history, _admin = history_store
    org = history.orgs[code]
    for year in YEARS:
        report = services.reports.report(org, year, today=TODAY)
        for pop in POPULATIONS:
            counts, exempt = recount(history, org, year, pop)
            rated = sum(counts.values())
            got = report["populations"][pop]
            assert got["rated"] == rated, (year, pop)
            assert got["exempt"] == exempt, (year, pop)
            for level in LEVELS:
                entry = got["levels"][level]
                assert entry["n"] == counts[level], (year, pop, level)
                if rated:
                    assert Fraction(entry["fraction"]) == Fraction(counts[level], rated)
                    assert entry["percent"] == percent(counts[level], rated)
                else:
                    assert entry["percent"] is None


def test_the_history_spans_three_regimes(history_store):
    services, history, _admin = history_store
    regulations = [
        services.reports.report(history.orgs[PROVINCE], y, today=TODAY)["cycles"][0][
            "regulation"
        ]
        for y in YEARS
    ]
    assert regulations == [
        "132-QĐ/TW",
        "132-QĐ/TW",
        "124-QĐ/TW",
        "124-QĐ/TW",
        "366-QĐ/TW",
    ]


def test_report_agrees_with_the_statistics_page(history_store):
    services, history, _admin = history_store
    for code in (PROVINCE, DISTRICT, COMMUNE):
        org = history.orgs[code]
        for year in YEARS:
            stats = services.ratings.statistics(history.cycles[year], org)
            report = services.reports.report(org, year, today=TODAY)
            for pop in POPULATIONS:
                mine, theirs = report["populations"][pop], stats[pop]
                assert mine["rated"] == theirs["rated"]
                assert mine["pending"] == theirs["pending"]
                assert mine["exempt"] == theirs["exempt"]
                assert mine["levels"] == theirs["levels"]


def test_party_organisations_by_type_and_pending(history_store):
    services, history, _admin = history_store
    report = services.reports.report(history.orgs[PROVINCE], 2025, today=TODAY)
    types = report["party_org_types"]
    assert set(types) == {
        "provincial_committee",
        "district_committee",
        "grassroots_committee",
        "grassroots_cell",
        "subordinate_cell",
    }
    assert types["provincial_committee"]["pending"] == 1  # decided outside the tree
    assert types["subordinate_cell"]["rated"] == 1
    assert report["populations"]["party_orgs"]["pending"] == 1


def test_exempt_apart_and_rerated_counted(history_store):
    services, history, _admin = history_store
    province = history.orgs[PROVINCE]
    before = services.reports.report(province, 2023, today=TODAY)
    after = services.reports.report(province, 2024, today=TODAY)
    assert before["exempt"] == {}
    assert after["exempt"] == {"exempt_party_activity": 1}
    assert after["populations"]["members"]["rated"] == (
        before["populations"]["members"]["rated"] - 1
    )
    assert after["rerated"]["total"] == 1
    assert after["rerated"]["by_population"]["members"] == 1
    (row,) = after["rerated"]["subjects"]
    assert row["subject_key"] == history.key(RERATED)
    assert row["level"] == "HTNV"
    assert before["rerated"]["total"] == 0
    assert RERATE_YEAR == 2024


def test_deadlines_show_what_was_late(history_store):
    services, history, _admin = history_store
    report = services.reports.report(history.orgs[PROVINCE], 2025, today=TODAY)
    by_level = {(d["level"], d["milestone"]): d for d in report["deadlines"]}
    district = by_level[("district_committee", "rating")]
    assert district["late"] is True
    assert district["late_done"] == [
        {"name": "Huyện ủy Đông Sơn", "done_on": "2026-01-20"}
    ]
    assert by_level[("member", "rating")]["late"] is False
    assert by_level[("member", "rating")]["on_time"] == 14
    earlier = services.reports.report(history.orgs[PROVINCE], 2023, today=TODAY)
    assert not any(d["late"] for d in earlier["deadlines"])
    # as of a day before the district's deadline nothing is overdue yet
    early = services.reports.report(
        history.orgs[PROVINCE], 2025, today=date(2026, 1, 14)
    )
    assert not any(d["overdue"] for d in early["deadlines"])


def test_history_per_year_and_per_organisation(history_store):
    services, history, _admin = history_store
    _report, histories = services.reports.report_page(
        history.orgs[PROVINCE], 2025, POPULATIONS
    )
    rows = histories["members"]
    assert [r["year"] for r in rows] == list(YEARS)
    for r in rows:
        counts, _ = recount(history, history.orgs[PROVINCE], r["year"], "members")
        assert {lv: r["levels"][lv]["n"] for lv in LEVELS} == counts
    report = services.reports.report(history.orgs[DISTRICT], 2025, today=TODAY)
    assert {c["name"] for c in report["children"]} == {
        "Đảng ủy xã Đông Hòa",
        "Chi bộ Trường THCS Đông Sơn",
    }


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
    n, rated = excellent["n"], stats["rated"]
    assert members[2:5] == (n, pytest.approx(n / rated), excellent["fraction"])
    deadlines = sheets["Bảng 7"]
    (late,) = [r for r in deadlines if r[0] == "Đảng bộ cấp trên cơ sở"]
    assert late[5] == "Huyện ủy Đông Sơn (20/01/2026)"
    assert late[7] == "Muộn"


def test_report_xlsx_numbers_and_dates_are_cells_a_reader_can_sum(history_store):
    """Issue 13 §5: a percentage is a number formatted as one, a day a date
    formatted dd/mm/yyyy, and each column is as wide as what it shows."""
    services, history, _admin = history_store
    report = services.reports.report(history.orgs[PROVINCE], 2025, today=TODAY)
    book = load_workbook(io.BytesIO(docs.report_xlsx(report)))
    day = book["Thông tin"]["B5"]
    assert day.value.date() == TODAY
    assert day.number_format == "DD/MM/YYYY"
    summary = book["Bảng 1"]
    member_row = next(r for r in summary.iter_rows() if r[0].value == "Đảng viên")
    share = member_row[3]
    assert isinstance(share.value, float)
    assert share.number_format == "0.00%"
    assert member_row[4].data_type == "s"  # "2/14" stays text, never a date
    due = next(r for r in book["Bảng 7"].iter_rows(min_row=3))[2]
    assert isinstance(due.value, type(day.value))
    assert due.number_format == "DD/MM/YYYY"
    widths = summary.column_dimensions
    assert widths["A"].width >= len("Đối tượng") + 2
    assert widths["B"].width != widths["A"].width


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
    with pytest.raises(NotFoundError):
        services.reports.rerating(history.cycles[2025], history.key((CELL_1, 1)))


def test_the_demo_province_report_for_2025_agrees_with_the_statistics_page(
    services, admin
):
    load_demo(services, admin.signer)
    province = organisation_id("tinh-uy-song-hong")
    report = services.reports.report(province, 2025)
    # Two 2025 cycles: Huyện ủy Phú Lộc's and that of the đảng bộ xã founded by
    # the merger of 1/7/2025 (services/demo_merger.py); nobody is in both.
    cycles = [c["cycle_id"] for c in report["cycles"]]
    assert len(cycles) == 2
    per_cycle = [services.ratings.statistics(c, province) for c in cycles]
    on_tree = [services.reports.cycle_statistics(c, province) for c in cycles]
    for pop in per_cycle[0]:
        mine = report["populations"][pop]
        for field in ("rated", "pending"):
            assert mine[field] == sum(s[pop][field] for s in per_cycle)
        for level, share in mine["levels"].items():
            assert share["n"] == sum(s[pop]["levels"][level]["n"] for s in per_cycle)
        # the statistics page on today's tree agrees with the projection (the
        # subjects of these cycles did not move after their cycle opened)
        assert [s[pop]["levels"] for s in on_tree] == [
            s[pop]["levels"] for s in per_cycle
        ]
    stats = report["populations"]
    assert stats["members"]["levels"]["HTTNV"]["n"] >= 1
    sheets = sheet_rows(docs.report_xlsx(report))
    (members,) = [r for r in sheets["Bảng 1"] if r[0] == "Đảng viên"]
    good = stats["members"]["levels"]["HTTNV"]
    rated = stats["members"]["rated"]
    assert members[5:8] == (
        good["n"],
        pytest.approx(good["n"] / rated),
        good["fraction"],
    )
    text = flat(pdf_text(docs.report_pdf(report)))
    assert "Tỉnh ủy Sông Hồng" in text
    assert "Hoàn thành tốt nhiệm vụ" in text
    assert good["percent"] in text
    assert report["confidence"]["votes"] >= 1
    # remediation status: the 2024 shortcoming of the demo, still open in 2025
    previous = report["remediation"]["previous"]
    assert previous == services.remediation.status_counts(
        province, 2024, services.today()
    )
    assert previous["total"] >= 1
    assert previous["VERIFIED"] < previous["total"]
    last = sheets[f"Bảng {len(docs.report_tables(report))}"]
    assert last[0][0] == "Khắc phục hạn chế, khuyết điểm"
    assert last[2][:2] == ("Chỉ ra tại kỳ kiểm điểm năm 2024", previous["total"])
    assert "Khắc phục hạn chế, khuyết điểm" in text


def test_remediation_counts_in_the_history_are_zero(history_store):
    services, history, _admin = history_store
    report = services.reports.report(history.orgs[PROVINCE], 2025, today=TODAY)
    assert report["remediation"]["found"]["total"] == 0
    assert report["remediation"]["previous"]["total"] == 0
