"""Re-review orders (domain.md §5.4) through the HTTP API, on SQLite and
PostgreSQL: the higher committee orders a member's review and rating redone
(seed 002, with the chair's responsibility); the earlier ones stay in the history
linked to the order; the redone ones supersede them in the current rating, the
statistics and the open items; refusals store nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.acceptance.ratings_api import Province
from tests.acceptance.test_rule_scenarios import decision, key, rate, refuse

SELF_REVIEW = {
    "form": "2B",
    "sections": {"strengths": "Tốt", "shortcomings": "Còn chậm", "measures": "Sửa"},
}


def _meeting(on: str, conclusion: str = "Hoàn thành tốt nhiệm vụ") -> dict[str, Any]:
    return {
        "held_on": on,
        "attendees": 9,
        "minutes": "Biên bản",
        "conclusion": conclusion,
    }


def _reviewed(p: Province, cycle: str, subject: str) -> str:
    """The chi bộ's own review, then the member's, at the chi bộ."""
    cell = str(p.orgs["cell"])
    cell_review = p.sec.post(
        f"/cycles/{cycle}/reviews", {"subject_key": f"o:{cell}", "venue_id": cell}, 201
    )["id"]
    p.sec.post(
        f"/reviews/{cell_review}/report",
        {"summary": "Mẫu 01", "circulated_on": "2025-12-01"},
    )
    p.sec.post(f"/reviews/{cell_review}/meeting", _meeting("2025-12-05"))
    review = p.sec.post(
        f"/cycles/{cycle}/reviews", {"subject_key": subject, "venue_id": cell}, 201
    )["id"]
    p.sec.post(f"/reviews/{review}/self-review", SELF_REVIEW)
    p.sec.post(f"/reviews/{review}/meeting", _meeting("2025-12-08"))
    return str(review)


def test_the_higher_committee_orders_review_and_rating_redone(province):
    p = province
    today = p.services.today()
    member = p.enrol("Hồ Văn Nể")
    cycle = p.open_cycle(2025)
    rnd = p.open_round(cycle, "commune")
    subject = key("m", member)
    review = _reviewed(p, cycle, subject)
    rate(p, rnd, subject, "HTTNV")
    stats = p.sec.get(f"/cycles/{cycle}/statistics")["statistics"]["members"]
    assert stats["levels"]["HTTNV"]["n"] == 1

    order = {
        "subject_key": subject,
        "scope": "both",
        "reason": "Hội nghị kiểm điểm hình thức, nể nang, né tránh; xếp loại chưa đúng",
        "deadline": (today + timedelta(days=5)).isoformat(),
        "chair_responsibility": True,
    }
    path = f"/cycles/{cycle}/rereview-orders"
    # refusals: a Vietnamese message, a stable code, nothing stored
    refuse(p, p.dm, path, {**order, "scope": "all"}, "rereview.scope_unknown")
    refuse(p, p.dm, path, {**order, "reason": " "}, "rereview.reason_required")
    yesterday = (today - timedelta(days=1)).isoformat()
    refuse(p, p.dm, path, {**order, "deadline": yesterday}, "rereview.deadline_past")
    district = key("o", p.orgs["district"])
    refuse(p, p.dm, path, {**order, "subject_key": district}, "rereview.not_higher")
    before = p.store_position()
    forbidden = p.sec.post(path, order, 403)
    assert forbidden["code"] == "auth.forbidden"
    assert p.store_position() == before

    made = p.dm.post(path, order, 201)
    assert made["order"]["scope"] == "both"
    assert made["order"]["superseded"]["decision"]["level"] == "HTTNV"
    assert made["order"]["superseded"]["reviews"][0]["held_on"] == "2025-12-08"
    assert made["subject"]["status"] == "pending"
    assert made["subject"]["level"] is None
    stats = p.sec.get(f"/cycles/{cycle}/statistics")["statistics"]["members"]
    assert (stats["rated"], stats["pending"]) == (0, 1)
    issues = p.sec.get(f"/cycles/{cycle}/issues")["issues"]
    (item,) = [i for i in issues if i["kind"].startswith("rereview")]
    assert (item["kind"], item["rule"]) == ("rereview_at_risk", "rereview_both")
    detail = p.sec.get(f"/cycles/{cycle}/subjects/{subject}")
    steps = [t["step"] for t in detail["timeline"]]
    assert steps[-4:] == [
        "rereview_ordered",
        "review_redo",
        "rating_redo",
        "chair_responsibility",
    ]
    # the earlier meeting and decision stay in the history
    assert "meeting" in steps
    assert "decided" in steps

    # the redone review and rating supersede the earlier ones
    p.sec.post(f"/reviews/{review}/self-review", SELF_REVIEW)
    p.sec.post(
        f"/reviews/{review}/meeting", _meeting("2025-12-22", "Còn hạn chế, chậm sửa")
    )
    rate(p, rnd, subject, "HTNV", score="60")
    detail = p.sec.get(f"/cycles/{cycle}/subjects/{subject}")
    assert detail["subject"]["level"] == "HTNV"
    (done,) = detail["rereview_orders"]
    assert done["done"]
    stats = p.sec.get(f"/cycles/{cycle}/statistics")["statistics"]["members"]
    assert stats["levels"]["HTNV"]["n"] == 1
    assert stats["levels"]["HTTNV"]["n"] == 0
    issues = p.sec.get(f"/cycles/{cycle}/issues")["issues"]
    assert not [i for i in issues if i["kind"].startswith("rereview")]
    listed = p.sec.get(path)["orders"]
    assert [o["order_id"] for o in listed] == [made["id"]]
    # nothing left to redo of a rating that is being redone
    p.dm.post(path, {**order, "scope": "rating"}, 201)
    refuse(p, p.dm, path, {**order, "scope": "rating"}, "rereview.rating_not_decided")
    assert (
        p.dm.post(f"/rounds/{rnd}/decisions", decision(subject, "HTNV"), 422)["code"]
        == "rating.self_rating_missing"
    )
    # rebuild equals incremental with orders in the log
    runtime = p.services.projections
    digest = runtime.digest(["ratings"])
    runtime.rebuild(["ratings"])
    assert runtime.digest(["ratings"]) == digest
