"""Reads of the log's tip for the key registry (SQLite and PostgreSQL).

- Loading an aggregate checks each event's signature with its key: a key the
  registry already holds is the one that signed (a key id is the hash of its
  public key), so no event read costs a ``MAX(notification_id)`` (each did).
- A member's history page judges its rows with a registry holding every key
  event up to the page's last row (validity is judged by position): after the
  session check brought the registry to the tip, no read of the tip; the
  verdicts are those of a registry caught up to the tip.
"""

from __future__ import annotations

from typing import Any

import pytest

from services import commands as c
from tests.service.test_audit_service import seed

__all__ = ["seed"]  # the fixture


@pytest.fixture
def tips(services, monkeypatch) -> list[int]:
    """Each read of the log's tip by the ledger's recorder."""
    read: list[int] = []
    recorder = services.ledger.recorder
    tip = recorder.max_notification_id

    def counted(*args: Any, **kwargs: Any) -> Any:
        read.append(1)
        return tip(*args, **kwargs)

    monkeypatch.setattr(recorder, "max_notification_id", counted)
    return read


def test_loading_events_of_known_keys_reads_no_tip(services, admin, tips):
    org = services.handle(
        c.FoundOrganisation(admin.actor, "tinh", "Tỉnh", "provincial_committee", None),
        admin.signer,
    )
    for name in ("Tỉnh 2", "Tỉnh 3"):
        services.handle(c.RenameOrganisation(admin.actor, org, name), admin.signer)
    services.ledger.key_registry()  # at the tip, as after a request's session check
    tips.clear()
    found = services.ledger.repository.get(org, version=3)  # three events read
    assert found.name == "Tỉnh 3"
    assert tips == []


def test_the_history_page_reads_no_tip_when_the_registry_is_there(services, seed, tips):
    services.ledger.key_registry()
    tips.clear()
    page = services.audit.history(seed.inspector.actor, seed.member)
    assert page.items
    assert page.failures == 0
    assert tips == []
    # The same verdicts as a registry caught up to the tip gives.
    from ledger import history

    rows = [i.entry.row for i in page.items]
    again = history.check_page(
        rows, services.ledger.key_registry(), services.audit.origin
    )
    assert [e.problems for e in again] == [i.entry.problems for i in page.items]
