"""Account administration: open, change roles, disable, reset the password; each
account has its own key, and a revoked key signs nothing."""

from __future__ import annotations

import re
from uuid import UUID

from services import commands as c


def _sid(client) -> str:
    with client.session_transaction() as session:
        return str(session["kd_sid"])


def _open_form(**overrides):
    form = {
        "username": "bichngoc",
        "full_name": "Đỗ Bích Ngọc",
        "roles": ["secretary", "inspector"],
        "password": "mat-khau-ban-dau",
        "confirm": "mat-khau-ban-dau",
        "org_id": "",
        "member_id": "",
    }
    form.update(overrides)
    return form


def test_accounts_list_shows_roles_and_key_ids(client, auth, kiemdiem):
    auth.login("admin")
    page = client.get("/admin/accounts").get_data(as_text=True)
    for label in ("Quản trị", "Thư ký", "Cấp ủy (quyết định)", "Ủy ban kiểm tra"):
        assert label in page
    assert "Đảng viên" in page
    assert "Ban kiểm phiếu" in page
    for row in kiemdiem.accounts():
        assert row.key_id
        assert row.key_id in page


def test_open_account_gives_it_a_key_and_a_login(client, auth, kiemdiem):
    auth.login("admin")
    response = auth.post("/admin/accounts/new", _open_form())
    assert response.status_code == 302
    account_id = response.headers["Location"].rsplit("/", 1)[1]
    row = kiemdiem.account_row(UUID(account_id))
    assert row.roles == ("inspector", "secretary")
    assert row.key_id
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Đã tạo tài khoản bichngoc và cấp khóa ký số." in page
    assert row.key_id in page
    auth.logout()
    assert auth.login_as("bichngoc", "mat-khau-ban-dau").status_code == 302


def test_open_account_with_mismatched_passwords(client, auth, kiemdiem):
    auth.login("admin")
    before = kiemdiem.ledger.max_notification_id()
    response = auth.post("/admin/accounts/new", _open_form(confirm="khac-hoan-toan"))
    assert response.status_code == 400
    assert "Hai mật khẩu không khớp nhau." in response.get_data(as_text=True)
    assert kiemdiem.ledger.max_notification_id() == before


def test_open_account_refused_by_the_password_policy(client, auth, kiemdiem):
    auth.login("admin")
    before = kiemdiem.ledger.max_notification_id()
    response = auth.post(
        "/admin/accounts/new", _open_form(password="ngan", confirm="ngan")
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert re.search(
        r'id="password-loi">\s*<li>Mật khẩu phải có ít nhất 10 ký tự.</li>', body
    )
    assert kiemdiem.ledger.max_notification_id() == before


def test_open_account_with_a_taken_username(client, auth, kiemdiem):
    auth.login("admin")
    before = kiemdiem.ledger.max_notification_id()
    response = auth.post("/admin/accounts/new", _open_form(username="thuky"))
    assert response.status_code == 422
    assert "Tên đăng nhập “thuky” đã được dùng." in response.get_data(as_text=True)
    assert kiemdiem.ledger.max_notification_id() == before


def test_open_account_with_an_unknown_organisation(client, auth, kiemdiem):
    auth.login("admin")
    before = kiemdiem.ledger.max_notification_id()
    unknown = "00000000-0000-4000-8000-000000000000"
    response = auth.post("/admin/accounts/new", _open_form(org_id=unknown))
    assert response.status_code == 404
    assert "Không tìm thấy tổ chức đảng." in response.get_data(as_text=True)
    assert kiemdiem.ledger.max_notification_id() == before


def test_change_roles(client, auth, kiemdiem, world):
    auth.login("admin")
    account = world.accounts["counting"]
    response = auth.post(
        f"/admin/accounts/{account}/roles",
        {"roles-roles": ["counting", "member"]},
    )
    assert response.status_code == 302
    assert kiemdiem.account_row(account).roles == ("counting", "member")


def test_admin_cannot_drop_own_admin_role(client, auth, kiemdiem, world):
    auth.login("admin")
    before = kiemdiem.ledger.max_notification_id()
    response = auth.post(
        f"/admin/accounts/{world.accounts['admin']}/roles",
        {"roles-roles": ["secretary"]},
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Bạn không thể tự bỏ vai trò Quản trị của chính mình." in body
    assert kiemdiem.ledger.max_notification_id() == before


def test_disable_account(client, auth, kiemdiem, world):
    auth.login("admin")
    account = world.accounts["counting"]
    response = auth.post(
        f"/admin/accounts/{account}/disable", {"disable-reason": "Chuyển công tác"}
    )
    assert response.status_code == 302
    row = kiemdiem.account_row(account)
    assert row.disabled
    assert row.key_id is None
    auth.logout()
    refused = auth.login("counting")
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in refused.get_data(as_text=True)


def test_admin_cannot_disable_self(client, auth, kiemdiem, world):
    auth.login("admin")
    before = kiemdiem.ledger.max_notification_id()
    response = auth.post(
        f"/admin/accounts/{world.accounts['admin']}/disable",
        {"disable-reason": "Thử"},
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Bạn không thể tự khóa tài khoản của mình." in body
    assert kiemdiem.ledger.max_notification_id() == before


def test_reset_password_replaces_the_key(client, auth, kiemdiem, world):
    auth.login("admin")
    account = world.accounts["secretary"]
    old_key = kiemdiem.account_row(account).key_id
    response = auth.post(
        f"/admin/accounts/{account}/password",
        {
            "password-new_password": "mat-khau-moi-tinh",
            "password-confirm": "mat-khau-moi-tinh",
        },
    )
    assert response.status_code == 302
    new_key = kiemdiem.account_row(account).key_id
    assert new_key
    assert new_key != old_key
    auth.logout()
    assert auth.login("secretary").status_code == 200  # the old password
    assert auth.login_as("thuky", "mat-khau-moi-tinh").status_code == 302


def test_unknown_account_is_404(client, auth):
    auth.login("admin")
    response = client.get("/admin/accounts/00000000-0000-4000-8000-000000000000")
    assert response.status_code == 404
    assert "Không tìm thấy tài khoản." in response.get_data(as_text=True)


def test_revoked_key_signs_nothing(client, auth, kiemdiem, world):
    """Another worker still holds the secretary's old key after a password reset:
    the command is refused with a clear message and the store is unchanged."""
    auth.login("secretary")
    sid = _sid(client)
    old_signer = kiemdiem.unlocked.get(sid)
    admin = kiemdiem.authenticate("admin", world.password("admin"))
    kiemdiem.handle(
        c.ResetPassword(admin.actor, world.accounts["secretary"], "mat-khau-moi-tinh"),
        admin.signer,
    )
    kiemdiem.unlocked.put(sid, old_signer)  # the stale copy of the other worker
    before = kiemdiem.ledger.max_notification_id()
    enrolment = {
        "full_name": "Võ Thị Hạnh",
        "party_card_no": "DV-REVOKED",
        "birth_date": "1990-03-04",
        "admission_date": "2015-06-07",
        "status": "full",
        "cell_id": str(world.orgs["cell_a"]),
    }
    # The reset ended the session itself (issue 11): sign in again.
    ended = auth.post("/members/new", enrolment)
    assert ended.status_code == 302
    assert ended.headers["Location"].startswith("/auth/login")
    assert kiemdiem.ledger.max_notification_id() == before
    # A request whose session check passed just before the reset (a race) still
    # signs nothing with the revoked key.
    auth.login("secretary", "mat-khau-moi-tinh")
    sid = _sid(client)
    kiemdiem.unlocked.put(sid, old_signer)
    before = kiemdiem.ledger.max_notification_id()  # after the signed sign-in
    response = auth.post("/members/new", enrolment)
    assert kiemdiem.ledger.max_notification_id() == before
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/unlock?next=/members/new"
    assert kiemdiem.unlocked.get(sid) is None
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Khóa ký của bạn đã bị thu hồi hoặc không còn hiệu lực." in page
    cards = {m.party_card_no for m in kiemdiem.members()}
    assert "DV-REVOKED" not in cards
