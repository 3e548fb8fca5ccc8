"""Issue 12, what follows a reorganisation decision, through the HTTP API on
SQLite and PostgreSQL: an open remediation plan follows a merged chi bộ's member
to the successor chi bộ by a signed event naming the decision (nothing is
rewritten: the old chi bộ still lists it), and the cycle's statistics roll up
by the tree at the report date or, with ``tree_on``, as it was on that day
(docs/rules.md "What follows the decision", "Reports on either tree")."""

from __future__ import annotations

from datetime import date

from tests.acceptance.ratings_api import Province
from tests.acceptance.test_rule_scenarios import key


def test_an_open_plan_and_the_statistics_follow_a_merger_of_chi_bo(province):
    p: Province = province
    p.services.today = lambda: date(2024, 12, 1)
    member = p.enrol("Trần Văn Theo")
    cycle = p.open_cycle(2024)
    subject = key("m", member)
    recorded = p.sec.post(
        "/remediation/shortcomings",
        {
            "cycle_id": cycle,
            "subject_key": subject,
            "source": "MEMBER_COMMENT",
            "description": "Chưa dự đủ sinh hoạt chi bộ",
            "cause": "SUBJECTIVE",
            "recorded_on": "2024-12-06",
        },
        201,
    )
    item = recorded["id"]
    p.sec.post(
        "/remediation/plans",
        {
            "shortcoming_ids": [item],
            "measures": ["Dự đủ các buổi sinh hoạt"],
            "responsible_member_id": member,
            "deadline": "2025-06-30",
            "supervisor": "INSPECTION_COMMITTEE",
            "supervisor_org_id": str(p.orgs["cell"]),
            "adopted_on": "2024-12-16",
        },
    )
    before = p.sec.get(f"/cycles/{cycle}/statistics?org_id={p.orgs['cell2']}")
    assert before["statistics"]["members"]["pending"] == 0
    p.services.today = lambda: date(2025, 7, 10)
    p.dm.post(
        "/reorganisations",
        {
            "operation": "merge",
            "decision_no": "21-QĐ/ĐU",
            "effective_on": "2025-07-01",
            "absorbed_ids": [str(p.orgs["cell"])],
            "successor_id": str(p.orgs["cell2"]),
        },
    )
    found = p.sec.get(f"/remediation/items/{item}")
    assert found["item"]["place_id"] == str(p.orgs["cell2"])
    assert found["item"]["supervisor_org_id"] == str(p.orgs["cell2"])
    assert found["history"][-1]["step"] == "followed"
    assert found["history"][-1]["detail"]["decision_no"] == "21-QĐ/ĐU"
    for org in ("cell2", "cell"):  # the successor holds it; the old one's history
        listed = p.sec.get(f"/remediation/items?org_id={p.orgs[org]}")["items"]
        assert item in [r["shortcoming_id"] for r in listed], org
    work = p.ubkt.get("/remediation/worklist")
    assert item in [r["shortcoming_id"] for r in work["overdue"]]
    assert work["overdue_count"] == len(work["overdue"])
    # the tree at the report date puts the merged chi bộ's member in Chi bộ 2
    today = p.sec.get(f"/cycles/{cycle}/statistics?org_id={p.orgs['cell2']}")
    assert today["tree_is_report_date"] is True
    assert today["statistics"]["members"]["pending"] == 1
    url = f"/cycles/{cycle}/statistics?org_id={p.orgs['cell2']}&tree_on=2025-06-30"
    dated = p.sec.get(url)
    assert dated["tree_on"] == "2025-06-30"
    assert dated["tree_is_report_date"] is False
    assert dated["statistics"]["members"]["pending"] == 0
    bad = p.sec.client.get(f"/api/v1/cycles/{cycle}/statistics?tree_on=30/06/2025")
    assert bad.status_code == 400
