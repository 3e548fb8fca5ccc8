"""Who acts next (domain.next_step): the prescribed order of a subject's review
and rating steps, and the counting committee's steps of a vote."""

from __future__ import annotations

from typing import Any

import pytest

from domain.accounts import Role
from domain.next_step import (
    NextStep,
    Step,
    counting_step,
    deadline_of,
    subject_next_step,
)

CELL, LEADERSHIP, DISTRICT, PARTIAL = "cell", "btv", "district", "partial"
MEMBER_KEY = "m:1"


def member(**changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "kind": "individual",
        "venues": [CELL, LEADERSHIP],
        "cell_id": CELL,
        "status": "pending",
        "exempt": None,
        "held_reason": None,
        "self_rates": MEMBER_KEY,
        "proposes": CELL,
        "decides": DISTRICT,
    }
    return {**row, **changes}


def collective(**changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "kind": "collective",
        "venues": [CELL],
        "status": "pending",
        "exempt": None,
        "held_reason": None,
        "self_rates": CELL,
        "proposes": PARTIAL,
        "decides": DISTRICT,
    }
    return {**row, **changes}


def held(**changes: Any) -> dict[str, Any]:
    review = {
        "report_on": "2025-12-01",
        "self_review_form": "2A",
        "held_on": "2025-12-05",
        "redo_order_id": None,
    }
    return {**review, **changes}


BOTH_HELD = {CELL: held(), LEADERSHIP: held()}


def test_a_review_not_opened_is_opened_by_the_venues_secretary():
    assert subject_next_step(member(), {}, round_open=True) == NextStep(
        Step.OPEN_REVIEW, Role.SECRETARY, CELL, CELL
    )


def test_the_member_writes_the_self_review_then_the_chi_bo_meets():
    opened = {CELL: held(self_review_form=None, held_on=None)}
    step = subject_next_step(member(), opened, round_open=True)
    assert step is not None
    assert (step.step, step.role, step.venue) == (Step.SELF_REVIEW, Role.MEMBER, CELL)
    written = {CELL: held(held_on=None)}
    step = subject_next_step(member(), written, round_open=True)
    assert step is not None
    assert (step.step, step.role) == (Step.MEETING, Role.SECRETARY)


def test_venues_follow_their_order_chi_bo_first_then_the_leadership():
    step = subject_next_step(member(), {CELL: held()}, round_open=True)
    assert step is not None
    assert (step.step, step.venue) == (Step.OPEN_REVIEW, LEADERSHIP)


def test_a_collective_circulates_its_report_first():
    opened = {CELL: held(report_on=None, held_on=None)}
    step = subject_next_step(collective(), opened, round_open=True)
    assert step is not None
    assert (step.step, step.role) == (Step.REPORT, Role.SECRETARY)


def test_after_the_meetings_the_authority_opens_its_round():
    step = subject_next_step(member(), BOTH_HELD, round_open=False)
    assert step is not None
    assert step == NextStep(Step.OPEN_ROUND, Role.DECISION_MAKER, DISTRICT)


def test_the_three_steps_in_order():
    assert subject_next_step(member(), BOTH_HELD, round_open=True) == NextStep(
        Step.SELF_RATING, Role.MEMBER, CELL
    )
    rated = member(status="self_rated")
    assert subject_next_step(rated, BOTH_HELD, round_open=True) == NextStep(
        Step.PROPOSAL, Role.SECRETARY, CELL
    )
    proposed = member(status="proposed")
    assert subject_next_step(proposed, BOTH_HELD, round_open=True) == NextStep(
        Step.DECISION, Role.DECISION_MAKER, DISTRICT
    )
    assert (
        subject_next_step(member(status="decided"), BOTH_HELD, round_open=True) is None
    )


def test_a_collective_self_rates_through_its_secretary_and_is_proposed_by_its_body():
    reviews = {CELL: held()}
    step = subject_next_step(collective(), reviews, round_open=True)
    assert step is not None
    assert step == NextStep(Step.SELF_RATING, Role.SECRETARY, CELL)
    step = subject_next_step(collective(status="self_rated"), reviews, round_open=True)
    assert step is not None
    assert step == NextStep(Step.PROPOSAL, Role.SECRETARY, PARTIAL)


def test_no_proposing_body_means_the_authority_proposes():
    subject = collective(status="self_rated", proposes=None)
    step = subject_next_step(subject, {CELL: held()}, round_open=True)
    assert step is not None
    assert step == NextStep(Step.PROPOSAL, Role.SECRETARY, DISTRICT)


def test_an_authority_outside_the_system_is_named_by_no_organisation():
    subject = member(status="proposed", decides="outside")
    step = subject_next_step(subject, BOTH_HELD, round_open=True)
    assert step is not None
    assert step == NextStep(Step.DECISION, Role.DECISION_MAKER, None)


def test_a_held_subject_waits_for_the_verification_first():
    subject = member(status="proposed", held_reason="complaint")
    step = subject_next_step(subject, {}, round_open=True)
    assert step is not None
    assert step == NextStep(Step.VERIFICATION, Role.DECISION_MAKER, DISTRICT)


def test_an_exempt_subject_has_nothing_to_do():
    assert subject_next_step(member(exempt="illness"), {}, round_open=True) is None
    assert subject_next_step(member(status="exempt"), {}, round_open=True) is None


def test_a_cancelled_rating_goes_back_to_the_authority():
    step = subject_next_step(member(status="cancelled"), BOTH_HELD, round_open=True)
    assert step is not None
    assert step is not None
    assert step.step is Step.DECISION


def test_a_decided_subject_ordered_to_redo_its_review_is_reviewed_again():
    redo = {CELL: held(self_review_form=None, held_on=None, redo_order_id="o1")}
    step = subject_next_step(member(status="decided"), redo, round_open=True)
    assert step is not None
    assert step is not None
    assert step.step is Step.SELF_REVIEW


@pytest.mark.parametrize(
    ("phase", "chair", "signed", "expected"),
    [
        ("ceremony", False, False, Step.KEY_CEREMONY),
        ("key_published", True, False, Step.PRINT_SLIPS),
        ("key_published", False, False, None),
        ("open", True, False, None),
        ("closed", False, False, Step.DECRYPT),
        ("tallied", False, False, Step.MINUTES),
        ("tallied", False, True, None),
        ("abandoned", True, False, None),
    ],
)
def test_counting_committee_steps(phase, chair, signed, expected):
    assert counting_step(phase, chair=chair, signed_minutes=signed) == expected


def test_the_deadline_of_a_step_is_the_plans_for_its_milestone_and_level():
    plan = [
        {"level": "member", "milestone": "review", "due": "2025-12-10"},
        {"level": "member", "milestone": "rating", "due": "2025-12-20"},
        {"level": "cell", "milestone": "rating", "due": "2025-12-25"},
    ]
    assert deadline_of(Step.MEETING, "member", plan) == "2025-12-10"
    assert deadline_of(Step.DECISION, "member", plan) == "2025-12-20"
    assert deadline_of(Step.DECISION, "cell", plan) == "2025-12-25"
    assert deadline_of(Step.MEETING, "cell", plan) is None
    assert deadline_of(Step.MINUTES, "member", plan) is None
