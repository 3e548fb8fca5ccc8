"""Remediation pages and their JSON twins: every route × every role, and a
shortcoming walked through the forms (refusals in Vietnamese, nothing stored),
carried into the next year's review page and reminded on the dashboard."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pytest

from services import rating_commands as rc
from services import remediation_commands as mc
from tests.conftest import ROLES

API = {"X-Requested-With": "XMLHttpRequest"}
TRACKERS = {"admin": 200, "secretary": 200, "decision_maker": 200, "inspector": 200}


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    expected: dict[str, int] = field(default_factory=dict)  # others: 403

    @property
    def is_api(self) -> bool:
        return self.path.startswith("/api/")


M = "/remediation"
A = "/api/v1/remediation"
ITEM = "/items/{item}"
ROUTES = [
    Route("GET", f"{M}/", {**TRACKERS, "member": 302}),
    Route(
        "GET",
        f"{M}/?year=2024&status=IN_PROGRESS&urgency=overdue",
        {**TRACKERS, "member": 302},
    ),
    Route("GET", f"{M}/worklist", {"inspector": 200, "decision_maker": 200}),
    Route("GET", f"{M}/subjects/{{member}}", {**TRACKERS, "member": 200}),
    Route(
        "GET",
        f"{M}/cycles/{{cycle}}/subjects/{{member}}/record",
        {"secretary": 200, "decision_maker": 200},
    ),
    Route(
        "POST",
        f"{M}/cycles/{{cycle}}/subjects/{{member}}/record",
        {"secretary": 400, "decision_maker": 400},
    ),
    Route("POST", f"{M}/subjects/{{member}}/plan", {"secretary": 400}),
    Route("POST", f"{M}{ITEM}/progress", {"secretary": 400, "member": 400}),
    Route("POST", f"{M}{ITEM}/claim", {"secretary": 400, "member": 400}),
    # The forms are valid empty; the state machine refuses (nothing to verify).
    Route("POST", f"{M}{ITEM}/verify", {"inspector": 422, "decision_maker": 422}),
    Route("POST", f"{M}{ITEM}/refuse", {"inspector": 422, "decision_maker": 422}),
    Route("GET", f"{A}/items", {**TRACKERS, "member": 200}),
    # A member reads their own file, not the district's list.
    Route("GET", f"{A}/items?org_id={{district}}&year=2024", TRACKERS),
    Route("GET", f"{A}{ITEM}", {**TRACKERS, "member": 200}),
    Route(
        "GET",
        f"{A}/carried?subject_key={{member}}&year=2025",
        {**TRACKERS, "member": 200},
    ),
    Route("GET", f"{A}/status-counts?org_id={{district}}", TRACKERS),
    Route("GET", f"{A}/worklist", {"inspector": 200, "decision_maker": 200}),
    Route("POST", f"{A}/shortcomings", {"secretary": 400, "decision_maker": 400}),
    Route("POST", f"{A}/plans", {"secretary": 400}),
    Route("POST", f"{A}{ITEM}/progress", {"secretary": 400, "member": 400}),
    Route("POST", f"{A}{ITEM}/claim", {"secretary": 400, "member": 400}),
    Route("POST", f"{A}{ITEM}/verify", {"inspector": 422, "decision_maker": 422}),
    Route("POST", f"{A}{ITEM}/refuse", {"inspector": 400, "decision_maker": 400}),
]


@pytest.fixture
def remediation_world(kiemdiem, world):
    sec = kiemdiem.authenticate("thuky", world.password("secretary"))
    cycle = kiemdiem.handle(
        rc.OpenCycle(
            sec.actor, world.orgs["district"], 2024, reference_date=date(2024, 12, 1)
        ),
        sec.signer,
    )
    member = f"m:{world.member_id}"
    item = kiemdiem.handle(
        mc.RecordShortcoming(
            sec.actor,
            cycle,
            member,
            "SUGGESTION",
            "Chưa tích cực tham gia sinh hoạt",
            "SUBJECTIVE",
            recorded_on=date(2024, 12, 10),
        ),
        sec.signer,
    )
    kiemdiem.handle(
        mc.AdoptRemediationPlan(
            sec.actor,
            (item,),
            ("Dự sinh hoạt đầy đủ",),
            world.member_id,
            date(2025, 6, 30),
            "INSPECTION_COMMITTEE",
            world.orgs["district"],
            adopted_on=date(2024, 12, 20),
        ),
        sec.signer,
    )
    return {
        "cycle": cycle,
        "member": member,
        "item": item,
        "district": world.orgs["district"],
    }


def url(path: str, ids: dict) -> str:
    return path.format(**{k: str(v) for k, v in ids.items()})


def _request(client, auth, route, ids):
    target = url(route.path, ids)
    if route.method == "GET":
        return client.get(target)
    if route.is_api:
        return client.post(target, json={}, headers=API)
    return auth.post(target, {})


@pytest.mark.parametrize("route", ROUTES, ids=[f"{r.method} {r.path}" for r in ROUTES])
def test_route_for_every_role(client, auth, kiemdiem, remediation_world, route):
    before = kiemdiem.ledger.max_notification_id()
    for role in ROLES:
        auth.login(role)
        response = _request(client, auth, route, remediation_world)
        expected = route.expected.get(role, 403)
        assert response.status_code == expected, (
            role,
            response.get_data(as_text=True)[:400],
        )
        if expected == 403 and route.is_api:
            assert response.get_json()["code"] in (
                "auth.forbidden",
                "auth.out_of_scope",
            )
        elif expected == 403:
            assert "Bạn không có quyền" in response.get_data(as_text=True)
        auth.logout()
    # Only reads of the member's file by others may sign access records; no
    # remediation command went through.
    changed = kiemdiem.remediation.item(remediation_world["item"])
    assert changed["status"] == "IN_PROGRESS"
    assert kiemdiem.ledger.max_notification_id() >= before


def test_a_refused_verification_is_vietnamese_and_stores_nothing(
    client, auth, kiemdiem, remediation_world
):
    ids = remediation_world
    auth.login("inspector")
    before = kiemdiem.ledger.max_notification_id()
    answer = auth.post(url(f"{M}{ITEM}/verify", ids), {})
    assert answer.status_code == 422
    assert "Không thể thực hiện bước này" in answer.get_data(as_text=True)
    assert "Đang khắc phục" in answer.get_data(as_text=True)
    assert kiemdiem.ledger.max_notification_id() == before
    data = client.post(url(f"{A}{ITEM}/verify", ids), json={}, headers=API).get_json()
    assert data["code"] == "remediation.status_not_allowed"
    assert "Đang khắc phục" in data["message"]


def test_a_shortcoming_through_the_forms(client, auth, kiemdiem, remediation_world):
    ids = remediation_world
    auth.login("secretary")
    record = url(f"{M}/cycles/{{cycle}}/subjects/{{member}}/record", ids)
    page = client.get(record).get_data(as_text=True)
    assert "Ghi nhận hạn chế, khuyết điểm" in page
    before = kiemdiem.ledger.max_notification_id()
    refused = auth.post(
        record,
        {"sc-source": "RUMOUR", "sc-cause": "SUBJECTIVE", "sc-description": "x"},
    )
    assert refused.status_code == 422
    assert "Nguồn phát hiện hạn chế, khuyết điểm không hợp lệ" in refused.get_data(
        as_text=True
    )
    assert kiemdiem.ledger.max_notification_id() == before
    done = auth.post(
        record,
        {
            "sc-source": "SELF",
            "sc-cause": "OBJECTIVE",
            "sc-description": "Chưa hoàn thành bồi dưỡng lý luận",
            "sc-recorded_on": "2024-12-11",
        },
    )
    assert done.status_code == 302
    (new,) = [
        i
        for i in kiemdiem.remediation.items(subject_key=ids["member"])
        if i["status"] == "OPEN"
    ]
    subject = url(f"{M}/subjects/{{member}}", ids)
    page = client.get(subject).get_data(as_text=True)
    assert "Chưa hoàn thành bồi dưỡng lý luận" in page
    assert "Kế hoạch khắc phục" in page
    plan = auth.post(
        url(f"{M}/subjects/{{member}}/plan", ids),
        {
            "pl-shortcoming_ids": new["shortcoming_id"],
            "pl-measures": "Học lớp bồi dưỡng\nViết thu hoạch",
            "pl-responsible_member_id": str(kiemdiem.members()[0].member_id),
            "pl-deadline": "2025-09-30",
            "pl-supervisor": "INSPECTION_COMMITTEE",
            "pl-supervisor_org_id": str(ids["district"]),
            "pl-adopted_on": "2024-12-20",
        },
    )
    assert plan.status_code == 302, plan.get_data(as_text=True)[:2000]
    claimed = auth.post(
        f"{M}/items/{new['shortcoming_id']}/claim",
        {"cl-summary": "Đã học xong", "cl-claimed_on": "2025-09-01"},
    )
    assert claimed.status_code == 302
    auth.logout()

    auth.login("inspector")
    work = client.get(f"{M}/worklist").get_data(as_text=True)
    assert "Chưa hoàn thành bồi dưỡng lý luận" in work  # awaiting verification
    assert "Chưa tích cực tham gia sinh hoạt" in work  # overdue (30/6/2025)
    # the totals from the counters; all shown, so no link to the rest
    assert "chờ xác nhận (1)" in work
    assert "Quá hạn khắc phục (1)" in work
    assert "Xem tất cả" not in work
    dashboard = client.get("/").get_data(as_text=True)
    assert "quá hạn khắc phục" in dashboard
    assert "Chưa tích cực tham gia sinh hoạt" in dashboard
    refuse = auth.post(f"{M}/items/{new['shortcoming_id']}/refuse", {})
    assert refuse.status_code == 422
    assert "Vui lòng nêu lý do" in refuse.get_data(as_text=True)
    verified = auth.post(
        f"{M}/items/{new['shortcoming_id']}/verify",
        {"vf-note": "Có giấy chứng nhận", "vf-verified_on": "2025-09-10"},
    )
    assert verified.status_code == 302
    assert kiemdiem.remediation.item(new["shortcoming_id"])["status"] == "VERIFIED"
    auth.logout()

    # The 2025 review page lists both, 1 of 2 verified (Mẫu 2B mục III).
    sec = kiemdiem.authenticate("thuky", "mat-khau-thu-ky")
    cycle25 = kiemdiem.handle(
        rc.OpenCycle(
            sec.actor, ids["district"], 2025, reference_date=date(2025, 12, 1)
        ),
        sec.signer,
    )
    auth.login("member")
    page = client.get(f"/ratings/cycles/{cycle25}/subjects/{ids['member']}").get_data(
        as_text=True
    )
    assert "Kết quả khắc phục hạn chế, khuyết điểm kỳ trước" in page
    assert "Đã được xác nhận khắc phục 1/2" in page
    assert "chưa thể xếp loại Hoàn thành xuất sắc nhiệm vụ" in page
    own = client.get(url(f"{M}/subjects/{{member}}", ids))
    assert own.status_code == 200
    assert "Chuyển sang kỳ kiểm điểm 2025" in own.get_data(as_text=True)


def test_the_tracking_view_filters_and_rolls_up(client, auth, remediation_world):
    ids = remediation_world
    auth.login("decision_maker")
    shown = client.get(f"{M}/?status=IN_PROGRESS").get_data(as_text=True)
    assert "Chưa tích cực tham gia sinh hoạt" in shown
    assert "Huyện ủy Đông Hà và các tổ chức trực thuộc" in shown
    hidden = client.get(f"{M}/?status=VERIFIED").get_data(as_text=True)
    assert "Chưa tích cực tham gia sinh hoạt" not in hidden
    assert "Không có hạn chế, khuyết điểm nào" in hidden
    overdue = client.get(f"{M}/?urgency=overdue&year=2024").get_data(as_text=True)
    assert "Chưa tích cực tham gia sinh hoạt" in overdue
    later = client.get(f"{M}/?year=2025").get_data(as_text=True)
    assert "Chưa tích cực tham gia sinh hoạt" not in later
    counts = client.get(
        url(f"{A}/status-counts?org_id={{district}}&year=2024", ids)
    ).get_json()["counts"]
    assert counts["IN_PROGRESS"] == 1
    assert counts["total"] == 1
    assert counts["overdue"] == 1  # 30/6/2025 has passed by the test's clock
