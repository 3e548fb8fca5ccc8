"""The report page's content kept beside its figures (issue 14,
``ReadGateway.report_page_shown``): served again byte for byte (CSRF tokens
aside) as a fresh rendering gives it, per viewer, per application root, and
made anew once a view it was read from changes."""

from __future__ import annotations

import re

from services import commands as c
from tests.conftest import ADMIN_PASSWORD
from tests.web.test_report_pages import REP, report_world, url

__all__ = ["report_world"]  # the fixture, used by name below
CSRF = re.compile(r'(name="csrf_token"[^>]*value=")[^"]+"')


def signed_in(auth, client, role: str) -> None:
    """Signed in, the sign-in's message shown (on another page)."""
    auth.login(role)
    client.get("/reports/")


def page(client, path: str, **environ: str) -> str:
    response = client.get(path, environ_overrides=environ)
    assert response.status_code == 200
    return CSRF.sub(r'\1"', response.get_data(as_text=True))


def test_kept_content_is_what_a_fresh_rendering_gives(
    client, auth, kiemdiem, report_world
):
    signed_in(auth, client, "secretary")
    path = url(REP, report_world)
    first = page(client, path)
    assert page(client, path) == first
    assert kiemdiem.kept.served["report_shown"] == 1
    kiemdiem.kept.forget()
    assert page(client, path) == first
    # Another viewer is shown their own page around their own content.
    auth.logout()
    signed_in(auth, client, "inspector")
    theirs = page(client, path)
    assert kiemdiem.kept.computed["report_shown"] == 3
    assert "Phạm Minh Kiểm" in theirs
    assert "Trần Thị Thư" not in theirs


def test_kept_per_application_root(client, auth, report_world):
    """Links are made for the root the application is served under."""
    signed_in(auth, client, "secretary")
    path = url(REP, report_world)
    assert 'href="/reports/"' in page(client, path)
    under = page(client, path, SCRIPT_NAME="/kiemdiem")
    assert 'href="/kiemdiem/reports/"' in under
    assert 'href="/reports/"' not in under


def test_a_rename_is_shown_at_the_next_request(client, auth, kiemdiem, report_world):
    signed_in(auth, client, "secretary")
    path = url(REP, report_world)
    assert "Huyện ủy Đông Hà" in page(client, path)
    admin = kiemdiem.authenticate("admin", ADMIN_PASSWORD)
    district = report_world["district"]
    kiemdiem.handle(
        c.RenameOrganisation(admin.actor, district, "Huyện ủy Tây Hà"), admin.signer
    )
    renamed = page(client, path)
    assert "Huyện ủy Tây Hà" in renamed
    assert "Huyện ủy Đông Hà" not in renamed
