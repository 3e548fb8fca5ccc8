"""The demo's collective reports (services/demo_reports.py): every kind of
collective gets every section of Mẫu 01, in the template's order, as text the
domain takes whole, naming the collective and the year, the same every time."""

from __future__ import annotations

import unicodedata

import pytest

from domain.org_kinds import OrganisationKind
from domain.reviews import sections_of
from domain.rulebooks import FORM_SECTIONS
from services.demo_reports import collective_report


@pytest.mark.parametrize("kind", [k.value for k in OrganisationKind])
def test_every_kind_gets_every_section_the_domain_takes_whole(kind):
    report = collective_report(kind, "Chi bộ thôn Phú An", 2025)
    assert list(report) == list(FORM_SECTIONS["01"])
    assert sections_of("01", report) == report  # nothing blank, nothing cut
    for text in report.values():
        assert unicodedata.is_normalized("NFC", text)
        assert not {"{", "}"} & set(text)  # every blank filled in
    assert "Chi bộ thôn Phú An" in report["results"]
    assert "năm 2025" in report["results"]
    assert "năm 2024" in report["remediation"]  # the previous review's
    assert "năm 2026" in report["measures"]
    assert collective_report(kind, "Chi bộ thôn Phú An", 2025) == report


def test_a_chi_bo_a_leadership_and_a_committee_write_their_own_report():
    cell = collective_report("cell", "Chi bộ xóm Đông", 2024)
    btv = collective_report("leadership_collective", "Ban Thường vụ Huyện ủy", 2024)
    committee = collective_report("district_committee", "Huyện ủy Yên Thành", 2024)
    assert "sinh hoạt chi bộ" in cell["results"]
    assert "tập thể lãnh đạo" in btv["shortcomings"]
    assert "chi bộ trực thuộc" in committee["suggestions"]
    assert len({cell["results"], btv["results"], committee["results"]}) == 3
