"""Issue 12, reviews and ratings across a reorganisation, through the HTTP API on
SQLite and PostgreSQL: a cycle opened before two communes were merged goes on
on the đảng bộ xã that carries them on (366-QĐ/TW Điều 12 on the tree after the
decision), and that đảng bộ xã, which existed only half of the review year, is
flagged for the authority (the texts do not say how it is rated)."""

from __future__ import annotations

from services import commands as c
from tests.acceptance.ratings_api import Province
from tests.acceptance.test_rule_scenarios import (
    decision,
    key,
    rate,
    refuse,
    self_rate,
)


def test_a_cycle_goes_on_on_the_merged_communes_successor(province):
    """The cycle of the huyện, opened before the decision of 1/7/2025, is
    refreshed onto the new tree: the chi bộ and the member of the merged commune
    are now rated by the đảng bộ xã that carries it on; the ended commune's
    round takes no step; the successor, founded by the decision, is flagged
    "org_part_of_year" in the cycle's issues from its self-rating on."""
    p: Province = province
    admin = p.admin
    other = p.services.handle(
        c.FoundOrganisation(
            admin.actor, "xa-dong", "Đảng ủy xã Đông", "grassroots_committee",
            p.orgs["district"],
        ),
        admin.signer,
    )  # fmt: skip
    member = p.enrol("Nguyễn Văn Hợp")
    cycle = p.open_cycle(2025)
    old_round = p.open_round(cycle, "commune")
    merged = p.dm.post(
        "/reorganisations",
        {
            "operation": "merge",
            "decision_no": "15-QĐ/HU",
            "effective_on": "2025-07-01",
            "absorbed_ids": [str(p.orgs["commune"]), str(other)],
            "new_successor": {
                "code": "xa-moi",
                "name": "Đảng ủy xã Tây Đông",
                "kind": "grassroots_committee",
                "parent_id": str(p.orgs["district"]),
            },
        },
    )
    new = merged["org_id"]
    subject = key("m", member)
    refuse(
        p,
        p.sec,
        f"/rounds/{old_round}/self-ratings",
        self_rate(p, old_round, subject, "HTTNV"),
        "rating.authority_ended",
    )
    refreshed = p.sec.post(f"/cycles/{cycle}/refresh", {})
    rows = {r["subject_key"]: r for r in refreshed["subjects"]}
    assert key("o", p.orgs["commune"]) not in rows
    assert rows[subject]["decides"] == new
    assert rows[key("o", p.orgs["cell"])]["decides"] == new
    rnd = p.dm.post(f"/cycles/{cycle}/rounds", {"authority_org_id": new}, 201)["id"]
    rate(p, rnd, subject, "HTTNV")
    assert p.subjects(cycle)[subject]["level"] == "HTTNV"
    district = p.open_round(cycle, "district")
    successor = key("o", new)
    p.sec.post(
        f"/rounds/{district}/self-ratings",
        self_rate(p, district, successor, "HTTNV", appendix="PL1"),
    )
    issues = p.sec.get(f"/cycles/{cycle}/issues")["issues"]
    assert ("flag", "org_part_of_year") in [
        (i["kind"], i["rule"]) for i in issues if i.get("subject_key") == successor
    ]


def merge_commune(p: Province, other, decision_no: str = "15-QĐ/HU") -> str:
    """Đảng ủy xã Tây and ``other`` merged on 1/7/2025 into a new đảng ủy xã
    under the huyện."""
    merged = p.dm.post(
        "/reorganisations",
        {
            "operation": "merge",
            "decision_no": decision_no,
            "effective_on": "2025-07-01",
            "absorbed_ids": [str(p.orgs["commune"]), str(other)],
            "new_successor": {
                "code": "xa-moi",
                "name": "Đảng ủy xã Tây Đông",
                "kind": "grassroots_committee",
                "parent_id": str(p.orgs["district"]),
            },
        },
    )
    return str(merged["org_id"])


def test_reviews_steps_and_decisions_of_the_ended_commune_go_to_its_successor(
    province,
):
    """Issue 12, "Reviews and ratings across a change", through the API:
    - no review opens at the commune that ended; the refusal names the
      successor in Vietnamese and stores nothing;
    - a member self-rated and proposed by Chi bộ thôn 1 (which goes on) in the
      commune's round is decided in the successor's round without a new
      self-rating or proposal; the subject's timeline shows the carried step;
    - a decision the ended commune took before the merger is revised by the
      huyện, above the successor (366-QĐ/TW Điều 15.3), and the revision names
      the succession it relied on."""
    p: Province = province
    admin = p.admin
    other = p.services.handle(
        c.FoundOrganisation(
            admin.actor, "xa-dong", "Đảng ủy xã Đông", "grassroots_committee",
            p.orgs["district"],
        ),
        admin.signer,
    )  # fmt: skip
    decided, pending = p.enrol("Lê Văn Đã"), p.enrol("Trần Thị Chờ")
    cycle = p.open_cycle(2025)
    old_round = p.open_round(cycle, "commune")
    rate(p, old_round, key("m", decided), "HTTNV")
    rate(p, old_round, key("m", pending), "HTTNV", decide=False)
    new = merge_commune(p, other)
    data = refuse(
        p,
        p.sec,
        f"/cycles/{cycle}/reviews",
        {
            "subject_key": key("o", p.orgs["commune"]),
            "venue_id": str(p.orgs["commune"]),
        },
        "review.venue_ended",
    )
    assert "“Đảng ủy xã Tây Đông”" in data["message"]
    assert data["message"].startswith("Tổ chức “Đảng ủy xã Tây” đã kết thúc")
    p.sec.post(f"/cycles/{cycle}/refresh", {})
    rnd = p.dm.post(f"/cycles/{cycle}/rounds", {"authority_org_id": new}, 201)["id"]
    subject = p.sec.get(f"/cycles/{cycle}/subjects/{key('m', pending)}")
    assert subject["subject"]["status"] == "proposed"
    assert [s["step"] for s in subject["timeline"]][-1] == "carried"
    p.dm.post(f"/rounds/{rnd}/decisions", decision(key("m", pending), "HTTNV"))
    assert p.subjects(cycle)[key("m", pending)]["level"] == "HTTNV"
    p.dm.post(
        f"/rounds/{old_round}/re-ratings",
        {
            "subject_key": key("m", decided),
            "level": "HTNV",
            "decision_no": "40-QĐ/HU",
            "decided_on": "2025-07-20",
            "reason": "Kết quả kiểm tra sau sáp nhập.",
        },
    )
    timeline = p.sec.get(f"/cycles/{cycle}/subjects/{key('m', decided)}")["timeline"]
    revised = [s for s in timeline if s["step"] == "revised"][-1]
    assert revised["detail"]["succession"]["successor_name"] == "Đảng ủy xã Tây Đông"
    assert revised["detail"]["succession"]["links"][0]["decision_no"] == "15-QĐ/HU"
    assert p.subjects(cycle)[key("m", decided)]["level"] == "HTNV"
