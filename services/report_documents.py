"""The documents of issue 6 as files: the report upward as XLSX (every table on
its own sheet, the exact fraction beside each displayed percentage) and as PDF;
a subject's file list (Mẫu 04-HD KĐ.ĐG) and a re-rating decision (Mẫu 03-HD
KĐ.ĐG) as PDF in the official layout of :mod:`services.printouts` (fonts with
every Vietnamese letter, embedded); the web pages and ``kiemdiem export`` share
these builders.

The figures come from :mod:`services.reports`; nothing here computes a rule.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import date
from fractions import Fraction
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from domain.explain import level_name
from domain.statistics import GOOD_OR_BETTER_LABEL
from services.printouts import documents as printed
from services.printouts import layout
from services.spreadsheet import Day, Percent, append_row, fit_columns

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"
LEVELS = ("HTXSNV", "HTTNV", "HTNV", "KHTNV")
POPULATION_NAMES = {
    "party_orgs": "Tổ chức đảng",
    "members": "Đảng viên",
    "leadership_collectives": "Tập thể lãnh đạo, quản lý",
    "leaders": "Cá nhân lãnh đạo, quản lý",
}
ORG_TYPE_NAMES = {
    "provincial_committee": "Đảng bộ tỉnh",
    "district_committee": "Đảng bộ cấp trên cơ sở",
    "grassroots_committee": "Đảng bộ cơ sở",
    "grassroots_cell": "Chi bộ cơ sở",
    "subordinate_cell": "Chi bộ trực thuộc",
}
EXEMPT_NAMES = {
    "exempt_party_activity": "Miễn công tác và sinh hoạt đảng",
    "party_activity_suspended": "Đình chỉ sinh hoạt đảng",
    "admitted_lt_6_months": "Mới kết nạp chưa đủ 6 tháng",
}
DEADLINE_LEVEL_NAMES = {
    "member": "Đảng viên",
    "leader": "Cán bộ lãnh đạo, quản lý",
    "cell": "Chi bộ",
    "grassroots_committee": "Đảng bộ cơ sở",
    "district_committee": "Đảng bộ cấp trên cơ sở",
    "provincial_committee": "Đảng bộ tỉnh",
    "leadership_collective": "Tập thể lãnh đạo, quản lý",
}
MILESTONE_NAMES = {"review": "Kiểm điểm", "rating": "Xếp loại", "report": "Báo cáo"}
DOSSIER_NAMES = printed.DOSSIER_NAMES
REMEDIATION_STATUSES = {
    "OPEN": "Chưa có kế hoạch",
    "IN_PROGRESS": "Đang khắc phục",
    "DONE": "Báo cáo hoàn thành, chờ xác nhận",
    "VERIFIED": "Đã được xác nhận khắc phục",
    "NOT_DONE": "Không được xác nhận",
    "RECURRED": "Tái diễn",
}
BANDS = {
    "GT_HALF": "Trên 1/2 đến dưới 2/3 tín nhiệm thấp",
    "GTE_TWO_THIRDS": "Từ 2/3 trở lên tín nhiệm thấp",
}
PERCENT_NOTE = (
    "Tỉ lệ phần trăm tính trên số đã được xếp loại (không tính đối tượng được miễn "
    "và chưa xếp loại), làm tròn hai chữ số thập phân; phân số chính xác ghi bên cạnh."
)


def _names(names: list[str], total: int) -> str:
    """The names a report lists, and how many more there are (the report
    names the first few; the whole list is a page of its own)."""
    text = "; ".join(names) or "—"
    more = total - len(names)
    return f"{text} và {more} đối tượng khác" if more > 0 else text


def _dash(value: Any) -> str:
    return "—" if value is None or value == "" else str(value)


def _day(value: str | None) -> Day | str:
    """An ISO day of the report as a date cell (shown dd/mm/yyyy); a dash if none."""
    return Day(date.fromisoformat(value)) if value else "—"


def _share(entry: Mapping[str, Any], rated: int) -> Percent | str:
    """A level's percentage: a number in the spreadsheet, its text elsewhere."""
    if entry["percent"] is None or not rated:
        return "—"
    return Percent(Fraction(int(entry["n"]), int(rated)), str(entry["percent"]))


# -- the report's tables, shared by XLSX and PDF ---------------------------------------
def report_tables(
    report: Mapping[str, Any],
) -> list[tuple[str, list[str], list[list[Any]]]]:
    """(title, headers, rows) of every table of the report."""
    level_headers = [h for lv in LEVELS for h in (level_name(lv), "Tỉ lệ", "Phân số")]
    level_headers += [GOOD_OR_BETTER_LABEL, "Tỉ lệ", "Phân số"]

    def level_cells(stats: Mapping[str, Any]) -> list[Any]:
        cells: list[Any] = []
        for entry in [*(stats["levels"][lv] for lv in LEVELS), stats["good_or_better"]]:
            cells += [
                entry["n"],
                _share(entry, stats["rated"]),
                _dash(entry["fraction"]),
            ]
        return cells

    tables = []
    tables.append(
        (
            "Kết quả xếp loại theo đối tượng",
            ["Đối tượng", "Đã xếp loại", *level_headers, "Chưa xếp loại", "Được miễn"],
            [
                [
                    POPULATION_NAMES[pop],
                    s["rated"],
                    *level_cells(s),
                    s["pending"],
                    sum(s["exempt"].values()),
                ]
                for pop, s in report["populations"].items()
            ],
        )
    )
    tables.append(
        (
            "Tổ chức đảng theo loại hình",
            ["Loại hình", "Đã xếp loại", *level_headers, "Chưa xếp loại"],
            [
                [ORG_TYPE_NAMES.get(k, k), s["rated"], *level_cells(s), s["pending"]]
                for k, s in report["party_org_types"].items()
            ],
        )
    )
    tables.append(
        (
            "Đối tượng được miễn kiểm điểm, xếp loại",
            ["Lý do", *POPULATION_NAMES.values(), "Tổng"],
            [
                [
                    EXEMPT_NAMES.get(reason, reason),
                    *(
                        report["populations"][pop]["exempt"].get(reason, 0)
                        for pop in POPULATION_NAMES
                    ),
                    n,
                ]
                for reason, n in report["exempt"].items()
            ],
        )
    )
    rerated = report["rerated"]
    tables.append(
        (
            "Đánh giá, xếp loại lại (Mẫu 03)",
            [
                "Họ tên / tổ chức",
                "Đối tượng",
                "Mức sau xếp loại lại",
                "Số quyết định",
                "Ngày",
            ],
            [
                [
                    r["name"],
                    POPULATION_NAMES[r["population"]],
                    level_name(r["level"]) if r["level"] else "—",
                    _dash(r["decision_no"]),
                    _day(r["decided_on"]),
                ]
                for r in rerated["subjects"]
            ],
        )
    )
    conf = report["confidence"]
    tables.append(
        (
            "Lấy phiếu tín nhiệm",
            [
                "Số cuộc lấy phiếu",
                "Đã công bố kết quả",
                "Số người được lấy phiếu",
                "Trên 1/2 tín nhiệm thấp",
                "Từ 2/3 trở lên tín nhiệm thấp",
            ],
            [
                [
                    conf["votes"],
                    conf["held"],
                    conf["leaders"],
                    conf["gt_half"],
                    conf["gte_two_thirds"],
                ]
            ],
        )
    )
    tables.append(
        (
            "Người được lấy phiếu thuộc diện xem xét",
            ["Họ và tên", "Chức vụ", "Phiếu thu về", "Tín nhiệm thấp", "Tỉ lệ", "Mức"],
            [
                [
                    r["name"],
                    r["post"],
                    r["returned"],
                    r["low"],
                    _dash(r["low_percent"]),
                    BANDS[r["band"]],
                ]
                for r in conf["results"]
                if r["band"]
            ],
        )
    )
    tables.append(
        (
            "Thời hạn theo kế hoạch",
            [
                "Cấp",
                "Mốc",
                "Hạn",
                "Số đối tượng",
                "Đúng hạn",
                "Hoàn thành muộn",
                "Chưa hoàn thành",
                "Tình trạng",
            ],
            [
                [
                    DEADLINE_LEVEL_NAMES.get(d["level"], d["level"]),
                    MILESTONE_NAMES.get(d["milestone"], d["milestone"]),
                    _day(d["due"]),
                    d["subjects"],
                    d["on_time"],
                    _names(
                        [
                            f"{x['name']} ({_day(x['done_on'])})".strip()
                            for x in d["late_done"]
                        ],
                        d.get("late_count", len(d["late_done"])),
                    ),
                    _names(d["open"], d.get("open_count", len(d["open"]))),
                    "Quá hạn"
                    if d["overdue"]
                    else ("Muộn" if d["late"] else "Đúng hạn"),
                ]
                for d in report["deadlines"]
            ],
        )
    )
    tables.append(
        (
            "Đảng viên theo tổ chức trực thuộc",
            ["Tổ chức", "Đã xếp loại", *level_headers, "Được miễn"],
            [
                [
                    c["name"],
                    c["members"]["rated"],
                    *level_cells(c["members"]),
                    sum(c["members"]["exempt"].values()),
                ]
                for c in report["children"]
            ],
        )
    )
    remediation = report.get("remediation")
    if remediation is not None:
        year = report["year"]
        tables.append(
            (
                "Khắc phục hạn chế, khuyết điểm",
                [
                    "Hạn chế, khuyết điểm",
                    "Tổng số",
                    *REMEDIATION_STATUSES.values(),
                    "Quá hạn",
                    "Sắp đến hạn",
                ],
                [
                    [
                        label,
                        counts["total"],
                        *(counts.get(s, 0) for s in REMEDIATION_STATUSES),
                        counts["overdue"],
                        counts["due_soon"],
                    ]
                    for label, counts in (
                        (
                            f"Chỉ ra tại kỳ kiểm điểm năm {year - 1}",
                            remediation["previous"],
                        ),
                        (f"Chỉ ra tại kỳ kiểm điểm năm {year}", remediation["found"]),
                    )
                ],
            )
        )
    return tables


def title_of(report: Mapping[str, Any]) -> str:
    return (
        f"BÁO CÁO KẾT QUẢ KIỂM ĐIỂM, ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG NĂM {report['year']}"
    )


def _regimes(report: Mapping[str, Any]) -> str:
    return ", ".join(sorted({c["regulation"] for c in report["cycles"]})) or "—"


def tree_of(report: Mapping[str, Any]) -> str:
    """Which tree the report is rolled up by (issue 12), in words."""
    day = layout.vn_date(report["tree_on"])
    if report.get("tree_is_report_date", True):
        return f"tại ngày báo cáo ({day})"
    return f"như tại ngày {day}"


def report_xlsx(report: Mapping[str, Any]) -> bytes:
    book = Workbook()
    first = book.active
    first.title = "Thông tin"
    append_row(first, [title_of(report)])
    first["A1"].font = Font(bold=True, size=13)
    append_row(first, ["Tổ chức", report["org"]["name"]])
    append_row(first, ["Năm", report["year"]])
    append_row(first, ["Quy định áp dụng", _regimes(report)])
    append_row(first, ["Tình hình tính đến ngày", date.fromisoformat(report["today"])])
    append_row(first, ["Tổng hợp theo cây tổ chức", tree_of(report)])
    append_row(first, [PERCENT_NOTE])
    first.column_dimensions["A"].width = 28
    first.column_dimensions["B"].width = 40
    for n, (title, headers, rows) in enumerate(report_tables(report), start=1):
        sheet = book.create_sheet(f"Bảng {n}")
        append_row(sheet, [title])
        sheet["A1"].font = Font(bold=True)
        append_row(sheet, headers)
        for cell in sheet[2]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True)
        for row in rows:
            append_row(sheet, row)
        fit_columns(sheet, skip_rows=1, least=10, most=34)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def report_pdf(report: Mapping[str, Any]) -> bytes:
    pdf = layout.new_document("L")
    layout.party_header(
        pdf, layout.Header("", (report["org"]["name"],), "", "BC/…", on=report["today"])
    )
    layout.title(pdf, title_of(report))
    layout.paragraph(
        pdf,
        f"{report['org']['name']} — quy định áp dụng: {_regimes(report)}; "
        f"tình hình tính đến ngày {layout.vn_date(report['today'])}; "
        f"tổng hợp theo cây tổ chức {tree_of(report)}",
        "I",
        12,
    )
    for n, (title, headers, rows) in enumerate(report_tables(report), start=1):
        widths = [3.0, *([1.0] * (len(headers) - 1))]
        layout.table(pdf, f"Bảng {n}. {title}", headers, rows, widths, 8.5)
    layout.paragraph(pdf, PERCENT_NOTE, "I", 11)
    layout.signatures(
        pdf,
        [layout.Signature((f"T/M {report['org']['name']}",), "(Ký, ghi rõ họ tên)")],
        ("Cấp ủy cấp trên (báo cáo),", "Lưu."),
    )
    return layout.finish(pdf)


def dossier_pdf(dossier: Mapping[str, Any]) -> bytes:
    """Mẫu 04-HD KĐ.ĐG in the official layout (:mod:`services.printouts`)."""
    return printed.dossier_pdf(dossier)


def rerating_pdf(decision: Mapping[str, Any]) -> bytes:
    """Mẫu 03-HD KĐ.ĐG in the official layout (:mod:`services.printouts`)."""
    return printed.rerating_pdf(decision)
