"""Every route × every role: the status, the login redirect for anonymous users
and 403 for a role that may not use the page."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.conftest import ROLES

EVERYONE = frozenset(ROLES)
ADMIN = frozenset({"admin"})
ENROLERS = frozenset({"admin", "secretary"})
# Members' names: the district's keepers and the member (their own chi bộ); the
# counting committee works on votes only.
MEMBER_READERS = EVERYONE - {"counting"}


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # may name seeded ids: {cell}, {member}, {account}
    allowed: frozenset[str]
    ok: int = 200  # the status for an allowed role (POSTs: an empty form is 400)

    def url(self, world) -> str:
        return self.path.format(
            cell=world.orgs["cell_a"],
            member=world.member_id,
            account=world.accounts["secretary"],
        )

    @property
    def is_api(self) -> bool:
        return self.path.startswith("/api/")


ROUTES = [
    Route("GET", "/", EVERYONE),
    Route("GET", "/auth/unlock", EVERYONE),
    Route("GET", "/organisations/", EVERYONE),
    Route("GET", "/organisations/{cell}", EVERYONE),
    Route("GET", "/organisations/new", ADMIN),
    Route("POST", "/organisations/new", ADMIN, 400),
    Route("GET", "/organisations/{cell}/rename", ADMIN),
    Route("POST", "/organisations/{cell}/rename", ADMIN, 400),
    Route("GET", "/organisations/{cell}/dissolve", ADMIN),
    Route("POST", "/organisations/{cell}/dissolve", ADMIN, 400),
    Route("GET", "/members/", EVERYONE),
    Route("GET", "/members/?cell={cell}", MEMBER_READERS),
    Route("GET", "/members/{member}", MEMBER_READERS),
    Route("GET", "/members/new", ENROLERS),
    Route("POST", "/members/new", ENROLERS, 400),
    Route("GET", "/members/{member}/transfer", ENROLERS),
    Route("POST", "/members/{member}/transfer", ENROLERS, 400),
    Route("GET", "/admin/accounts", ADMIN),
    Route("GET", "/admin/accounts/new", ADMIN),
    Route("POST", "/admin/accounts/new", ADMIN, 400),
    Route("GET", "/admin/accounts/{account}", ADMIN),
    Route("POST", "/admin/accounts/{account}/roles", ADMIN, 422),  # no role: refused
    Route("POST", "/admin/accounts/{account}/disable", ADMIN, 400),
    Route("POST", "/admin/accounts/{account}/password", ADMIN, 400),
    Route("GET", "/api/v1/organisations", EVERYONE),
    Route("GET", "/api/v1/organisations/{cell}", EVERYONE),
    Route("POST", "/api/v1/organisations", ADMIN, 400),
    Route("POST", "/api/v1/organisations/{cell}/rename", ADMIN, 400),
    Route("POST", "/api/v1/organisations/{cell}/dissolve", ADMIN, 400),
    Route("GET", "/api/v1/members", EVERYONE),
    Route("GET", "/api/v1/members/{member}", MEMBER_READERS),
    Route("POST", "/api/v1/members", ENROLERS, 400),
    Route("POST", "/api/v1/members/{member}/transfer", ENROLERS, 400),
    Route("GET", "/api/v1/accounts", ADMIN),
    Route("POST", "/api/v1/accounts", ADMIN, 400),
    Route("POST", "/api/v1/accounts/{account}/roles", ADMIN, 422),
    Route("POST", "/api/v1/accounts/{account}/disable", ADMIN, 400),
    Route("POST", "/api/v1/accounts/{account}/password", ADMIN, 400),
]
ROUTE_IDS = [f"{r.method} {r.path}" for r in ROUTES]
API_HEADERS = {"X-Requested-With": "XMLHttpRequest"}


def _request(client, auth, route: Route, world):
    url = route.url(world)
    if route.method == "GET":
        return client.get(url)
    if route.is_api:
        return client.post(url, json={}, headers=API_HEADERS)
    return auth.post(url, {})


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
def test_route_for_role(client, auth, world, route, role):
    auth.login(role)
    response = _request(client, auth, route, world)
    expected = route.ok if role in route.allowed else 403
    assert response.status_code == expected
    if expected == 403 and route.is_api:
        assert response.get_json()["code"] == "auth.forbidden"
    elif expected == 403:
        assert "Bạn không có quyền" in response.get_data(as_text=True)


@pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
def test_route_for_anonymous(client, auth, world, route):
    response = _request(client, auth, route, world)
    if route.is_api:
        assert response.status_code == 401
        assert response.get_json()["code"] == "auth.login_required"
    else:
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/auth/login?next=")


@pytest.mark.parametrize(
    "path", ["/auth/login", "/api/v1/openapi.json", "/static/style.css"]
)
def test_public_pages_need_no_login(client, path):
    with client.get(path) as response:
        assert response.status_code == 200
