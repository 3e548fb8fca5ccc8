"""Commendations: streaks, proposals and the award rule (06-HD/TW mục 19.2)."""

from datetime import date
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.commendations import (
    AwardKind,
    Commendation,
    consecutive_years,
    five_year_kind,
    proposed_kinds,
)
from domain.errors import DomainError

LEVELS = st.sampled_from(["HTXSNV", "HTTNV", "HTNV", "KHTNV", None])
ORG = uuid4()


def grant(kind="five_year_certificate", year=2025, history=None, **overrides):
    history = (
        history
        if history is not None
        else {
            y: {"level": "HTXSNV", "decision_no": f"{y}-QĐ"} for y in range(2021, 2026)
        }
    )
    args = {
        "award_id": uuid4(),
        "subject_key": "m:1",
        "subject_name": "Lê Văn Bảo",
        "subject_kind": "individual",
        "subject_path": [str(uuid4()), str(ORG)],
        "kind": kind,
        "year": year,
        "history": history,
        "five_year": AwardKind.FIVE_YEAR_CERTIFICATE,
        "awarding_org_id": ORG,
        "awarding_org_name": "Huyện ủy Đông Sơn",
        "awarding_class": "district_committee",
        "decision_no": "12-QĐ/HU",
        "decided_on": date(2026, 2, 1),
        "granted_by": "u:x",
    }
    args.update(overrides)
    return Commendation.grant(**args)


@given(st.dictionaries(st.integers(2015, 2030), LEVELS), st.integers(2015, 2030))
def test_the_streak_counts_excellent_years_ending_in_the_year(levels, year):
    n = consecutive_years(levels, year)
    assert all(levels.get(year - i) == "HTXSNV" for i in range(n))
    assert levels.get(year - n) != "HTXSNV"


@given(st.dictionaries(st.integers(2015, 2030), LEVELS), st.integers(2015, 2030))
def test_a_five_year_proposal_needs_five_excellent_years(levels, year):
    kinds = proposed_kinds(levels, year, AwardKind.FIVE_YEAR_MERIT)
    five = all(levels.get(year - i) == "HTXSNV" for i in range(5))
    assert (AwardKind.FIVE_YEAR_MERIT in kinds) == five
    assert (AwardKind.YEAR_CERTIFICATE in kinds) == (levels.get(year) == "HTXSNV")


def test_a_gap_breaks_the_streak():
    levels = {2021: "HTXSNV", 2022: "HTXSNV", 2023: "HTTNV", 2024: "HTXSNV"}
    levels[2025] = "HTXSNV"
    assert consecutive_years(levels, 2025) == 2
    assert proposed_kinds(levels, 2025, AwardKind.FIVE_YEAR_CERTIFICATE) == [
        AwardKind.YEAR_CERTIFICATE
    ]


def test_an_award_records_its_basis():
    award = grant()
    (created,) = award.collect_events()
    assert created.basis_years == [2021, 2022, 2023, 2024, 2025]
    assert created.basis[0] == {
        "year": 2021,
        "level": "HTXSNV",
        "decision_no": "2021-QĐ",
    }
    assert created.awarding_level == "above_grassroots_standing"
    assert created.guidance == "06-HD/TW mục 19.2"


def test_an_award_without_the_history_is_refused():
    history = {y: {"level": "HTXSNV", "decision_no": "x"} for y in range(2021, 2026)}
    history[2023] = {"level": "HTTNV", "decision_no": "y"}
    with pytest.raises(DomainError) as err:
        grant(history=history)
    assert err.value.code == "commendation.basis_not_supported"
    assert err.value.details["year"] == 2023


def test_a_year_award_needs_that_year_only():
    history = {2025: {"level": "HTXSNV", "decision_no": "x"}}
    (created,) = grant(
        kind="year_certificate", history=history, awarding_class="grassroots_cell"
    ).collect_events()
    assert created.basis_years == [2025]
    with pytest.raises(DomainError) as err:
        grant(kind="year_certificate", history={}, awarding_class="grassroots_cell")
    assert err.value.code == "commendation.basis_not_supported"


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"kind": "five_year_merit"}, "commendation.kind_not_configured"),
        ({"kind": "huan_chuong"}, "commendation.kind_unknown"),
        ({"subject_kind": "collective"}, "commendation.subject_not_member"),
        ({"awarding_class": "grassroots_cell"}, "commendation.awarding_level"),
        ({"subject_path": [str(uuid4())]}, "commendation.awarding_org_not_above"),
        ({"decision_no": "  "}, "commendation.decision_no_required"),
        ({"decided_on": date(2024, 12, 1)}, "commendation.decided_before_year"),
    ],
)
def test_refusals(overrides, code):
    with pytest.raises(DomainError) as err:
        grant(**overrides)
    assert err.value.code == code


def test_the_five_year_tier_is_configurable():
    assert five_year_kind(None) is AwardKind.FIVE_YEAR_CERTIFICATE
    assert five_year_kind("five_year_merit") is AwardKind.FIVE_YEAR_MERIT
    with pytest.raises(DomainError):
        five_year_kind("year_certificate")
