"""Out-of-scope writes with valid bodies (issue 11): the first district's
secretary and decision maker try to enrol into, transfer out of and into, and
record facts, reviews, decisions and remediation about the second district,
through the pages and the API. Each is refused and the store is unchanged
(the matrix proves the empty-body side for every route)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tests.conftest import AuthActions

XHR = {"X-Requested-With": "XMLHttpRequest"}
REFUSED = {403}


def _enrol(cell: str, card: str) -> dict[str, Any]:
    return {
        "full_name": "Người Ngoài Phạm Vi",
        "party_card_no": card,
        "birth_date": "1985-04-05",
        "admission_date": "2010-03-04",
        "status": "full",
        "cell_id": cell,
    }


# (role, method, url template, json body or form data, is_api)
WRITES = [
    ("secretary", "/api/v1/members", lambda i, o: _enrol(o["cell_id"], "DV00000501")),
    (
        "secretary",
        "/api/v1/members/{out_member}/transfer",
        lambda i, o: {"cell_id": i["cell_id"]},
    ),
    (
        "secretary",
        "/api/v1/members/{in_member}/transfer",
        lambda i, o: {"cell_id": o["cell_id"]},
    ),
    (
        "secretary",
        "/api/v1/members/{out_member}/posts",
        lambda i, o: {"org_id": o["cell_id"], "role": "Bí thư", "since": "2024-01-01"},
    ),
    (
        "secretary",
        "/api/v1/organisations/{out_org}/sector",
        lambda i, o: {"sector": "rural"},
    ),
    (
        "secretary",
        "/api/v1/reviews/{out_review}/report",
        lambda i, o: {
            "sections": {"results": "Dự thảo mục I"},
            "circulated_on": "2024-12-05",
        },
    ),
    (
        "secretary",
        "/api/v1/cycles",
        lambda i, o: {
            "org_id": o["org_id"],
            "year": 2025,
            "reference_date": "2025-12-01",
        },
    ),
    (
        "decision_maker",
        "/api/v1/rounds/{out_round}/holds",
        lambda i, o: {
            "subject_key": o["key"],
            "reason": "pending_discipline",
            "note": "Chờ kết luận",
        },
    ),
    (
        "secretary",
        "/api/v1/remediation/items/{out_item}/progress",
        lambda i, o: {"text": "Đã dự sinh hoạt", "reported_on": "2025-01-10"},
    ),
]
PAGES = [
    ("secretary", "/members/new", lambda i, o: _enrol(o["cell_id"], "DV00000502")),
    (
        "secretary",
        "/members/{out_member}/transfer",
        lambda i, o: {"cell_id": i["cell_id"]},
    ),
    (
        "secretary",
        "/members/{in_member}/transfer",
        lambda i, o: {"cell_id": o["cell_id"]},
    ),
    (
        "secretary",
        "/ratings/reviews/{out_review}/report",
        lambda i, o: {"rp-results": "Dự thảo", "rp-circulated_on": "2024-12-05"},
    ),
    (
        "secretary",
        "/remediation/items/{out_item}/progress",
        lambda i, o: {"pg-text": "Đã dự sinh hoạt", "pg-reported_on": "2025-01-10"},
    ),
]


def _url(template: str, inside: dict[str, str], outside: dict[str, str]) -> str:
    return template.format(
        in_member=inside["member_id"],
        out_member=outside["member_id"],
        out_org=outside["org_id"],
        out_review=outside["review_id"],
        out_round=outside["round_id"],
        out_item=outside["shortcoming_id"],
    )


def _non_access_events(services: Any, since: int) -> list[str]:
    rows = services.ledger.recorder.select_notifications(since + 1, limit=1000)
    return [r.topic for r in rows if "FileAccessLog" not in r.topic]


@pytest.mark.parametrize(
    ("role", "template", "make"), WRITES, ids=[f"{w[0]} {w[1]}" for w in WRITES]
)
def test_api_write_out_of_scope_is_refused(matrix, role, template, make):
    app = matrix["app"]
    services = app.extensions["kiemdiem"]
    inside, outside = matrix["in"].values, matrix["out"].values
    client = app.test_client()
    AuthActions(client).login(role)
    before = services.ledger.max_notification_id()
    response = client.post(
        _url(template, inside, outside), json=make(inside, outside), headers=XHR
    )
    assert response.status_code in REFUSED, response.get_json()
    assert response.get_json()["code"] in ("auth.out_of_scope", "auth.forbidden")
    assert _non_access_events(services, before) == []


@pytest.mark.parametrize(
    ("role", "template", "make"), PAGES, ids=[f"{w[0]} {w[1]}" for w in PAGES]
)
def test_page_write_out_of_scope_is_refused(matrix, role, template, make):
    app = matrix["app"]
    services = app.extensions["kiemdiem"]
    inside, outside = matrix["in"].values, matrix["out"].values
    client = app.test_client()
    auth = AuthActions(client)
    auth.login(role)
    before = services.ledger.max_notification_id()
    response = auth.post(_url(template, inside, outside), make(inside, outside))
    # 403 refused, or 400 when the form offers no such choice at all
    assert response.status_code in REFUSED | {400}
    assert _non_access_events(services, before) == []


def test_the_same_write_in_scope_goes_through(matrix):
    """The refusals above are about scope: the same enrolment into the first
    district's chi bộ is accepted."""
    app = matrix["app"]
    inside = matrix["in"].values
    client = app.test_client()
    AuthActions(client).login("secretary")
    body = _enrol(inside["cell_id"], "DV00000503")
    response = client.post("/api/v1/members", json=body, headers=XHR)
    assert response.status_code == 201, response.get_json()
    assert date.fromisoformat(response.get_json()["member"]["birth_date"]).year == 1985


QUERIES = [
    "/members/?cell={out_cell}",
    "/api/v1/members?cell_id={out_cell}",
    "/api/v1/remediation/items?org_id={out_org}",
    "/api/v1/remediation/status-counts?org_id={out_org}",
    "/api/v1/remediation/carried?subject_key=m:{out_member}&year=2025",
    "/api/v1/cycles/{in_cycle}/statistics?org_id={out_org}",
    "/reports/khen-thuong?org={out_org}&year=2024",
    "/api/v1/commendations?org_id={out_org}",
    "/api/v1/commendations/proposals?org_id={out_org}&year=2024",
    "/remediation/?org_id={out_org}",
    "/reports/?org={out_org}&year=2024",
]


@pytest.mark.parametrize("role", ["secretary", "decision_maker", "inspector"])
def test_query_parameters_out_of_scope_are_refused(matrix, role):
    """Lists and counts asked for the other district by a query parameter."""
    inside, outside = matrix["in"].values, matrix["out"].values
    client = matrix["app"].test_client()
    AuthActions(client).login(role)
    answered = {}
    for template in QUERIES:
        url = template.format(
            out_cell=outside["cell_id"],
            out_org=outside["org_id"],
            out_member=outside["member_id"],
            in_cycle=inside["cycle_id"],
        )
        response = client.get(url, follow_redirects=True)
        answered[url] = response.status_code
    assert {url: s for url, s in answered.items() if s != 403} == {}
