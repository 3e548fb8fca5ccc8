"""Post-commit work never turns a committed command into an error (issue 11,
deliverable 4): when integrating, projecting or checkpointing fails after the
events are stored, the command still succeeds (the web answers 200), the failure
is logged, and the next write catches up."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from services import commands as c
from tests.conftest import ACCOUNTS, AuthActions, World

HEADERS = {"X-Requested-With": "test"}


def _broken(*_: Any, **__: Any) -> int:
    raise RuntimeError("database went away for a moment")


def test_a_failing_integration_after_commit_is_logged_not_raised(
    kiemdiem: Any,
    world: World,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    admin = kiemdiem.authenticate("admin", ACCOUNTS["admin"][2])
    assert admin is not None
    before = kiemdiem.ledger.max_notification_id()
    monkeypatch.setattr(kiemdiem.integrator, "catch_up", _broken)
    with caplog.at_level(logging.ERROR):
        kiemdiem.handle(
            c.RenameOrganisation(admin.actor, world.orgs["cell_a"], "Chi bộ Mới"),
            admin.signer,
        )
    assert kiemdiem.ledger.max_notification_id() == before + 1  # committed
    assert any(
        "integrating it into the log failed" in r.message for r in caplog.records
    )
    monkeypatch.undo()
    kiemdiem.handle(
        c.RenameOrganisation(admin.actor, world.orgs["cell_a"], "Chi bộ Mới Hơn"),
        admin.signer,
    )
    # The next write integrated both.
    assert kiemdiem.integrator.size == kiemdiem.ledger.max_notification_id()


def test_the_web_answers_success_when_the_views_fail_after_commit(
    client: Any,
    auth: AuthActions,
    kiemdiem: Any,
    world: World,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert auth.login("admin").status_code == 302
    before = kiemdiem.ledger.max_notification_id()
    monkeypatch.setattr(kiemdiem.projections, "catch_up", _broken)
    monkeypatch.setattr(kiemdiem.integrator, "checkpoint_due", _broken)
    response = client.post(
        f"/api/v1/organisations/{world.orgs['cell_b']}/rename",
        json={"name": "Chi bộ xóm B mới"},
        headers=HEADERS,
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert kiemdiem.ledger.max_notification_id() == before + 1
