"""domain.remediation: the lifecycle of a shortcoming, its guards, carry-over
and the exact remediation ratio (issue 6, domain.md §6)."""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from typing import Any
from uuid import UUID, uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import DomainError
from domain.evaluation import SubjectFacts, evaluate
from domain.remediation import (
    ALLOWED,
    RemediationPlan,
    Status,
    carried_into,
    is_carried,
    next_status,
    urgency,
)
from domain.rulebooks import Level, rulebook_for_year
from tests.unit.ratings_world import as_subject, scored

CELL = str(uuid4())
HEAD, DEPUTY = str(uuid4()), str(uuid4())


def member_subject(key: str = "m:1") -> dict[str, Any]:
    return {
        "key": key,
        "kind": "individual",
        "name": "Nguyễn Văn An",
        "cell_id": CELL,
        "path": [CELL],
    }


def collective_subject() -> dict[str, Any]:
    return {
        "key": f"o:{CELL}",
        "kind": "collective",
        "name": "Chi bộ thôn 1",
        "org_id": CELL,
        "path": [CELL],
    }


def new_plan(year: int = 2024, subject: dict[str, Any] | None = None) -> Any:
    return RemediationPlan.open(
        plan_id=uuid4(),
        cycle_id=uuid4(),
        year=year,
        subject=as_subject(subject or member_subject()),
        opened_by="u:thuky",
    )


def record(plan: Any, **changes: Any) -> str:
    ident = changes.pop("shortcoming_id", uuid4())
    args: dict[str, Any] = {
        "shortcoming_id": ident,
        "source": "MEMBER_COMMENT",
        "description": "Chậm nộp báo cáo",
        "cause": "SUBJECTIVE",
        "recorded_on": date(2024, 12, 10),
        "collective_responsibility": None,
        "persons": [],
        "eligible_persons": {},
        "review_id": None,
        "review_subject_key": None,
        "recurrence_of": None,
        "recorded_by": "u:thuky",
    }
    args.update(changes)
    plan.record_shortcoming(**args)
    return str(ident)


def adopt(plan: Any, ids: list[str], deadline: date = date(2025, 6, 30)) -> None:
    plan.adopt_plan(
        shortcoming_ids=ids,
        measures=["Nộp báo cáo đúng hạn"],
        responsible_member_id=uuid4(),
        deadline=deadline,
        supervisor="INSPECTION_COMMITTEE",
        supervisor_org_id=uuid4(),
        adopted_on=date(2024, 12, 20),
        adopted_by="u:thuky",
    )


def claim(plan: Any, ident: str, by: str = "u:dangvien") -> None:
    plan.claim_completion(
        shortcoming_id=ident,
        summary="Đã nộp đủ",
        claimed_on=date(2025, 5, 1),
        claimed_by=by,
    )


def codes(action: Any) -> str:
    with pytest.raises(DomainError) as refused:
        action()
    return refused.value.code


def test_the_lifecycle_from_recording_to_verification():
    plan = new_plan()
    ident = record(plan)
    assert plan.status_of(ident) is Status.OPEN
    adopt(plan, [ident])
    assert plan.status_of(ident) is Status.IN_PROGRESS
    plan.report_progress(
        shortcoming_id=ident,
        text="Đã nộp 2/4 báo cáo",
        reported_on=date(2025, 3, 1),
        document_reference="Công văn 12-CV/CB",
        document_sha256="AB" * 32,
        reported_by="u:dangvien",
    )
    claim(plan, ident)
    assert plan.status_of(ident) is Status.DONE
    plan.verify(
        shortcoming_id=ident,
        note="Đã kiểm tra hồ sơ",
        verified_on=date(2025, 5, 10),
        verifier="INSPECTION_COMMITTEE",
        verified_by="u:ubkt",
    )
    assert plan.status_of(ident) is Status.VERIFIED
    names = [type(e).__name__ for e in plan.collect_events()]
    assert names == [
        "Opened",
        "ShortcomingRecorded",
        "RemediationPlanAdopted",
        "RemediationProgressReported",
        "RemediationCompletionClaimed",
        "RemediationClosed",
    ]


def test_a_refusal_needs_a_reason_and_sends_it_back():
    plan = new_plan()
    ident = record(plan)
    adopt(plan, [ident])
    claim(plan, ident)
    refuse = {
        "shortcoming_id": ident,
        "refused_on": date(2025, 5, 2),
        "verifier": "HIGHER_COMMITTEE",
        "refused_by": "u:captuy",
    }
    assert codes(lambda: plan.refuse(reason="  ", **refuse)) == (
        "remediation.reason_required"
    )
    plan.refuse(reason="Chưa có biên bản", **refuse)
    assert plan.status_of(ident) is Status.NOT_DONE
    # Cannot claim again without reporting progress first.
    assert codes(lambda: claim(plan, ident)) == "remediation.status_not_allowed"
    plan.report_progress(
        shortcoming_id=ident,
        text="Bổ sung biên bản",
        reported_on=date(2025, 5, 3),
        document_reference=None,
        document_sha256=None,
        reported_by="u:dangvien",
    )
    claim(plan, ident)
    assert plan.status_of(ident) is Status.DONE


def test_guards_have_stable_codes():
    plan = new_plan()
    assert codes(lambda: record(plan, source="RUMOUR")) == "remediation.source_unknown"
    assert codes(lambda: record(plan, cause="LUCK")) == "remediation.cause_unknown"
    assert codes(lambda: record(plan, description=" ")) == (
        "remediation.description_required"
    )
    assert codes(lambda: record(plan, review_id=uuid4())) == (
        "remediation.review_mismatch"
    )
    assert codes(
        lambda: record(plan, persons=[{"member_id": HEAD, "responsibility": "x"}])
    ) == ("remediation.collective_only")
    ident = record(plan)
    assert codes(lambda: claim(plan, ident)) == "remediation.plan_required"
    assert codes(
        lambda: plan.report_progress(
            shortcoming_id=ident,
            text="x",
            reported_on=date(2025, 1, 1),
            document_reference=None,
            document_sha256=None,
            reported_by="u:1",
        )
    ) == ("remediation.plan_required")
    assert codes(lambda: adopt(plan, [ident], deadline=date(2024, 1, 1))) == (
        "remediation.deadline_in_past"
    )
    assert codes(lambda: adopt(plan, [])) == "remediation.shortcomings_required"
    assert codes(lambda: adopt(plan, [str(uuid4())])) == (
        "remediation.shortcoming_not_found"
    )
    adopt(plan, [ident])
    assert codes(lambda: adopt(plan, [ident])) == "remediation.status_not_allowed"
    assert codes(
        lambda: plan.report_progress(
            shortcoming_id=ident,
            text="x",
            reported_on=date(2025, 1, 1),
            document_reference=None,
            document_sha256="not-a-hash",
            reported_by="u:1",
        )
    ) == ("remediation.document_hash_invalid")
    assert codes(
        lambda: plan.verify(
            shortcoming_id=ident,
            note="",
            verified_on=date(2025, 1, 1),
            verifier="INSPECTION_COMMITTEE",
            verified_by="u:ubkt",
        )
    ) == ("remediation.status_not_allowed")
    claim(plan, ident, by="u:thuky")
    verify = {
        "shortcoming_id": ident,
        "note": "",
        "verifier": "INSPECTION_COMMITTEE",
    }
    assert codes(
        lambda: plan.verify(verified_on=date(2025, 4, 1), verified_by="u:x", **verify)
    ) == ("remediation.verified_before_claim")
    assert codes(
        lambda: plan.verify(
            verified_on=date(2025, 6, 1), verified_by="u:thuky", **verify
        )
    ) == ("remediation.verifier_is_claimant")
    assert codes(
        lambda: plan.verify(
            verified_on=date(2025, 6, 1),
            verified_by="u:x",
            shortcoming_id=ident,
            note="",
            verifier="NEIGHBOUR",
        )
    ) == ("remediation.supervisor_unknown")


def test_a_collective_names_the_head_and_members_responsibility():
    plan = new_plan(subject=collective_subject())
    eligible = {HEAD: "head", DEPUTY: "member"}
    ident = record(
        plan,
        collective_responsibility="Chi ủy chưa đôn đốc",
        persons=[
            {"member_id": DEPUTY, "responsibility": "Phụ trách báo cáo"},
            {"member_id": HEAD, "responsibility": "Người đứng đầu"},
        ],
        eligible_persons=eligible,
    )
    events = plan.collect_events()
    recorded: Any = events[-1]
    assert recorded.shortcoming_id == ident
    assert [p["role"] for p in recorded.persons] == ["head", "member"]
    assert codes(
        lambda: record(
            plan,
            persons=[{"member_id": str(uuid4()), "responsibility": "x"}],
            eligible_persons=eligible,
        )
    ) == ("remediation.person_not_in_collective")
    assert codes(
        lambda: record(
            plan,
            persons=[{"member_id": HEAD, "responsibility": " "}],
            eligible_persons=eligible,
        )
    ) == ("remediation.responsibility_required")


def test_recurrence_links_to_an_earlier_shortcoming_of_the_same_subject():
    earlier = new_plan(2024)
    old = record(earlier)
    later = new_plan(2025)
    link = {
        "shortcoming_id": old,
        "subject_key": "m:1",
        "year": 2024,
        "status": "VERIFIED",
    }
    assert codes(
        lambda: record(later, recurrence_of={**link, "subject_key": "m:2"})
    ) == ("remediation.recurrence_other_subject")
    assert codes(lambda: record(later, recurrence_of={**link, "year": 2025})) == (
        "remediation.recurrence_not_earlier"
    )
    assert codes(
        lambda: record(later, recurrence_of={**link, "status": "RECURRED"})
    ) == ("remediation.already_recurred")
    new = record(later, recurrence_of=link)
    earlier.mark_recurred(
        shortcoming_id=old,
        by_shortcoming_id=new,
        in_year=2025,
        recurred_on=date(2025, 12, 1),
        marked_by="u:thuky",
    )
    assert earlier.status_of(old) is Status.RECURRED
    assert codes(
        lambda: earlier.mark_recurred(
            shortcoming_id=old,
            by_shortcoming_id=new,
            in_year=2025,
            recurred_on=date(2025, 12, 1),
            marked_by="u:thuky",
        )
    ) == ("remediation.status_not_allowed")


def item(year: int, status: str, **extra: Any) -> dict[str, Any]:
    return {
        "shortcoming_id": str(extra.pop("ident", uuid4())),
        "year": year,
        "status": status,
        "verified_on": extra.get("verified_on"),
        "recurred_year": extra.get("recurred_year"),
    }


def test_carry_over_rules():
    assert is_carried(item(2024, "OPEN"), 2025)
    assert is_carried(item(2024, "VERIFIED", verified_on=date(2024, 12, 30)), 2025)
    assert not is_carried(item(2025, "OPEN"), 2025)
    assert is_carried(item(2022, "NOT_DONE"), 2025)
    assert not is_carried(item(2023, "VERIFIED", verified_on=date(2024, 3, 1)), 2025)
    assert is_carried(item(2023, "VERIFIED", verified_on=date(2025, 3, 1)), 2025)
    assert not is_carried(item(2022, "RECURRED", recurred_year=2024), 2025)
    assert is_carried(item(2023, "RECURRED", recurred_year=2025), 2025)


def test_the_ratio_is_exact_and_feeds_the_excellence_condition():
    a, b, c = (str(UUID(int=n)) for n in (1, 2, 3))
    facts = carried_into(
        [
            item(2024, "VERIFIED", ident=a, verified_on=date(2025, 2, 1)),
            item(2024, "DONE", ident=b),
            item(2024, "OPEN", ident=c),
        ],
        2025,
    )
    assert facts.carried == (a, b, c)
    assert facts.verified == (a,)
    assert facts.ratio == Fraction(1, 3)
    assert facts.unverified == (b, c)
    assert not facts.complete
    assert carried_into([], 2025).ratio == 1
    rulebook = rulebook_for_year(2025)
    subject = as_subject({"kind": "individual", "appendix": "PL4", "org_id": None})
    # Typed-in counts say all remedied: the gathered facts win.
    assessment = scored("95", Level.EXCELLENT, exceeded=4, shortcomings=(1, 1))
    blocked = evaluate(
        rulebook, subject, assessment, SubjectFacts(remediation=facts), 2025
    )
    assert (Level.EXCELLENT, "excellent_remediation") in blocked.failed
    assert blocked.ceiling is Level.GOOD
    clear = evaluate(
        rulebook,
        subject,
        assessment,
        SubjectFacts(remediation=carried_into([], 2025)),
        2025,
    )
    assert clear.ceiling is Level.EXCELLENT
    recorded = SubjectFacts(remediation=facts).as_dict()["remediation"]
    assert recorded == {"year": 2025, "carried": [a, b, c], "verified": [a]}
    # Under 132 (2019–2022) the ratio is not a condition of HTXSNV.
    legacy = evaluate(
        rulebook_for_year(2021),
        subject,
        assessment,
        SubjectFacts(remediation=facts),
        2021,
    )
    assert (Level.EXCELLENT, "excellent_remediation") not in legacy.failed


def test_urgency_is_computed_from_the_deadline_and_a_given_day():
    today = date(2025, 12, 4)
    assert urgency(date(2025, 12, 1), Status.IN_PROGRESS, today, 14) == "overdue"
    assert urgency(date(2025, 12, 18), Status.OPEN, today, 14) == "due_soon"
    assert urgency(date(2025, 12, 19), Status.OPEN, today, 14) == ""
    assert urgency(date(2025, 12, 1), Status.DONE, today, 14) == ""
    assert urgency(date(2025, 12, 1), Status.VERIFIED, today, 14) == ""
    assert urgency(None, Status.OPEN, today, 14) == ""


STEPS = sorted(ALLOWED)


@given(st.lists(st.sampled_from(STEPS), max_size=12))
def test_the_state_machine_never_leaves_its_states(steps: list[str]) -> None:
    status = Status.OPEN
    for step in steps:
        if status in ALLOWED[step]:
            after = next_status(status, step)
            assert after in Status
            if step == "verify":
                assert status is Status.DONE
            status = after
        else:
            with pytest.raises(DomainError):
                next_status(status, step)
        if status is Status.RECURRED:
            assert all(status not in ALLOWED[s] for s in STEPS)


@given(
    st.lists(
        st.tuples(
            st.integers(2019, 2026),
            st.sampled_from([s.value for s in Status]),
            st.integers(2019, 2026),
        ),
        max_size=15,
    ),
    st.integers(2020, 2026),
)
def test_the_ratio_is_verified_over_carried(
    rows: list[tuple[int, str, int]], year: int
) -> None:
    items = [
        item(
            found,
            status,
            verified_on=date(max(found, when), 6, 1) if status == "VERIFIED" else None,
            recurred_year=max(found + 1, when) if status == "RECURRED" else None,
        )
        for found, status, when in rows
    ]
    facts = carried_into(items, year)
    carried = [i for i in items if is_carried(i, year)]
    assert len(facts.carried) == len(carried)
    verified = [i for i in carried if i["status"] == "VERIFIED"]
    assert len(facts.verified) == len(verified)
    assert 0 <= facts.ratio <= 1
    assert isinstance(facts.ratio, Fraction)
    assert facts.complete == (facts.ratio == 1)
    # Every shortcoming of the previous review is carried, whatever its state.
    assert all(is_carried(i, year) for i in items if i["year"] == year - 1)
