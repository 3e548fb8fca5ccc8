"""The open items of a cycle as pure rules (domain.rating_open_items, issue 10):
what blocks a subject, what makes a decision a violation, when a deadline or a
re-review order is at risk."""

from datetime import date
from typing import Any

from domain.rating_open_items import (
    AT_RISK_DAYS,
    DisciplineWindow,
    deadline_state,
    discipline_window,
    rereview_state,
    still_open,
    subject_open_items,
)

CELL = "11111111-1111-1111-1111-111111111111"
MEMBER = "22222222-2222-2222-2222-222222222222"


def row(key: str, **values: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "key": key,
        "subject_key": key,
        "name": key.upper(),
        "kind": "individual",
        "klass": "member",
        "appendix": "PL2",
        "org_kind": None,
        "exempt": None,
        "status": "pending",
        "held_reason": None,
        "venues": [CELL],
        "posts": {},
        "member_id": MEMBER,
        "decided_at": None,
    }
    return {**base, **values}


def test_a_decision_without_its_review_meeting_is_a_violation():
    decided = row("m:a", status="decided", decided_at=40)
    subjects = {"m:a": decided}
    found = subject_open_items(decided, subjects, set(), disciplined_after=False)
    assert [(i["kind"], i["rule"]) for i in found] == [
        ("violation", "rated_without_review")
    ]
    met = {("m:a", CELL)}
    assert subject_open_items(decided, subjects, met, disciplined_after=False) == []


def test_a_discipline_after_the_decision_is_a_violation_and_a_hold_an_item():
    decided = row("m:a", status="decided", held_reason="complaint")
    found = subject_open_items(
        decided, {"m:a": decided}, {("m:a", CELL)}, disciplined_after=True
    )
    assert [(i["kind"], i["rule"]) for i in found] == [
        ("held", "complaint"),
        ("violation", "discipline_after_decision"),
    ]


def test_an_exempt_subject_has_no_open_item():
    exempt = row("m:a", exempt="illness", status="decided", held_reason="x")
    assert (
        subject_open_items(exempt, {"m:a": exempt}, set(), disciplined_after=True) == []
    )
    assert discipline_window(exempt, 2025) is None


def test_the_collective_is_a_prerequisite_of_its_head_until_decided():
    org = f"o:{CELL}"
    collective = row(
        org, kind="collective", org_kind="grassroots_committee", member_id=None
    )
    head = row("m:a", posts={CELL: "head"})
    subjects = {org: collective, "m:a": head}
    found = subject_open_items(head, subjects, set(), disciplined_after=False)
    assert [(i["kind"], i["rule"], i["other"]) for i in found] == [
        ("prerequisite", "collective_before_head", org.upper())
    ]
    subjects[org] = {**collective, "status": "decided"}
    assert subject_open_items(head, subjects, set(), disciplined_after=False) == []


def test_the_discipline_window_opens_at_the_decision_within_its_year():
    decided = row("m:a", status="decided", decided_at=40)
    assert discipline_window(decided, 2025) == DisciplineWindow(
        MEMBER, 40, "2025-01-01"
    )
    assert discipline_window(row("m:a"), 2025) is None
    assert discipline_window({**decided, "member_id": None}, 2025) is None


def test_deadlines_and_orders_turn_at_risk_then_late():
    today = date(2025, 12, 1)
    near = date(2025, 12, 1 + AT_RISK_DAYS)
    assert deadline_state(date(2025, 12, 31), today) is None
    assert deadline_state(near, today) == "deadline_at_risk"
    assert deadline_state(date(2025, 11, 30), today) == "deadline_missed"
    assert rereview_state(date(2025, 12, 31), today) == "rereview_open"
    assert rereview_state(near, today) == "rereview_at_risk"
    assert rereview_state(date(2025, 11, 30), today) == "rereview_late"


def test_a_subject_is_open_at_a_milestone_until_it_reaches_it():
    pending = row("m:a")
    assert still_open(pending, "decision", set())
    assert still_open(pending, "review", set())
    assert not still_open(pending, "review", {"m:a"})
    assert not still_open({**pending, "status": "decided"}, "decision", set())
    assert not still_open({**pending, "exempt": "illness"}, "decision", set())
