"""Rating pages and their JSON twins: every route × every role, and the cycle of
one chi bộ walked through the forms (refusals shown in Vietnamese, nothing
stored)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from services import rating_commands as rc
from services.rating_ids import review_id, round_id
from tests.conftest import ROLES

EVERYONE = frozenset(ROLES)
# The cycle's pages: those who keep or judge records in the district, and the
# member who is a subject of the cycle (their own file); the counting committee
# reads none of it. Statistics only for the district's keepers.
READERS = EVERYONE - {"counting"}
KEEPERS = READERS - {"member"}
OPENERS = frozenset({"secretary", "decision_maker"})
SECRETARY = frozenset({"secretary"})
DECIDER = frozenset({"decision_maker"})
SELF_RATERS = frozenset({"secretary", "member"})
HOLDERS = frozenset({"decision_maker", "inspector"})
FACT_RECORDERS = frozenset({"admin", "secretary"})
API = {"X-Requested-With": "XMLHttpRequest"}


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    allowed: frozenset[str]
    ok: int = 200

    @property
    def is_api(self) -> bool:
        return self.path.startswith("/api/")


R = "/ratings"
SUBJ = "{cycle}/subjects/{member}"
ROUND = "/rounds/{round}/subjects/{member}"
ROUTES = [
    Route("GET", f"{R}/", EVERYONE),
    Route("POST", f"{R}/cycles", OPENERS, 400),
    Route("GET", f"{R}/cycles/{{cycle}}", READERS),
    Route("POST", f"{R}/cycles/{{cycle}}/rounds", DECIDER, 400),
    Route("POST", f"{R}/cycles/{{cycle}}/deadlines", OPENERS, 400),
    Route("GET", f"{R}/cycles/{{cycle}}/subjects", READERS),
    Route("GET", f"{R}/cycles/{{cycle}}/subjects?status=pending", READERS),
    Route("GET", f"{R}/cycles/{{cycle}}/statistics", KEEPERS),
    Route("GET", f"{R}/cycles/{{cycle}}/issues", READERS),
    Route("GET", f"{R}/cycles/{SUBJ}", READERS),
    Route("POST", f"{R}/cycles/{SUBJ}/reviews", SECRETARY, 400),
    Route("POST", f"{R}/reviews/{{review}}/report", SECRETARY, 400),
    Route("POST", f"{R}/reviews/{{review}}/self-review", SECRETARY, 422),  # no form
    Route("POST", f"{R}/reviews/{{review}}/meeting", SECRETARY, 400),
    Route("POST", f"{R}{ROUND}/self-rating", SELF_RATERS, 400),
    Route("POST", f"{R}{ROUND}/proposal", OPENERS, 400),
    Route("GET", f"{R}{ROUND}", READERS),
    Route("POST", f"{R}{ROUND}/decision", DECIDER, 400),
    Route("POST", f"{R}{ROUND}/hold", HOLDERS, 400),
    Route("POST", f"{R}{ROUND}/mitigation", DECIDER, 400),
    Route("POST", f"{R}{ROUND}/rerate", DECIDER, 400),
    Route("GET", f"{R}/rounds/{{round}}", READERS),
    Route("POST", f"{R}/rounds/{{round}}/groups", OPENERS, 400),
    Route("POST", f"{R}/rounds/{{round}}/groups/nhom/exception", DECIDER, 400),
    Route("POST", f"{R}/reviews/{{review}}/comment", SECRETARY, 400),
    Route("POST", f"{R}/reviews/{{review}}/suggestion", SECRETARY, 400),
    Route("POST", f"{R}/reviews/{{review}}/opinion", SECRETARY, 400),
    Route("POST", f"{R}/reviews/{{review}}/residence", SECRETARY, 400),
    Route("POST", f"{R}/reviews/{{review}}/temporary", SECRETARY, 400),
    Route("GET", f"{R}/import", FACT_RECORDERS),
    Route("POST", f"{R}/import", FACT_RECORDERS, 400),
    Route("POST", "/api/v1/members/import", FACT_RECORDERS, 400),
    Route("GET", f"{R}/members/{{member_id}}", READERS),
    Route("POST", f"{R}/members/{{member_id}}/discipline", FACT_RECORDERS, 400),
    Route("POST", f"{R}/members/{{member_id}}/post", FACT_RECORDERS, 400),
    Route("GET", "/api/v1/cycles", EVERYONE),
    Route("GET", "/api/v1/cycles/{cycle}", READERS),
    Route("GET", "/api/v1/cycles/{cycle}/subjects", READERS),
    Route("GET", "/api/v1/cycles/{cycle}/statistics", KEEPERS),
    Route("GET", "/api/v1/cycles/{cycle}/issues", READERS),
    Route("GET", "/api/v1/cycles/{cycle}/subjects/{member}", READERS),
    Route("GET", "/api/v1/rounds/{round}", READERS),
    Route("POST", "/api/v1/cycles", OPENERS, 400),
    Route("POST", "/api/v1/cycles/{cycle}/rounds", DECIDER, 400),
    Route("POST", "/api/v1/cycles/{cycle}/reviews", SECRETARY, 400),
    Route("POST", "/api/v1/reviews/{review}/meeting", SECRETARY, 400),
    Route("POST", "/api/v1/rounds/{round}/self-ratings", SELF_RATERS, 400),
    Route("POST", "/api/v1/rounds/{round}/decisions", DECIDER, 400),
    Route("POST", "/api/v1/rounds/{round}/holds", HOLDERS, 400),
    Route("POST", "/api/v1/members/{member_id}/disciplines", FACT_RECORDERS, 400),
]


@pytest.fixture
def cycle_world(kiemdiem, world):
    sec = kiemdiem.authenticate("thuky", world.password("secretary"))
    dm = kiemdiem.authenticate("captuy", world.password("decision_maker"))
    cycle = kiemdiem.handle(
        rc.OpenCycle(
            sec.actor, world.orgs["district"], 2025, reference_date=date(2025, 12, 1)
        ),
        sec.signer,
    )
    cell = world.orgs["cell_a"]
    rnd = kiemdiem.handle(rc.OpenRound(dm.actor, cycle, cell), dm.signer)
    member = f"m:{world.member_id}"
    review = kiemdiem.handle(rc.OpenReview(sec.actor, cycle, member, cell), sec.signer)
    return {
        "cycle": cycle,
        "round": rnd,
        "member": member,
        "review": review,
        "member_id": world.member_id,
        "cell": cell,
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
def test_route_for_every_role(client, auth, cycle_world, route):
    """One store per route; the roles in turn (these requests change nothing)."""
    for role in ROLES:
        auth.login(role)
        response = _request(client, auth, route, cycle_world)
        expected = route.ok if role in route.allowed else 403
        assert response.status_code == expected, (
            role,
            response.get_data(as_text=True)[:400],
        )
        if expected == 403 and route.is_api:
            assert response.get_json()["code"] == "auth.forbidden"
        elif expected == 403:
            assert "Bạn không có quyền" in response.get_data(as_text=True)
        auth.logout()


@pytest.mark.parametrize("route", ROUTES[:3], ids=["index", "open", "cycle"])
def test_anonymous_is_sent_to_login(client, auth, cycle_world, route):
    response = _request(client, auth, route, cycle_world)
    assert response.status_code in (302, 400, 401)


def test_unknown_cycle_is_a_vietnamese_404(client, auth):
    auth.login("secretary")
    response = client.get("/ratings/cycles/00000000-0000-0000-0000-000000000000")
    assert response.status_code == 404
    assert "Không tìm thấy kỳ kiểm điểm" in response.get_data(as_text=True)


def test_a_chi_bo_cycle_through_the_forms(client, auth, kiemdiem, cycle_world, world):
    ids = cycle_world
    cell_key = f"o:{ids['cell']}"
    auth.login("secretary")
    page = client.get(url(f"{R}/cycles/{SUBJ}", ids)).get_data(as_text=True)
    assert "Mẫu 2B" in page
    # the chi bộ's own review first: report, then the meeting
    assert (
        auth.post(
            url(f"{R}/cycles/{{cycle}}/subjects/" + cell_key + "/reviews", ids),
            {"or-venue_id": str(ids["cell"])},
        ).status_code
        == 302
    )
    cell_review = review_id(ids["cycle"], cell_key, ids["cell"])
    assert (
        auth.post(
            f"{R}/reviews/{cell_review}/report",
            {"rp-results": "Dự thảo", "rp-circulated_on": "2025-12-01"},
        ).status_code
        == 302
    )
    # the member's meeting before a self-review is refused, in Vietnamese
    before = kiemdiem.ledger.max_notification_id()
    meeting = {
        "mt-held_on": "2025-12-08",
        "mt-attendees": "9",
        "mt-minutes": "BB",
        "mt-conclusion": "KL",
    }
    refused = auth.post(url(f"{R}/reviews/{{review}}/meeting", ids), meeting)
    assert refused.status_code == 422
    assert "Chưa đúng trình tự kiểm điểm" in refused.get_data(as_text=True)
    assert kiemdiem.ledger.max_notification_id() == before
    assert (
        auth.post(
            f"{R}/reviews/{cell_review}/meeting",
            {**meeting, "mt-held_on": "2025-12-05"},
        ).status_code
        == 302
    )
    assert (
        auth.post(
            url(f"{R}/reviews/{{review}}/self-review", ids),
            {
                "form_code": "2B",
                "sv-strengths": "Tốt",
                "sv-shortcomings": "Chậm",
                "sv-measures": "Khắc phục",
            },
        ).status_code
        == 302
    )
    assert (
        auth.post(url(f"{R}/reviews/{{review}}/meeting", ids), meeting).status_code
        == 302
    )
    rating = {
        "sr-level": "HTTNV",
        "sr-tasks_total": "10",
        "sr-tasks_on_time": "10",
        "sr-tasks_exceeded": "0",
        "sr-tasks_late": "0",
        "sr-tasks_not_done": "0",
        "sr-shortcomings_total": "0",
        "sr-shortcomings_remedied": "0",
        "points-c1": "9",
        "points-c2": "9",
        "points-c3": "9",
        "points-t1": "35",
        "points-t2": "20",
    }
    assert auth.post(url(f"{R}{ROUND}/self-rating", ids), rating).status_code == 302
    assert (
        auth.post(
            url(f"{R}{ROUND}/proposal", ids), {"pr-level": "HTTNV", "pr-note": "Đồng ý"}
        ).status_code
        == 302
    )
    auth.logout()
    auth.login("decision_maker")
    decide = {
        "dc-level": "HTXSNV",
        "dc-decision_no": "15-QĐ/CB",
        "dc-decided_on": "2025-12-20",
    }
    before = kiemdiem.ledger.max_notification_id()
    refused = auth.post(url(f"{R}{ROUND}/decision", ids), decide)
    assert refused.status_code == 422
    assert "Không thể xếp loại “Hoàn thành xuất sắc nhiệm vụ”" in refused.get_data(
        as_text=True
    )
    assert kiemdiem.ledger.max_notification_id() == before
    done = auth.post(
        url(f"{R}{ROUND}/decision", ids),
        {**decide, "dc-level": "HTTNV"},
        follow_redirects=True,
    )
    html = done.get_data(as_text=True)
    assert "Vì sao mức này" in html
    assert "Áp dụng 366-QĐ/TW và 43-HD/BTCTW" in html
    stats = client.get(url(f"{R}/cycles/{{cycle}}/statistics", ids)).get_data(
        as_text=True
    )
    assert "100,00%" in stats
    assert round_id(ids["cycle"], ids["cell"]) == ids["round"]


def test_peer_group_gauge_and_comments_on_the_pages(client, auth, cycle_world):
    ids = cycle_world
    auth.login("secretary")
    answer = auth.post(
        url(f"{R}/reviews/{{review}}/comment", ids),
        {"cm-author_member_id": str(ids["member_id"]), "cm-text": "Cần gương mẫu hơn"},
        follow_redirects=True,
    )
    assert "Đã ghi nhận góp ý." in answer.get_data(as_text=True)
    timeline = client.get(url(f"{R}/cycles/{SUBJ}", ids)).get_data(as_text=True)
    assert "Cần gương mẫu hơn" in timeline
    group = {
        "pg-code": "dang-vien",
        "pg-name": "Đảng viên chi bộ",
        "pg-members": [ids["member"]],
    }
    page = auth.post(
        url(f"{R}/rounds/{{round}}/groups", ids), group, follow_redirects=True
    ).get_data(as_text=True)
    assert "Đã lập nhóm so sánh." in page
    again = auth.post(url(f"{R}/rounds/{{round}}/groups", ids), group)
    assert again.status_code == 422
    decision = client.get(url(f"{R}{ROUND}", ids)).get_data(as_text=True)
    assert "0 / tối đa 0" in decision


def test_legacy_self_rating_confirms_the_level_criteria(client, auth, kiemdiem, world):
    sec = kiemdiem.authenticate("thuky", world.password("secretary"))
    dm = kiemdiem.authenticate("captuy", world.password("decision_maker"))
    cycle = kiemdiem.handle(
        rc.OpenCycle(sec.actor, world.orgs["district"], 2021), sec.signer
    )
    rnd = kiemdiem.handle(
        rc.OpenRound(dm.actor, cycle, world.orgs["cell_a"]), dm.signer
    )
    member = f"m:{world.member_id}"
    auth.login("secretary")
    page = client.get(f"{R}/cycles/{cycle}/subjects/{member}").get_data(as_text=True)
    assert "Hoàn thành tốt các chỉ tiêu, nhiệm vụ được giao" in page
    assert "132-QĐ/TW" in page
    rating = {
        "sr-level": "HTTNV",
        "sr-tasks_total": "4",
        "sr-tasks_on_time": "4",
        "sr-tasks_exceeded": "0",
        "sr-tasks_late": "0",
        "sr-tasks_not_done": "0",
        "sr-shortcomings_total": "0",
        "sr-shortcomings_remedied": "0",
        "sr-met": ["g1"],
    }
    refused = auth.post(f"{R}/rounds/{rnd}/subjects/{member}/self-rating", rating)
    assert refused.status_code == 422
    assert "tiêu chí của mức xếp loại" in refused.get_data(as_text=True)
    rating["sr-met"] = ["g1", "g2", "h1", "h2"]
    accepted = auth.post(f"{R}/rounds/{rnd}/subjects/{member}/self-rating", rating)
    assert accepted.status_code == 302


def test_member_import_reports_bad_rows_and_imports_after_a_dry_run(
    client, auth, kiemdiem
):
    import base64
    import io

    sheet = (
        "Họ và tên,Số thẻ đảng viên,Ngày sinh,Ngày vào Đảng,Tình trạng,Mã chi bộ\n"
        "Đào Văn Mới,DV77000001,1990-01-01,2015-05-05,chính thức,chi-bo-xom-b\n"
        "Đào Thị Sai,DV77000002,1990-01-01,2015-05-05,chính thức,khong-co\n"
    )
    auth.login("secretary")
    before = kiemdiem.ledger.max_notification_id()
    bad = auth.post(
        f"{R}/import",
        {"file": (io.BytesIO(sheet.encode()), "ds.csv"), "dry_run": ""},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert "Không tìm thấy chi bộ theo mã này." in html
    assert kiemdiem.ledger.max_notification_id() == before
    good = sheet.rsplit("\n", 2)[0] + "\n"
    payload = {
        "filename": "ds.csv",
        "content_base64": base64.b64encode(good.encode()).decode(),
        "dry_run": True,
    }
    checked = client.post("/api/v1/members/import", json=payload, headers=API)
    assert checked.status_code == 200
    assert checked.get_json()["valid"] == 1
    assert kiemdiem.ledger.max_notification_id() == before
    done = client.post(
        "/api/v1/members/import", json={**payload, "dry_run": False}, headers=API
    )
    assert done.get_json()["imported"] == 1
    assert any(m.full_name == "Đào Văn Mới" for m in kiemdiem.members())


def test_member_facts_page_records_a_discipline(client, auth, kiemdiem, cycle_world):
    ids = cycle_world
    auth.login("secretary")
    page = f"{R}/members/{ids['member_id']}"
    assert "Chưa có dữ kiện nào." in client.get(page).get_data(as_text=True)
    before = kiemdiem.ledger.max_notification_id()
    bad = auth.post(
        f"{page}/discipline",
        {
            "discipline-level": "reprimand",
            "discipline-decided_on": "2025-06-01",
            "discipline-reference": " ",
        },
    )
    assert bad.status_code == 400
    assert kiemdiem.ledger.max_notification_id() == before
    done = auth.post(
        f"{page}/discipline",
        {
            "discipline-level": "reprimand",
            "discipline-duty_related": "y",
            "discipline-decided_on": "2025-06-01",
            "discipline-reference": "QĐ 5-QĐ/UBKT",
        },
        follow_redirects=True,
    )
    html = done.get_data(as_text=True)
    assert "Đã ghi nhận." in html
    assert "QĐ 5-QĐ/UBKT" in html
    issues = client.get(url(f"{R}/cycles/{{cycle}}/issues", ids)).get_data(as_text=True)
    assert "Chờ xếp loại trước" in issues
    # Paged by a keyset cursor; a malformed one is the first page, past the
    # last item an empty page, never an error.
    for cursor, shown in (("khong|hop|le", True), ("~|0", False)):
        page = client.get(url(f"{R}/cycles/{{cycle}}/issues?sau={cursor}", ids))
        assert page.status_code == 200
        assert ("Chờ xếp loại trước" in page.get_data(as_text=True)) is shown


def test_a_deadline_set_on_the_cycle_page_shows_at_risk(client, auth, cycle_world):
    ids = cycle_world
    auth.login("secretary")
    page = auth.post(
        url(f"{R}/cycles/{{cycle}}/deadlines", ids),
        {"dl-level": "member", "dl-milestone": "rating", "dl-due": "2025-12-20"},
        follow_redirects=True,
    )
    html = page.get_data(as_text=True)
    assert "Đã đặt thời hạn." in html
    issues = client.get(url(f"{R}/cycles/{{cycle}}/issues", ids)).get_data(as_text=True)
    assert "Quá hạn" in issues
    bad = auth.post(
        url(f"{R}/cycles/{{cycle}}/deadlines", ids),
        {"dl-level": "member", "dl-milestone": "rating", "dl-due": "2031-01-01"},
    )
    assert bad.status_code == 422
    assert "Thời hạn phải thuộc năm kiểm điểm" in bad.get_data(as_text=True)


def test_every_trigger_the_domain_knows_has_a_name_on_the_mitigation_form():
    from domain.explain import TRIGGER_TEXT
    from web.catalogue.ratings import TRIGGER_LABELS

    assert set(TRIGGER_LABELS) == set(TRIGGER_TEXT)


def test_mitigation_is_chosen_by_name_and_judged_by_the_domain(
    app, client, auth, kiemdiem, cycle_world
):
    from web.ratings.forms import MitigationForm

    with app.test_request_context():
        select = str(MitigationForm(formdata=None, prefix="mg").trigger)
    assert '<option value="discipline">Bị kỷ luật trong năm</option>' in select
    ids = cycle_world
    auth.login("decision_maker")
    before = kiemdiem.ledger.max_notification_id()
    unknown = auth.post(
        url(f"{R}{ROUND}/mitigation", ids),
        {"mg-trigger": "khong-co", "mg-justification": "Tự phát hiện, khắc phục."},
    )
    assert unknown.status_code == 400  # not a trigger code: refused by the form
    absent = auth.post(
        url(f"{R}{ROUND}/mitigation", ids),
        {"mg-trigger": "discipline", "mg-justification": "Tự phát hiện, khắc phục."},
    )
    assert absent.status_code == 422
    assert kiemdiem.ledger.max_notification_id() == before
