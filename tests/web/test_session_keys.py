"""The key unlocked at sign-in signs on another worker process (gunicorn runs one
per core): it is kept with the session, sealed under the cookie's token, and gone
when the session ends."""

from __future__ import annotations

from typing import Any

from ledger.signing import Signer
from services import session_keys
from tests.conftest import ADMIN_PASSWORD, SECRET_KEY, AuthActions
from web import create_app, shutdown
from web.identity import sessions

COOKIE = "kiemdiem_session"
NEW_ORG = {"code": "chi-bo-xom-c", "name": "Chi bộ xóm C", "kind": "cell"}


def another_worker(store_dir: Any) -> Any:
    """A second app over the same store: nothing of the first one's memory."""
    return create_app({"TESTING": True, "SECRET_KEY": SECRET_KEY})


def write_on(app: Any, cookie: str, world: Any) -> Any:
    client = app.test_client()
    client.set_cookie(COOKIE, cookie)
    return client.post(
        "/api/v1/organisations",
        json={**NEW_ORG, "parent_id": str(world.orgs["district"])},
        headers={"X-Requested-With": "XMLHttpRequest"},
    )


def test_a_key_unlocked_on_one_worker_signs_on_another(app, world, store_dir):
    client = app.test_client()
    assert AuthActions(client).login("admin").status_code == 302
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None
    second = another_worker(store_dir)
    try:
        answer = write_on(second, cookie.value, world)
        assert answer.status_code == 201, answer.get_json()
    finally:
        shutdown(second)


def test_after_logout_no_worker_can_sign(app, world, store_dir):
    client = app.test_client()
    actions = AuthActions(client)
    assert actions.login("admin").status_code == 302
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None
    actions.logout()
    with app.app_context():
        assert sessions().store.sealed_key(cookie.value) is None
    second = another_worker(store_dir)
    try:
        assert write_on(second, cookie.value, world).status_code == 401
    finally:
        shutdown(second)


def test_a_sealed_key_opens_only_with_its_token_and_actor(app, kiemdiem):
    signed_in = kiemdiem.authenticate("admin", ADMIN_PASSWORD)
    assert signed_in is not None
    signer: Signer = signed_in.signer
    sealed = session_keys.seal("the-cookie-token", signer)
    opened = session_keys.unseal("the-cookie-token", sealed, signer.actor)
    assert opened is not None
    assert opened.key_id == signer.key_id
    assert session_keys.unseal("another-token", sealed, signer.actor) is None
    assert session_keys.unseal("the-cookie-token", sealed, "u:someone-else") is None
    assert signer.private_key.private_bytes_raw().hex() not in sealed
