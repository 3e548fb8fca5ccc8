"""Idempotency-Key on API writes (issue 11): a retry gets the first answer and
signs nothing new; the same key with another body is refused."""

from __future__ import annotations

import uuid
from typing import Any

from tests.conftest import AuthActions
from tests.web.test_input_hygiene import enrol_body, events_digest
from web.identity import sessions

XHR = {"X-Requested-With": "XMLHttpRequest"}


def post(client: Any, url: str, body: dict[str, Any], key: str | None) -> Any:
    headers = dict(XHR)
    if key is not None:
        headers["Idempotency-Key"] = key
    return client.post(url, json=body, headers=headers)


def test_a_retry_with_the_same_key_returns_the_first_answer(
    auth, client, world, kiemdiem
):
    auth.login("admin")
    key = str(uuid.uuid4())
    body = enrol_body(world, party_card_no="DV00000200")
    first = post(client, "/api/v1/members", body, key)
    assert first.status_code == 201, first.get_json()
    after_first = events_digest(kiemdiem)
    for _ in range(2):
        again = post(client, "/api/v1/members", body, key)
        assert again.status_code == 201
        assert again.get_json() == first.get_json()
        assert again.headers["Location"] == first.headers["Location"]
        assert again.headers["Idempotent-Replayed"] == "true"
        assert events_digest(kiemdiem) == after_first  # nothing signed again
    # Without the key the same body is a new request (and is refused: taken).
    fresh = post(client, "/api/v1/members", body, None)
    assert fresh.status_code == 422
    assert fresh.get_json()["code"] == "member.card_taken"


def test_the_same_key_with_another_body_is_refused(auth, client, world, kiemdiem):
    auth.login("admin")
    key = "retry-" + uuid.uuid4().hex
    first = post(
        client, "/api/v1/members", enrol_body(world, party_card_no="DV00000201"), key
    )
    assert first.status_code == 201
    before = events_digest(kiemdiem)
    other = post(
        client, "/api/v1/members", enrol_body(world, party_card_no="DV00000202"), key
    )
    assert other.status_code == 422
    assert other.get_json()["code"] == "idempotency.key_reused"
    assert "Idempotency-Key" in other.get_json()["message"]
    # Another endpoint with the same key is another request too.
    renamed = post(
        client,
        f"/api/v1/organisations/{world.orgs['cell_b']}/rename",
        {"name": "Chi bộ xóm B mới"},
        key,
    )
    assert renamed.get_json()["code"] == "idempotency.key_reused"
    assert events_digest(kiemdiem) == before


def test_a_refusal_is_the_first_answer_too(auth, client, world, kiemdiem):
    auth.login("admin")
    key = uuid.uuid4().hex
    body = enrol_body(world, party_card_no="DV00000001")  # taken
    first = post(client, "/api/v1/members", body, key)
    assert first.status_code == 422
    again = post(client, "/api/v1/members", body, key)
    assert (again.status_code, again.get_json()) == (422, first.get_json())
    assert again.headers["Idempotent-Replayed"] == "true"


def test_keys_belong_to_one_account(app, world, kiemdiem):
    key = uuid.uuid4().hex
    admin = app.test_client()
    AuthActions(admin).login("admin")
    secretary = app.test_client()
    AuthActions(secretary).login("secretary")
    body = {"name": "Chi bộ xóm B (đổi tên)"}
    url = f"/api/v1/organisations/{world.orgs['cell_b']}/rename"
    first = post(admin, url, body, key)
    assert first.status_code == 200, first.get_json()
    other = post(secretary, url, body, key)
    assert "Idempotent-Replayed" not in other.headers  # not the admin's answer


def test_a_malformed_key_is_refused(auth, client, world, kiemdiem):
    auth.login("admin")
    before = events_digest(kiemdiem)
    for key in ("", "x" * 201, "khóa-có-dấu"):
        response = post(
            client,
            "/api/v1/members",
            enrol_body(world, party_card_no="DV00000203"),
            key,
        )
        assert response.status_code == 400
        assert response.get_json()["code"] == "idempotency.key_invalid"
    assert events_digest(kiemdiem) == before


def test_an_answer_that_asks_to_retry_is_not_kept(app, auth, client, world, kiemdiem):
    """401 (key not unlocked here) releases the key: the retry runs the command."""
    auth.login("admin")
    key = uuid.uuid4().hex
    body = enrol_body(world, party_card_no="DV00000204")
    with client.session_transaction() as cookie:
        sid = cookie["kd_sid"]
    kiemdiem.unlocked.drop(sid)  # as after a restart, with no key kept either
    with app.app_context():
        sessions().store.forget_key(sid)
    first = post(client, "/api/v1/members", body, key)
    assert first.status_code == 401
    assert first.get_json()["code"] == "auth.signature_required"
    auth.login("admin")  # unlocks the key again (a new session)
    again = post(client, "/api/v1/members", body, key)
    assert again.status_code == 201, again.get_json()
    assert "Idempotent-Replayed" not in again.headers


def test_a_retry_while_the_first_is_still_running_gets_409(
    app, auth, client, world, kiemdiem
):
    from datetime import UTC, datetime

    from services.idempotency import IdempotencyStore
    from web.idempotency import fingerprint

    auth.login("admin")
    key = uuid.uuid4().hex
    body = enrol_body(world, party_card_no="DV00000205")
    with app.test_request_context(
        "/api/v1/members", method="POST", json=body, headers=XHR
    ):
        same_request = fingerprint()
    # The first request holds the key (its command is being signed elsewhere).
    IdempotencyStore(kiemdiem.ledger.sql).claim(
        world.accounts["admin"], key, same_request, datetime.now(UTC)
    )
    before = events_digest(kiemdiem)
    response = post(client, "/api/v1/members", body, key)
    assert response.status_code == 409
    assert response.get_json()["code"] == "idempotency.in_progress"
    assert events_digest(kiemdiem) == before
