"""Mẫu 01 (báo cáo kiểm điểm của tập thể) and Mẫu 2A / 2B / 2C (bản kiểm điểm của
cá nhân) as official printouts, from the same reads as the subject page: the cycle
and subject rows, the subject's timeline (the signed report and self-review texts),
the organisation names and the remediation items carried from the previous year.

The sections follow the template's order (domain.md §9, interpretation); a
section that the form does not have (V for 2B and 2C) is printed with one line
that says why; part B (tự đánh giá, xếp loại) concludes the sections.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from domain.explain import level_name
from services.printouts import layout
from services.printouts.layout import Header, Signature

FORM_TITLES = {
    "2A": "cá nhân giữ chức vụ lãnh đạo, quản lý",
    "2B": "cá nhân không giữ chức vụ lãnh đạo, quản lý",
    "2C": "đảng viên không làm việc trong hệ thống chính trị",
}
# Part A of the self-review: (key, heading), in the template's order.
SELF_REVIEW_SECTIONS: tuple[tuple[str, str], ...] = (
    ("strengths", "I. Ưu điểm, kết quả đạt được"),
    ("shortcomings", "II. Hạn chế, khuyết điểm và nguyên nhân"),
    ("remediation", "III. Kết quả khắc phục hạn chế, khuyết điểm kỳ trước"),
    ("suggestions", "IV. Giải trình các vấn đề được gợi ý kiểm điểm"),
    (
        "responsibility",
        "V. Làm rõ trách nhiệm đối với hạn chế, khuyết điểm của tập thể",
    ),
    ("measures", "VI. Phương hướng, biện pháp khắc phục"),
)
FORM_SECTIONS: dict[str, tuple[str, ...]] = {
    "2A": tuple(k for k, _ in SELF_REVIEW_SECTIONS),
    "2B": ("strengths", "shortcomings", "remediation", "suggestions", "measures"),
    "2C": ("strengths", "shortcomings", "remediation", "suggestions", "measures"),
}
OMITTED_WHY = {
    "responsibility": (
        "mục này chỉ dành cho cá nhân giữ chức vụ lãnh đạo, quản lý (Mẫu 2A); "
        "người không giữ chức vụ không chịu trách nhiệm người đứng đầu đối với "
        "hạn chế, khuyết điểm của tập thể."
    ),
}
POST_NAMES = {
    "head": "Người đứng đầu",
    "deputy": "Cấp phó",
    "member": "Thành viên, ủy viên",
}
EMPTY_SECTION = "Không có nội dung (mục không bắt buộc, người kiểm điểm để trống)."
# Mẫu 01, the collective's report (key, heading), in the template's order: I–V
# are the report's own text (``FORM_SECTIONS["01"]``), VI is the self-rating.
COLLECTIVE_SECTIONS: tuple[tuple[str, str], ...] = (
    ("results", "I. Ưu điểm, kết quả đạt được"),
    ("shortcomings", "II. Hạn chế, khuyết điểm và nguyên nhân"),
    (
        "remediation",
        "III. Kết quả khắc phục hạn chế, khuyết điểm đã được cấp có thẩm quyền "
        "kết luận hoặc chỉ ra ở các kỳ kiểm điểm trước",
    ),
    ("suggestions", "IV. Giải trình các vấn đề được gợi ý kiểm điểm (nếu có)"),
    ("measures", "V. Phương hướng, biện pháp khắc phục hạn chế, khuyết điểm"),
    ("rating", "VI. Tự đánh giá, xếp loại chất lượng"),
)
NO_CARRIED = "Kỳ trước không có hạn chế, khuyết điểm cần khắc phục."
NO_SUGGESTIONS = "Không có vấn đề được gợi ý kiểm điểm."


class NotPrintable(LookupError):
    """The venue has no signed report or self-review to print yet."""


@dataclass(frozen=True)
class ReviewSource:
    """What the subject page reads, for one venue of one subject."""

    cycle: Mapping[str, Any]
    subject: Mapping[str, Any]
    venue_id: str
    names: Mapping[str, str]
    timeline: Sequence[Mapping[str, Any]]
    carried_items: Sequence[Mapping[str, Any]] = ()
    remediation_labels: Mapping[str, str] | None = None


def section_plan(form: str) -> list[tuple[str, str, bool]]:
    """(key, heading, applies) of every part-A section of the template, in order:
    the screen and the PDF print an omitted section with :data:`OMITTED_WHY`."""
    have = FORM_SECTIONS.get(form, ())
    return [(k, h, k in have) for k, h in SELF_REVIEW_SECTIONS]


def _last(source: ReviewSource, step: str) -> Mapping[str, Any] | None:
    found = [
        t
        for t in source.timeline
        if t["step"] == step and str(t.get("venue_id") or "") == source.venue_id
    ]
    return found[-1] if found else None


def _issuer(source: ReviewSource) -> tuple[str, ...]:
    """The venue under its parent, as on the left of the party header."""
    path = [str(p) for p in source.subject.get("path") or ()]
    venue = source.venue_id
    lines: list[str] = []
    if venue in path:
        at = path.index(venue)
        if at + 1 < len(path) and path[at + 1] in source.names:
            lines.append(source.names[path[at + 1]])
    lines.append(source.names.get(venue, source.cycle.get("org_name", "")))
    return tuple(lines)


def _carried(source: ReviewSource) -> str:
    labels = source.remediation_labels or {}
    return "\n".join(
        f"- {c['description']} (chỉ ra năm {c['year']}): "
        f"{labels.get(c['status'], c['status'])}"
        for c in source.carried_items
    )


def _self_rating(subject: Mapping[str, Any]) -> str:
    if not subject.get("self_level"):
        return "Chưa tự xếp loại."
    score = f" ({subject['score']} điểm)" if subject.get("score") else ""
    return f"Tự xếp loại: {level_name(subject['self_level'])}{score}."


def self_review_pdf(source: ReviewSource) -> bytes:
    """Mẫu 2A / 2B / 2C: bản kiểm điểm, tự đánh giá, xếp loại chất lượng cá nhân."""
    submitted = _last(source, "self_review")
    if submitted is None:
        raise NotPrintable("review.self_review_missing")
    form = submitted["detail"]["form"]
    sections: Mapping[str, str] = submitted["detail"]["sections"]
    subject, year = source.subject, source.cycle["year"]
    pdf = layout.new_document()
    layout.party_header(
        pdf,
        Header(f"Mẫu {form}-HD KĐ.ĐG", _issuer(source), None, on=submitted["on_date"]),
    )
    layout.title(
        pdf,
        f"BẢN KIỂM ĐIỂM, TỰ ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG NĂM {year}",
        f"(Dùng cho {FORM_TITLES[form]})",
    )
    posts = "; ".join(
        f"{POST_NAMES.get(role, role)}, {source.names.get(org, '')}".rstrip(", ")
        for org, role in sorted((subject.get("posts") or {}).items())
    )
    # Mẫu 2C asks the birth date (left to fill by hand: personal data stays out
    # of the file); 2A and 2B the post.
    second = ("Ngày sinh", "") if form == "2C" else ("Chức vụ", posts)
    layout.fields(
        pdf,
        [
            ("Họ và tên", subject["name"]),
            second,
            ("Đơn vị công tác", ""),
            ("Chi bộ", source.names.get(source.venue_id, "")),
        ],
    )
    layout.heading(pdf, "A. NỘI DUNG KIỂM ĐIỂM", 12)
    for key, heading, applies in section_plan(form):
        if not applies:
            layout.omitted(pdf, heading, OMITTED_WHY[key])
            continue
        text = sections.get(key, "")
        if key == "remediation" and source.carried_items:
            text = "\n".join(x for x in (text, _carried(source)) if x)
        layout.section(pdf, heading, text or EMPTY_SECTION)
    layout.heading(pdf, "B. TỰ ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG", 12)
    layout.paragraph(pdf, _self_rating(subject))
    layout.signatures(pdf, [Signature(("Người tự kiểm điểm",), name=subject["name"])])
    return layout.finish(pdf)


def report_texts(detail: Mapping[str, Any]) -> Mapping[str, str]:
    """The sections of a circulated report; one circulated as a single text
    (before Mẫu 01 had its sections, a view not yet rebuilt) is section I."""
    sections: Mapping[str, str] | None = detail.get("sections")
    if sections is None:
        return {"results": str(detail.get("summary") or "")}
    return sections


def report_sections(
    source: ReviewSource, detail: Mapping[str, Any]
) -> list[tuple[str, str, str]]:
    """(key, heading, text) of every section of Mẫu 01 in the template's order,
    as the printout and the subject page show them: III adds the shortcomings
    carried from the previous year, IV the suggestions recorded for the review,
    VI is the self-rating; an empty section says so."""
    texts = report_texts(detail)
    suggested = [
        t["detail"]["text"]
        for t in source.timeline
        if t["step"] == "suggestion" and str(t.get("venue_id") or "") == source.venue_id
    ]
    found: list[tuple[str, str, str]] = []
    for key, heading in COLLECTIVE_SECTIONS:
        text = texts.get(key, "")
        if key == "remediation":
            text = "\n".join(x for x in (text, _carried(source)) if x) or NO_CARRIED
        elif key == "suggestions":
            asked = "\n".join(f"- Gợi ý: {s}" for s in suggested)
            text = "\n".join(x for x in (asked, text) if x) or NO_SUGGESTIONS
        elif key == "rating":
            text = _self_rating(source.subject)
        found.append((key, heading, text or EMPTY_SECTION))
    return found


def collective_report_pdf(source: ReviewSource) -> bytes:
    """Mẫu 01-HD KĐ.ĐG: báo cáo kiểm điểm, tự đánh giá, xếp loại của tập thể."""
    report = _last(source, "report_circulated")
    if report is None:
        raise NotPrintable("review.report_not_circulated")
    subject, year = source.subject, source.cycle["year"]
    pdf = layout.new_document()
    layout.party_header(
        pdf,
        Header(
            "Mẫu 01-HD KĐ.ĐG",
            _issuer(source),
            "",
            "BC/…",
            on=report["on_date"],
        ),
    )
    layout.title(
        pdf,
        "BÁO CÁO",
        f"kiểm điểm, tự đánh giá, xếp loại chất lượng năm {year}",
        f"của {subject['name']}",
    )
    layout.paragraph(
        pdf,
        f"Dự thảo gửi người dự hội nghị ngày {layout.vn_date(report['on_date'])}.",
        "I",
        12,
    )
    for _key, heading, body in report_sections(source, report["detail"]):
        layout.section(pdf, heading, body)
    layout.signatures(
        pdf,
        [Signature((f"T/M {subject['name']}",), "(Ký, ghi rõ họ tên, chức vụ)")],
        ("Cấp ủy cấp trên (báo cáo),", "Người dự hội nghị,", "Lưu hồ sơ."),
    )
    return layout.finish(pdf)
