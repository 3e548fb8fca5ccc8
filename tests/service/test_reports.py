"""Reports upward on the five-year history, checked against an independent
recount from the generator's own list of decisions (never from a view)."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest

from services.demo_history import (
    CELL_1,
    COMMUNE,
    DISTRICT,
    PROVINCE,
    RERATE_YEAR,
    RERATED,
    YEARS,
)
from tests import history_store as store

history_store = store.history_store
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
    rows = services.reports.history(history.orgs[PROVINCE], "members")
    assert [r["year"] for r in rows] == list(YEARS)
    for r in rows:
        counts, _ = recount(history, history.orgs[PROVINCE], r["year"], "members")
        assert {lv: r["levels"][lv]["n"] for lv in LEVELS} == counts
    report = services.reports.report(history.orgs[DISTRICT], 2025, today=TODAY)
    assert {c["name"] for c in report["children"]} == {
        "Đảng ủy xã Đông Hòa",
        "Chi bộ Trường THCS Đông Sơn",
    }
