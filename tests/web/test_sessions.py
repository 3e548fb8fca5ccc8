"""Sessions that end (issue 11): a cookie replayed after logout, sign out
everywhere, a password reset, a role change or a disablement opens nothing; idle
and absolute timeouts; sign-ins and sign-outs are signed events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from domain.signins import SignInLog, sign_in_log_id
from tests.conftest import ACCOUNTS, AuthActions
from web.identity import sessions

XHR = {"X-Requested-With": "XMLHttpRequest"}
COOKIE = "kiemdiem_session"
PROTECTED_API = "/api/v1/organisations"


def signed_in(app: Any, role: str) -> tuple[Any, AuthActions]:
    client = app.test_client()
    actions = AuthActions(client)
    response = actions.login(role)
    assert response.status_code == 302, "login should redirect"
    assert client.get(PROTECTED_API).status_code == 200
    return client, actions


def replay(app: Any, cookie: str) -> Any:
    """A fresh client (another machine) that carries only the copied cookie."""
    other = app.test_client()
    other.set_cookie(COOKIE, cookie)
    return other


def cookie_of(client: Any) -> str:
    found = client.get_cookie(COOKIE)
    assert found is not None
    return str(found.value)


def refused(client: Any) -> None:
    api = client.get(PROTECTED_API)
    assert api.status_code == 401
    assert api.get_json()["code"] == "auth.login_required"
    page = client.get("/members/")
    assert page.status_code == 302
    assert "/auth/login" in page.headers["Location"]


def test_a_cookie_replayed_after_logout_gets_nothing(app):
    client, actions = signed_in(app, "secretary")
    stolen = cookie_of(client)
    assert replay(app, stolen).get(PROTECTED_API).status_code == 200  # works before
    actions.logout()
    refused(replay(app, stolen))
    refused(client)


def test_sign_out_everywhere_ends_every_session_of_the_account(app):
    laptop, actions = signed_in(app, "inspector")
    phone, _ = signed_in(app, "inspector")
    other_account, _ = signed_in(app, "secretary")
    response = actions.post("/auth/logout-everywhere")
    assert response.status_code == 302
    refused(laptop)
    refused(phone)
    assert other_account.get(PROTECTED_API).status_code == 200


def _admin_api(app: Any) -> Any:
    admin, _ = signed_in(app, "admin")
    return admin


def test_a_password_reset_ends_the_accounts_sessions(app, world):
    member, _ = signed_in(app, "member")
    stolen = cookie_of(member)
    admin = _admin_api(app)
    account = world.accounts["member"]
    response = admin.post(
        f"/api/v1/accounts/{account}/password",
        json={"new_password": "mat-khau-moi-cua-dang-vien"},
        headers=XHR,
    )
    assert response.status_code == 200, response.get_json()
    refused(replay(app, stolen))
    refused(member)
    # The new password opens a new session.
    fresh = app.test_client()
    AuthActions(fresh).login_as(ACCOUNTS["member"][0], "mat-khau-moi-cua-dang-vien")
    assert fresh.get(PROTECTED_API).status_code == 200


def test_a_role_change_ends_the_accounts_sessions(app, world):
    secretary, _ = signed_in(app, "secretary")
    stolen = cookie_of(secretary)
    admin = _admin_api(app)
    response = admin.post(
        f"/api/v1/accounts/{world.accounts['secretary']}/roles",
        json={"roles": ["secretary", "decision_maker"]},
        headers=XHR,
    )
    assert response.status_code == 200, response.get_json()
    refused(replay(app, stolen))
    assert admin.get(PROTECTED_API).status_code == 200  # the admin's own stays


def test_disabling_an_account_ends_its_sessions(app, world):
    counting, _ = signed_in(app, "counting")
    admin = _admin_api(app)
    response = admin.post(
        f"/api/v1/accounts/{world.accounts['counting']}/disable",
        json={"reason": "Chuyển công tác"},
        headers=XHR,
    )
    assert response.status_code == 200, response.get_json()
    refused(counting)


def _shift_clock(app: Any, by: timedelta) -> None:
    with app.app_context():
        service = sessions()
        service.clock = lambda: datetime.now(UTC) + by


def test_an_idle_session_ends(app, world, kiemdiem):
    client, _ = signed_in(app, "secretary")
    _shift_clock(app, timedelta(minutes=29))
    assert client.get(PROTECTED_API).status_code == 200  # used: idle time restarts
    _shift_clock(app, timedelta(minutes=29 + 31))
    refused(client)
    _shift_clock(app, timedelta(0))
    refused(client)  # ended for good, even when the clock comes back
    # This process held the key: the owner's key signed the sign-out (idle).
    account = world.accounts["secretary"]
    ended_on = (datetime.now(UTC) + timedelta(minutes=60)).date()  # the shifted clock
    events = kiemdiem.ledger.recorder.select_events(sign_in_log_id(account, ended_on))
    assert events[-1].topic.endswith("SignedOut")
    assert b"idle" in events[-1].state


def test_a_session_ends_after_its_absolute_lifetime(app):
    app.config["SESSION_IDLE_MINUTES"] = 24 * 60
    client, _ = signed_in(app, "secretary")
    for hours in range(1, 8):
        _shift_clock(app, timedelta(hours=hours))
        assert client.get(PROTECTED_API).status_code == 200
    _shift_clock(app, timedelta(hours=8, minutes=1))
    refused(client)


def test_the_idle_timeout_is_configurable(store_dir):
    from web import create_app, shutdown

    app = create_app(
        {"TESTING": True, "SECRET_KEY": "x" * 32, "SESSION_IDLE_MINUTES": 5}
    )
    try:
        client, _ = signed_in(app, "secretary")
        _shift_clock(app, timedelta(minutes=6))
        refused(client)
    finally:
        shutdown(app)


def test_sign_in_and_sign_out_are_signed_events(app, world, kiemdiem):
    client, actions = signed_in(app, "inspector")
    actions.logout()
    account = world.accounts["inspector"]
    log_id = sign_in_log_id(account, datetime.now(UTC).date())
    entry = kiemdiem.ledger.repository.get(log_id)
    assert isinstance(entry, SignInLog)
    assert (entry.sign_ins, entry.sign_outs) == (1, 1)
    events = kiemdiem.ledger.recorder.select_events(log_id)
    topics = [e.topic.rpartition(".")[2] for e in events]
    assert topics == ["Started", "SignedIn", "SignedOut"]
    # Signed by the inspector's own key: the reader of the store checks it.
    registry = kiemdiem.ledger.key_registry()
    assert registry.valid_keys_of(f"u:{account}")
    body = events[-1].state
    assert b"logout" in body
    refused(client)
    # The store, sign-in records included, still verifies.
    from ledger import verify

    database_url = kiemdiem.settings.database_url
    assert verify.verify(database_url, kiemdiem.trust_root, jobs=1).ok


def test_the_cookie_never_holds_the_stored_token(app, kiemdiem):
    client, _ = signed_in(app, "secretary")
    table = kiemdiem.ledger.sql.table("web_sessions")
    with kiemdiem.ledger.sql.tx() as cur:
        rows = cur.execute(f"SELECT token_hash FROM {table}").fetchall()
    assert rows
    cookie = cookie_of(client)
    assert all(str(r[0]) not in cookie for r in rows)


def test_the_accounts_audit_history_shows_its_sign_ins_and_outs(app, world, kiemdiem):
    _client, actions = signed_in(app, "secretary")
    actions.logout()
    inspector = f"u:{world.accounts['inspector']}"
    found = kiemdiem.audit.history(inspector, world.accounts["secretary"])
    kinds = [item.entry.row.topic.rpartition(".")[2] for item in found.items]
    assert "SignedIn" in kinds
    assert "SignedOut" in kinds
    assert found.failures == 0
