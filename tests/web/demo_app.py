"""The demo province (``kiemdiem demo``) in a store of its own, served by a test
app, and a client signed in as one of its logins: shared by the page tests that
walk the demo (to-do lists, the 2025 merger)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from tests.conftest import (
    ADMIN_PASSWORD,
    ORIGIN,
    SECRET_KEY,
    _environment,
    csrf_token_from,
)


@contextmanager
def demo_app(
    tmp_path_factory: pytest.TempPathFactory, name: str
) -> Iterator[dict[str, Any]]:
    """``app``, the demo's ``logins`` (account → password, the administrator's
    included, as ``kiemdiem logins`` shows them) and its ``merger``."""
    from ledger.config import settings_from_environ
    from services.app import Kiemdiem
    from services.demo import load_demo
    from services.setup import initialise
    from web import create_app, shutdown

    root = tmp_path_factory.mktemp(name)
    with pytest.MonkeyPatch.context() as mp:
        _environment(mp, root)
        settings = settings_from_environ()
        initialise(
            settings,
            origin=ORIGIN,
            admin_username="admin",
            admin_full_name="Quản trị",
            admin_password=ADMIN_PASSWORD,
            demo=True,
        )
        services = Kiemdiem(settings)
        try:
            admin = services.authenticate("admin", ADMIN_PASSWORD)
            assert admin is not None
            result = load_demo(services, admin.signer)
        finally:
            services.close()
        app = create_app({"TESTING": True, "SECRET_KEY": SECRET_KEY})
    logins = {"admin": ADMIN_PASSWORD}
    logins |= {a.username: a.password for a in result.accounts}
    try:
        yield {"app": app, "logins": logins, "merger": result.merger}
    finally:
        shutdown(app)


def signed_in(demo: dict[str, Any], username: str) -> Any:
    """A test client signed in as one of the demo's logins."""
    client = demo["app"].test_client()
    token = csrf_token_from(client.get("/auth/login").get_data(as_text=True))
    answer = client.post(
        "/auth/login",
        data={
            "username": username,
            "password": demo["logins"][username],
            "csrf_token": token,
        },
    )
    assert answer.status_code == 302
    return client
