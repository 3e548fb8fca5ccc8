"""The rules that read facts about units, through the HTTP API on SQLite and
PostgreSQL (issue 3 remainder): the 366 KHTNV triggers of leaders and leadership
collectives (overseen units, disciplined cases, task results and socio-economic
targets, conclusions, members' degradation), the party organisation's shares
(124 by default, 366 by plan option), the order by sector (units before the party
organisation; government, professional and mass-organisation leaderships before
the party committee), the đảng ủy bộ phận as proposer for a chi bộ trực thuộc,
and the consecutive-KHTNV flag. A refusal names the rule and stores nothing."""

from __future__ import annotations

from typing import Any

from services import commands as c
from tests.acceptance.ratings_api import Api, Province
from tests.acceptance.test_rule_scenarios import (
    decision,
    key,
    rate,
    refuse,
    self_rate,
)
from tests.service.test_cycle_counters import parts_equal_whole


def found(p: Province, name: str, code: str, title: str, kind: str, parent: str):
    p.orgs[name] = p.services.handle(
        c.FoundOrganisation(p.admin.actor, code, title, kind, p.orgs[parent]),
        p.admin.signer,
    )
    return p.orgs[name]


def org_fact(p: Province, org: str, fact: str, body: dict[str, Any]) -> None:
    p.sec.post(f"/organisations/{p.orgs[org]}/{fact}", body)


def head_of(p: Province, name: str, org: str, cell: str = "office") -> str:
    member = p.enrol(name, cell=cell)
    p.fact(
        member,
        "posts",
        {"org_id": str(p.orgs[org]), "role": "head", "since": "2020-01-01"},
    )
    return member


def account(p: Province, username: str, role: str, org: str) -> Api:
    password = f"mat-khau-{username}"
    p.services.handle(
        c.OpenAccount(
            p.admin.actor, username, username, (role,), password, org_id=p.orgs[org]
        ),
        p.admin.signer,
    )
    api = Api(p.app.test_client())
    api.login(username, password)
    return api


# -- leader individual (366 Điều 11) ---------------------------------------------------
def test_leader_whose_overseen_units_are_over_half_khtnv_is_khtnv(province):
    p = province
    leader = head_of(p, "Đỗ Văn Phụ Trách", "board")
    for cell in ("cell", "cell2"):
        p.fact(
            leader, "oversight", {"org_id": str(p.orgs[cell]), "since": "2024-01-01"}
        )
    cycle = p.open_cycle(2025)
    commune = p.open_round(cycle, "commune")
    district = p.open_round(cycle, "district")
    rate(p, commune, key("o", p.orgs["cell"]), "KHTNV", "40", "PL1")
    subject = key("m", leader)
    # 1 of 2 overseen units KHTNV is not more than half.
    p.sec.post(
        f"/rounds/{district}/self-ratings",
        self_rate(p, district, subject, "HTTNV", "88", "PL3"),
    )
    rate(p, commune, key("o", p.orgs["cell2"]), "KHTNV", "40", "PL1")
    refuse(
        p,
        p.sec,
        f"/rounds/{district}/proposals",
        {"subject_key": subject, "level": "HTTNV"},
        "rating.level_not_allowed",
        rule="overseen_units_khtnv",
        ceiling="KHTNV",
    )
    # The mitigation clause applies: an authority decision with a justification.
    p.dm.post(
        f"/rounds/{district}/mitigations",
        {
            "subject_key": subject,
            "trigger": "overseen_units_khtnv",
            "mitigated": True,
            "justification": "Bất khả kháng: thiên tai kéo dài ở cả hai thôn",
        },
    )
    rate(p, district, key("o", p.orgs["board"]), "HTTNV", appendix="PL1")
    p.sec.post(
        f"/rounds/{district}/proposals", {"subject_key": subject, "level": "HTTNV"}
    )
    p.dm.post(f"/rounds/{district}/decisions", decision(subject, "HTTNV"))
    why = p.sec.get(f"/cycles/{cycle}/subjects/{subject}")["subject"]["explanation"]
    assert "2/2 lĩnh vực, đơn vị trực tiếp phụ trách" in why
    assert "giảm nhẹ" in why
    parts_equal_whole(p.services)  # a head's post: the collective before them


def test_leader_cases_task_results_and_socio_economic_targets(province):
    p = province
    board = head_of(p, "Lê Văn Ban", "board")
    btv = head_of(p, "Lê Văn Thường Vụ", "btv")
    commune = head_of(p, "Lê Văn Xã", "commune", cell="cell")
    org_fact(
        p,
        "board",
        "cases",
        {"kind": "corruption", "disciplined_on": "2025-04-02", "reference": "QĐ 5"},
    )
    org_fact(
        p,
        "btv",
        "task-results",
        {"year": 2025, "tasks_planned": 10, "tasks_completed": 6, "reference": "BC 1"},
    )
    org_fact(
        p,
        "commune",
        "task-results",
        {
            "year": 2025,
            "tasks_planned": 10,
            "tasks_completed": 10,
            "targets_apply": True,
            "targets_failed": ["growth", "poverty_reduction"],
            "reference": "BC tổng kết 2025",
        },
    )
    cycle = p.open_cycle(2025)
    rnd = p.open_round(cycle, "district")
    for member, rule in (
        (board, "management_case"),
        (btv, "unit_tasks_below_minimum"),
        (commune, "socio_economic_targets"),
    ):
        refuse(
            p,
            p.sec,
            f"/rounds/{rnd}/self-ratings",
            self_rate(p, rnd, key("m", member), "HTNV", "60", "PL3"),
            "rating.level_not_allowed",
            rule=rule,
        )
    subject = key("m", commune)
    p.sec.post(
        f"/rounds/{rnd}/self-ratings",
        self_rate(p, rnd, subject, "KHTNV", "60", "PL3"),
    )
    p.sec.post(f"/rounds/{rnd}/proposals", {"subject_key": subject, "level": "KHTNV"})


# -- leadership collective (366 Điều 11) ----
def test_collective_conclusion_member_degradation_and_locality_results(province):
    p = province
    org_fact(
        p,
        "btv",
        "conclusions",
        {"kind": "disunity", "concluded_on": "2025-08-01", "reference": "KL 12"},
    )
    member = p.enrol("Phan Văn Suy", cell="office")
    p.fact(
        member,
        "posts",
        {"org_id": str(p.orgs["board"]), "role": "member", "since": "2020-01-01"},
    )
    p.fact(member, "degradations", {"concluded_on": "2025-09-09", "reference": "KL 3"})
    cycle = p.open_cycle(2025)
    rnd = p.open_round(cycle, "district")
    btv, board = key("o", p.orgs["btv"]), key("o", p.orgs["board"])
    refuse(
        p,
        p.sec,
        f"/rounds/{rnd}/self-ratings",
        self_rate(p, rnd, btv, "HTTNV", "85", "PL1"),
        "rating.level_not_allowed",
        rule="collective_conclusion",
    )
    refuse(
        p,
        p.sec,
        f"/rounds/{rnd}/self-ratings",
        self_rate(p, rnd, board, "HTTNV", "85", "PL1"),
        "rating.level_not_allowed",
        rule="member_degradation",
    )
    p.sec.post(
        f"/rounds/{rnd}/self-ratings", self_rate(p, rnd, board, "KHTNV", "85", "PL1")
    )
    refuse(
        p,
        p.dm,
        f"/rounds/{rnd}/mitigations",
        {
            "subject_key": board,
            "trigger": "member_degradation",
            "mitigated": True,
            "justification": "x",
        },
        "rating.trigger_not_mitigable",
    )
    # BTV Huyện ủy has no results of its own: it leads the district, 13/20 < 70%.
    p.sec.post(
        f"/rounds/{rnd}/self-ratings", self_rate(p, rnd, btv, "KHTNV", "85", "PL1")
    )
    p.dm.post(
        f"/rounds/{rnd}/mitigations",
        {
            "subject_key": btv,
            "trigger": "collective_conclusion",
            "mitigated": True,
            "justification": "Đã tự phát hiện, khắc phục, đoàn kết trở lại",
        },
    )
    p.sec.post(f"/rounds/{rnd}/proposals", {"subject_key": btv, "level": "HTTNV"})
    org_fact(
        p,
        "district",
        "task-results",
        {"year": 2025, "tasks_planned": 20, "tasks_completed": 13, "reference": "BC"},
    )
    refuse(
        p,
        p.sec,
        f"/rounds/{rnd}/proposals",
        {"subject_key": btv, "level": "HTTNV"},
        "rating.level_not_allowed",
        rule="unit_tasks_below_minimum",
    )


# -- party organisation (124 by default; 366 by plan option) --------------------------
def test_124_party_org_with_over_20_percent_of_subordinates_disciplined(province):
    p = province
    org_fact(
        p,
        "cell",
        "disciplines",
        {"level": "warning", "decided_on": "2023-05-05", "reference": "QĐ 7"},
    )
    cycle = p.open_cycle(2023)
    district = p.open_round(cycle, "district")
    commune = p.open_round(cycle, "commune")
    refuse(
        p,
        p.sec,
        f"/rounds/{district}/self-ratings",
        self_rate(p, district, key("o", p.orgs["commune"]), "HTTNV", None),
        "rating.level_not_allowed",
        rule="subordinate_units_disciplined",
    )
    refuse(
        p,
        p.sec,
        f"/rounds/{commune}/self-ratings",
        self_rate(p, commune, key("o", p.orgs["cell"]), "HTTNV", None),
        "rating.level_not_allowed",
        rule="collective_disciplined",
    )
    p.sec.post(
        f"/rounds/{commune}/self-ratings",
        self_rate(p, commune, key("o", p.orgs["cell2"]), "HTTNV", None),
    )


def test_366_party_org_shares_are_off_by_default_and_set_by_the_plan(province):
    p = province
    org_fact(
        p,
        "cell",
        "disciplines",
        {"level": "reprimand", "decided_on": "2025-05-05", "reference": "QĐ 7"},
    )
    one, two = p.enrol("Hà Văn Một"), p.enrol("Hà Văn Hai")
    cycle = p.open_cycle(2025)
    district = p.open_round(cycle, "district")
    p.sec.post(
        f"/rounds/{district}/self-ratings",
        self_rate(p, district, key("o", p.orgs["commune"]), "HTTNV", "80", "PL1"),
    )
    refuse(
        p,
        p.sec,
        "/cycles",
        {
            "org_id": str(p.orgs["commune"]),
            "year": 2025,
            "options": {"party_org_triggers": {"members_khtnv_max_pct": 120}},
        },
        "cycle.party_org_triggers_invalid",
    )
    plan = p.open_cycle(
        2025,
        org="commune",
        options={
            "party_org_triggers": {
                "subordinate_disciplined_max_pct": 20,
                "members_khtnv_max_pct": 40,
            }
        },
    )
    upper = p.open_round(plan, "district")
    refuse(
        p,
        p.sec,
        f"/rounds/{upper}/self-ratings",
        self_rate(p, upper, key("o", p.orgs["commune"]), "HTTNV", "80", "PL1"),
        "rating.level_not_allowed",
        rule="subordinate_units_disciplined",
    )
    rnd = p.open_round(plan, "commune")
    rate(p, rnd, key("m", one), "KHTNV", "40")
    rate(p, rnd, key("m", two), "HTTNV")
    refuse(
        p,
        p.sec,
        f"/rounds/{rnd}/self-ratings",
        self_rate(p, rnd, key("o", p.orgs["cell"]), "HTTNV", "80", "PL1"),
        "rating.level_not_allowed",
        rule="members_khtnv",
    )


# -- order by sector (366 Điều 12.2 (4), Điều 7.3) -------------------------------------
def test_units_are_rated_before_the_party_organisation(province):
    p = province
    found(p, "ubnd", "ubnd-xa", "UBND xã Tây", "leadership_collective", "commune")
    before = p.store_position()
    p.sec.refused(
        f"/organisations/{p.orgs['commune']}/sector",
        {"sector": "government"},
        "org.sector_fixed",
    )
    assert p.store_position() == before
    org_fact(p, "ubnd", "sector", {"sector": "government"})
    cycle = p.open_cycle(2025)
    assert p.subjects(cycle)[key("o", p.orgs["ubnd"])]["decides"] == str(
        p.orgs["commune"]
    )
    commune = p.open_round(cycle, "commune")
    district = p.open_round(cycle, "district")
    for cell in ("cell", "cell2"):
        rate(p, commune, key("o", p.orgs[cell]), "HTTNV", appendix="PL1")
    party = key("o", p.orgs["commune"])
    rate(p, district, party, "HTTNV", appendix="PL1", decide=False)
    refuse(
        p,
        p.dm,
        f"/rounds/{district}/decisions",
        decision(party, "HTTNV"),
        "rating.prerequisite_missing",
        rule="units_before_party_org",
        subject="UBND xã Tây",
    )
    issues = p.sec.get(f"/cycles/{cycle}/issues")["issues"]
    waiting = {
        (i["rule"], i["other"]) for i in issues if i["subject"] == "Đảng ủy xã Tây"
    }
    assert ("units_before_party_org", "UBND xã Tây") in waiting
    rate(p, commune, key("o", p.orgs["ubnd"]), "HTTNV", appendix="PL1")
    p.dm.post(f"/rounds/{district}/decisions", decision(party, "HTTNV"))
    parts_equal_whole(p.services)


def test_government_leadership_before_the_party_committee_under_366_only(province):
    p = province
    found(
        p,
        "ubnd",
        "ubnd-huyen",
        "UBND huyện Đông Hà",
        "leadership_collective",
        "district",
    )
    org_fact(p, "ubnd", "sector", {"sector": "government"})
    org_fact(p, "btv", "sector", {"sector": "party"})
    cycle = p.open_cycle(2025)
    rnd = p.open_round(cycle, "district")
    btv = key("o", p.orgs["btv"])
    rate(p, rnd, btv, "HTTNV", appendix="PL1", decide=False)
    refuse(
        p,
        p.dm,
        f"/rounds/{rnd}/decisions",
        decision(btv, "HTTNV"),
        "rating.prerequisite_missing",
        rule="government_before_party_committee",
        subject="UBND huyện Đông Hà",
    )
    rate(p, rnd, key("o", p.orgs["ubnd"]), "HTTNV", appendix="PL1")
    p.dm.post(f"/rounds/{rnd}/decisions", decision(btv, "HTTNV"))
    # 132 had no such order: the committee may be rated first.
    legacy = p.open_cycle(2021)
    old = p.open_round(legacy, "district")
    rate(p, old, btv, "HTTNV", None, year=2021)
    parts_equal_whole(p.services)


def test_government_leadership_is_reviewed_before_the_party_committee(province):
    p = province
    found(
        p,
        "ubnd",
        "ubnd-huyen",
        "UBND huyện Đông Hà",
        "leadership_collective",
        "district",
    )
    org_fact(p, "ubnd", "sector", {"sector": "government"})
    org_fact(p, "btv", "sector", {"sector": "party"})
    cycle = p.open_cycle(2025)

    def review(org: str) -> str:
        body = {"subject_key": key("o", p.orgs[org]), "venue_id": str(p.orgs[org])}
        ident = str(p.sec.post(f"/cycles/{cycle}/reviews", body, 201)["id"])
        p.sec.post(
            f"/reviews/{ident}/report",
            {"summary": "Dự thảo Mẫu 01", "circulated_on": "2025-12-01"},
        )
        return ident

    def meeting(on: str) -> dict[str, Any]:
        return {
            "held_on": on,
            "attendees": 9,
            "minutes": "Biên bản",
            "conclusion": "KL",
        }

    btv, ubnd = review("btv"), review("ubnd")
    refuse(
        p,
        p.sec,
        f"/reviews/{btv}/meeting",
        meeting("2025-12-08"),
        "review.order_violation",
        rule="government_before_party_committee",
        subject="UBND huyện Đông Hà",
    )
    p.sec.post(f"/reviews/{ubnd}/meeting", meeting("2025-12-06"))
    p.sec.post(f"/reviews/{btv}/meeting", meeting("2025-12-08"))


# -- đảng ủy bộ phận proposes for a chi bộ trực thuộc (43-HD mục 3) --------------------
def test_partial_committee_proposes_for_its_cells(province):
    p = province
    found(p, "dbbp", "dbbp-1", "Đảng ủy bộ phận khu 1", "partial_committee", "commune")
    found(p, "cell3", "thon-3", "Chi bộ thôn 3", "cell", "dbbp")
    member = key("m", p.enrol("Trịnh Văn Ba", cell="cell3"))
    partial = account(p, "thukybp", "secretary", "dbbp")
    cycle = p.open_cycle(2025)
    subjects = p.subjects(cycle)
    cell3 = subjects[key("o", p.orgs["cell3"])]
    assert cell3["klass"] == "subordinate_cell"
    assert cell3["proposes"] == str(p.orgs["dbbp"])
    assert cell3["decides"] == str(p.orgs["commune"])
    assert subjects[key("o", p.orgs["dbbp"])]["decides"] == str(p.orgs["commune"])
    assert subjects[member]["decides"] == str(p.orgs["commune"])
    rnd = p.open_round(cycle, "commune")
    rate(p, rnd, member, "HTTNV")
    target = key("o", p.orgs["cell3"])
    p.sec.post(
        f"/rounds/{rnd}/self-ratings", self_rate(p, rnd, target, "HTTNV", "80", "PL1")
    )
    refuse(
        p,
        p.sec,
        f"/rounds/{rnd}/proposals",
        {"subject_key": target, "level": "HTTNV"},
        "rating.not_proposer",
        proposes="Đảng ủy bộ phận khu 1",
    )
    dbbp = key("o", p.orgs["dbbp"])
    rate(p, rnd, dbbp, "HTTNV", appendix="PL1", decide=False)
    refuse(
        p,
        p.dm,
        f"/rounds/{rnd}/decisions",
        decision(dbbp, "HTTNV"),
        "rating.prerequisite_missing",
        rule="lower_before_higher",
    )
    partial.post(f"/rounds/{rnd}/proposals", {"subject_key": target, "level": "HTTNV"})
    p.dm.post(f"/rounds/{rnd}/decisions", decision(target, "HTTNV"))
    p.dm.post(f"/rounds/{rnd}/decisions", decision(dbbp, "HTTNV"))


# -- consecutive KHTNV (domain.md §5.6) ----
def test_consecutive_khtnv_raises_a_flag_for_human_consideration(province):
    p = province
    again, once = p.enrol("Lò Văn Hai Lần"), p.enrol("Lò Văn Một Lần")
    first = p.open_cycle(2025)
    rnd = p.open_round(first, "commune")
    rate(p, rnd, key("m", again), "KHTNV", "40")
    rate(p, rnd, key("m", once), "HTTNV")
    second = p.open_cycle(2026)
    later = p.open_round(second, "commune")
    for member in (again, once):
        rate(p, later, key("m", member), "KHTNV", "40", year=2026)
    flagged = p.sec.get(f"/cycles/{second}/subjects/{key('m', again)}")
    assert flagged["flags"] == ["consecutive_khtnv"]
    assert "hai kỳ liên tiếp" in flagged["subject"]["explanation"]
    assert p.sec.get(f"/cycles/{second}/subjects/{key('m', once)}")["flags"] == []
    issues = p.sec.get(f"/cycles/{second}/issues")["issues"]
    flags = [i for i in issues if i["kind"] == "flag"]
    assert [(i["rule"], i["subject"]) for i in flags] == [
        ("consecutive_khtnv", "Lò Văn Hai Lần")
    ]
    assert p.sec.get(f"/cycles/{first}/subjects/{key('m', again)}")["flags"] == []


# -- the facts themselves ----
def test_organisation_facts_are_checked_scoped_listed_and_rebuilt(province):
    p = province
    path = f"/organisations/{p.orgs['commune']}"
    day = "2025-01-01"
    bad: list[tuple[str, dict[str, Any], str]] = [
        (
            "conclusions",
            {"kind": "disunity", "concluded_on": day, "reference": " "},
            "org.reference_required",
        ),
        (
            "conclusions",
            {"kind": "gossip", "concluded_on": day, "reference": "KL"},
            "org.conclusion_kind_unknown",
        ),
        (
            "task-results",
            {"year": 2025, "tasks_planned": 5, "tasks_completed": 6, "reference": "B"},
            "org.task_counts_invalid",
        ),
        (
            "task-results",
            {
                "year": 2025,
                "tasks_planned": 5,
                "tasks_completed": 5,
                "targets_failed": ["growth"],
                "reference": "BC",
            },
            "org.targets_do_not_apply",
        ),
        (
            "task-results",
            {
                "year": 2025,
                "tasks_planned": 5,
                "tasks_completed": 5,
                "targets_apply": True,
                "targets_failed": ["weather"],
                "reference": "BC",
            },
            "org.target_unknown",
        ),
        (
            "cases",
            {"kind": "bribery", "disciplined_on": day, "reference": "QĐ"},
            "org.case_kind_unknown",
        ),
        (
            "disciplines",
            {"level": "expulsion", "decided_on": day, "reference": "QĐ"},
            "org.discipline_level_unknown",
        ),
    ]
    for fact, body, code in bad:
        refuse(p, p.sec, f"{path}/{fact}", body, code)
    refuse(
        p,
        p.sec,
        f"/organisations/{p.orgs['province']}/conclusions",
        {"kind": "disunity", "concluded_on": "2025-01-01", "reference": "KL"},
        "auth.out_of_scope",
    )
    before = p.store_position()
    p.dm.refused(
        f"{path}/conclusions",
        {"kind": "disunity", "concluded_on": "2025-01-01", "reference": "KL"},
        "auth.forbidden",
        403,
    )
    assert p.store_position() == before
    body = {"kind": "disunity", "concluded_on": "2025-03-01", "reference": "KL 1"}
    p.sec.post(f"{path}/conclusions", body)
    refuse(p, p.sec, f"{path}/conclusions", body, "org.fact_recorded_twice")
    p.sec.post(
        f"{path}/task-results",
        {"year": 2025, "tasks_planned": 8, "tasks_completed": 8, "reference": "BC"},
    )
    listed = p.sec.get(f"{path}/facts")
    assert listed["sector"] is None
    assert [f["kind"] for f in listed["facts"]] == [
        "ConclusionRecorded",
        "TaskResultsRecorded",
    ]
    assert listed["facts"][0]["on_date"] == "2025-03-01"
    runtime = p.services.projections
    digest = runtime.digest(["org_facts"])
    runtime.rebuild(["org_facts"])
    assert runtime.digest(["org_facts"]) == digest
