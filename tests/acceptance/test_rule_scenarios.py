"""domain.md §12: the rule scenarios through the HTTP API, each under the regime
its year implies, on SQLite and PostgreSQL. A refusal answers with the rule's
stable code and a Vietnamese message, and leaves the store exactly as it was.

Scenario 12 (per-person ballot validity) is the confidence vote's rule and is
tested with the vote (tests/service/test_votes.py, per-person validity)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.acceptance.ratings_api import Api, Province, points


def key(kind: str, ident: Any) -> str:
    return f"{kind}:{ident}"


def status_for(code: str) -> int:
    """The one refusal table (web/errors.py): no right or out of scope is 403,
    a missing target 404, any other rule 422."""
    if code in ("auth.forbidden", "auth.out_of_scope"):
        return 403
    return 404 if code.endswith("not_found") else 422


def refuse(
    p: Province, api: Api, path: str, body: dict[str, Any], code: str, **details
):
    before = p.store_position()
    data = api.refused(path, body, code, status_for(code))
    for name, value in details.items():
        assert data["details"][name] == value, data
    assert p.store_position() == before
    return data


def self_rate(
    p: Province,
    rnd: str,
    subject: str,
    level: str,
    score: str | None = "80",
    appendix: str = "PL4",
    **counts: Any,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "subject_key": subject,
        "level": level,
        "tasks_total": 10,
        "tasks_on_time": 10,
        "tasks_exceeded": 4 if level == "HTXSNV" else 0,
    }
    body.update(counts)
    if score is None:
        body["met"] = ["x1", "x2", "x3", "g1", "g2", "h1", "h2"]
    else:
        body["points"] = points(score, appendix)
    return body


def rate(
    p: Province,
    rnd: str,
    subject: str,
    level: str,
    score: str | None = "80",
    appendix: str = "PL4",
    decide: bool = True,
    year: int = 2025,
) -> None:
    p.sec.post(
        f"/rounds/{rnd}/self-ratings",
        self_rate(p, rnd, subject, level, score, appendix),
    )
    p.sec.post(f"/rounds/{rnd}/proposals", {"subject_key": subject, "level": level})
    if decide:
        p.dm.post(f"/rounds/{rnd}/decisions", decision(subject, level, year))


def decision(
    subject: str, level: str, year: int = 2025, **extra: Any
) -> dict[str, Any]:
    return {
        "subject_key": subject,
        "level": level,
        "decision_no": "12-QĐ/ĐU",
        "decided_on": f"{year}-12-20",
        **extra,
    }


SCORES = {"HTXSNV": "95", "HTTNV": "80", "HTNV": "60", "KHTNV": "40"}


# 1 --------------------------------------------------------------------------------
def test_01_new_member_is_exempt_under_366(province):
    p = province
    new = p.enrol("Lê Văn Mới", admitted="2025-08-01")
    cycle = p.open_cycle(2025)
    subject = p.subjects(cycle)[key("m", new)]
    assert subject["exempt"] == "admitted_lt_6_months"
    assert subject["status"] == "exempt"
    rnd = p.open_round(cycle, "commune")
    refuse(
        p,
        p.sec,
        f"/rounds/{rnd}/self-ratings",
        self_rate(p, rnd, key("m", new), "HTTNV"),
        "rating.subject_exempt",
        reason="admitted_lt_6_months",
    )
    stats = p.sec.get(f"/cycles/{cycle}/statistics")["statistics"]
    assert stats["members"]["exempt"] == {"admitted_lt_6_months": 1}


# 2 --------------------------------------------------------------------------------
def test_02_same_member_under_132_is_not_exempt(province):
    p = province
    new = p.enrol("Lê Văn Mới", admitted="2021-08-01")
    cycle = p.open_cycle(2021)
    assert p.sec.get(f"/cycles/{cycle}")["cycle"]["regulation"] == "132-QĐ/TW"
    assert p.subjects(cycle)[key("m", new)]["exempt"] is None


# 3 --------------------------------------------------------------------------------
def test_03_suspended_member_is_exempt(province):
    p = province
    member = p.enrol("Phạm Văn Đình")
    p.fact(
        member,
        "exemptions",
        {
            "kind": "party_activity_suspended",
            "start": "2025-03-01",
            "reference": "QĐ 21-QĐ/UBKT",
        },
    )
    cycle = p.open_cycle(2025)
    assert p.subjects(cycle)[key("m", member)]["exempt"] == "party_activity_suspended"


# 4 --------------------------------------------------------------------------------
def test_04_maternity_leave_is_rated(province):
    p = province
    mother = p.enrol("Nguyễn Thị Hoa")
    p.fact(
        mother,
        "leaves",
        {"kind": "maternity", "start": "2025-01-01", "end": "2025-06-30"},
    )
    cycle = p.open_cycle(2025)
    assert p.subjects(cycle)[key("m", mother)]["exempt"] is None
    rnd = p.open_round(cycle, "commune")
    rate(p, rnd, key("m", mother), "HTTNV")
    assert p.subjects(cycle)[key("m", mother)]["level"] == "HTTNV"


# 5 --------------------------------------------------------------------------------
def test_05_temporary_cell_comment_before_the_decision(province):
    p = province
    visitor = p.enrol("Trần Văn Tạm")
    p.fact(
        visitor,
        "temporary-cell",
        {"cell_id": str(p.orgs["cell2"]), "since": "2025-02-01"},
    )
    cycle = p.open_cycle(2025)
    rnd = p.open_round(cycle, "commune")
    subject = key("m", visitor)
    rate(p, rnd, subject, "HTTNV", decide=False)
    refuse(
        p,
        p.dm,
        f"/rounds/{rnd}/decisions",
        decision(subject, "HTTNV"),
        "rating.temporary_cell_comment_missing",
    )
    review = p.sec.post(
        f"/cycles/{cycle}/reviews",
        {"subject_key": subject, "venue_id": str(p.orgs["cell"])},
        201,
    )["id"]
    p.sec.post(
        f"/reviews/{review}/temporary-cell-comment",
        {"cell_id": str(p.orgs["cell2"]), "text": "Gương mẫu, nhiệt tình"},
    )
    p.dm.post(f"/rounds/{rnd}/decisions", decision(subject, "HTTNV"))


# 6 --------------------------------------------------------------------------------
def test_06_score_bands(province):
    p = province
    people = {
        score: p.enrol(f"Đảng viên {score}")
        for score in ("92", "89.9", "70", "69", "49")
    }
    cycle = p.open_cycle(2025)
    rnd = p.open_round(cycle, "commune")
    url = f"/rounds/{rnd}/self-ratings"
    s = {score: key("m", m) for score, m in people.items()}
    p.sec.post(url, self_rate(p, rnd, s["92"], "HTXSNV", "92"))
    refuse(
        p,
        p.sec,
        url,
        self_rate(p, rnd, s["89.9"], "HTXSNV", "89.9"),
        "rating.level_not_allowed",
        ceiling="HTTNV",
    )
    p.sec.post(url, self_rate(p, rnd, s["89.9"], "HTTNV", "89.9"))
    p.sec.post(url, self_rate(p, rnd, s["70"], "HTTNV", "70"))
    late: dict[str, Any] = {"tasks_on_time": 8, "tasks_late": 2}
    refuse(
        p,
        p.sec,
        url,
        self_rate(p, rnd, s["69"], "HTTNV", "69", **late),
        "rating.level_not_allowed",
        ceiling="HTNV",
    )
    p.sec.post(url, self_rate(p, rnd, s["69"], "HTNV", "69", **late))
    refuse(
        p,
        p.sec,
        url,
        self_rate(p, rnd, s["49"], "HTNV", "49"),
        "rating.level_not_allowed",
        ceiling="KHTNV",
    )
    p.sec.post(url, self_rate(p, rnd, s["49"], "KHTNV", "49"))
    rows = p.subjects(cycle)
    assert [rows[s[x]]["ceiling"] for x in ("92", "89.9", "70", "69", "49")] == [
        "HTXSNV",
        "HTTNV",
        "HTTNV",
        "HTNV",
        "KHTNV",
    ]
    assert rows[s["89.9"]]["score"] == "89.9"


# 7 --------------------------------------------------------------------------------
def test_07_excellence_needs_full_remediation(province):
    """The shortcomings of the 2024 review are carried into 2025: HTXSNV needs
    every one of them verified by the inspection committee (366 Điều 11)."""
    p = province
    member = p.enrol("Hoàng Văn Khắc")
    subject = key("m", member)
    last_year = p.open_cycle(2024)
    ids = []
    for text in ("Chậm báo cáo", "Ít phát biểu", "Chưa nêu gương"):
        found = p.sec.post(
            "/remediation/shortcomings",
            {
                "cycle_id": last_year,
                "subject_key": subject,
                "source": "MEMBER_COMMENT",
                "description": text,
                "cause": "SUBJECTIVE",
                "recorded_on": "2024-12-10",
            },
            201,
        )
        ids.append(found["id"])
    p.sec.post(
        "/remediation/plans",
        {
            "shortcoming_ids": ids,
            "measures": ["Khắc phục trong quý I"],
            "responsible_member_id": member,
            "deadline": "2025-03-31",
            "supervisor": "INSPECTION_COMMITTEE",
            "supervisor_org_id": str(p.orgs["district"]),
            "adopted_on": "2024-12-20",
        },
    )
    for ident in ids:
        p.sec.post(
            f"/remediation/items/{ident}/claim",
            {"summary": "Đã khắc phục", "claimed_on": "2025-03-01"},
        )
    for ident in ids[:2]:
        p.ubkt.post(f"/remediation/items/{ident}/verify", {"verified_on": "2025-03-10"})
    carried = p.sec.get(f"/remediation/carried?subject_key={subject}&year=2025")
    assert carried["ratio"] == "2/3"
    assert len(carried["items"]) == 3
    cycle = p.open_cycle(2025)
    rnd = p.open_round(cycle, "commune")
    body = self_rate(p, rnd, subject, "HTXSNV", "95")
    refuse(
        p,
        p.sec,
        f"/rounds/{rnd}/self-ratings",
        body,
        "rating.level_not_allowed",
        rule="excellent_remediation",
        ceiling="HTTNV",
    )
    p.ubkt.post(f"/remediation/items/{ids[2]}/verify", {"verified_on": "2025-03-12"})
    p.sec.post(f"/rounds/{rnd}/self-ratings", body)
    assert p.subjects(cycle)[subject]["self_level"] == "HTXSNV"


# 8 --------------------------------------------------------------------------------
@pytest.mark.slow
def test_08_quota_of_20_percent_and_the_25_percent_exception(province):
    p = province
    members = [key("m", p.enrol(f"Đảng viên {i:02d}")) for i in range(38)]
    cycle = p.open_cycle(2025)
    rnd = p.open_round(cycle, "commune")
    p.dm.post(
        f"/rounds/{rnd}/peer-groups",
        {"code": "dang-vien-xa", "name": "Đảng viên xã Tây", "members": members},
    )
    for subject in members[:30]:
        rate(p, rnd, subject, "HTTNV")
    for subject in members[30:36]:
        rate(p, rnd, subject, "HTXSNV", "95")
    rate(p, rnd, members[36], "HTXSNV", "95", decide=False)
    data = refuse(
        p,
        p.dm,
        f"/rounds/{rnd}/decisions",
        decision(members[36], "HTXSNV"),
        "rating.quota_exceeded",
        cap=6,
        good=30,
        excellent=7,
    )
    assert "tối đa 6" in data["message"]
    (group,) = p.dm.get(f"/rounds/{rnd}")["groups"]
    assert (group["excellent"], group["good"], group["cap"]) == (6, 30, 6)
    refuse(
        p,
        p.dm,
        f"/rounds/{rnd}/quota-exceptions",
        {"code": "dang-vien-xa", "ratio_pct": 25, "justification": " "},
        "rating.justification_required",
    )
    p.dm.post(
        f"/rounds/{rnd}/quota-exceptions",
        {
            "code": "dang-vien-xa",
            "ratio_pct": 25,
            "justification": "Đảng bộ có thành tích xuất sắc, nổi trội",
        },
    )
    p.dm.post(f"/rounds/{rnd}/decisions", decision(members[36], "HTXSNV"))
    rate(p, rnd, members[37], "HTXSNV", "95", decide=False)
    refuse(
        p,
        p.dm,
        f"/rounds/{rnd}/decisions",
        decision(members[37], "HTXSNV"),
        "rating.quota_exceeded",
        cap=7,
    )


# 9 --------------------------------------------------------------------------------
def test_09_discipline_trigger_and_recorded_mitigation(province):
    p = province
    member = p.enrol("Vũ Văn Luật")
    p.fact(
        member,
        "disciplines",
        {
            "level": "reprimand",
            "duty_related": True,
            "decided_on": "2025-06-10",
            "reference": "QĐ 9-QĐ/UBKT",
        },
    )
    cycle = p.open_cycle(2025)
    rnd = p.open_round(cycle, "commune")
    subject = key("m", member)
    refuse(
        p,
        p.sec,
        f"/rounds/{rnd}/self-ratings",
        self_rate(p, rnd, subject, "HTTNV", "85"),
        "rating.level_not_allowed",
        rule="discipline",
        ceiling="KHTNV",
    )
    p.sec.post(f"/rounds/{rnd}/self-ratings", self_rate(p, rnd, subject, "KHTNV", "85"))
    refuse(
        p,
        p.dm,
        f"/rounds/{rnd}/mitigations",
        {
            "subject_key": subject,
            "trigger": "discipline",
            "mitigated": True,
            "justification": "",
        },
        "rating.justification_required",
    )
    p.dm.post(
        f"/rounds/{rnd}/mitigations",
        {
            "subject_key": subject,
            "trigger": "discipline",
            "mitigated": True,
            "justification": "Tự phát hiện, tự báo cáo, đã khắc phục xong hậu quả",
        },
    )
    p.sec.post(f"/rounds/{rnd}/proposals", {"subject_key": subject, "level": "HTTNV"})
    p.dm.post(f"/rounds/{rnd}/decisions", decision(subject, "HTTNV"))
    detail = p.sec.get(f"/cycles/{cycle}/subjects/{subject}")
    assert "giảm nhẹ" in detail["subject"]["explanation"]
    assert [t["step"] for t in detail["timeline"]][-2:] == ["proposed", "decided"]


# 10 --------------------------------------------------------------------------------
def test_10_legacy_discipline_in_the_year_is_khtnv_without_mitigation(province):
    p = province
    member = p.enrol("Vũ Văn Luật")
    p.fact(
        member,
        "disciplines",
        {
            "level": "reprimand",
            "duty_related": False,
            "decided_on": "2021-06-10",
            "reference": "QĐ 9-QĐ/UBKT",
        },
    )
    cycle = p.open_cycle(2021)
    rnd = p.open_round(cycle, "commune")
    subject = key("m", member)
    refuse(
        p,
        p.sec,
        f"/rounds/{rnd}/self-ratings",
        self_rate(p, rnd, subject, "HTTNV", None),
        "rating.level_not_allowed",
        rule="discipline",
    )
    p.sec.post(f"/rounds/{rnd}/self-ratings", self_rate(p, rnd, subject, "KHTNV", None))
    refuse(
        p,
        p.dm,
        f"/rounds/{rnd}/mitigations",
        {
            "subject_key": subject,
            "trigger": "discipline",
            "mitigated": True,
            "justification": "x",
        },
        "rating.mitigation_not_allowed",
    )
    later = p.open_cycle(2022)
    later_round = p.open_round(later, "commune")
    p.sec.post(
        f"/rounds/{later_round}/self-ratings",
        self_rate(p, later_round, subject, "HTTNV", None),
    )


# 11 --------------------------------------------------------------------------------
def test_11_leader_with_low_confidence_over_half_is_khtnv(province):
    p = province
    leader = p.enrol("Đỗ Văn Trưởng", cell="office")
    p.fact(
        leader,
        "posts",
        {"org_id": str(p.orgs["board"]), "role": "head", "since": "2020-01-01"},
    )
    p.fact(
        leader,
        "confidence-results",
        {
            "held_on": "2025-11-15",
            "returned": 40,
            "low": 21,
            "reference": "Biên bản kiểm phiếu",
        },
    )
    cycle = p.open_cycle(2025)
    subject = key("m", leader)
    assert p.subjects(cycle)[subject]["appendix"] == "PL3"
    rnd = p.open_round(cycle, "district")
    refuse(
        p,
        p.sec,
        f"/rounds/{rnd}/self-ratings",
        self_rate(p, rnd, subject, "HTTNV", "88", "PL3"),
        "rating.level_not_allowed",
        rule="confidence",
        ceiling="KHTNV",
    )


# 13 --------------------------------------------------------------------------------
def test_13_head_is_rated_after_the_collective(province):
    p = province
    head = p.enrol("Đỗ Văn Trưởng", cell="office")
    p.fact(
        head,
        "posts",
        {"org_id": str(p.orgs["board"]), "role": "head", "since": "2020-01-01"},
    )
    cycle = p.open_cycle(2025)
    rnd = p.open_round(cycle, "district")
    subject = key("m", head)
    rate(p, rnd, subject, "HTTNV", appendix="PL3", decide=False)
    refuse(
        p,
        p.dm,
        f"/rounds/{rnd}/decisions",
        decision(subject, "HTTNV"),
        "rating.prerequisite_missing",
        rule="collective_before_head",
    )
    rate(p, rnd, key("o", p.orgs["board"]), "HTTNV", appendix="PL1")
    p.dm.post(f"/rounds/{rnd}/decisions", decision(subject, "HTTNV"))


# 14 --------------------------------------------------------------------------------
def test_14_chi_bo_is_rated_after_its_members(province):
    p = province
    first, second = p.enrol("Ngô Văn Một"), p.enrol("Ngô Văn Hai")
    cycle = p.open_cycle(2025)
    rnd = p.open_round(cycle, "commune")
    cell = key("o", p.orgs["cell"])
    rate(p, rnd, cell, "HTTNV", appendix="PL1", decide=False)
    refuse(
        p,
        p.dm,
        f"/rounds/{rnd}/decisions",
        decision(cell, "HTTNV"),
        "rating.prerequisite_missing",
        rule="members_before_party_org",
    )
    issues = p.sec.get(f"/cycles/{cycle}/issues")["issues"]
    waiting = {i["other"] for i in issues if i["subject"] == "Chi bộ thôn 1"}
    assert waiting == {"Ngô Văn Một", "Ngô Văn Hai"}
    rate(p, rnd, key("m", first), "HTTNV")
    rate(p, rnd, key("m", second), "HTTNV")
    p.dm.post(f"/rounds/{rnd}/decisions", decision(cell, "HTTNV"))


# 15 --------------------------------------------------------------------------------
def test_15_head_not_above_collective_under_132(province):
    p = province
    head = p.enrol("Đỗ Văn Trưởng", cell="office")
    p.fact(
        head,
        "posts",
        {"org_id": str(p.orgs["board"]), "role": "head", "since": "2019-01-01"},
    )
    cycle = p.open_cycle(2021)
    rnd = p.open_round(cycle, "district")
    rate(p, rnd, key("o", p.orgs["board"]), "HTTNV", None, year=2021)
    subject = key("m", head)
    p.dm.post(
        f"/rounds/{rnd}/peer-groups",
        {"code": "lanh-dao", "name": "Lãnh đạo ban", "members": [subject]},
    )
    rate(p, rnd, subject, "HTXSNV", None, decide=False, year=2021)
    refuse(
        p,
        p.dm,
        f"/rounds/{rnd}/decisions",
        decision(subject, "HTXSNV", 2021),
        "rating.head_above_collective",
        head="HTXSNV",
        collective="HTTNV",
    )
    refuse(
        p,
        p.sec,
        "/cycles",
        {
            "org_id": str(p.orgs["commune"]),
            "year": 2021,
            "options": {"head_not_above_collective": False},
        },
        "cycle.option_not_configurable",
    )


# 16 --------------------------------------------------------------------------------
def test_16_subordinate_chi_bo_is_decided_by_the_grassroots_committee(province):
    p = province
    p.enrol("Lý Văn Chi")
    cycle = p.open_cycle(2025)
    cell = p.subjects(cycle)[key("o", p.orgs["cell"])]
    assert cell["klass"] == "subordinate_cell"
    assert cell["self_rates"] == str(p.orgs["cell"])
    assert cell["decides"] == str(p.orgs["commune"])
    district = p.open_round(cycle, "district")
    refuse(
        p,
        p.sec,
        f"/rounds/{district}/self-ratings",
        self_rate(p, district, key("o", p.orgs["cell"]), "HTTNV", "80", "PL1"),
        "rating.not_competent",
    )
    office = p.subjects(cycle)[key("o", p.orgs["office"])]
    assert office["klass"] == "grassroots_cell"
    assert office["decides"] == str(p.orgs["district"])


# 17 --------------------------------------------------------------------------------
def test_17_complaint_hold_cancel_and_rerate(province):
    p = province
    member = p.enrol("Tạ Văn Giấu")
    cycle = p.open_cycle(2025)
    rnd = p.open_round(cycle, "commune")
    subject = key("m", member)
    rate(p, rnd, subject, "HTTNV")
    p.dm.post(
        f"/rounds/{rnd}/holds",
        {
            "subject_key": subject,
            "reason": "complaint",
            "note": "Đơn phản ánh che giấu vi phạm",
        },
    )
    p.fact(
        member,
        "disciplines",
        {
            "level": "reprimand",
            "duty_related": True,
            "decided_on": "2025-11-30",
            "reference": "QĐ 30-QĐ/UBKT",
        },
    )
    issues = p.sec.get(f"/cycles/{cycle}/issues")["issues"]
    assert {"held", "violation"} <= {i["kind"] for i in issues}
    assert ("discipline_after_decision", subject) in {
        (i["rule"], i["subject_key"]) for i in issues if i["kind"] == "violation"
    }
    rerate = {
        "subject_key": subject,
        "level": "HTTNV",
        "decision_no": "03-QĐ/ĐU",
        "decided_on": "2026-01-15",
        "reason": "Che giấu vi phạm",
        "chair_responsibility": True,
    }
    refuse(p, p.dm, f"/rounds/{rnd}/re-ratings", rerate, "rating.level_not_allowed")
    p.dm.post(f"/rounds/{rnd}/re-ratings", {**rerate, "level": "KHTNV"})
    detail = p.sec.get(f"/cycles/{cycle}/subjects/{subject}")
    assert detail["subject"]["level"] == "KHTNV"
    assert detail["subject"]["revisions"] == 1
    assert detail["subject"]["held_reason"] is None
    steps = [t["step"] for t in detail["timeline"]]
    assert steps[-4:] == ["held", "cancelled", "revised", "chair_responsibility"]


# 18 --------------------------------------------------------------------------------
def test_18_standing_committee_member_heading_a_board_has_three_venues(province):
    p = province
    leader = p.enrol("Bùi Văn Ủy", cell="office")
    for org, role in (("board", "head"), ("btv", "member")):
        p.fact(
            leader,
            "posts",
            {"org_id": str(p.orgs[org]), "role": role, "since": "2020-01-01"},
        )
    cycle = p.open_cycle(2025)
    subject = key("m", leader)
    venues = p.subjects(cycle)[subject]["venues"]
    assert venues[0] == str(p.orgs["office"])
    assert set(venues) == {str(p.orgs[o]) for o in ("office", "board", "btv")}

    def open_review(who: str, venue: str) -> str:
        body = {"subject_key": who, "venue_id": str(p.orgs[venue])}
        return str(p.sec.post(f"/cycles/{cycle}/reviews", body, 201)["id"])

    def meeting(review: str, on: str = "2025-12-10") -> dict[str, Any]:
        return {
            "held_on": on,
            "attendees": 9,
            "minutes": "Biên bản",
            "conclusion": "KL",
        }

    sections = {
        "form": "2A",
        "sections": {
            "strengths": "Ưu điểm",
            "shortcomings": "Hạn chế",
            "measures": "Biện pháp",
        },
    }
    at_board = open_review(subject, "board")
    p.sec.post(f"/reviews/{at_board}/self-review", sections)
    refuse(
        p,
        p.sec,
        f"/reviews/{at_board}/meeting",
        meeting(at_board),
        "review.order_violation",
        rule="cell_first",
    )
    for collective in ("office", "board"):
        review = open_review(key("o", p.orgs[collective]), collective)
        p.sec.post(
            f"/reviews/{review}/report",
            {"summary": "Dự thảo Mẫu 01", "circulated_on": "2025-12-01"},
        )
        p.sec.post(f"/reviews/{review}/meeting", meeting(review, "2025-12-05"))
    at_cell = open_review(subject, "office")
    p.sec.post(f"/reviews/{at_cell}/self-review", sections)
    p.sec.post(f"/reviews/{at_cell}/meeting", meeting(at_cell, "2025-12-08"))
    p.sec.post(f"/reviews/{at_board}/meeting", meeting(at_board))
    steps = [
        t["step"] for t in p.sec.get(f"/cycles/{cycle}/subjects/{subject}")["timeline"]
    ]
    assert steps.count("meeting") == 2


# projections -----------------------------------------------------------------------
def test_statistics_roll_up_and_rebuild_equals_incremental(province):
    p = province
    members = [key("m", p.enrol(f"Đảng viên {i}")) for i in range(3)]
    other = key("m", p.enrol("Đảng viên thôn 2", cell="cell2"))
    p.enrol("Đảng viên mới", admitted="2025-09-01")
    cycle = p.open_cycle(2025)
    late = key("m", p.enrol("Đảng viên chuyển đến"))
    refreshed = p.sec.post(f"/cycles/{cycle}/refresh", {})["subjects"]
    assert late in {s["subject_key"] for s in refreshed}
    rnd = p.open_round(cycle, "commune")
    levels = ["HTTNV", "HTTNV", "HTNV", "KHTNV"]
    for subject, level in zip([*members, other], levels, strict=True):
        rate(p, rnd, subject, level)
    rate(p, rnd, late, "HTTNV")
    p.dm.post(
        f"/rounds/{rnd}/holds",
        {"subject_key": late, "reason": "complaint", "note": "Đơn"},
    )
    p.dm.post(
        f"/rounds/{rnd}/re-ratings",
        {
            "subject_key": late,
            "level": "HTNV",
            "decision_no": "03",
            "decided_on": "2026-01-10",
            "reason": "Kết quả xác minh",
        },
    )
    commune = p.sec.get(f"/cycles/{cycle}/statistics?org_id={p.orgs['commune']}")
    stats = commune["statistics"]["members"]
    # Hand count: 5 rated (2 HTTNV, 2 HTNV, 1 KHTNV), 1 exempt apart.
    assert stats["rated"] == 5
    assert stats["levels"]["HTTNV"] == {"n": 2, "fraction": "2/5", "percent": "40,00%"}
    assert stats["levels"]["HTNV"]["n"] == 2
    assert stats["levels"]["KHTNV"]["percent"] == "20,00%"
    assert stats["exempt"] == {"admitted_lt_6_months": 1}
    cell2 = p.sec.get(f"/cycles/{cycle}/statistics?org_id={p.orgs['cell2']}")
    assert cell2["statistics"]["members"]["rated"] == 1
    district = p.sec.get(f"/cycles/{cycle}/statistics")["statistics"]["members"]
    assert district["rated"] == 5
    runtime = p.services.projections
    before = runtime.digest(["ratings"])
    runtime.rebuild(["ratings"])
    assert runtime.digest(["ratings"]) == before
