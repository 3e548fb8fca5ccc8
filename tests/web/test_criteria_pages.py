"""Criteria refinement (366 Điều 10) on the web and in the API: every role; a set
outside the 30/70 frame is refused in Vietnamese with nothing stored; a defined
set is listed and used by the self-rating form of a cycle opened later."""

from __future__ import annotations

from datetime import date

import pytest

from services import rating_commands as rc
from tests.conftest import ROLES
from tests.web.test_rating_pages import API, EVERYONE, Route

DEFINERS = frozenset({"admin", "decision_maker"})
ROUTES = [
    Route("GET", "/ratings/criteria", EVERYONE),
    Route("POST", "/ratings/criteria", DEFINERS, 400),
    Route("GET", "/api/v1/criteria", EVERYONE),
    Route("POST", "/api/v1/criteria", DEFINERS, 400),
]
LINES = (
    "1.1 | chung | 15 | Bản lĩnh chính trị, tư tưởng\n"
    "1.2 | chung | 15 | Đạo đức, lối sống\n"
    "2.1 | nhiệm vụ | 50 | Kết quả nhiệm vụ được giao\n"
    "2.2 | nhiệm vụ | 20 | Nhiệm vụ đột xuất\n"
)


@pytest.mark.parametrize("route", ROUTES, ids=[f"{r.method} {r.path}" for r in ROUTES])
def test_route_for_every_role(client, auth, route):
    for role in ROLES:
        auth.login(role)
        if route.method == "GET":
            response = client.get(route.path)
        elif route.is_api:
            response = client.post(route.path, json={}, headers=API)
        else:
            response = auth.post(route.path, {})
        expected = route.ok if role in route.allowed else 403
        assert response.status_code == expected, (role, response.get_data(True)[:300])
        auth.logout()


def test_define_on_the_page_then_a_later_cycle_uses_it(client, auth, kiemdiem, world):
    auth.login("decision_maker")
    page = client.get("/ratings/criteria").get_data(as_text=True)
    assert "Chưa có bộ tiêu chí cụ thể hoá nào" in page
    assert "Khung tiêu chí của Quy định 366-QĐ/TW" in page
    form = {
        "ct-org_id": str(world.orgs["district"]),
        "ct-appendix": "PL4",
        "ct-from_year": "2025",
        "ct-items": LINES.replace("| 20 |", "| 10 |"),
    }
    before = kiemdiem.ledger.max_notification_id()
    bad = auth.post("/ratings/criteria", form)
    assert bad.status_code == 422
    assert "Tổng điểm chưa đúng khung" in bad.get_data(as_text=True)
    assert kiemdiem.ledger.max_notification_id() == before
    done = auth.post(
        "/ratings/criteria", {**form, "ct-items": LINES}, follow_redirects=True
    )
    html = done.get_data(as_text=True)
    assert "Đã ban hành bộ tiêu chí cụ thể hoá." in html
    assert "Huyện ủy Đông Hà — Phụ lục 4" in html
    assert "Nhiệm vụ đột xuất" in html
    listed = client.get("/api/v1/criteria").get_json()["refinements"]
    assert [i["code"] for i in listed[0]["items"]] == ["1.1", "1.2", "2.1", "2.2"]
    # a cycle opened now shows the refined criteria on the self-rating form
    sec = kiemdiem.authenticate("thuky", world.password("secretary"))
    dm = kiemdiem.authenticate("captuy", world.password("decision_maker"))
    cycle = kiemdiem.handle(
        rc.OpenCycle(
            sec.actor, world.orgs["district"], 2025, reference_date=date(2025, 12, 1)
        ),
        sec.signer,
    )
    kiemdiem.handle(rc.OpenRound(dm.actor, cycle, world.orgs["cell_a"]), dm.signer)
    auth.logout()
    auth.login("secretary")
    subject = client.get(
        f"/ratings/cycles/{cycle}/subjects/m:{world.member_id}"
    ).get_data(as_text=True)
    assert 'name="points-2.1"' in subject
    assert "Kết quả nhiệm vụ được giao" in subject


def test_the_api_refuses_in_vietnamese(client, auth, kiemdiem, world):
    auth.login("decision_maker")
    before = kiemdiem.ledger.max_notification_id()
    answer = client.post(
        "/api/v1/criteria",
        json={
            "org_id": str(world.orgs["district"]),
            "appendix": "PL4",
            "from_year": 2026,
            "items": [
                {"code": "1.1", "group": "general", "max_points": 30, "title": "Chung"},
                {"code": "1.1", "group": "task", "max_points": 70, "title": "Nhiệm vụ"},
            ],
        },
        headers=API,
    )
    assert answer.status_code == 422
    data = answer.get_json()
    assert data["code"] == "criteria.code_twice"
    assert "Dòng 2" in data["message"]
    assert kiemdiem.ledger.max_notification_id() == before
