"""Re-review orders on the web: the form on the subject page and its JSON twin,
for every role; a refusal is shown in Vietnamese and stores nothing; an accepted
order shows on the subject page (with the earlier review and decision kept), in
the open items, and in the audit labels."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from services import rating_commands as rc
from tests.conftest import ROLES
from tests.web.test_rating_pages import API, DECIDER, READERS, Route, url

R = "/ratings"
ROUTES = [
    Route("POST", f"{R}/cycles/{{cycle}}/subjects/{{member}}/rereview", DECIDER, 400),
    Route("GET", "/api/v1/cycles/{cycle}/rereview-orders", READERS),
    Route("POST", "/api/v1/cycles/{cycle}/rereview-orders", DECIDER, 400),
]
POINTS = {"c1": "9", "c2": "9", "c3": "9", "t1": "35", "t2": "20"}


@pytest.fixture
def decided(kiemdiem, world):
    """The seeded member reviewed at the chi bộ and rated HTTNV."""
    sec = kiemdiem.authenticate("thuky", world.password("secretary"))
    dm = kiemdiem.authenticate("captuy", world.password("decision_maker"))
    run = kiemdiem.handle
    cell = world.orgs["cell_a"]
    cycle = run(
        rc.OpenCycle(
            sec.actor, world.orgs["district"], 2025, reference_date=date(2025, 12, 1)
        ),
        sec.signer,
    )
    rnd = run(rc.OpenRound(dm.actor, cycle, cell), dm.signer)
    cell_review = run(rc.OpenReview(sec.actor, cycle, f"o:{cell}", cell), sec.signer)
    run(
        rc.CirculateReport(sec.actor, cell_review, "Mẫu 01", date(2025, 12, 1)),
        sec.signer,
    )
    run(
        rc.HoldMeeting(sec.actor, cell_review, date(2025, 12, 5), 9, "BB", "KL"),
        sec.signer,
    )
    member = f"m:{world.member_id}"
    review = run(rc.OpenReview(sec.actor, cycle, member, cell), sec.signer)
    run(
        rc.SubmitSelfReview(
            sec.actor,
            review,
            "2B",
            {"strengths": "Tốt", "shortcomings": "Chậm", "measures": "Sửa"},
        ),
        sec.signer,
    )
    run(rc.HoldMeeting(sec.actor, review, date(2025, 12, 8), 9, "BB", "KL"), sec.signer)
    run(rc.SelfRate(sec.actor, rnd, member, "HTTNV", 10, 10, points=POINTS), sec.signer)
    run(rc.ProposeRating(sec.actor, rnd, member, "HTTNV"), sec.signer)
    run(
        rc.DecideRating(dm.actor, rnd, member, "HTTNV", "15-QĐ/CB", date(2025, 12, 18)),
        dm.signer,
    )
    return {"cycle": cycle, "round": rnd, "member": member, "review": review}


@pytest.mark.parametrize("route", ROUTES, ids=[f"{r.method} {r.path}" for r in ROUTES])
def test_route_for_every_role(client, auth, decided, route):
    for role in ROLES:
        auth.login(role)
        target = url(route.path, decided)
        if route.method == "GET":
            response = client.get(target)
        elif route.is_api:
            response = client.post(target, json={}, headers=API)
        else:
            response = auth.post(target, {})
        expected = route.ok if role in route.allowed else 403
        assert response.status_code == expected, (role, response.get_data(True)[:300])
        auth.logout()


def test_the_order_form_on_the_subject_page(client, auth, kiemdiem, decided):
    ids = decided
    page = url(f"{R}/cycles/{{cycle}}/subjects/{{member}}", ids)
    auth.login("secretary")
    assert "Yêu cầu tiến hành lại" not in client.get(page).get_data(as_text=True)
    auth.logout()
    auth.login("decision_maker")
    html = client.get(page).get_data(as_text=True)
    assert "Yêu cầu tiến hành lại kiểm điểm, xếp loại" in html
    before = kiemdiem.ledger.max_notification_id()
    yesterday = (kiemdiem.today() - timedelta(days=1)).isoformat()
    form = {
        "rv-scope": "both",
        "rv-reason": "Hội nghị còn hình thức, nể nang, né tránh",
        "rv-deadline": yesterday,
        "rv-chair_responsibility": "y",
    }
    refused = auth.post(f"{page}/rereview", form)
    assert refused.status_code == 422
    assert "Thời hạn thực hiện không thể trước ngày ra yêu cầu." in refused.get_data(
        as_text=True
    )
    assert kiemdiem.ledger.max_notification_id() == before
    deadline = (kiemdiem.today() + timedelta(days=30)).isoformat()
    done = auth.post(
        f"{page}/rereview", {**form, "rv-deadline": deadline}, follow_redirects=True
    )
    html = done.get_data(as_text=True)
    assert "Đã yêu cầu tiến hành lại." in html
    assert "Yêu cầu số 1: Kiểm điểm và xếp loại lại" in html
    assert "Kết quả trước đó (giữ trong hồ sơ)" in html
    assert "15-QĐ/CB" in html
    assert "Cấp trên yêu cầu tiến hành lại" in html  # the timeline
    assert "Kiểm điểm trách nhiệm người chủ trì" in html
    issues = client.get(url(f"{R}/cycles/{{cycle}}/issues", ids)).get_data(as_text=True)
    assert "Đang tiến hành lại theo yêu cầu" in issues
    assert "Yêu cầu kiểm điểm và xếp loại lại" in issues
    # nothing left to redo: refused in Vietnamese, nothing stored
    before = kiemdiem.ledger.max_notification_id()
    again = auth.post(f"{page}/rereview", {**form, "rv-deadline": deadline})
    assert again.status_code == 422
    assert "chưa họp kiểm điểm" in again.get_data(as_text=True)
    assert kiemdiem.ledger.max_notification_id() == before
    # the secretary sees the open review again, and the order
    auth.logout()
    auth.login("secretary")
    html = client.get(page).get_data(as_text=True)
    assert "Đang tiến hành lại" in html
    assert 'name="mt-held_on"' in html
    api = client.get(url("/api/v1/cycles/{cycle}/rereview-orders", ids)).get_json()
    assert api["orders"][0]["scope"] == "both"


def test_openapi_describes_the_orders(client, auth):
    auth.login("secretary")
    spec = client.get("/api/v1/openapi.json").get_json()
    path = spec["paths"]["/cycles/{cycle_id}/rereview-orders"]
    assert {"get", "post"} <= set(path)
    schema = spec["components"]["schemas"]["OrderReReview"]
    assert schema["properties"]["scope"]["enum"] == ["review", "rating", "both"]
    assert set(schema["required"]) == {"subject_key", "scope", "reason", "deadline"}
