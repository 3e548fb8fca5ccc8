"""A bounded fuzz run over the OpenAPI description (issue 11): schemathesis sends
a few generated requests to every operation of /api/v1, signed in as an
administrator, with valid and invalid data. Done when: no answer is a server
error, and a write that was refused left the event table byte-identical.

Bounded for the shared CI machine (about 3,500 requests, under two minutes):
schemathesis's coverage cases (missing fields, wrong types, values out of
range, unsupported methods) plus ``FUZZ_EXAMPLES`` generated examples per
operation, derandomised (the same run every time), no shrinking phase. Half of
the cases address the seeded organisation, member and account instead of random
ids. ``KIEMDIEM_FUZZ_LOG=file`` writes every request and answer there.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings

from tests.conftest import (
    SECRET_KEY,
    AuthActions,
    World,
    _environment,
    csrf_token_from,
)
from web.api.openapi import document

FUZZ_EXAMPLES = int(os.environ.get("KIEMDIEM_FUZZ_EXAMPLES", "2"))
COOKIE = "kiemdiem_session"
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


FUZZ_USER = ("fuzzer", "Người Thử Nghiệm", "mat-khau-cua-nguoi-thu")
# Every role but the plain member's: the requests get past the role checks and
# into the validation of their bodies.
FUZZ_ROLES = ("admin", "secretary", "decision_maker", "inspector", "counting")


class FuzzTarget:
    """One application over its own copy of the seeded store, signed in with an
    account that holds every office's role, at the top of the tree."""

    def __init__(self, app: Any, world: World) -> None:
        from services import commands as c

        self.app = app
        self.world = world
        self.services = app.extensions["kiemdiem"]
        admin = self.services.authenticate("admin", world.password("admin"))
        username, full_name, password = FUZZ_USER
        self.services.handle(
            c.OpenAccount(
                admin.actor,
                username,
                full_name,
                FUZZ_ROLES,
                password,
                org_id=world.orgs["province"],
            ),
            admin.signer,
        )
        self.client = app.test_client()
        actions = AuthActions(self.client)
        assert actions.login_as(username, password).status_code == 302
        page = self.client.get("/auth/unlock")
        self.csrf = csrf_token_from(page.get_data(as_text=True))
        cookie = self.client.get_cookie(COOKIE)
        assert cookie is not None
        self.cookie = cookie.value

    def known_ids(self) -> dict[str, str]:
        """Ids of the seeded store by path parameter name, so that some requests
        reach a real organisation, member or account (not only 404)."""
        return {
            "org_id": str(self.world.orgs["cell_a"]),
            "member_id": str(self.world.member_id),
            "account_id": str(self.world.accounts["counting"]),
            "subject_id": str(self.world.member_id),
        }

    def events_digest(self) -> str:
        sql = self.services.ledger.sql
        with sql.tx() as cur:
            rows = cur.execute(f"SELECT * FROM {sql.events_table}").fetchall()
        return hashlib.sha256(repr(sorted(rows, key=repr)).encode()).hexdigest()


@pytest.fixture(scope="module")
def fuzz_target(seeded_store, tmp_path_factory) -> Iterator[FuzzTarget]:
    from web import create_app, shutdown

    template, world = seeded_store
    root = tmp_path_factory.mktemp("fuzz") / "store"
    shutil.copytree(template, root)
    with pytest.MonkeyPatch.context() as mp:
        _environment(mp, Path(root))
        app = create_app({"TESTING": True, "SECRET_KEY": SECRET_KEY})
        try:
            yield FuzzTarget(app, world)
        finally:
            shutdown(app)


# The description the application serves (a pure function of the code).
schema = schemathesis.openapi.from_dict(document())


@schema.parametrize()
@settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_no_server_error_and_refused_writes_store_nothing(case, fuzz_target):
    _point_some_ids_at_real_data(case, fuzz_target)
    _one_idempotency_key_per_request(case)
    before = fuzz_target.events_digest()
    response = case.call(
        app=fuzz_target.app,
        headers={"X-Requested-With": "XMLHttpRequest", "X-CSRFToken": fuzz_target.csrf},
        cookies={COOKIE: fuzz_target.cookie},
    )
    described = f"{case.method} {case.formatted_path} -> {response.status_code}"
    if os.environ.get("KIEMDIEM_FUZZ_LOG"):  # every request and answer, to read
        with open(os.environ["KIEMDIEM_FUZZ_LOG"], "a", encoding="utf-8") as out:
            out.write(described + " " + response.text[:120].replace("\n", " ") + "\n")
    assert response.status_code < 500, f"{described}: {response.text[:500]}"
    if case.method.upper() in WRITES and response.status_code >= 400:
        assert fuzz_target.events_digest() == before, f"refused but stored: {described}"


def _point_some_ids_at_real_data(case: Any, target: FuzzTarget) -> None:
    """Half of the cases (chosen by their content, so the run stays the same)
    address the seeded data instead of random ids."""
    parameters = case.path_parameters or {}
    seed = hashlib.sha256(repr((case.body, case.query)).encode()).digest()[0]
    if seed % 2:
        return
    known = target.known_ids()
    for name in list(parameters):
        if name in known:
            parameters[name] = known[name]


def _one_idempotency_key_per_request(case: Any) -> None:
    """Generated keys repeat across operations (the same example value), which
    would turn every later write into ``idempotency.key_reused``: a well-formed
    key becomes one derived from the request, a malformed one is kept (400)."""
    headers = case.headers or {}
    key = headers.get("Idempotency-Key")
    if key is not None and re.fullmatch(r"[!-~]{1,200}", str(key)):
        made = repr((case.method, case.formatted_path, case.query, case.body))
        headers["Idempotency-Key"] = hashlib.sha256(made.encode()).hexdigest()
