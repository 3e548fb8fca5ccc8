"""SQLite views read on connections of their own, read-only from the start
(``projections.view_storage.ReadOnlyViewPool``): a read is ``BEGIN``, its
statements and ``ROLLBACK``, with no ``PRAGMA query_only`` set and cleared
around it (which expired every prepared statement of the connection, so each
read was parsed and planned again); nothing can be written through a read's
cursor; the writers' connections stay writable."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
from eventsourcing.persistence import OperationalError

from projections import directory_reads
from services import commands as c


@pytest.fixture
def traced(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every statement run on a connection opened from now on."""
    sent: list[str] = []
    connect = sqlite3.connect

    def tracing(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        connection = connect(*args, **kwargs)
        connection.set_trace_callback(sent.append)
        return connection

    monkeypatch.setattr(sqlite3, "connect", tracing)
    return sent


def _sqlite(services: Any) -> None:
    if services.settings.backend != "sqlite":
        pytest.skip("SQLite's view files")


def test_a_view_read_sets_no_pragma(traced, services, admin):
    _sqlite(services)
    org = services.handle(
        c.FoundOrganisation(
            admin.actor, "tinh", "Tỉnh ủy", "provincial_committee", None
        ),
        admin.signer,
    )
    views = services.projections
    directory_reads.organisation_with_count(views, org)  # connections opened
    traced.clear()
    for _ in range(3):
        assert directory_reads.organisation_with_count(views, org) is not None
    assert traced, "nothing read"
    assert not [s for s in traced if "PRAGMA" in s.upper()], traced
    assert traced.count("BEGIN ") + traced.count("BEGIN") == 3


def test_nothing_is_written_through_a_read(services, admin):
    _sqlite(services)
    state = services.projections.views.state("directory")
    refused = (sqlite3.OperationalError, OperationalError)
    with pytest.raises(refused, match="readonly"):  # noqa: SIM117
        with state.view.snapshot() as cursor:
            cursor.execute("DELETE FROM tracking")
    # The writers' connections are not read-only: a command still projects.
    org = services.handle(
        c.FoundOrganisation(
            admin.actor, "tinh", "Tỉnh ủy", "provincial_committee", None
        ),
        admin.signer,
    )
    assert directory_reads.organisation_with_count(services.projections, org)


def test_a_read_of_several_views_attaches_their_files_once(traced, services, admin):
    """The private connection a read of two views ATTACHes them to is kept for
    the next such read: no ATTACH then, the same rows, a new event seen;
    nothing written through it; a failed read closes its connection; closing
    the views closes the kept ones."""
    _sqlite(services)
    views = services.projections

    def codes() -> list[str]:
        with views.read("directory", "search") as cursor:
            cursor.execute("SELECT code FROM {organisations} ORDER BY code")
            return [row[0] for row in cursor.fetchall()]

    def found(code: str) -> None:
        services.handle(
            c.FoundOrganisation(admin.actor, code, code, "provincial_committee", None),
            admin.signer,
        )

    found("a")
    assert codes() == ["a"]
    traced.clear()
    found("b")
    assert codes() == ["a", "b"]  # kept, and it sees the new row
    assert not [s for s in traced if s.upper().startswith("ATTACH")], traced
    kept = views.views.state("directory").attached
    assert kept.kept() == 1
    refused = (sqlite3.OperationalError, OperationalError)
    with pytest.raises(refused, match="readonly"):  # noqa: SIM117
        with views.read("directory", "search") as cursor:
            cursor.execute("DELETE FROM {organisations}")
    assert kept.kept() == 0  # the failed read's connection closed
    assert codes() == ["a", "b"]
    assert kept.kept() == 1
    views.views.close()
    assert kept.kept() == 0
