"""The rules that read facts about units, at the domain level (no I/O): the 366
KHTNV triggers of leaders and leadership collectives, the party organisation's
shares (124; 366 by plan), the sector order, the đảng ủy bộ phận in the authority
table, the consecutive-KHTNV flag, and the organisation facts themselves.
Given / when / then; hypothesis where a rule has a range."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.cycles import check_party_org_triggers
from domain.errors import DomainError
from domain.evaluation import SubjectFacts, evaluate, unit_triggers
from domain.explain import explain
from domain.members import MemberFacts, MembershipStatus, PartyMember
from domain.organisations import Organisation, OrganisationKind, ParentFacts
from domain.ratings import consecutive_khtnv, rating_prerequisites
from domain.reviews import review_prerequisites
from domain.rulebooks import Level, rulebook_for_year
from domain.subjects import OrgNode, Subject, derive_subjects
from tests.unit import ratings_world as world
from tests.unit.ratings_world import (
    ACTOR,
    DISTRICT,
    GRASSROOTS,
    TREE,
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

B366, B124, B132 = (rulebook_for_year(y) for y in (2025, 2023, 2021))
LEADER = as_subject({"kind": "individual", "klass": "leader", "appendix": "PL3"})
NON_LEADER = as_subject({"kind": "individual", "klass": "member_of_subordinate_cell"})
COLLECTIVE = as_subject(
    {
        "kind": "collective",
        "klass": "leadership_collective",
        "org_kind": "leadership_collective",
        "appendix": "PL1",
        "org_id": str(oid("btv")),
    }
)
PARTY_ORG = as_subject(
    {
        "kind": "collective",
        "klass": "grassroots_committee",
        "org_kind": "grassroots_committee",
        "appendix": "PL1",
        "org_id": str(oid("g")),
    }
)


def codes(book, subject, facts, year=2025) -> list[str]:
    return [code for code, _m, _d in unit_triggers(book, subject, facts, year)]


def results(planned: int, completed: int, failed=(), year=2025) -> dict[str, Any]:
    return {
        "org_id": oid("u"),
        "year": year,
        "tasks_planned": planned,
        "tasks_completed": completed,
        "targets_apply": bool(failed),
        "targets_failed": list(failed),
        "reference": "BC",
    }


# -- leader: overseen units (>50% KHTNV) ---------------------------------------------
@given(st.integers(1, 30).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n))))
def test_overseen_units_trigger_exactly_above_half(case):
    total, khtnv = case
    overseen = tuple(
        (f"o:{i}", "KHTNV" if i < khtnv else "HTTNV") for i in range(total)
    )
    found = codes(B366, LEADER, SubjectFacts(overseen=overseen))
    assert ("overseen_units_khtnv" in found) == (khtnv * 2 > total)


def test_undecided_overseen_units_count_in_the_whole_but_not_as_khtnv():
    facts = SubjectFacts(overseen=(("o:a", "KHTNV"), ("o:b", None)))
    assert codes(B366, LEADER, facts) == []
    facts = SubjectFacts(overseen=(("o:a", "KHTNV"), ("o:b", "KHTNV"), ("o:c", None)))
    assert codes(B366, LEADER, facts) == ["overseen_units_khtnv"]


def test_only_leaders_and_collectives_get_unit_triggers():
    facts = SubjectFacts(overseen=(("o:a", "KHTNV"),), unit_results=(results(10, 1),))
    assert codes(B366, NON_LEADER, facts) == []
    assert codes(B366, LEADER, facts) == [
        "overseen_units_khtnv",
        "unit_tasks_below_minimum",
    ]


def test_132_leader_is_khtnv_when_the_unit_they_lead_is():
    facts = SubjectFacts(led=(("o:a", "KHTNV"),))
    assert codes(B132, LEADER, facts, 2021) == ["led_unit_khtnv"]
    assert codes(B366, LEADER, facts) == []  # 366 reads the >50% share instead


# -- disciplined cases under direct management ------------------------------------
def case(kind: str, on: date) -> dict[str, Any]:
    return {"case_id": str(uuid4()), "kind": kind, "disciplined_on": on}


@pytest.mark.parametrize(
    ("book", "kind", "year", "hit"),
    [
        (B366, "negativity", 2025, True),
        (B366, "waste", 2025, True),
        (B132, "corruption", 2021, True),
        (B132, "waste", 2021, False),  # 132: embezzlement, corruption
        (B124, "corruption", 2023, False),  # 124 names it for collectives
    ],
)
def test_management_case_by_regime(book, kind, year, hit):
    facts = SubjectFacts(cases=(case(kind, date(year, 3, 1)),))
    assert ("management_case" in codes(book, LEADER, facts, year)) is hit


def test_a_case_disciplined_in_another_year_does_not_count():
    facts = SubjectFacts(cases=(case("corruption", date(2024, 12, 31)),))
    assert codes(B366, LEADER, facts) == []


def test_124_collective_with_a_subordinate_case():
    facts = SubjectFacts(cases=(case("waste", date(2023, 3, 1)),))
    assert codes(B124, PARTY_ORG, facts, 2023) == ["subordinate_case"]
    assert codes(B366, PARTY_ORG, facts, 2023) == []


# -- task results and the five socio-economic targets -------------------------------
@given(st.integers(1, 500).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n))))
def test_unit_tasks_below_70_percent_exactly(case_):
    planned, completed = case_
    found = codes(
        B366, COLLECTIVE, SubjectFacts(unit_results=(results(planned, completed),))
    )
    assert ("unit_tasks_below_minimum" in found) == (completed * 100 < 70 * planned)


def test_failed_socio_economic_targets_and_another_year():
    facts = SubjectFacts(unit_results=(results(10, 10, ["growth"]),))
    assert codes(B366, LEADER, facts) == ["socio_economic_targets"]
    old = SubjectFacts(unit_results=(results(10, 1, ["growth"], year=2024),))
    assert codes(B366, LEADER, old) == []
    assert codes(B124, LEADER, facts, 2025) == []  # not a 124 trigger


# -- conclusions, degradation, discipline of the collective -------------------------
@pytest.mark.parametrize(
    ("book", "kind", "hit"),
    [
        (B366, "personnel_wrongdoing", True),
        (B366, "buying_posts", True),
        (B124, "disunity", True),
        (B124, "factionalism", False),
        (B132, "disunity", False),
    ],
)
def test_collective_conclusions_by_regime(book, kind, hit):
    facts = SubjectFacts(
        conclusions=({"kind": kind, "concluded_on": date(2025, 5, 1)},)
    )
    assert ("collective_conclusion" in codes(book, COLLECTIVE, facts)) is hit


def test_a_degraded_member_makes_the_collective_khtnv_without_mitigation():
    facts = SubjectFacts(
        member_degradations=({"member_id": oid("m"), "concluded_on": date(2025, 2, 2)},)
    )
    found = unit_triggers(B366, COLLECTIVE, facts, 2025)
    assert found == [("member_degradation", False, {})]
    result = evaluate(
        B366,
        COLLECTIVE,
        scored("85", Level.NOT_COMPLETED, collective=True),
        facts,
        2025,
        {"member_degradation": True},
    )
    assert result.ceiling is Level.NOT_COMPLETED
    assert not result.triggers[0].mitigable


def test_124_disciplined_collective():
    facts = SubjectFacts(org_disciplines=({"decided_on": date(2023, 1, 9)},))
    assert codes(B124, COLLECTIVE, facts, 2023) == ["collective_disciplined"]
    assert codes(B366, COLLECTIVE, facts, 2023) == []


# -- the party organisation's shares -------------------------------------------------
@given(st.integers(1, 40).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n))))
def test_124_subordinates_disciplined_above_20_percent(case_):
    total, hit = case_
    units = tuple(
        {"org_id": i, "disciplined": [date(2023, 4, 1)] if i < hit else []}
        for i in range(total)
    )
    found = codes(B124, PARTY_ORG, SubjectFacts(subordinates=units), 2023)
    assert ("subordinate_units_disciplined" in found) == (hit * 100 > 20 * total)


def test_366_shares_are_off_by_default_and_a_plan_sets_them():
    units = ({"org_id": 1, "disciplined": [date(2025, 4, 1)]},)
    members = (("m:1", "KHTNV"), ("m:2", "HTTNV"))
    facts = SubjectFacts(subordinates=units, member_levels=members)
    assert codes(B366, PARTY_ORG, facts) == []
    plan = cycle(
        2025,
        [],
        options={
            "party_org_triggers": {
                "subordinate_disciplined_max_pct": 20,
                "members_khtnv_max_pct": 50,
            }
        },
    )
    assert codes(plan.rulebook, PARTY_ORG, facts) == ["subordinate_units_disciplined"]
    stricter = cycle(
        2025, [], options={"party_org_triggers": {"members_khtnv_max_pct": 49}}
    )
    assert codes(stricter.rulebook, PARTY_ORG, facts) == ["members_khtnv"]
    assert cycle(2025, []).rulebook is B366


@pytest.mark.parametrize(
    "value",
    [
        {"members_khtnv_max_pct": 101},
        {"members_khtnv_max_pct": -1},
        {"members_khtnv_max_pct": True},
        {"members_khtnv_max_pct": "20"},
        {"other": 1},
        [20],
    ],
)
def test_plan_shares_are_checked(value):
    with pytest.raises(DomainError) as info:
        check_party_org_triggers(value)
    assert info.value.code in {
        "cycle.party_org_triggers_invalid",
        "cycle.option_unknown",
    }


def test_a_plan_may_turn_the_124_share_off():
    assert check_party_org_triggers({"subordinate_disciplined_max_pct": None}) == {
        "subordinate_disciplined_max_pct": None
    }


# -- explanation ----
def test_the_explanation_names_each_new_trigger_in_vietnamese():
    facts = SubjectFacts(
        conclusions=({"kind": "factionalism", "concluded_on": date(2025, 5, 1)},),
        unit_results=(results(10, 5, ["growth", "poverty_reduction"]),),
    )
    result = evaluate(
        B366,
        COLLECTIVE,
        scored("60", Level.NOT_COMPLETED, collective=True),
        facts,
        2025,
    )
    text = explain(B366, result, Level.NOT_COMPLETED)
    assert "dưới 70% chỉ tiêu" in text
    assert "tăng trưởng kinh tế, giảm nghèo" in text
    assert "bị kết luận cục bộ, bè phái" in text


# -- order by sector -------------------------------------------------------------------
def test_sector_order_prerequisites():
    ubnd = OrgNode(
        oid("ubnd"),
        "UBND huyện",
        "leadership_collective",
        DISTRICT.org_id,
        sector="government",
    )
    mttq = OrgNode(
        oid("mttq"),
        "MTTQ huyện",
        "leadership_collective",
        DISTRICT.org_id,
        sector="mass_org",
    )
    btv = OrgNode(
        oid("btv"),
        "Ban Thường vụ Huyện ủy",
        "leadership_collective",
        DISTRICT.org_id,
        sector="party",
    )
    tree = {**TREE, ubnd.org_id: ubnd, mttq.org_id: mttq, btv.org_id: btv}
    rows = derive_subjects(B366, DISTRICT.org_id, tree, [], date(2025, 12, 1))
    subjects = {s["key"]: Subject.from_payload(s) for s in rows}
    assert subjects[okey(GRASSROOTS)].sector == "party"
    assert subjects[okey(btv)].sector == "party"
    assert rating_prerequisites(subjects[okey(btv)], subjects) == sorted(
        [
            ("government_before_party_committee", okey(mttq)),
            ("government_before_party_committee", okey(ubnd)),
        ]
    )
    district = rating_prerequisites(subjects[okey(DISTRICT)], subjects)
    assert ("units_before_party_org", okey(ubnd)) in district
    assert ("lower_before_higher", okey(btv)) in district
    # A collective whose sector was never recorded keeps the old rules only.
    board = subjects[f"o:{oid('board')}"]
    assert board.sector is None
    assert rating_prerequisites(board, subjects) == []


def test_the_government_order_is_a_366_rule_only():
    assert "government_before_party_committee" in B366.order_rules
    assert "government_before_party_committee" not in B132.order_rules
    assert "units_before_party_org" in B132.order_rules


def test_party_committee_decision_waits_for_the_government_leadership(monkeypatch):
    ubnd = OrgNode(
        oid("ubnd"),
        "UBND huyện",
        "leadership_collective",
        DISTRICT.org_id,
        sector="government",
    )
    btv = OrgNode(
        oid("btv"),
        "Ban Thường vụ Huyện ủy",
        "leadership_collective",
        DISTRICT.org_id,
        sector="party",
    )
    tree = {**TREE, ubnd.org_id: ubnd, btv.org_id: btv}
    monkeypatch.setattr(world, "TREE", tree)
    c = world.cycle(2025, [])
    r = open_round(c, DISTRICT)
    rate(r, c, okey(btv), Level.GOOD, decide=False)
    with pytest.raises(DomainError) as info:
        r.decide(
            subject_key=okey(btv),
            level="HTTNV",
            decision_no="1",
            decided_on=date(2025, 12, 20),
            justification="",
            cycle=c,
            facts=SubjectFacts(),
            external={},
            decided_by=ACTOR,
        )
    assert info.value.code == "rating.prerequisite_missing"
    assert info.value.details["rule"] == "government_before_party_committee"
    rate(r, c, okey(ubnd), Level.GOOD)
    r.decide(
        subject_key=okey(btv),
        level="HTTNV",
        decision_no="1",
        decided_on=date(2025, 12, 20),
        justification="",
        cycle=c,
        facts=SubjectFacts(),
        external={},
        decided_by=ACTOR,
    )


# -- đảng ủy bộ phận -----------------------------------------------------------------
def test_partial_committee_proposes_and_the_grassroots_committee_decides():
    partial = OrgNode(
        oid("bp"), "Đảng ủy bộ phận", "partial_committee", GRASSROOTS.org_id
    )
    cell = OrgNode(oid("c9"), "Chi bộ khu 9", "cell", partial.org_id)
    tree = {**TREE, partial.org_id: partial, cell.org_id: cell}
    one = member("Khu chín", cell=cell)
    rows = derive_subjects(B366, DISTRICT.org_id, tree, [one], date(2025, 12, 1))
    subjects = {s["key"]: Subject.from_payload(s) for s in rows}
    assert subjects[okey(cell)].klass == "subordinate_cell"
    assert subjects[okey(cell)].proposes == str(partial.org_id)
    assert subjects[okey(cell)].decides == str(GRASSROOTS.org_id)
    assert subjects[okey(partial)].klass == "partial_committee"
    assert subjects[okey(partial)].decides == str(GRASSROOTS.org_id)
    assert subjects[mkey(one)].decides == str(GRASSROOTS.org_id)
    # Without a đảng ủy bộ phận nobody is named as proposer (unchanged).
    plain = {
        s["key"]: s
        for s in derive_subjects(B366, DISTRICT.org_id, TREE, [], date(2025, 12, 1))
    }
    assert plain[f"o:{oid('c1')}"]["proposes"] is None
    assert ("lower_before_higher", okey(cell)) in rating_prerequisites(
        subjects[okey(partial)], subjects
    )


def test_only_the_proposing_body_proposes_for_a_chi_bo_truc_thuoc(monkeypatch):
    partial = OrgNode(
        oid("bp"), "Đảng ủy bộ phận", "partial_committee", GRASSROOTS.org_id
    )
    cell = OrgNode(oid("c9"), "Chi bộ khu 9", "cell", partial.org_id)
    monkeypatch.setattr(
        world, "TREE", {**TREE, partial.org_id: partial, cell.org_id: cell}
    )
    c = world.cycle(2025, [])
    r = open_round(c, GRASSROOTS)
    r.self_rate(
        subject_key=okey(cell),
        assessment=scored("80", Level.GOOD, collective=True),
        cycle=c,
        facts=SubjectFacts(),
        rated_by=ACTOR,
    )
    with pytest.raises(DomainError) as info:
        r.propose(
            subject_key=okey(cell),
            level="HTTNV",
            note="",
            cycle=c,
            facts=SubjectFacts(),
            proposed_by=ACTOR,
            proposer_org_id=GRASSROOTS.org_id,
        )
    assert info.value.code == "rating.not_proposer"
    assert info.value.details["proposes"] == "Đảng ủy bộ phận"
    r.propose(
        subject_key=okey(cell),
        level="HTTNV",
        note="",
        cycle=c,
        facts=SubjectFacts(),
        proposed_by=ACTOR,
        proposer_org_id=partial.org_id,
    )


# -- consecutive KHTNV ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("now", "before", "flag"),
    [
        (Level.NOT_COMPLETED, "KHTNV", True),
        (Level.NOT_COMPLETED, "HTNV", False),
        (Level.COMPLETED, "KHTNV", False),
        (Level.NOT_COMPLETED, None, False),
    ],
)
def test_consecutive_khtnv_flag(now, before, flag):
    previous = {"cycle_id": "c", "year": 2024, "level": before} if before else None
    assert (consecutive_khtnv(now, SubjectFacts(previous=previous)) is not None) is flag


def test_the_flag_is_recorded_in_the_decision_and_explained_never_a_consequence():
    p = member("Hai lần")
    c = cycle(2025, [p])
    r = open_round(c, GRASSROOTS)
    facts = SubjectFacts(
        previous={"cycle_id": "x", "year": 2024, "period": "annual", "level": "KHTNV"}
    )
    rate(r, c, mkey(p), Level.NOT_COMPLETED, facts=facts)
    decided = vars(r.collect_events()[-1])
    assert "consecutive_khtnv" in decided["rules"]
    assert decided["checks"]["consecutive_khtnv"]["year"] == 2024
    assert decided["facts"]["previous"]["level"] == "KHTNV"
    assert "hai kỳ liên tiếp" in decided["explanation"]
    assert decided["level"] == "KHTNV"


# -- the facts themselves ------------------------------------------------------------
def org(kind: str = "leadership_collective") -> Organisation:
    parent = ParentFacts(uuid4(), OrganisationKind.DISTRICT_COMMITTEE)
    return Organisation.found(
        org_id=uuid4(),
        code="x",
        name="Tập thể",
        kind=kind,
        parent=parent,
        founded_by=ACTOR,
    )


def raises(code: str, call, **kw) -> None:
    with pytest.raises(DomainError) as info:
        call(**kw)
    assert info.value.code == code


def test_sector_is_recorded_for_leadership_collectives_only():
    unit = org()
    assert unit.sector is None
    unit.set_sector(sector="government", set_by=ACTOR)
    assert unit.sector == "government"
    raises("org.sector_unchanged", unit.set_sector, sector="government", set_by=ACTOR)
    raises("org.sector_unknown", unit.set_sector, sector="army", set_by=ACTOR)
    cell = org("cell")
    assert cell.sector == "party"
    raises("org.sector_fixed", cell.set_sector, sector="government", set_by=ACTOR)


def test_organisation_facts_are_checked_and_kept():
    unit = org()
    on = date(2025, 3, 1)
    unit.record_conclusion(
        conclusion_id="k1",
        kind="disunity",
        concluded_on=on,
        reference=" KL  1 ",
        recorded_by=ACTOR,
    )
    assert unit.conclusions[0]["reference"] == "KL 1"
    raises(
        "org.fact_recorded_twice",
        unit.record_conclusion,
        conclusion_id="k1",
        kind="disunity",
        concluded_on=on,
        reference="KL 1",
        recorded_by=ACTOR,
    )
    raises(
        "org.reference_required",
        unit.record_case,
        case_id="v",
        kind="waste",
        disciplined_on=on,
        member_id=None,
        reference="  ",
        recorded_by=ACTOR,
    )
    raises(
        "org.task_counts_invalid",
        unit.record_task_results,
        year=2025,
        tasks_planned=0,
        tasks_completed=0,
        targets_apply=False,
        targets_failed=[],
        reference="BC",
        recorded_by=ACTOR,
    )
    unit.record_task_results(
        year=2025,
        tasks_planned=10,
        tasks_completed=6,
        targets_apply=True,
        targets_failed=["growth", "growth"],
        reference="BC",
        recorded_by=ACTOR,
    )
    unit.record_task_results(
        year=2025,
        tasks_planned=10,
        tasks_completed=9,
        targets_apply=False,
        targets_failed=[],
        reference="BC sửa",
        recorded_by=ACTOR,
    )
    assert unit.task_results[2025]["tasks_completed"] == 9  # the later supersedes
    unit.record_discipline(
        discipline_id="d",
        level="warning",
        decided_on=on,
        reference="QĐ",
        recorded_by=ACTOR,
    )
    raises(
        "org.discipline_level_unknown",
        unit.record_discipline,
        discipline_id="e",
        level="removal",
        decided_on=on,
        reference="QĐ",
        recorded_by=ACTOR,
    )
    names = [type(e).__name__ for e in unit.collect_events()]
    assert names == [
        "Founded",
        "ConclusionRecorded",
        "TaskResultsRecorded",
        "TaskResultsRecorded",
        "DisciplineRecorded",
    ]


def test_oversight_of_a_leader():
    cell = ParentFacts(uuid4(), OrganisationKind.CELL)
    person = PartyMember.enrol(
        member_id=uuid4(),
        facts=MemberFacts(
            "Nguyễn Văn A",
            "DV1",
            date(1980, 1, 1),
            date(2010, 1, 1),
            MembershipStatus.FULL,
        ),
        cell=cell,
        today=date(2025, 1, 1),
        enrolled_by=ACTOR,
    )
    unit = ParentFacts(uuid4(), OrganisationKind.CELL)
    person.assign_oversight(org=unit, since=date(2024, 1, 1), assigned_by=ACTOR)
    raises(
        "member.oversight_unchanged",
        person.assign_oversight,
        org=unit,
        since=date(2024, 1, 1),
        assigned_by=ACTOR,
    )
    raises(
        "member.period_invalid",
        person.end_oversight,
        org_id=unit.org_id,
        until=date(2023, 1, 1),
        ended_by=ACTOR,
    )
    person.end_oversight(org_id=unit.org_id, until=date(2025, 6, 1), ended_by=ACTOR)
    assert person.oversees == {}
    raises(
        "member.oversight_not_held",
        person.end_oversight,
        org_id=unit.org_id,
        until=date(2025, 6, 1),
        ended_by=ACTOR,
    )


def test_legacy_assessment_of_a_party_org_under_124_with_a_disciplined_unit():
    c = cycle(2023, [])
    r = open_round(c, DISTRICT)
    facts = SubjectFacts(
        subordinates=(
            {"org_id": 1, "disciplined": [date(2023, 2, 1)]},
            {"org_id": 2, "disciplined": []},
        )
    )
    with pytest.raises(DomainError) as info:
        r.self_rate(
            subject_key=okey(GRASSROOTS),
            assessment=legacy(Level.GOOD),
            cycle=c,
            facts=facts,
            rated_by=ACTOR,
        )
    assert info.value.details["rule"] == "subordinate_units_disciplined"


def test_review_order_by_sector_is_a_366_rule():
    ubnd = OrgNode(
        oid("ubnd"),
        "UBND",
        "leadership_collective",
        DISTRICT.org_id,
        sector="government",
    )
    btv = OrgNode(
        oid("btv"), "BTV", "leadership_collective", DISTRICT.org_id, sector="party"
    )
    tree = {**TREE, ubnd.org_id: ubnd, btv.org_id: btv}
    rows = derive_subjects(B366, DISTRICT.org_id, tree, [], date(2025, 12, 1))
    subjects = {s["key"]: Subject.from_payload(s) for s in rows}
    party = subjects[okey(btv)]
    venue = str(btv.org_id)
    assert review_prerequisites(party, venue, subjects, B366.order_rules) == [
        ("government_before_party_committee", okey(ubnd), str(ubnd.org_id))
    ]
    assert review_prerequisites(party, venue, subjects, B132.order_rules) == []
    assert (
        review_prerequisites(
            subjects[okey(ubnd)], str(ubnd.org_id), subjects, B366.order_rules
        )
        == []
    )
