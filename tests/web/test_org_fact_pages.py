"""The organisation facts page and its JSON twins (sector, conclusions, task
results, disciplined cases, discipline of the organisation), the oversight forms
on the member facts page, and the consecutive-KHTNV flag on the pages: every new
route × every role; refusals in Vietnamese leave the store unchanged."""

from __future__ import annotations

from datetime import date

import pytest

from services import rating_commands as rc
from tests.conftest import ROLES
from tests.web.test_rating_pages import (
    API,
    FACT_RECORDERS,
    KEEPERS,
    Route,
    _request,
)

R = "/ratings"
ORG = "/organisations/{collective}"
ROUTES = [
    Route("GET", f"{R}{ORG}/facts", KEEPERS),
    Route("GET", f"{R}/organisations/{{cell}}/facts", KEEPERS),
    Route("POST", f"{R}{ORG}/facts/sector", FACT_RECORDERS, 400),
    Route("POST", f"{R}{ORG}/facts/conclusion", FACT_RECORDERS, 400),
    Route("POST", f"{R}{ORG}/facts/task-results", FACT_RECORDERS, 400),
    Route("POST", f"{R}{ORG}/facts/case", FACT_RECORDERS, 400),
    Route("POST", f"{R}{ORG}/facts/discipline", FACT_RECORDERS, 400),
    Route("POST", f"{R}/members/{{member_id}}/oversight", FACT_RECORDERS, 400),
    Route("POST", f"{R}/members/{{member_id}}/end-oversight", FACT_RECORDERS, 400),
    Route("GET", f"/api/v1{ORG}/facts", KEEPERS),
    Route("POST", f"/api/v1{ORG}/sector", FACT_RECORDERS, 400),
    Route("POST", f"/api/v1{ORG}/conclusions", FACT_RECORDERS, 400),
    Route("POST", f"/api/v1{ORG}/task-results", FACT_RECORDERS, 400),
    Route("POST", f"/api/v1{ORG}/cases", FACT_RECORDERS, 400),
    Route("POST", f"/api/v1{ORG}/disciplines", FACT_RECORDERS, 400),
    Route("POST", "/api/v1/members/{member_id}/oversight", FACT_RECORDERS, 400),
    Route("POST", "/api/v1/members/{member_id}/oversight/end", FACT_RECORDERS, 400),
]


@pytest.fixture
def ids(world):
    return {
        "collective": world.orgs["collective"],
        "cell": world.orgs["cell_a"],
        "member_id": world.member_id,
    }


@pytest.mark.parametrize("route", ROUTES, ids=[f"{r.method} {r.path}" for r in ROUTES])
def test_route_for_every_role(client, auth, ids, route):
    for role in ROLES:
        auth.login(role)
        response = _request(client, auth, route, ids)
        expected = route.ok if role in route.allowed else 403
        assert response.status_code == expected, (
            role,
            response.get_data(as_text=True)[:400],
        )
        if expected == 403 and route.is_api:
            assert response.get_json()["code"] == "auth.forbidden"
        auth.logout()


def test_unknown_organisation_is_a_vietnamese_404(client, auth):
    auth.login("secretary")
    page = client.get(f"{R}/organisations/00000000-0000-0000-0000-000000000000/facts")
    assert page.status_code == 404
    assert "Không tìm thấy tổ chức đảng" in page.get_data(as_text=True)


def test_facts_page_records_sector_results_and_refuses_bad_input(
    client, auth, kiemdiem, world
):
    auth.login("secretary")
    page = f"{R}/organisations/{world.orgs['collective']}/facts"
    html = client.get(page).get_data(as_text=True)
    assert "Chưa có dữ kiện nào." in html
    assert "Chưa ghi nhận (không áp dụng trình tự theo khối)" in html
    before = kiemdiem.ledger.max_notification_id()
    bad = auth.post(
        f"{page}/task-results",
        {
            "task_results-year": "2025",
            "task_results-tasks_planned": "5",
            "task_results-tasks_completed": "7",
            "task_results-reference": "BC tổng kết",
        },
    )
    assert bad.status_code == 422
    assert "không vượt quá số theo kế hoạch" in bad.get_data(as_text=True)
    assert kiemdiem.ledger.max_notification_id() == before
    done = auth.post(
        f"{page}/task-results",
        {
            "task_results-year": "2025",
            "task_results-tasks_planned": "10",
            "task_results-tasks_completed": "6",
            "task_results-targets_apply": "y",
            "task_results-targets_failed": ["growth", "poverty_reduction"],
            "task_results-reference": "BC tổng kết 2025",
        },
        follow_redirects=True,
    )
    html = done.get_data(as_text=True)
    assert "Đã ghi nhận." in html
    assert "Tăng trưởng kinh tế, Giảm nghèo" in html
    assert "BC tổng kết 2025" in html
    sector = auth.post(
        f"{page}/sector", {"sector-sector": "government"}, follow_redirects=True
    )
    assert '<dd id="khoi">Chính quyền</dd>' in sector.get_data(as_text=True)
    again = auth.post(f"{page}/sector", {"sector-sector": "government"})
    assert again.status_code == 422
    assert "Tập thể đã được ghi thuộc khối này." in again.get_data(as_text=True)
    # A chi bộ is always of the party: no sector form.
    cell = client.get(f"{R}/organisations/{world.orgs['cell_a']}/facts")
    assert "sector-sector" not in cell.get_data(as_text=True)
    detail = client.get(f"/organisations/{world.orgs['collective']}")
    assert page in detail.get_data(as_text=True)


def test_oversight_form_on_the_member_page(client, auth, kiemdiem, world):
    auth.login("secretary")
    page = f"{R}/members/{world.member_id}"
    done = auth.post(
        f"{page}/oversight",
        {
            "oversight-org_id": str(world.orgs["cell_b"]),
            "oversight-since": "2024-01-01",
        },
        follow_redirects=True,
    )
    html = done.get_data(as_text=True)
    assert "Phân công trực tiếp phụ trách" in html
    assert "Chi bộ xóm B" in html
    before = kiemdiem.ledger.max_notification_id()
    twice = auth.post(
        f"{page}/oversight",
        {
            "oversight-org_id": str(world.orgs["cell_b"]),
            "oversight-since": "2024-01-01",
        },
    )
    assert twice.status_code == 422
    assert "đã được phân công" in twice.get_data(as_text=True)
    assert kiemdiem.ledger.max_notification_id() == before
    assert kiemdiem.ratings.oversight(world.member_id) == [
        {"org_id": str(world.orgs["cell_b"]), "since": "2024-01-01"}
    ]


def test_consecutive_khtnv_flag_on_the_subject_decision_and_issues_pages(
    client, auth, kiemdiem, world
):
    sec = kiemdiem.authenticate("thuky", world.password("secretary"))
    dm = kiemdiem.authenticate("captuy", world.password("decision_maker"))
    cell = world.orgs["cell_a"]
    subject = f"m:{world.member_id}"
    for year in (2025, 2026):
        cycle = kiemdiem.handle(
            rc.OpenCycle(
                sec.actor,
                world.orgs["district"],
                year,
                reference_date=date(year, 12, 1),
            ),
            sec.signer,
        )
        rnd = kiemdiem.handle(rc.OpenRound(dm.actor, cycle, cell), dm.signer)
        points = {"c1": "10", "c2": "10", "c3": "10", "t1": "10", "t2": "0"}
        kiemdiem.handle(
            rc.SelfRate(
                sec.actor,
                rnd,
                subject,
                "KHTNV",
                points=points,
                tasks_total=10,
                tasks_on_time=10,
            ),
            sec.signer,
        )
        kiemdiem.handle(rc.ProposeRating(sec.actor, rnd, subject, "KHTNV"), sec.signer)
        kiemdiem.handle(
            rc.DecideRating(
                dm.actor, rnd, subject, "KHTNV", "5-QĐ", date(year, 12, 20)
            ),
            dm.signer,
        )
    auth.login("secretary")
    subject_page = client.get(f"{R}/cycles/{cycle}/subjects/{subject}")
    assert 'id="can-xem-xet"' in subject_page.get_data(as_text=True)
    decision = client.get(f"{R}/rounds/{rnd}/subjects/{subject}")
    text = decision.get_data(as_text=True)
    assert 'id="can-xem-xet"' in text
    assert "hai kỳ liên tiếp" in text
    issues = client.get(f"{R}/cycles/{cycle}/issues").get_data(as_text=True)
    assert "Cần xem xét" in issues
    assert "hai kỳ liên tiếp không hoàn thành nhiệm vụ" in issues
    api = client.get(f"/api/v1/cycles/{cycle}/subjects/{subject}", headers=API)
    assert api.get_json()["flags"] == ["consecutive_khtnv"]
