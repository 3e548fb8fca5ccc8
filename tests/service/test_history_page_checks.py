"""A history page checks each of its rows without re-checking the canonical form
(issue 14: the integrator and ``verify`` do): the same verdicts as the full check
on every row, an edited row still a failed signature and the next version a
broken chain, and a large event read by its header only, on SQLite and
PostgreSQL."""

from __future__ import annotations

import sqlite3
from datetime import date

import psycopg

from ledger import history
from services import commands as c


def _member(services, admin):
    def found(code, name, kind, parent):
        return services.handle(
            c.FoundOrganisation(admin.actor, code, name, kind, parent), admin.signer
        )

    province = found("tinh-uy", "Tỉnh ủy Thử", "provincial_committee", None)
    cell_a = found("chi-bo-a", "Chi bộ A", "cell", province)
    cell_b = found("chi-bo-b", "Chi bộ B", "cell", province)
    member = services.handle(
        c.EnrolMember(
            admin.actor,
            "Nguyễn Văn An",
            "DV00000001",
            date(1980, 5, 17),
            date(2005, 2, 3),
            "full",
            cell_a,
        ),
        admin.signer,
    )
    for cell in (cell_b, cell_a):
        services.handle(c.TransferMember(admin.actor, member, cell), admin.signer)
    return member


def _verdicts(entries):
    return [
        (e.row.notification_id, e.status, e.ts, e.actor, e.key_id, e.key_role)
        for e in entries
    ]


def _edit(services, row, state) -> None:
    """The DBA adversary: plain SQL on a separate connection, triggers off."""
    sql = services.ledger.sql
    statement = (
        f"UPDATE {sql.events_table} SET state = ? WHERE {sql.notification_id} = ?"
    )
    if sql.postgres:
        schema = services.settings.pg_schema
        with psycopg.connect(
            "host=127.0.0.1 port=5432 dbname=test user=postgres", autocommit=True
        ) as conn:
            conn.execute(f'ALTER TABLE "{schema}".ledger_events DISABLE TRIGGER USER')
            conn.execute(statement.replace("?", "%s"), (state, row.notification_id))
        return
    lite = sqlite3.connect(str(services.settings.sqlite_path))
    try:
        with lite:
            lite.execute(statement, (state, row.notification_id))
    finally:
        lite.close()


def test_a_page_gives_the_full_checks_verdicts(services, admin, monkeypatch):
    member = _member(services, admin)
    sql, registry = services.ledger.sql, services.ledger.key_registry()
    origin = str(services.trust_root["origin"])
    rows = history.stream_rows(sql, member)
    assert len(rows) == 3
    full = history.check(rows, registry, origin)
    page = history.check_page(rows, registry, origin)
    assert _verdicts(page) == _verdicts(full)
    assert [e.body for e in page] == [e.body for e in full]
    assert all(e.ok and not e.body_skipped for e in page)
    # Every row "large": the header alone gives the same verdicts, no body.
    monkeypatch.setattr(history, "LARGE_EVENT", 10)
    headers = history.check_page(rows, registry, origin)
    assert _verdicts(headers) == _verdicts(full)
    assert all(e.body_skipped and e.body == {} for e in headers)


def test_an_edited_row_fails_on_the_page_and_breaks_the_next_link(
    services, admin, monkeypatch
):
    member = _member(services, admin)
    sql = services.ledger.sql
    first = history.stream_rows(sql, member)[0]
    edited = first.state.replace(b"1980-05-17", b"1980-05-18")
    assert edited != first.state
    _edit(services, first, edited)
    rows = history.stream_rows(sql, member)
    registry, origin = (
        services.ledger.key_registry(),
        str(services.trust_root["origin"]),
    )
    for large in (history.LARGE_EVENT, 10):
        monkeypatch.setattr(history, "LARGE_EVENT", large)
        page = history.check_page(rows, registry, origin)
        assert [e.status for e in page] == ["bad_signature", "chain_break", "ok"]
    # Content that no longer parses gets the full check's name for it.
    _edit(services, first, first.state[:-3])
    broken = history.check_page(history.stream_rows(sql, member), registry, origin)
    assert broken[0].status == "non_canonical_content"
