"""The combined-conference option (43-HD mục 2.4) on the cycle page and in the
API: every role; a refusal in Vietnamese stores nothing; once set, the
collective and its members are reviewed at the committee's conference."""

from __future__ import annotations

from datetime import date

import pytest

from services import rating_commands as rc
from tests.conftest import ROLES
from tests.web.test_rating_pages import API, OPENERS, Route, url

ROUTES = [
    Route("POST", "/ratings/cycles/{cycle}/combined", OPENERS, 400),
    Route("POST", "/api/v1/cycles/{cycle}/combined", OPENERS, 400),
]


@pytest.fixture
def leader_world(kiemdiem, world):
    """The seeded member heads the district committee and its standing committee."""
    admin = kiemdiem.authenticate("admin", world.password("admin"))
    sec = kiemdiem.authenticate("thuky", world.password("secretary"))
    for org in ("collective", "district"):
        kiemdiem.handle(
            rc.AssignPost(
                admin.actor, world.member_id, world.orgs[org], "head", date(2024, 1, 1)
            ),
            admin.signer,
        )
    cycle = kiemdiem.handle(
        rc.OpenCycle(
            sec.actor, world.orgs["district"], 2025, reference_date=date(2025, 12, 1)
        ),
        sec.signer,
    )
    return {"cycle": cycle, "member": f"m:{world.member_id}"}


@pytest.mark.parametrize("route", ROUTES, ids=[f"{r.method} {r.path}" for r in ROUTES])
def test_route_for_every_role(client, auth, leader_world, route):
    for role in ROLES:
        auth.login(role)
        target = url(route.path, leader_world)
        if route.is_api:
            response = client.post(target, json={}, headers=API)
        else:
            response = auth.post(target, {})
        expected = route.ok if role in route.allowed else 403
        assert response.status_code == expected, (role, response.get_data(True)[:300])
        auth.logout()


def test_set_on_the_cycle_page(client, auth, kiemdiem, world, leader_world):
    ids = leader_world
    collective, district = world.orgs["collective"], world.orgs["district"]
    auth.login("secretary")
    page = url("/ratings/cycles/{cycle}", ids)
    html = client.get(page).get_data(as_text=True)
    assert "Nơi kiểm điểm của tập thể lãnh đạo" in html
    before = kiemdiem.ledger.max_notification_id()
    bad = auth.post(
        f"{page}/combined",
        {
            "cb-collective_id": str(collective),
            "cb-committee_id": str(world.orgs["cell_a"]),
        },
    )
    assert bad.status_code == 422
    assert "Chỉ tập thể lãnh đạo trùng thành viên với cấp ủy" in bad.get_data(
        as_text=True
    )
    assert kiemdiem.ledger.max_notification_id() == before
    done = auth.post(
        f"{page}/combined",
        {"cb-collective_id": str(collective), "cb-committee_id": str(district)},
        follow_redirects=True,
    )
    html = done.get_data(as_text=True)
    assert "Đã ghi nhận nơi kiểm điểm của tập thể." in html
    assert "Hội nghị của Huyện ủy Đông Hà (gộp)" in html
    ratings = kiemdiem.ratings
    assert ratings.subject_row(ids["cycle"], f"o:{collective}")["venues"] == [
        str(district)
    ]
    assert (
        str(collective)
        not in ratings.subject_row(ids["cycle"], ids["member"])["venues"]
    )
    # back to its own level through the API
    answer = client.post(
        url("/api/v1/cycles/{cycle}/combined", ids),
        json={"collective_id": str(collective)},
        headers=API,
    )
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["cycle"]["options"]["combined"] == {}
    assert str(collective) in ratings.subject_row(ids["cycle"], ids["member"])["venues"]
    # once a review is opened at the collective, its place no longer moves
    sec = kiemdiem.authenticate("thuky", world.password("secretary"))
    kiemdiem.handle(
        rc.OpenReview(sec.actor, ids["cycle"], f"o:{collective}", collective),
        sec.signer,
    )
    before = kiemdiem.ledger.max_notification_id()
    refused = client.post(
        url("/api/v1/cycles/{cycle}/combined", ids),
        json={"collective_id": str(collective), "committee_id": str(district)},
        headers=API,
    )
    assert refused.status_code == 422
    assert refused.get_json()["code"] == "cycle.combined_reviews_opened"
    assert kiemdiem.ledger.max_notification_id() == before
