"""A command's loads (``ledger.app.TipRepository``), on SQLite and PostgreSQL:
a cached aggregate is fast-forwarded only when the log has moved since it last
was, so a command re-checking an unchanged tree reads the log's tip once instead
of every organisation's new events; a write by another process, or this one's,
is still seen by the next command."""

from __future__ import annotations

from typing import Any

import pytest

from domain.organisations import Organisation
from services import commands as c
from services.app import Kiemdiem
from tests.service.conftest import ADMIN_PASSWORD


def _tree(services: Kiemdiem, admin: Any) -> list[Any]:
    """Province → district → grassroots committee → cell: the cell's id last."""
    parent, found = None, []
    for code, kind in (
        ("tinh", "provincial_committee"),
        ("huyen", "district_committee"),
        ("xa", "grassroots_committee"),
        ("cb", "cell"),
    ):
        parent = services.handle(
            c.FoundOrganisation(admin.actor, code, code, kind, parent), admin.signer
        )
        found.append(parent)
    return found


@pytest.fixture
def loads(services, monkeypatch):
    """The streams whose events the ledger read for aggregates, in order."""
    read: list[Any] = []
    store = services.ledger.repository.event_store
    get = store.get

    def counted(originator_id: Any, *args: Any, **kwargs: Any) -> Any:
        read.append(originator_id)
        return get(originator_id, *args, **kwargs)

    monkeypatch.setattr(store, "get", counted)
    return read


def _rename(services: Kiemdiem, admin: Any, org: Any, name: str) -> None:
    services.handle(c.RenameOrganisation(admin.actor, org, name), admin.signer)


def test_an_unchanged_tree_is_not_read_again(services, admin, loads):
    orgs = _tree(services, admin)
    cell = orgs[-1]
    _rename(services, admin, cell, "Chi bộ 1")
    loads.clear()
    _rename(services, admin, cell, "Chi bộ 2")
    # Only the cell, which this process's last command changed, is read: not
    # the account nor the three organisations above it.
    assert loads == [cell]
    with services.ledger.reads_at_tip():
        assert services.uow.read(Organisation, cell, "org.not_found").name == (
            "Chi bộ 2"
        )


def test_the_library_fast_forwards_outside_a_command(services, admin, loads):
    orgs = _tree(services, admin)
    loads.clear()
    services.uow.read(Organisation, orgs[0], "org.not_found")
    services.uow.read(Organisation, orgs[0], "org.not_found")
    assert loads == [orgs[0], orgs[0]]


def test_another_process_write_is_seen_by_the_next_command(
    services, admin, settings, loads
):
    orgs = _tree(services, admin)
    district, cell = orgs[1], orgs[-1]
    _rename(services, admin, cell, "Chi bộ 1")
    # Another process renames the district, which this process holds in its
    # cache as it was: the log has moved.
    other = Kiemdiem(settings)
    try:
        session = other.authenticate("admin", ADMIN_PASSWORD)
        assert session is not None
        _rename(other, session, district, "Huyện ủy mới")
    finally:
        other.close()
    loads.clear()
    _rename(services, admin, cell, "Chi bộ 2")
    assert district in loads  # the log moved: fast-forwarded again
    with services.ledger.reads_at_tip():
        seen = services.uow.read(Organisation, district, "org.not_found")
    assert seen.name == "Huyện ủy mới"


def test_another_process_refusal_is_decided_on_its_write(
    services, admin, settings, refused
):
    """Roles taken away by another process: the very next command is refused,
    the store unchanged (the account is fast-forwarded, the log having moved)."""
    orgs = _tree(services, admin)
    cell = orgs[-1]
    clerk_id = services.handle(
        c.OpenAccount(
            admin.actor,
            "quantri2",
            "Quản trị hai",
            ("admin",),
            "mat-khau-quan-tri-2",
        ),
        admin.signer,
    )
    clerk = services.authenticate("quantri2", "mat-khau-quan-tri-2")
    assert clerk is not None
    services.handle(c.RenameOrganisation(clerk.actor, cell, "Chi bộ 1"), clerk.signer)
    other = Kiemdiem(settings)
    try:
        session = other.authenticate("admin", ADMIN_PASSWORD)
        assert session is not None
        other.handle(
            c.ChangeRoles(session.actor, clerk_id, ("secretary",)), session.signer
        )
    finally:
        other.close()
    refused(
        "auth.forbidden",
        lambda: services.handle(
            c.RenameOrganisation(clerk.actor, cell, "Chi bộ 2"), clerk.signer
        ),
    )


def test_the_read_after_a_save_is_its_own_events_as_stored(services, admin):
    """The integrator's read right after a command: the command's events as the
    table holds them, without reading the table; any other read reads it."""
    before = services.ledger.max_notification_id()
    recorder = services.ledger.recorder
    _tree(services, admin)
    last = services.ledger.max_notification_id()
    stored = list(recorder.select_notifications(last, limit=10, stop=last))
    calls: list[int] = []
    select = recorder.select_notifications

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return select(*args, **kwargs)

    recorder.select_notifications = counted
    try:
        assert list(services.ledger.read_notifications(last - 1, 10)) == stored
        assert calls == []
        assert list(services.ledger.read_notifications(last, 10)) == []
        assert list(services.ledger.read_notifications(before, 1)) != []
        assert len(calls) == 2
    finally:
        del recorder.select_notifications
