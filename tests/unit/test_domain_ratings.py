"""The rating rules at the domain level: the 18 scenarios of domain.md §12 (12 is
the confidence vote's ballot rule, tested with the votes), and the properties."""

from datetime import date
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.errors import DomainError
from domain.evaluation import DisciplineFact, SubjectFacts, evaluate
from domain.reviews import Review, review_prerequisites, working_days_between
from domain.rulebooks import (
    Level,
    Rounding,
    confidence_band,
    quota_cap,
    rulebook_for_year,
)
from tests.unit.ratings_world import (
    ACTOR,
    BOARD,
    BTV,
    CELL,
    DISTRICT,
    GRASSROOTS,
    NO_FACTS,
    OFFICE_CELL,
    as_subject,
    cycle,
    legacy,
    member,
    mkey,
    oid,
    okey,
    open_round,
    rate,
    scored,
)
from tests.unit.refusals import refused


def reprimand(on=date(2025, 6, 1), duty=True, ident="kl-1"):
    return DisciplineFact(ident, "reprimand", duty, on, None)


# -- §12.1–4: who is rated ----
def test_1_member_admitted_4_months_before_is_exempt_under_366():
    new = member("Mới", admitted=date(2025, 8, 1))
    c = cycle(2025, [new], reference=date(2025, 12, 1))
    assert c.subjects[mkey(new)].exempt == "admitted_lt_6_months"
    r = open_round(c, GRASSROOTS)
    with refused("rating.subject_exempt", reason="admitted_lt_6_months"):
        rate(r, c, mkey(new), Level.GOOD)


def test_2_same_member_under_132_is_not_exempt():
    new = member("Mới", admitted=date(2021, 8, 1))
    c = cycle(2021, [new], reference=date(2021, 12, 1))
    assert c.subjects[mkey(new)].exempt is None
    assert c.rulebook_id == "132-QD-TW/21-HD-BTCTW"


def test_3_suspended_member_is_exempt_in_2025_but_not_under_132():
    suspended = member("Đình chỉ", exemption="party_activity_suspended")
    assert cycle(2025, [suspended]).subjects[mkey(suspended)].exempt == (
        "party_activity_suspended"
    )
    assert cycle(2021, [suspended]).subjects[mkey(suspended)].exempt is None
    exempted = member("Miễn", exemption="exempt_party_activity")
    assert cycle(2021, [exempted]).subjects[mkey(exempted)].exempt == (
        "exempt_party_activity"
    )


def test_4_maternity_leave_is_rated_on_actual_work():
    mother = member("Thai sản")
    c = cycle(2025, [mother])
    assert c.subjects[mkey(mother)].exempt is None
    r = open_round(c, GRASSROOTS)
    rate(r, c, mkey(mother), Level.GOOD, facts=SubjectFacts(leaves=("maternity",)))
    assert r.level_of(mkey(mother)) is Level.GOOD


def test_5_temporary_cell_comment_is_required_before_the_decision():
    visitor = member("Tạm thời", temporary_cell_id=OFFICE_CELL.org_id)
    c = cycle(2025, [visitor])
    r = open_round(c, GRASSROOTS)
    missing = SubjectFacts(temporary_cell_comment=False)
    with refused("rating.temporary_cell_comment_missing"):
        rate(r, c, mkey(visitor), Level.GOOD, facts=missing)
    r.decide(
        subject_key=mkey(visitor),
        level="HTTNV",
        decision_no="1",
        decided_on=date(2025, 12, 20),
        justification="",
        cycle=c,
        facts=SubjectFacts(temporary_cell_comment=True),
        external={},
        decided_by=ACTOR,
    )
    assert r.level_of(mkey(visitor)) is Level.GOOD


# -- §12.6–7: score bands and hard conditions ----
NON_LEADER = as_subject({"kind": "individual", "appendix": "PL4", "org_id": None})
BOOK_366 = rulebook_for_year(2025)


@pytest.mark.parametrize(
    ("score", "late", "ceiling"),
    [
        ("92", 0, Level.EXCELLENT),
        ("89.9", 0, Level.GOOD),
        ("70", 0, Level.GOOD),
        ("69", 2, Level.COMPLETED),
        ("49", 0, Level.NOT_COMPLETED),
    ],
)
def test_6_score_bands(score, late, ceiling):
    assessment = scored(score, Level.NOT_COMPLETED, total=20, exceeded=7, late=late)
    result = evaluate(BOOK_366, NON_LEADER, assessment, NO_FACTS, 2025)
    assert result.ceiling is ceiling
    assert result.score == Fraction(score)


def test_6_htnv_band_with_more_than_20_percent_late_goes_to_the_authority():
    """366 Điều 11.3 open question (domain.md §4.3): HTNV is not assigned."""
    assessment = scored("65", Level.NOT_COMPLETED, total=10, late=3)
    result = evaluate(BOOK_366, NON_LEADER, assessment, NO_FACTS, 2025)
    assert result.ceiling is Level.NOT_COMPLETED
    assert result.open_questions == ("htnv_condition_failed",)
    assert result.needs_judgement


def test_7_excellence_needs_every_shortcoming_remedied():
    assessment = scored(
        "95", Level.NOT_COMPLETED, total=10, exceeded=4, shortcomings=(3, 2)
    )
    result = evaluate(BOOK_366, NON_LEADER, assessment, NO_FACTS, 2025)
    assert result.ceiling is Level.GOOD
    assert (Level.EXCELLENT, "excellent_remediation") in result.failed


def test_excellence_needs_30_percent_exceeded():
    assessment = scored("95", Level.NOT_COMPLETED, total=10, exceeded=2)
    result = evaluate(BOOK_366, NON_LEADER, assessment, NO_FACTS, 2025)
    assert result.ceiling is Level.GOOD
    assert (Level.EXCELLENT, "excellent_exceeded") in result.failed


# -- §12.8: quota ----
def quota_world(excellent=8, good=30):
    people = [member(f"Đảng viên {i:02d}") for i in range(excellent + good)]
    c = cycle(2025, people)
    r = open_round(c, GRASSROOTS)
    r.define_peer_group(
        code="dang-vien-xa",
        name="Đảng viên đảng bộ xã",
        members=[mkey(p) for p in people],
        cycle=c,
        defined_by=ACTOR,
    )
    for p in people[:good]:
        rate(r, c, mkey(p), Level.GOOD)
    return c, r, people[good:]


def test_8_quota_caps_excellence_at_20_percent_of_good():
    c, r, candidates = quota_world()
    for p in candidates[:6]:
        rate(r, c, mkey(p), Level.EXCELLENT)
    with refused("rating.quota_exceeded", cap=6, good=30, excellent=7):
        rate(r, c, mkey(candidates[6]), Level.EXCELLENT)
    assert r.quota("dang-vien-xa", c)["excellent"] == 6


def test_8_exception_of_25_percent_allows_seven():
    c, r, candidates = quota_world()
    with refused("rating.justification_required"):
        r.grant_quota_exception(
            code="dang-vien-xa",
            ratio_pct=25,
            justification=" ",
            cycle=c,
            granted_by=ACTOR,
        )
    with refused("rating.quota_exception_range"):
        r.grant_quota_exception(
            code="dang-vien-xa",
            ratio_pct=30,
            justification="x",
            cycle=c,
            granted_by=ACTOR,
        )
    r.grant_quota_exception(
        code="dang-vien-xa",
        ratio_pct=25,
        justification="Đơn vị có thành tích nổi trội",
        cycle=c,
        granted_by=ACTOR,
    )
    for p in candidates[:7]:
        rate(r, c, mkey(p), Level.EXCELLENT)
    with refused("rating.quota_exceeded", cap=7):
        rate(r, c, mkey(candidates[7]), Level.EXCELLENT)


def test_excellence_outside_a_peer_group_is_refused():
    p = member("Một mình")
    c = cycle(2025, [p])
    r = open_round(c, GRASSROOTS)
    with refused("rating.peer_group_required"):
        rate(r, c, mkey(p), Level.EXCELLENT)


def test_no_quota_exception_under_132():
    c, r, _ = (lambda c: (c, open_round(c, GRASSROOTS), None))(
        cycle(2021, [member("A")])
    )
    r.define_peer_group(
        code="g", name="Nhóm", members=[mkey(member("A"))], cycle=c, defined_by=ACTOR
    )
    with refused("rating.quota_exception_not_allowed"):
        r.grant_quota_exception(
            code="g", ratio_pct=25, justification="x", cycle=c, granted_by=ACTOR
        )


@pytest.mark.parametrize(
    ("good", "ratio", "rounding", "cap"),
    [
        (30, 20, Rounding.FLOOR, 6),
        (30, 25, Rounding.FLOOR, 7),
        (30, 25, Rounding.CEILING, 8),
        (30, 25, Rounding.HALF_UP, 8),
        (4, 20, Rounding.FLOOR, 0),
        (5, 20, Rounding.FLOOR, 1),
    ],
)
def test_quota_cap_rounding(good, ratio, rounding, cap):
    assert quota_cap(good, ratio, rounding) == cap


# -- §12.9–11: automatic KHTNV ----
def test_9_duty_related_reprimand_makes_khtnv_unless_mitigated():
    p = member("Kỷ luật")
    c = cycle(2025, [p])
    r = open_round(c, GRASSROOTS)
    facts = SubjectFacts(disciplines=(reprimand(),))
    assessment = scored("85", Level.NOT_COMPLETED)
    r.self_rate(
        subject_key=mkey(p), assessment=assessment, cycle=c, facts=facts, rated_by=ACTOR
    )
    with refused("rating.level_not_allowed", ceiling="KHTNV", rule="discipline"):
        r.propose(
            subject_key=mkey(p),
            level="HTTNV",
            note="",
            cycle=c,
            facts=facts,
            proposed_by=ACTOR,
        )
    with refused("rating.justification_required"):
        r.decide_mitigation(
            subject_key=mkey(p),
            trigger="discipline",
            mitigated=True,
            justification="",
            cycle=c,
            facts=facts,
            decided_by=ACTOR,
        )
    r.decide_mitigation(
        subject_key=mkey(p),
        trigger="discipline",
        mitigated=True,
        justification="Tự phát hiện, tự báo cáo và khắc phục xong hậu quả",
        cycle=c,
        facts=facts,
        decided_by=ACTOR,
    )
    r.propose(
        subject_key=mkey(p),
        level="HTTNV",
        note="",
        cycle=c,
        facts=facts,
        proposed_by=ACTOR,
    )
    r.decide(
        subject_key=mkey(p),
        level="HTTNV",
        decision_no="5",
        decided_on=date(2025, 12, 20),
        justification="",
        cycle=c,
        facts=facts,
        external={},
        decided_by=ACTOR,
    )
    decided = vars(r.collect_events()[-1])
    assert "giảm nhẹ" in decided["explanation"]
    assert decided["rulebook_id"] == "366-QD-TW/43-HD-BTCTW"
    assert decided["evaluation"]["triggers"][0]["mitigated"] is True


def test_9_a_reprimand_not_tied_to_duty_does_not_trigger_under_366():
    result = evaluate(
        BOOK_366,
        NON_LEADER,
        scored("85", Level.NOT_COMPLETED),
        SubjectFacts(disciplines=(reprimand(duty=False),)),
        2025,
    )
    assert result.ceiling is Level.GOOD


def test_10_legacy_any_discipline_in_the_year_makes_khtnv_and_counts_once():
    book = rulebook_for_year(2021)
    record = reprimand(on=date(2021, 5, 1), duty=False)
    facts = SubjectFacts(disciplines=(record,))
    assert (
        evaluate(book, NON_LEADER, legacy(Level.GOOD), facts, 2021).ceiling
        is Level.NOT_COMPLETED
    )
    assert (
        evaluate(book, NON_LEADER, legacy(Level.GOOD), facts, 2022).ceiling
        is Level.EXCELLENT
    )
    counted = SubjectFacts(
        disciplines=(record,), counted_disciplines=frozenset({"kl-1"})
    )
    assert (
        evaluate(book, NON_LEADER, legacy(Level.GOOD), counted, 2021).ceiling
        is Level.EXCELLENT
    )


def test_10_legacy_has_no_mitigation():
    p = member("Kỷ luật 2021")
    c = cycle(2021, [p])
    r = open_round(c, GRASSROOTS)
    facts = SubjectFacts(disciplines=(reprimand(on=date(2021, 5, 1)),))
    r.self_rate(
        subject_key=mkey(p),
        assessment=legacy(Level.NOT_COMPLETED),
        cycle=c,
        facts=facts,
        rated_by=ACTOR,
    )
    with refused("rating.mitigation_not_allowed"):
        r.decide_mitigation(
            subject_key=mkey(p),
            trigger="discipline",
            mitigated=True,
            justification="x",
            cycle=c,
            facts=facts,
            decided_by=ACTOR,
        )


def test_11_leader_with_21_of_40_low_confidence_is_khtnv():
    assert confidence_band(40, 21) == "GT_HALF"
    assert confidence_band(40, 20) is None
    assert confidence_band(30, 20) == "GTE_TWO_THIRDS"
    leader = as_subject({"kind": "individual", "appendix": "PL3", "org_id": None})
    result = evaluate(
        BOOK_366,
        leader,
        scored("88", Level.NOT_COMPLETED),
        SubjectFacts(confidence=(40, 21)),
        2025,
    )
    assert result.ceiling is Level.NOT_COMPLETED
    (trigger,) = result.triggers
    assert trigger.code == "confidence"
    assert not trigger.mitigable
    assert trigger.details["band"] == "GT_HALF"


# -- §12.13–16: order, head rule, authority ----
def board_world(year=2025):
    head = member("Trưởng ban", cell=OFFICE_CELL, posts={str(BOARD.org_id): "head"})
    deputy = member("Phó ban", cell=OFFICE_CELL, posts={str(BOARD.org_id): "deputy"})
    c = cycle(year, [head, deputy])
    return c, open_round(c, DISTRICT), head, deputy


def test_13_head_cannot_be_rated_before_the_collective():
    c, r, head, _ = board_world()
    with refused("rating.prerequisite_missing", rule="collective_before_head"):
        rate(r, c, mkey(head), Level.GOOD)
    rate(r, c, okey(BOARD), Level.GOOD)
    rate(r, c, mkey(head), Level.GOOD)


def test_14_chi_bo_waits_for_its_members():
    a, b = member("A"), member("B")
    c = cycle(2025, [a, b])
    r = open_round(c, GRASSROOTS)
    with refused("rating.prerequisite_missing", rule="members_before_party_org"):
        rate(r, c, okey(CELL), Level.GOOD)
    rate(r, c, mkey(a), Level.GOOD)
    with refused("rating.prerequisite_missing"):
        r.decide(
            subject_key=okey(CELL),
            level="HTTNV",
            decision_no="2",
            decided_on=date(2025, 12, 20),
            justification="",
            cycle=c,
            facts=NO_FACTS,
            external={},
            decided_by=ACTOR,
        )
    rate(r, c, mkey(b), Level.GOOD, decide=True)
    r.decide(
        subject_key=okey(CELL),
        level="HTTNV",
        decision_no="2",
        decided_on=date(2025, 12, 20),
        justification="",
        cycle=c,
        facts=NO_FACTS,
        external={},
        decided_by=ACTOR,
    )


def test_15_head_not_above_collective_under_132():
    c, r, head, deputy = board_world(2021)
    rate(r, c, okey(BOARD), Level.GOOD)
    r.define_peer_group(
        code="lanh-dao",
        name="Lãnh đạo",
        members=[mkey(head), mkey(deputy)],
        cycle=c,
        defined_by=ACTOR,
    )
    with refused("rating.head_above_collective", head="HTXSNV", collective="HTTNV"):
        rate(r, c, mkey(head), Level.EXCELLENT)


def test_15_head_rule_is_not_configurable_under_132_but_is_under_366():
    with refused("cycle.option_not_configurable"):
        cycle(2021, [member("A")], options={"head_not_above_collective": False})
    assert not cycle(
        2025, [member("A")], options={"head_not_above_collective": False}
    ).head_rule


def test_16_subordinate_chi_bo_is_decided_by_the_grassroots_committee():
    a = member("A")
    c = cycle(2025, [a])
    cell = c.subjects[okey(CELL)]
    assert cell.klass == "subordinate_cell"
    assert cell.self_rates == str(CELL.org_id)
    assert cell.decides == str(GRASSROOTS.org_id)
    district = open_round(c, DISTRICT)
    with refused("rating.not_competent"):
        rate(district, c, okey(CELL), Level.GOOD)
    office = c.subjects[okey(OFFICE_CELL)]
    assert office.klass == "grassroots_cell"
    assert office.decides == str(DISTRICT.org_id)


def test_17_complaint_hold_then_cancel_and_rerate_with_mau_03():
    p = member("Che giấu")
    c = cycle(2025, [p])
    r = open_round(c, GRASSROOTS)
    rate(r, c, mkey(p), Level.GOOD)
    r.hold(
        subject_key=mkey(p),
        reason="complaint",
        note="Đơn phản ánh",
        cycle=c,
        held_by=ACTOR,
    )
    hidden = SubjectFacts(disciplines=(reprimand(),))
    with refused("rating.level_not_allowed"):
        r.rerate(
            subject_key=mkey(p),
            level="HTTNV",
            decision_no="03",
            decided_on=date(2026, 2, 1),
            reason="Che giấu vi phạm",
            chair_responsibility=True,
            cycle=c,
            facts=hidden,
            external={},
            decided_by=ACTOR,
        )
    assert r.entries[mkey(p)].hold is not None
    r.collect_events()
    r.rerate(
        subject_key=mkey(p),
        level="KHTNV",
        decision_no="03-QĐ/ĐU",
        decided_on=date(2026, 2, 1),
        reason="Che giấu vi phạm",
        chair_responsibility=True,
        cycle=c,
        facts=hidden,
        external={},
        decided_by=ACTOR,
    )
    names = [type(e).__name__ for e in r.collect_events()]
    assert names == [
        "RatingCancelled",
        "RatingRevised",
        "ChairResponsibilityReviewOrdered",
    ]
    assert r.level_of(mkey(p)) is Level.NOT_COMPLETED
    assert r.entries[mkey(p)].hold is None


def test_held_subject_cannot_be_decided():
    p = member("Bị khiếu nại")
    c = cycle(2025, [p])
    r = open_round(c, GRASSROOTS)
    rate(r, c, mkey(p), Level.GOOD, decide=False)
    r.hold(subject_key=mkey(p), reason="complaint", note="Đơn", cycle=c, held_by=ACTOR)
    with refused("rating.held_for_verification"):
        r.decide(
            subject_key=mkey(p),
            level="HTTNV",
            decision_no="1",
            decided_on=date(2025, 12, 20),
            justification="",
            cycle=c,
            facts=NO_FACTS,
            external={},
            decided_by=ACTOR,
        )
    r.release(subject_key=mkey(p), finding="Không có cơ sở", released_by=ACTOR)
    r.decide(
        subject_key=mkey(p),
        level="HTTNV",
        decision_no="1",
        decided_on=date(2025, 12, 20),
        justification="",
        cycle=c,
        facts=NO_FACTS,
        external={},
        decided_by=ACTOR,
    )


# -- §12.18: review venues and order ----
def test_18_standing_committee_member_heading_a_board_has_three_venues():
    leader = member(
        "Ủy viên BTV",
        cell=OFFICE_CELL,
        posts={str(BOARD.org_id): "head", str(BTV.org_id): "member"},
    )
    c = cycle(2025, [leader])
    subject = c.subjects[mkey(leader)]
    assert subject.venues[0] == str(OFFICE_CELL.org_id)
    assert set(subject.venues) == {
        str(OFFICE_CELL.org_id),
        str(BOARD.org_id),
        str(BTV.org_id),
    }
    needed = review_prerequisites(subject, str(BOARD.org_id), c.subjects)
    assert ("cell_first", mkey(leader), str(OFFICE_CELL.org_id)) in needed
    review = Review.open(
        review_id=oid("review"),
        cycle_id=c.id,
        subject=subject,
        venue_id=str(BOARD.org_id),
        opened_by=ACTOR,
    )
    review.submit_self_review(
        appendix="PL3",
        form="2A",
        sections={
            "strengths": "Tốt",
            "shortcomings": "Còn chậm",
            "measures": "Khắc phục",
        },
        submitted_by=ACTOR,
    )
    with refused("review.order_violation", rule="cell_first"):
        review.hold_meeting(
            held_on=date(2025, 12, 5),
            attendees=7,
            minutes="Biên bản",
            conclusion="Kết luận",
            prerequisites=[("cell_first", mkey(leader), None)],
            circulation_days=3,
            holidays=[],
            recorded_by=ACTOR,
        )
    review.hold_meeting(
        held_on=date(2025, 12, 5),
        attendees=7,
        minutes="Biên bản",
        conclusion="Kết luận",
        prerequisites=[("cell_first", mkey(leader), date(2025, 12, 1))],
        circulation_days=3,
        holidays=[],
        recorded_by=ACTOR,
    )


def test_the_collective_report_holds_the_sections_of_form_01():
    """Mẫu 01: sections I–V kept in the form's order; section I may not be
    empty; a key that is not a section of the form is refused."""
    c = cycle(2025, [member("A")])
    review = Review.open(
        review_id=oid("r01"),
        cycle_id=c.id,
        subject=c.subjects[okey(CELL)],
        venue_id=str(CELL.org_id),
        opened_by=ACTOR,
    )
    review.collect_events()
    with refused("review.section_missing", section="results"):
        review.circulate_report(
            sections={"results": "  ", "measures": "BP"},
            circulated_on=date(2025, 12, 1),
            circulated_by=ACTOR,
        )
    with refused("review.section_unknown", section="strengths"):
        review.circulate_report(
            sections={"results": "KQ", "strengths": "x"},
            circulated_on=date(2025, 12, 1),
            circulated_by=ACTOR,
        )
    review.circulate_report(
        sections={"measures": "BP", "shortcomings": "", "results": "KQ"},
        circulated_on=date(2025, 12, 1),
        circulated_by=ACTOR,
    )
    (event,) = review.collect_events()
    assert isinstance(event, Review.CollectiveReportCirculated)
    assert list(event.sections.items()) == [("results", "KQ"), ("measures", "BP")]
    assert Review.CollectiveReportCirculated.class_version == 2


def test_a_report_circulated_as_one_text_is_upcast_to_section_one():
    state = {"summary": "Báo cáo", "circulated_on": "x", "circulated_by": ACTOR}
    Review.CollectiveReportCirculated.upcast_v1_v2(state)
    assert state == {
        "sections": {"results": "Báo cáo"},
        "circulated_on": "x",
        "circulated_by": ACTOR,
    }


def test_collective_report_circulated_three_working_days_before():
    c = cycle(2025, [member("A")])
    review = Review.open(
        review_id=oid("r2"),
        cycle_id=c.id,
        subject=c.subjects[okey(CELL)],
        venue_id=str(CELL.org_id),
        opened_by=ACTOR,
    )
    review.circulate_report(
        sections={"results": "Mẫu 01"},
        circulated_on=date(2025, 12, 1),
        circulated_by=ACTOR,
    )
    assert working_days_between(date(2025, 12, 1), date(2025, 12, 4)) == 3
    with refused("review.report_too_late", days=2):
        review.hold_meeting(
            held_on=date(2025, 12, 3),
            attendees=5,
            minutes="BB",
            conclusion="KL",
            prerequisites=[],
            circulation_days=3,
            holidays=[],
            recorded_by=ACTOR,
        )
    review.hold_meeting(
        held_on=date(2025, 12, 4),
        attendees=5,
        minutes="BB",
        conclusion="KL",
        prerequisites=[],
        circulation_days=3,
        holidays=[],
        recorded_by=ACTOR,
    )


def test_wrong_self_review_form_is_refused():
    c = cycle(2025, [member("A")])
    review = Review.open(
        review_id=oid("r3"),
        cycle_id=c.id,
        subject=c.subjects[mkey(member("A"))],
        venue_id=str(CELL.org_id),
        opened_by=ACTOR,
    )
    with refused("review.wrong_form", expected="2B"):
        review.submit_self_review(
            appendix="PL4", form="2A", sections={"strengths": "x"}, submitted_by=ACTOR
        )


# -- properties ---------------------------------------------------------------
POOL = [member(f"Thành viên {i}") for i in range(12)]
POOL_CYCLE = cycle(2025, POOL)

decisions = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=len(POOL) - 1),
        st.sampled_from([Level.EXCELLENT, Level.GOOD, Level.COMPLETED]),
        st.booleans(),
    ),
    max_size=30,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=decisions, exception=st.booleans())
def test_no_accepted_sequence_of_decisions_exceeds_the_quota(steps, exception):
    c = POOL_CYCLE
    r = open_round(c, GRASSROOTS)
    r.define_peer_group(
        code="g",
        name="Nhóm",
        members=[mkey(p) for p in POOL],
        cycle=c,
        defined_by=ACTOR,
    )
    if exception:
        r.grant_quota_exception(
            code="g", ratio_pct=25, justification="Nổi trội", cycle=c, granted_by=ACTOR
        )
    for index, level, rerate in steps:
        key = mkey(POOL[index])
        refusal = None
        try:
            if r.decision_of(key) is None:
                rate(r, c, key, level)
            elif rerate:
                r.rerate(
                    subject_key=key,
                    level=level.value,
                    decision_no="03",
                    decided_on=date(2026, 1, 5),
                    reason="Đánh giá lại",
                    chair_responsibility=False,
                    cycle=c,
                    facts=NO_FACTS,
                    external={},
                    decided_by=ACTOR,
                )
        except DomainError as exc:
            refusal = exc.code
        assert refusal in (None, "rating.quota_exceeded", "rating.level_not_allowed")
        gauge = r.quota("g", c)
        assert gauge["excellent"] * 100 <= gauge["ratio_pct"] * gauge["good"]


def _floats(value, path="event"):
    if isinstance(value, float):
        yield path
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _floats(v, f"{path}.{k}")
    elif isinstance(value, list | tuple):
        for i, v in enumerate(value):
            yield from _floats(v, f"{path}[{i}]")


@settings(max_examples=25, deadline=None)
@given(
    points=st.lists(
        st.decimals(min_value=0, max_value=10, places=2), min_size=3, max_size=3
    ),
    tasks=st.integers(min_value=0, max_value=30),
)
def test_no_float_in_any_score_threshold_or_event(points, tasks):
    from decimal import Decimal

    general = [Fraction(str(p)) for p in points]
    task = Fraction(str(Decimal(tasks)))
    assessment = scored("0", Level.NOT_COMPLETED)
    assessment = type(assessment)(
        level=Level.NOT_COMPLETED,
        points={
            "c1": general[0],
            "c2": general[1],
            "c3": general[2],
            "t1": task,
            "t2": Fraction(0),
        },
        tasks_total=10,
        tasks_on_time=10,
    )
    result = evaluate(BOOK_366, NON_LEADER, assessment, NO_FACTS, 2025)
    assert isinstance(result.score, Fraction)
    assert list(_floats(result.as_dict())) == []
    p = POOL[0]
    r = open_round(POOL_CYCLE, GRASSROOTS)
    r.self_rate(
        subject_key=mkey(p),
        assessment=assessment,
        cycle=POOL_CYCLE,
        facts=NO_FACTS,
        rated_by=ACTOR,
    )
    for e in r.collect_events():
        assert list(_floats(e.__dict__)) == []
    assert list(_floats(POOL_CYCLE.__dict__)) == []


def test_a_collective_with_the_committee_s_members_is_reviewed_at_its_conference():
    leader = member("Bí thư", cell=OFFICE_CELL, posts={str(BTV.org_id): "head"})
    combined = {"combined": {str(BTV.org_id): str(DISTRICT.org_id)}}
    c = cycle(2025, [leader], options=combined)
    assert c.subjects[okey(BTV)].venues == (str(DISTRICT.org_id),)
    assert c.subjects[mkey(leader)].venues == (
        str(OFFICE_CELL.org_id),
        str(DISTRICT.org_id),
    )
    with refused("cycle.combined_invalid"):
        cycle(2025, [leader], options={"combined": {str(BTV.org_id): str(CELL.org_id)}})
