"""Every route × every role × in and out of scope, generated from ``app.url_map``.

Two districts (tests/web/matrix_world.py): the signed-in accounts work in the
first; each route is asked once with the first district's targets (IN) and
once with the second's (OUT). ``EXPECTED`` says, per route, the status each role
gets IN and OUT; a route of the app without an entry fails the test, so a new
route can't go unlisted. On top of the table, three properties hold for every
route: no role but the administrator ever gets a success OUT of scope; the
lists shown to the first district never name the second district's member; and
no request of the sweep stores anything but the signed access log (reads of a
member's file). GETs read; POSTs carry an empty body with a valid CSRF token,
so an allowed role gets the form's 400/422 and nothing is written.

The POSTs are sent again with a valid body (tests/web/matrix_bodies.py for the
rating area, tests/web/matrix_other_bodies.py for the directory, accounts,
remediation, reorganisation, commendations and cosigning, API and pages): OUT
of scope every role is refused and nothing is stored; IN scope, in a store of
their own, each role gets the command's real answer (``VALID_IN``).
"""

from __future__ import annotations

import contextlib
import os
from typing import Any
from uuid import UUID

import pytest

from domain.errors import DomainError
from services import rating_commands as rc
from tests.conftest import ACCOUNTS, ROLES, AuthActions
from tests.web import matrix_bodies, matrix_other_bodies
from tests.web.matrix_table import BOOTH, EXPECTED, PUBLIC, ROLE_LETTERS, Expect
from tests.web.matrix_world import (
    OUT_CARD,
    OUT_CELL_NAME,
    OUT_MEMBER_NAME,
    OUT_PASSWORD,
    Scope,
)

XHR = {"X-Requested-With": "XMLHttpRequest"}
# The valid bodies: the rating area's, then the others'.
API_BODIES = {**matrix_bodies.API_BODIES, **matrix_other_bodies.API_BODIES}
PAGE_BODIES = {**matrix_bodies.PAGE_BODIES, **matrix_other_bodies.PAGE_BODIES}
VALID_IN = {**matrix_bodies.VALID_IN, **matrix_other_bodies.VALID_IN}
# The order the valid bodies are sent in: those that change the accounts or
# the tree last.
SENT = [
    *(
        n
        for n in {**API_BODIES, **PAGE_BODIES}
        if n not in matrix_other_bodies.SENT_LAST
    ),
    *matrix_other_bodies.SENT_LAST,
]
# Per-rule values where the common one does not fit.
OVERRIDES: dict[str, dict[str, str]] = {
    "/ratings/organisations/<uuid:org_id>/facts/<kind>": {"kind": "sector"},
    "/reports/<uuid:org_id>/<year>/chua-hoan-thanh/<level>": {"level": "member"},
}
# What the sweep may store: the signed access log of reads of a member's file,
# and the one command that needs no body (the decision maker closes the cycle
# of their own district: POST /api/v1/cycles/<id>/close).
# Records of reading and of signing in, which any page view or login writes.
ACCESS_LOG_TOPICS = ("FileAccessLog", "SignInLog")
BODILESS_WRITES = ("domain.cycles:ReviewCycle.Closed",)


def routes(app) -> list[tuple[str, str]]:
    found = []
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((method, rule.rule))
    # Signing out last (this session, then every session of the account): the
    # sweep goes on with the same session until then.
    last = {("POST", "/auth/logout"): 1, ("POST", "/auth/logout-everywhere"): 2}
    return sorted(found, key=lambda r: (last.get(r, 0), r[1], r[0]))


def _request(client: Any, token: str | None, method: str, url: str) -> Any:
    if method == "GET":
        return client.get(url)
    if url.startswith("/api/"):
        return client.post(url, json={}, headers=XHR)
    return client.post(url, data={"csrf_token": token or ""})


def _sweep(matrix, role: str | None) -> dict[tuple[str, str], tuple[int, int]]:
    """(method, rule) -> (status IN, status OUT) for one role (None: anonymous)."""
    app = matrix["app"]
    client = app.test_client()
    auth = AuthActions(client)
    token = None
    if role is not None:
        assert auth.login(role).status_code == 302
        token = auth.csrf_token()
    seen = {}
    for method, rule in routes(app):
        overrides = OVERRIDES.get(rule, {})
        statuses = []
        for scope in (matrix["in"], matrix["out"]):
            url = scope.fill(rule, overrides)
            with _request(client, token, method, url) as response:
                statuses.append(response.status_code)
        seen[(method, rule)] = (statuses[0], statuses[1])
    return seen


def _events_since(app, position: int) -> list[str]:
    services = app.extensions["kiemdiem"]
    rows = services.ledger.recorder.select_notifications(position + 1, limit=10_000)
    return [r.topic for r in rows]


def test_every_route_has_an_expectation(matrix):
    listed = set(EXPECTED) | PUBLIC
    found = {f"{m} {r}" for m, r in routes(matrix["app"])}
    assert sorted(found - listed) == [], "a route without an expected outcome"
    assert sorted(listed - found) == [], "an expectation for no route"


def _settle(matrix) -> None:
    """Another test of this session (test_write_scope.py) may have enrolled a member
    in scope: bring both cycles' subjects up to date first, so the sweep's own
    refresh finds nothing to do whatever ran before it."""
    services = matrix["app"].extensions["kiemdiem"]
    secretaries = (
        (matrix["in"], ACCOUNTS["secretary"][0], ACCOUNTS["secretary"][2]),
        (matrix["out"], "thuky-tay", OUT_PASSWORD),
    )
    for scope, username, password in secretaries:
        secretary = services.authenticate(username, password)
        assert secretary is not None
        cycle = UUID(scope.values["cycle_id"])
        with contextlib.suppress(DomainError):  # nothing new: already settled
            services.handle(
                rc.RefreshSubjects(secretary.actor, cycle), secretary.signer
            )


@pytest.mark.parametrize("role", ROLES)
def test_route_role_scope_matrix(matrix, role):
    app = matrix["app"]
    services = app.extensions["kiemdiem"]
    _settle(matrix)
    before = services.ledger.max_notification_id()
    seen = _sweep(matrix, role)
    letter = ROLE_LETTERS[role]
    wrong = []
    for (method, rule), (status_in, status_out) in seen.items():
        name = f"{method} {rule}"
        if name in PUBLIC:
            continue
        expected: Expect = EXPECTED[name]
        want_in, want_out = expected.of(letter)
        if (status_in, status_out) != (want_in, want_out):
            wrong.append(
                f"{name}: {role} got {status_in}/{status_out}, "
                f"expected {want_in}/{want_out}"
            )
        if (
            role != "admin"
            and expected.scoped
            and name not in BOOTH
            and status_out < 400
        ):
            wrong.append(f"{name}: {role} OUT of scope got {status_out}")
    assert wrong == []
    written = [
        topic
        for topic in _events_since(app, before)
        if topic.split(":")[-1].split(".")[0] not in ACCESS_LOG_TOPICS
        and not (role == "decision_maker" and topic in BODILESS_WRITES)
    ]
    assert written == [], "the sweep wrote something"


def test_anonymous_gets_the_login(matrix):
    seen = _sweep(matrix, None)
    wrong = []
    for (method, rule), statuses in seen.items():
        name = f"{method} {rule}"
        if name in PUBLIC:
            continue
        # A page's POST meets the CSRF check first (no session, no token).
        want = 401 if rule.startswith("/api/") else 400 if method == "POST" else 302
        if name in BOOTH:
            continue  # the booth is public (votes.md §6.1)
        if statuses != (want, want):
            wrong.append(f"{name}: {statuses}")
    assert wrong == []


def _written(app, before: int) -> list[str]:
    """What was stored since ``before``, the records of reading aside."""
    return [
        topic
        for topic in _events_since(app, before)
        if topic.split(":")[-1].split(".")[0] not in ACCESS_LOG_TOPICS
    ]


def test_the_valid_bodies_are_for_routes_of_the_app(matrix):
    assert set(API_BODIES) | set(PAGE_BODIES) <= set(EXPECTED)
    special = set(matrix_other_bodies.SENT_LAST) | set(matrix_other_bodies.URL_NAMES)
    assert special <= set(API_BODIES) | set(PAGE_BODIES)


def _post_valid(client: Any, token: str, name: str, scope: Scope) -> Any:
    """``name`` (a POST) with its valid body, aimed at ``scope``."""
    rule, values = name.split(" ", 1)[1], scope.values
    names = matrix_other_bodies.URL_NAMES.get(name, {})
    overrides = {**OVERRIDES.get(rule, {}), **{k: values[v] for k, v in names.items()}}
    url = scope.fill(rule, overrides)
    if name in API_BODIES:
        return client.post(url, json=API_BODIES[name](values), headers=XHR)
    return client.post(url, data={**PAGE_BODIES[name](values), "csrf_token": token})


def _outcome(response: Any) -> str:
    """A status, with the refusal's code for JSON: ``403 auth.out_of_scope``."""
    body = response.get_json(silent=True) if response.is_json else None
    code = body.get("code") if isinstance(body, dict) else None
    return f"{response.status_code} {code}" if code else str(response.status_code)


# Refusals OUT of scope other than a 403: a member self-rates only themself (the
# domain's rule answers before the scope check); a member list naming a chi bộ
# out of scope is refused row by row (422, the row's ``auth.out_of_scope``).
IMPORTS = ("POST /api/v1/members/import", "POST /ratings/import")
REFUSED_OTHERWISE = {
    ("member", "POST /api/v1/rounds/<uuid:round_id>/self-ratings"): (
        "422 rating.self_rating_not_own"
    ),
    ("secretary", IMPORTS[0]): "422 import.rows_invalid",
    ("secretary", IMPORTS[1]): "422",
    **matrix_other_bodies.REFUSED_OTHERWISE,
}


@pytest.mark.parametrize("role", [r for r in ROLES if r != "admin"])
def test_out_of_scope_posts_with_a_valid_body_are_refused(matrix, role):
    """The POSTs with a body their command accepts, aimed at the other
    district: every role is refused (403: its role may not, or the target
    is out of its scope) and the store is unchanged. A body the parser rejected
    would answer 400, so each 403 of an allowed role is the scope's refusal."""
    app, out = matrix["app"], matrix["out"]
    client = app.test_client()
    auth = AuthActions(client)
    assert auth.login(role).status_code == 302
    token = auth.csrf_token()
    before = app.extensions["kiemdiem"].ledger.max_notification_id()
    wrong = []
    for name in SENT:
        with _post_valid(client, token, name, out) as response:
            got = _outcome(response)
            if got == "422 import.rows_invalid":
                rows = {e["code"] for e in response.get_json()["errors"]}
                if rows != {"auth.out_of_scope"}:
                    wrong.append(f"{name}: {role} rows refused with {rows}")
        allowed = ("403", "403 auth.forbidden", "403 auth.out_of_scope")
        if got not in allowed and got != REFUSED_OTHERWISE.get((role, name)):
            wrong.append(f"{name}: {role} got {got}")
    assert wrong == []
    assert _written(app, before) == [], "an out-of-scope POST wrote something"


def test_in_scope_posts_with_a_valid_body_get_the_real_outcome(writable_matrix):
    """The same bodies aimed at the first district, in a store of their own:
    each role, in turn, gets what the command really answers there (success, or
    the rule that refuses it now that an earlier role acted), and every success
    stores its events. The table is ``VALID_IN`` of tests/web/matrix_bodies.py."""
    app, inside = writable_matrix["app"], writable_matrix["in"]
    services = app.extensions["kiemdiem"]
    clients = {}
    for role in ROLES:
        client = app.test_client()
        auth = AuthActions(client)
        assert auth.login(role).status_code == 302
        clients[role] = (client, auth.csrf_token())
    seen: dict[str, list[str]] = {}
    silent = []
    for name in SENT:
        for role in ROLES:
            client, token = clients[role]
            before = services.ledger.max_notification_id()
            with _post_valid(client, token, name, inside) as response:
                got = _outcome(response)
            seen.setdefault(name, []).append(f"{ROLE_LETTERS[role]}{got}")
            if response.status_code < 400 and not _written(app, before):
                silent.append(f"{name}: {role} got {got} and stored nothing")
    observed = {name: " ".join(cells) for name, cells in seen.items()}
    if os.environ.get("MATRIX_DUMP"):  # pragma: no cover - the observed table
        with open(os.environ["MATRIX_DUMP"], "w", encoding="utf-8") as out:
            for name, cells in observed.items():
                out.write(f'    "{name}": "{cells}",\n')
    wrong = [
        f"{name}: {observed[name]!r} expected {VALID_IN.get(name)!r}"
        for name in observed
        if observed[name] != VALID_IN.get(name)
    ]
    assert wrong == []
    assert silent == []


LISTS = [
    "/members/",
    "/api/v1/members",
    "/organisations/",
    "/api/v1/organisations",
    "/ratings/",
    "/api/v1/cycles",
    "/ratings/criteria",
    "/remediation/",
    "/api/v1/remediation/items",
    "/reports/",
    "/reports/khen-thuong",
    "/api/v1/commendations",
    "/votes/",
    "/api/v1/votes",
    "/",
    "/members/new",
    "/ratings/import",
    "/admin/accounts/new",
]


@pytest.mark.parametrize("role", [r for r in ROLES if r != "admin"])
def test_lists_never_name_the_other_district(matrix, role):
    client = matrix["app"].test_client()
    AuthActions(client).login(role)
    leaks = []
    for url in LISTS:
        body = client.get(url).get_data(as_text=True)
        for secret in (OUT_MEMBER_NAME, OUT_CARD, OUT_CELL_NAME, "Huyện ủy Tây Ngoài"):
            if secret in body:
                leaks.append(f"{url} shows {secret!r} to {role}")
    assert leaks == []


def test_the_administrator_sees_both_districts(matrix):
    client = matrix["app"].test_client()
    AuthActions(client).login("admin")
    body = client.get("/members/").get_data(as_text=True)
    assert OUT_MEMBER_NAME in body


if os.environ.get("MATRIX_DUMP"):  # pragma: no cover - writes the observed table

    def test_dump(matrix):
        table: dict[str, list[str]] = {}
        for role in ROLES:
            for key, (a, b) in _sweep(matrix, role).items():
                table.setdefault(f"{key[0]} {key[1]}", []).append(
                    f"{ROLE_LETTERS[role]}{a}/{b}"
                )
        with open(os.environ["MATRIX_DUMP"], "w", encoding="utf-8") as out:
            for name, cells in sorted(
                table.items(), key=lambda i: i[0].split(" ", 1)[::-1]
            ):
                out.write(f'    "{name}": "{" ".join(cells)}",\n')
