"""The rules brought home into domain/ (issue 10): the own-file and verifier
rules, the previous-decision choice, the quota gauge and the SubjectKey value
object; each is pure and is what the handlers and the read side call."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from uuid import UUID, uuid4

import pytest

from domain.accounts import Role
from domain.errors import DomainError
from domain.permissions import (
    HIGHER_COMMITTEE,
    INSPECTION_COMMITTEE,
    Viewer,
    require_own_or_branch,
    verifying_body,
)
from domain.rating_quota import counted, group_counts, over_quota, quota_gauge
from domain.rating_rules import previous_decision, previous_periods
from domain.rating_state import RoundEntry
from domain.rulebooks import Rounding
from domain.subjects import SubjectKey, subject_key

PROVINCE, DISTRICT, CELL, OTHER_CELL = (uuid4() for _ in range(4))
IN_CELL = (PROVINCE, DISTRICT, CELL)
ELSEWHERE = (PROVINCE, OTHER_CELL)
ME, SOMEONE = uuid4(), uuid4()


def viewer(
    *roles: Role, org: UUID | None = DISTRICT, member: UUID | None = None
) -> Viewer:
    return Viewer(frozenset(r.value for r in roles), org, member_id=member)


def code(call: Callable[[], object]) -> str | None:
    try:
        call()
    except DomainError as exc:
        return exc.code
    return None


def own(v: Viewer, path: tuple[UUID, ...], owner: UUID | None) -> str | None:
    return code(
        lambda: require_own_or_branch(
            v, "remediation.report", path, owner=owner, not_own="remediation.not_own"
        )
    )


def test_a_member_acts_on_their_own_file_wherever_it_is_kept():
    member = viewer(Role.MEMBER, org=CELL, member=ME)
    assert own(member, ELSEWHERE, ME) is None
    assert own(member, IN_CELL, SOMEONE) == "remediation.not_own"
    assert own(member, IN_CELL, None) == "remediation.not_own"  # a collective's
    assert own(member, ELSEWHERE, SOMEONE) == "auth.out_of_scope"  # not their chi bộ


def test_a_secretary_acts_in_their_branch_only():
    secretary = viewer(Role.SECRETARY)
    assert own(secretary, IN_CELL, SOMEONE) is None
    assert own(secretary, ELSEWHERE, SOMEONE) == "auth.out_of_scope"
    assert own(viewer(Role.SECRETARY, org=None), IN_CELL, None) == "auth.out_of_scope"
    assert own(viewer(Role.INSPECTOR), IN_CELL, SOMEONE) == "auth.forbidden"


def test_the_verifier_is_the_inspection_committee_or_a_committee_above():
    assert verifying_body(viewer(Role.INSPECTOR), IN_CELL) == INSPECTION_COMMITTEE
    assert verifying_body(viewer(Role.DECISION_MAKER), IN_CELL) == HIGHER_COMMITTEE
    at_the_place = viewer(Role.DECISION_MAKER, org=CELL)
    assert code(lambda: verifying_body(at_the_place, IN_CELL)) == (
        "remediation.not_supervisor"
    )
    # Another branch's committee hears the scope's answer, not the rule's: the
    # rule's would tell it the item exists.
    assert code(lambda: verifying_body(viewer(Role.INSPECTOR), ELSEWHERE)) == (
        "auth.out_of_scope"
    )
    nowhere = viewer(Role.INSPECTOR, org=None)
    assert code(lambda: verifying_body(nowhere, IN_CELL)) == "auth.out_of_scope"
    assert code(lambda: verifying_body(viewer(Role.SECRETARY), IN_CELL)) == (
        "auth.forbidden"
    )


def row(year: int, level: str, no: int | None = None) -> dict[str, object]:
    return {"cycle_id": f"c{year}-{no}", "year": year, "period_no": no, "level": level}


def test_the_previous_cycle_is_of_the_same_period_type():
    assert previous_periods("annual", 2025, None) == [(2024, None)]
    assert previous_periods("quarterly", 2025, 1) == [(2024, 4)]
    assert previous_periods("quarterly", 2025, 3) == [(2025, 2)]
    assert previous_periods("term", 2025, None) is None
    found = previous_decision(
        period="annual",
        year=2025,
        period_no=None,
        decided=[row(2024, "HTNV"), row(2023, "KHTNV")],
    )
    assert found is not None
    assert (found["year"], found["level"], found["period"]) == (2024, "HTNV", "annual")
    none = previous_decision(
        period="annual", year=2025, period_no=None, decided=[row(2023, "KHTNV")]
    )
    assert none is None


def test_of_two_decisions_in_the_previous_period_a_khtnv_is_chosen():
    found = previous_decision(
        period="annual",
        year=2025,
        period_no=None,
        decided=[row(2024, "HTTNV"), row(2024, "KHTNV")],
    )
    assert found is not None
    assert found["level"] == "KHTNV"


def test_a_term_takes_the_latest_earlier_term():
    found = previous_decision(
        period="term",
        year=2025,
        period_no=None,
        decided=[row(2025, "KHTNV"), row(2020, "HTNV"), row(2015, "KHTNV")],
    )
    assert found is not None
    assert found["year"] == 2020


def test_one_quota_gauge_counts_exact_integers():
    counts = group_counts(["HTXSNV", "HTTNV", "HTTNV", None, "HTNV", "HTTNV"])
    assert counts == (1, 3)
    assert counted(counts, "HTTNV", "HTXSNV") == (2, 2)
    group = {"name": "Chi ủy", "members": ["m:a", "m:b"], "ratio_pct": 20}
    gauge = quota_gauge(code="g", group=group, counts=(1, 3), rounding=Rounding.FLOOR)
    assert gauge["cap"] == 0
    assert over_quota(gauge)
    gauge = quota_gauge(code="g", group=group, counts=(1, 3), rounding=Rounding.CEILING)
    assert (gauge["cap"], gauge["members"], gauge["rounding"]) == (1, 2, "ceiling")
    assert not over_quota(gauge)


def test_a_subject_key_keeps_its_stored_form():
    org, member = uuid4(), uuid4()
    assert str(SubjectKey.of_org(org)) == f"o:{org}" == subject_key("collective", org)
    assert str(SubjectKey.of_member(str(member))) == f"m:{member}"
    assert SubjectKey.parse(f"m:{member}") == SubjectKey.of_member(member)
    assert SubjectKey.parse(f"m:{member}").member_id == member
    assert SubjectKey.parse(f"o:{org}").member_id is None
    assert SubjectKey.parse(f"o:{org}").is_collective
    for bad in ("", "x:" + str(org), f"o{org}", "m:not-a-uuid"):
        with pytest.raises(ValueError, match=r"subject key|badly formed"):
            SubjectKey.parse(bad)


def test_a_round_entry_is_replaced_never_changed():
    entry = RoundEntry(proposal={"level": "HTTNV", "note": ""})
    with pytest.raises(dataclasses.FrozenInstanceError):
        entry.hold = {"reason": "complaint"}  # type: ignore[misc]
    held = dataclasses.replace(entry, hold={"reason": "complaint", "note": "x"})
    assert entry.hold is None
    assert held.proposal == entry.proposal
    assert held.revisions == 0
    assert held.superseded == ()
