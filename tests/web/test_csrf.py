"""CSRF protection on every form (Flask-WTF), with nothing written on failure."""

from __future__ import annotations

import re

import pytest

FORMS = [
    "/organisations/new",
    "/members/new",
    "/admin/accounts/new",
    "/auth/logout",
]


@pytest.mark.parametrize("path", FORMS)
def test_post_without_a_token_is_refused(client, auth, kiemdiem, path):
    auth.login("admin")
    before = kiemdiem.ledger.max_notification_id()
    response = client.post(path, data={"code": "x", "name": "y"})
    assert response.status_code == 400
    assert "mã chống giả mạo" in response.get_data(as_text=True)
    assert kiemdiem.ledger.max_notification_id() == before


def test_post_with_a_forged_token_is_refused(client, auth, kiemdiem, world):
    auth.login("admin")
    before = kiemdiem.ledger.max_notification_id()
    response = client.post(
        "/organisations/new",
        data={
            "code": "chi-bo-gia",
            "name": "Chi bộ giả",
            "kind": "cell",
            "parent_id": str(world.orgs["district"]),
            "csrf_token": "IjEyMzQ1Njc4OTAi.ZZZZZZ.forged",
        },
    )
    assert response.status_code == 400
    assert kiemdiem.ledger.max_notification_id() == before


def test_prefixed_form_token_is_accepted(client, auth, kiemdiem, world):
    """The account page's forms are prefixed (roles-csrf_token, …)."""
    auth.login("admin")
    account = world.accounts["counting"]
    token = auth.csrf_token()
    response = client.post(
        f"/admin/accounts/{account}/roles",
        data={"roles-roles": ["counting", "inspector"], "roles-csrf_token": token},
    )
    assert response.status_code == 302
    assert kiemdiem.account_row(account).roles == ("counting", "inspector")


def test_token_of_another_session_is_refused(app, client, auth, kiemdiem, world):
    other = app.test_client()
    foreign_token = type(auth)(other).csrf_token()
    auth.login("admin")
    response = client.post(
        "/organisations/new",
        data={
            "code": "chi-bo-gia",
            "name": "Chi bộ giả",
            "kind": "cell",
            "parent_id": str(world.orgs["district"]),
            "csrf_token": foreign_token,
        },
    )
    assert response.status_code == 400


def test_every_form_page_carries_a_token(client, auth, world):
    auth.login("admin")
    for path in (
        "/organisations/new",
        f"/organisations/{world.orgs['cell_a']}/rename",
        f"/organisations/{world.orgs['cell_a']}/dissolve",
        "/members/new",
        f"/members/{world.member_id}/transfer",
        "/admin/accounts/new",
        f"/admin/accounts/{world.accounts['secretary']}",
        "/auth/unlock",
    ):
        page = client.get(path).get_data(as_text=True)
        for form in page.split('<form method="post"')[1:]:
            assert re.search(r'name="([a-z]+-)?csrf_token"', form.split("</form>")[0])
