"""Mẫu 03 (quyết định xếp loại lại), Mẫu 04 (danh mục hồ sơ) and the vote-count
minutes (biên bản kiểm phiếu, 96-QĐ/TW) as official printouts. Each builder takes
what the service's read method returns (``reports.rerating``, ``reports.dossier``,
the vote row and its published results); nothing here computes a rule.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from domain.explain import level_name
from services.printouts import layout
from services.printouts.layout import Header, Signature
from votes.printing import TallyRow

DOSSIER_NAMES = {
    "self_reviews": "Bản tự kiểm điểm của cá nhân, báo cáo kiểm điểm của tập thể",
    "residence_comment": "Nhận xét của chi ủy, chi bộ nơi cư trú",
    "minutes": "Biên bản hội nghị kiểm điểm",
    "appraisal": "Báo cáo tổng hợp, thẩm định của cơ quan tham mưu về tổ chức",
    "conclusion": "Kết luận đánh giá, xếp loại chất lượng của cấp có thẩm quyền",
    "suggestions": "Văn bản gợi ý kiểm điểm (nếu có)",
    "opinions": "Văn bản tham gia ý kiến của các cơ quan liên quan (nếu có)",
    "complaints": "Hồ sơ giải quyết khiếu nại, tố cáo về đánh giá, xếp loại (nếu có)",
    "other": "Các tài liệu khác có liên quan",
}


def dossier_pdf(dossier: Mapping[str, Any]) -> bytes:
    """Mẫu 04-HD KĐ.ĐG: danh mục hồ sơ kiểm điểm, đánh giá, xếp loại."""
    pdf = layout.new_document()
    layout.party_header(
        pdf, Header("Mẫu 04-HD KĐ.ĐG", (dossier["organisation"],), "", "DM/…")
    )
    layout.title(
        pdf,
        "DANH MỤC HỒ SƠ KIỂM ĐIỂM, ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG",
        f"năm {dossier['year']}",
    )
    level = level_name(dossier["level"]) if dossier["level"] else "chưa có"
    layout.fields(
        pdf,
        [
            ("Đối tượng", dossier["name"]),
            ("Tổ chức", dossier["organisation"]),
            ("Kết quả xếp loại", level),
        ],
    )
    rows = [
        [
            str(n),
            DOSSIER_NAMES[item["item"]],
            "Có" if item["present"] else "Không có",
            "; ".join(_evidence(x) for x in item["evidence"]) or "—",
        ]
        for n, item in enumerate(dossier["items"], start=1)
    ]
    layout.table(
        pdf,
        None,
        ("TT", "Tài liệu (Điều 17 Quy định 366-QĐ/TW)", "Tình trạng", "Căn cứ"),
        rows,
        (10, 95, 22, 48),
        11,
    )
    layout.paragraph(
        pdf,
        'Tình trạng lấy từ các sự kiện đã ký số trong hệ thống; "Căn cứ" ghi ngày '
        "hoặc số quyết định của sự kiện tương ứng.",
        "I",
        11,
    )
    layout.signatures(
        pdf,
        [
            Signature(("Người lập danh mục",)),
            Signature((f"T/M {dossier['organisation']}",), "(Ký, ghi rõ họ tên)"),
        ],
    )
    return layout.finish(pdf)


def _evidence(value: Any) -> str:
    """A date as dd/mm/yyyy; a decision number or a count as it is."""
    text = str(value)
    if len(text) == 10 and layout.as_date(text) is not None:
        return layout.vn_date(text)
    return text


def rerating_pdf(decision: Mapping[str, Any]) -> bytes:
    """Mẫu 03-HD KĐ.ĐG: quyết định đánh giá, xếp loại lại tổ chức đảng, đảng viên."""
    who = "đảng viên" if decision["kind"] == "individual" else "tổ chức đảng"
    authority = decision["authority"] or "Cấp có thẩm quyền"
    pdf = layout.new_document()
    layout.party_header(
        pdf,
        Header(
            "Mẫu 03-HD KĐ.ĐG",
            (authority,),
            f"Số {decision['decision_no']}",
            on=decision["decided_on"],
        ),
    )
    layout.title(
        pdf,
        "QUYẾT ĐỊNH",
        f"về việc đánh giá, xếp loại lại {who} năm {decision['year']}",
    )
    layout.title(pdf, authority.upper())
    layout.paragraph(
        pdf,
        f"- Căn cứ Quy định {decision['regulation']} về kiểm điểm và đánh giá, xếp "
        "loại chất lượng hằng năm đối với tập thể, cá nhân trong hệ thống chính trị;\n"
        + succession_basis(decision.get("succession"))
        + f"- Xét lý do: {decision['reason']}",
        "I",
    )
    layout.title(pdf, "QUYẾT ĐỊNH")
    for n, text in enumerate(
        (
            f"Hủy bỏ kết quả xếp loại chất lượng năm {decision['year']} của "
            f"{decision['name']}: {level_name(decision['previous_level'])}.",
            f"Đánh giá, xếp loại lại {decision['name']} năm {decision['year']}: "
            f"{level_name(decision['level'])}.",
            "Các cơ quan, tổ chức và cá nhân có liên quan chịu trách nhiệm thi hành "
            "Quyết định này.",
        ),
        start=1,
    ):
        layout.article(pdf, f"Điều {n}.", text)
    layout.paragraph(pdf, f"Giải thích: {decision['explanation']}", "I", 12)
    layout.signatures(
        pdf,
        [Signature((f"T/M {authority}",), "(Ký, ghi rõ họ tên, đóng dấu)")],
        ("Như Điều 3,", "Lưu hồ sơ."),
    )
    return layout.finish(pdf)


def succession_basis(succession: Mapping[str, Any] | None) -> str:
    """The decisions a successor relied on to re-rate a decision of an
    organisation that ended (docs/rules.md), one "Căn cứ" line each."""
    if not succession:
        return ""
    return "".join(
        f"- Căn cứ Quyết định số {link['decision_no']} ngày "
        f"{layout.vn_date(link['effective_on'])} về việc sắp xếp, tổ chức lại, "
        f"theo đó {succession['successor_name']} kế tục "
        f"{succession['ended_authority_name']};\n"
        for link in succession.get("links", [])
    )


def tally_minutes_pdf(
    title: str,
    organisation: str,
    conference_date: str | None,
    facts: Sequence[tuple[str, str]],
    rows: Sequence[TallyRow],
    notes: Sequence[str],
) -> bytes:
    """Biên bản kiểm phiếu lấy phiếu tín nhiệm (96-QĐ/TW), landscape A4."""
    pdf = layout.new_document("L")
    layout.party_header(
        pdf,
        Header("Biên bản kiểm phiếu", (organisation,), "", "BB/…", on=conference_date),
    )
    layout.title(pdf, "BIÊN BẢN KIỂM PHIẾU", f"lấy phiếu tín nhiệm: {title}")
    layout.fields(pdf, facts)
    headers = (
        "TT",
        "Họ và tên, chức vụ",
        "Phát ra",
        "Thu về",
        "Hợp lệ",
        "Không hợp lệ",
        "Tín nhiệm cao",
        "Tín nhiệm",
        "Tín nhiệm thấp",
        "Kết quả",
    )
    cells = [
        (
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
        )
        for r in rows
    ]
    layout.table(
        pdf,
        "Kết quả kiểm phiếu",
        headers,
        cells,
        (9, 70, 15, 15, 15, 18, 27, 27, 27, 45),
        10.5,
    )
    for note in notes:
        layout.paragraph(pdf, note, "I", 11)
    layout.signatures(
        pdf,
        [
            Signature(("Các thành viên tổ kiểm phiếu",)),
            Signature(("T/M Tổ kiểm phiếu", "Tổ trưởng")),
        ],
    )
    return layout.finish(pdf)
