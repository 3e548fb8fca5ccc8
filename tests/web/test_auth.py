"""Đăng nhập, đăng xuất and re-entering the password to sign."""

from __future__ import annotations

import pytest

from services import commands as c
from web.identity import sessions


def _sid(client) -> str | None:
    with client.session_transaction() as session:
        return session.get("kd_sid")


def test_login_page(client):
    response = client.get("/auth/login")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert '<label for="username">Tên đăng nhập' in body
    assert '<label for="password">Mật khẩu' in body


def test_login_unlocks_the_key_and_redirects(client, auth, kiemdiem, world):
    response = auth.login("secretary")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    sid = _sid(client)
    assert sid
    signer = kiemdiem.unlocked.get(sid)
    assert signer is not None
    assert signer.actor == f"u:{world.accounts['secretary']}"
    home = client.get("/").get_data(as_text=True)
    assert "Trần Thị Thư" in home
    assert "Thư ký" in home


def test_login_follows_a_local_next(client, auth):
    token = auth.csrf_token()
    response = client.post(
        "/auth/login?next=/members/",
        data={
            "username": "admin",
            "password": "mat-khau-quan-tri",
            "csrf_token": token,
        },
    )
    assert response.headers["Location"] == "/members/"


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:x"],
)
def test_login_ignores_an_offsite_next(client, auth, target):
    token = auth.csrf_token()
    response = client.post(
        "/auth/login",
        query_string={"next": target},
        data={
            "username": "admin",
            "password": "mat-khau-quan-tri",
            "csrf_token": token,
        },
    )
    assert response.headers["Location"] == "/"


def test_anonymous_is_sent_to_login_with_next(client):
    response = client.get("/members/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login?next=/members/"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Vui lòng đăng nhập để tiếp tục." in page


def test_wrong_password_is_refused_and_writes_nothing(client, auth, kiemdiem):
    before = kiemdiem.ledger.max_notification_id()
    response = auth.login("admin", password="mat-khau-sai-roi")
    assert response.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.get_data(as_text=True)
    assert _sid(client) is None
    assert client.get("/").status_code == 302
    assert kiemdiem.ledger.max_notification_id() == before


def test_unknown_user_gets_the_same_answer(auth):
    response = auth.login_as("khong-ai-ca", "mat-khau-bat-ky")
    assert response.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.get_data(as_text=True)


def test_malformed_login_form(client, auth):
    response = client.post(
        "/auth/login", data={"username": "", "csrf_token": auth.csrf_token()}
    )
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert body.count("Vui lòng điền trường này.") == 2
    assert 'aria-invalid="true"' in body


def test_login_without_csrf_token_is_refused(client, kiemdiem):
    response = client.post(
        "/auth/login", data={"username": "admin", "password": "mat-khau-quan-tri"}
    )
    assert response.status_code == 400
    assert "mã chống giả mạo" in response.get_data(as_text=True)
    assert _sid(client) is None


def test_disabled_account_cannot_log_in(client, auth, kiemdiem, world):
    admin = kiemdiem.authenticate("admin", world.password("admin"))
    kiemdiem.handle(
        c.DisableAccount(admin.actor, world.accounts["inspector"], "Nghỉ hưu"),
        admin.signer,
    )
    response = auth.login("inspector")
    assert response.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.get_data(as_text=True)


def test_disabling_ends_an_open_session(client, auth, kiemdiem, world):
    auth.login("inspector")
    assert client.get("/").status_code == 200
    admin = kiemdiem.authenticate("admin", world.password("admin"))
    kiemdiem.handle(
        c.DisableAccount(admin.actor, world.accounts["inspector"], "Nghỉ hưu"),
        admin.signer,
    )
    assert client.get("/").status_code == 302


def test_logout_drops_the_unlocked_key(client, auth, kiemdiem):
    auth.login("secretary")
    sid = _sid(client)
    response = auth.logout()
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login"
    assert kiemdiem.unlocked.get(sid) is None
    assert client.get("/").status_code == 302


def test_logout_needs_post(client, auth):
    auth.login("secretary")
    assert client.get("/auth/logout").status_code == 405


def test_login_starts_a_new_session_id(client, auth):
    auth.login("secretary")
    first = _sid(client)
    auth.login("secretary")
    assert _sid(client) != first


def _enrol_form(world, card="DV-NEW-1"):
    return {
        "full_name": "Võ Thị Hạnh",
        "party_card_no": card,
        "birth_date": "1990-03-04",
        "admission_date": "2015-06-07",
        "status": "full",
        "cell_id": str(world.orgs["cell_a"]),
    }


def _forget_key(app, kiemdiem, sid) -> None:
    """As if the key had never been unlocked for this session in any process."""
    kiemdiem.unlocked.drop(sid)
    with app.app_context():
        sessions().store.forget_key(sid)


def test_after_a_restart_the_sessions_sealed_key_signs(client, auth, kiemdiem, world):
    auth.login("secretary")
    kiemdiem.unlocked.drop(_sid(client))  # as if the process had restarted
    response = auth.post("/members/new", _enrol_form(world))
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/members/")
    assert kiemdiem.unlocked.get(_sid(client)) is not None


def test_signing_without_a_kept_key_asks_for_the_password(
    app, client, auth, kiemdiem, world
):
    auth.login("secretary")
    _forget_key(app, kiemdiem, _sid(client))
    before = kiemdiem.ledger.max_notification_id()
    response = auth.post("/members/new", _enrol_form(world))
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/unlock?next=/members/new"
    assert kiemdiem.ledger.max_notification_id() == before
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Vui lòng nhập lại mật khẩu để ký" in page


def test_unlock_restores_signing(client, auth, kiemdiem, world):
    auth.login("secretary")
    sid = _sid(client)
    kiemdiem.unlocked.drop(sid)
    response = auth.post(
        "/auth/unlock?next=/members/new", {"password": world.password("secretary")}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/members/new"
    assert kiemdiem.unlocked.get(sid) is not None
    done = auth.post("/members/new", _enrol_form(world))
    assert done.status_code == 302
    assert done.headers["Location"].startswith("/members/")


def test_unlock_with_a_wrong_password(client, auth, kiemdiem):
    auth.login("secretary")
    sid = _sid(client)
    kiemdiem.unlocked.drop(sid)
    response = auth.post("/auth/unlock", {"password": "khong-dung-dau"})
    assert response.status_code == 200
    assert "Mật khẩu không đúng." in response.get_data(as_text=True)
    assert kiemdiem.unlocked.get(sid) is None


def test_api_asks_for_the_password_as_json(app, client, auth, kiemdiem, world):
    auth.login("secretary")
    _forget_key(app, kiemdiem, _sid(client))
    body = _enrol_form(world)
    response = client.post(
        "/api/v1/members", json=body, headers={"X-Requested-With": "fetch"}
    )
    assert response.status_code == 401
    assert response.get_json() == {
        "code": "auth.signature_required",
        "message": "Vui lòng nhập lại mật khẩu để ký.",
    }
