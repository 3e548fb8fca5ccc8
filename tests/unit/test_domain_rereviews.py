"""Re-review orders in the domain (domain.md §5.4), no I/O: the order's rules,
the review and the rating reopened with the earlier ones kept, and the quota
property with redo orders among the decisions."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.errors import DomainError
from domain.rereviews import ReReviewOrder, check_orderer
from domain.reviews import Participant, Review, review_participants
from domain.rulebooks import Level
from tests.unit.ratings_world import (
    ACTOR,
    CELL,
    DISTRICT,
    GRASSROOTS,
    NO_FACTS,
    cycle,
    member,
    mkey,
    oid,
    open_round,
    rate,
)
from tests.unit.refusals import refused

ORDER = oid("order/1")
TODAY = date(2026, 1, 10)


def held_review(c, key, venue=CELL.org_id, on=date(2025, 12, 8)):
    subject = c.subject(key)
    review = Review.open(
        review_id=oid(f"review/{key}/{venue}"),
        cycle_id=c.id,
        subject=subject,
        venue_id=str(venue),
        opened_by=ACTOR,
    )
    review.submit_self_review(
        appendix=subject.appendix,
        form="2B",
        sections={"strengths": "Tốt", "shortcomings": "Chậm", "measures": "Sửa"},
        submitted_by=ACTOR,
    )
    review.add_comment(
        author=Participant(str(oid("m/x")), str(venue)),
        participants=review_participants(str(venue), "cell"),
        text="Góp ý",
        commented_by=ACTOR,
    )
    review.hold_meeting(
        held_on=on,
        attendees=9,
        minutes="Biên bản",
        conclusion="Kết luận",
        prerequisites=[],
        circulation_days=3,
        holidays=[],
        recorded_by=ACTOR,
    )
    return review


def make_order(c, key, review=None, decision=None, **change):
    args = {
        "order_id": ORDER,
        "cycle_id": c.id,
        "subject": c.subject(key),
        "number": 1,
        "scope": "both",
        "reason": "Hội nghị hình thức, nể nang, né tránh",
        "deadline": date(2026, 1, 31),
        "ordered_on": TODAY,
        "ordering_org_id": GRASSROOTS.org_id,
        "chair_responsibility": True,
        "reviews": [
            {
                "review_id": review.id,
                "venue_id": review.venue_id,
                "held_on": review.meeting["held_on"] if review.meeting else None,
            }
        ]
        if review
        else [],
        "decision": decision,
        "ordered_by": ACTOR,
    }
    args.update(change)
    return ReReviewOrder.order(**args)


def test_an_order_records_scope_reason_deadline_and_what_it_supersedes():
    p = member("An")
    c = cycle(2025, [p])
    review = held_review(c, mkey(p))
    decision = {"round_id": "r", "level": "HTTNV", "decision_no": "15"}
    order = make_order(c, mkey(p), review, decision)
    assert order.scope == "both"
    assert order.deadline == date(2026, 1, 31)
    assert order.superseded_reviews == [
        {
            "review_id": str(review.id),
            "venue_id": str(CELL.org_id),
            "held_on": date(2025, 12, 8),
        }
    ]
    assert order.superseded_decision == decision
    (created,) = order.collect_events()
    assert type(created).__name__ == "ReReviewOrdered"
    assert created.chair_responsibility is True
    review_only = make_order(c, mkey(p), review, decision, scope="review")
    assert review_only.superseded_decision is None


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"scope": "lai"}, "rereview.scope_unknown"),
        ({"reason": " \n"}, "rereview.reason_required"),
        ({"reason": "x" * 4001}, "rereview.text_too_long"),
        ({"deadline": date(2026, 1, 9)}, "rereview.deadline_past"),
        ({"ordering_org_id": CELL.org_id}, "rereview.not_higher"),
        ({"ordering_org_id": oid("elsewhere")}, "rereview.not_higher"),
        ({"reviews": []}, "rereview.review_not_held"),
        ({"decision": None}, "rereview.rating_not_decided"),
    ],
)
def test_refused_orders(change, code):
    p = member("An")
    c = cycle(2025, [p])
    review = held_review(c, mkey(p))
    decision = {"round_id": "r", "level": "HTTNV", "decision_no": "15"}
    with refused(code):
        make_order(c, mkey(p), review, **{"decision": decision, **change})


def test_only_a_committee_above_the_subject_orders():
    p = member("An")
    c = cycle(2025, [p])
    check_orderer(c.subject(mkey(p)), GRASSROOTS.org_id)
    check_orderer(c.subject(mkey(p)), DISTRICT.org_id)
    check_orderer(c.subject(mkey(p)), None)  # an account above every organisation
    collective = c.subject(f"o:{GRASSROOTS.org_id}")
    with refused("rereview.not_higher"):
        check_orderer(collective, GRASSROOTS.org_id)
    check_orderer(collective, DISTRICT.org_id)


def test_a_redone_review_keeps_the_earlier_meeting_and_opens_again():
    p = member("An")
    c = cycle(2025, [p])
    review = held_review(c, mkey(p))
    review.redo(order_id=ORDER, reason="Hình thức", ordered_by=ACTOR)
    assert review.meeting is None
    assert review.self_review is None
    assert review.comments == []
    (earlier,) = review.earlier
    assert earlier["order_id"] == ORDER
    assert earlier["meeting"]["held_on"] == date(2025, 12, 8)
    assert earlier["comments"][0]["text"] == "Góp ý"
    with refused("rereview.review_not_held"):
        review.redo(order_id=ORDER, reason="Lần nữa", ordered_by=ACTOR)
    review.submit_self_review(
        appendix="PL4",
        form="2B",
        sections={"strengths": "Tốt hơn", "shortcomings": "Ít", "measures": "Sửa"},
        submitted_by=ACTOR,
    )
    meeting = {
        "attendees": 9,
        "minutes": "Biên bản lần 2",
        "conclusion": "Kết luận lần 2",
        "prerequisites": [],
        "circulation_days": 3,
        "holidays": [],
        "recorded_by": ACTOR,
    }
    with refused("rereview.meeting_before_earlier"):
        review.hold_meeting(held_on=date(2025, 12, 7), **meeting)
    review.hold_meeting(held_on=date(2026, 1, 12), **meeting)
    assert review.meeting is not None
    assert review.meeting["conclusion"] == "Kết luận lần 2"
    assert review.redo_order_id is None
    names = [type(e).__name__ for e in review.collect_events()]
    assert names[-3:] == ["RedoOrdered", "SelfReviewSubmitted", "MeetingHeld"]


def test_a_redone_rating_goes_back_to_step_one_and_keeps_the_decision():
    p = member("An")
    c = cycle(2025, [p])
    r = open_round(c, GRASSROOTS)
    rate(r, c, mkey(p), Level.GOOD)
    r.collect_events()
    r.order_redo(
        subject_key=mkey(p),
        order_id=ORDER,
        reason="Xếp loại chưa đúng quy định",
        chair_responsibility=True,
        cycle=c,
        ordered_by=ACTOR,
    )
    names = [type(e).__name__ for e in r.collect_events()]
    assert names == ["RatingRedoOrdered", "ChairResponsibilityReviewOrdered"]
    entry = r.entries[mkey(p)]
    assert entry.decision is None
    assert entry.self_rating is None
    assert entry.superseded[0]["order_id"] == ORDER
    assert entry.superseded[0]["decision"]["level"] == "HTTNV"
    with refused("rating.self_rating_missing"):
        r.decide(
            subject_key=mkey(p),
            level="HTNV",
            decision_no="16",
            decided_on=date(2026, 1, 20),
            justification="",
            cycle=c,
            facts=NO_FACTS,
            external={},
            decided_by=ACTOR,
        )
    with refused("rereview.rating_not_decided"):
        r.order_redo(
            subject_key=mkey(p),
            order_id=ORDER,
            reason="Lần nữa",
            chair_responsibility=False,
            cycle=c,
            ordered_by=ACTOR,
        )
    rate(r, c, mkey(p), Level.COMPLETED)
    assert r.level_of(mkey(p)) is Level.COMPLETED


def test_withdrawing_a_good_rating_that_would_break_the_quota_is_refused():
    people = [member(f"Người {i}") for i in range(6)]
    c = cycle(2025, people)
    r = open_round(c, GRASSROOTS)
    keys = [mkey(p) for p in people]
    r.define_peer_group(code="g", name="Nhóm", members=keys, cycle=c, defined_by=ACTOR)
    for key in keys[:5]:
        rate(r, c, key, Level.GOOD)
    rate(r, c, keys[5], Level.EXCELLENT)  # 1 of cap floor(5 × 20%) = 1
    redo: dict[str, Any] = {
        "order_id": ORDER,
        "reason": "Sai quy định",
        "chair_responsibility": False,
        "cycle": c,
        "ordered_by": ACTOR,
    }
    with refused("rereview.quota_would_break") as info:
        r.order_redo(subject_key=keys[0], **redo)
    assert (info.value.details["good"], info.value.details["cap"]) == (4, 0)
    # the excellent one first, then the good one
    r.order_redo(subject_key=keys[5], **redo)
    r.order_redo(subject_key=keys[0], **redo)


POOL = [member(f"Thành viên {i}") for i in range(10)]
POOL_CYCLE = cycle(2025, POOL)
steps = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=len(POOL) - 1),
        st.sampled_from([Level.EXCELLENT, Level.GOOD, Level.COMPLETED]),
    ),
    max_size=30,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=steps)
def test_no_accepted_sequence_of_decisions_and_redo_orders_exceeds_the_quota(steps):
    c = POOL_CYCLE
    r = open_round(c, GRASSROOTS)
    r.define_peer_group(
        code="g",
        name="Nhóm",
        members=[mkey(p) for p in POOL],
        cycle=c,
        defined_by=ACTOR,
    )
    for n, (index, level) in enumerate(steps):
        key = mkey(POOL[index])
        refusal = None
        try:
            if r.decision_of(key) is None:
                rate(r, c, key, level)
            else:
                r.order_redo(
                    subject_key=key,
                    order_id=UUID(int=n),
                    reason="Làm lại",
                    chair_responsibility=False,
                    cycle=c,
                    ordered_by=ACTOR,
                )
        except DomainError as exc:
            refusal = exc.code
        assert refusal in (
            None,
            "rating.quota_exceeded",
            "rating.level_not_allowed",
            "rereview.quota_would_break",
        )
        gauge = r.quota("g", c)
        assert gauge["excellent"] <= gauge["cap"]
