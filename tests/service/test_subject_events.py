"""The index of every subject's file (``projections.subject_events``, issue 14
deliverable 2), on SQLite and PostgreSQL: it finds exactly what a byte search of
the events table finds, a rebuild equals the incremental view, the history is
read in keyset pages through it, and no statement of a history page scans the
events table (EXPLAIN). Also on the store written by the first release."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from ledger import envelope, history
from ledger.config import settings_from_environ
from ledger.sql import Cursor
from projections.subject_events import (
    NAME,
    SubjectEvents,
    event_count,
    every_notification_id,
    unindexed_topics,
)
from services import commands as c
from services.app import Kiemdiem
from services.demo import load_demo
from tests.old_store import copy_old_store

PASSWORD = "mat-khau-kiem-tra"
TOPICS = Path(__file__).resolve().parents[1] / "topics.txt"


def _indexed(services: Kiemdiem, subject: UUID) -> list[int]:
    return [
        nid
        for ids in every_notification_id(services.projections, subject)
        for nid in ids
    ]


def _scanned(services: Kiemdiem, subject: UUID) -> list[int]:
    """What a byte search finds, plus every event of the streams opened about the
    subject (a review's later events do not name its member: view v2)."""
    sql = services.ledger.sql
    found = history.rows_mentioning(sql, subject)
    keys = {f"m:{subject}", f"o:{subject}"}
    about = {
        r.stream
        for r in found
        if r.version == 1
        and envelope.parse_content(envelope.unpack(r.state).content).body.get(
            "subject_key"
        )
        in keys
    }
    ids = {r.notification_id for r in found}
    for stream in about:
        ids |= {r.notification_id for r in history.stream_rows(sql, stream)}
    return sorted(ids)


def _subjects(services: Kiemdiem) -> list[UUID]:
    """Every stream and every account of the store."""
    streams = {
        UUID(str(n.originator_id))
        for n in services.ledger.recorder.select_notifications(start=1, limit=10**7)
    }
    return sorted(streams | {a.account_id for a in services.accounts()}, key=str)


def test_every_stored_topic_is_indexed():
    lines = TOPICS.read_text(encoding="utf-8").splitlines()
    topics = [t.strip() for t in lines if t.strip() and not t.startswith("#")]
    assert unindexed_topics(topics) == []
    assert unindexed_topics(["domain.nothing:Nothing.Happened"]) == [
        "domain.nothing:Nothing.Happened"
    ]


def test_the_index_finds_what_a_byte_search_finds_and_rebuilds_equal(services, admin):
    load_demo(services, admin.signer)
    subjects = _subjects(services)
    assert len(subjects) > 50
    for subject in subjects:
        indexed = _indexed(services, subject)
        assert indexed == _scanned(services, subject), subject
        # the file's count is kept as events are indexed, never counted on read
        assert event_count(services.projections, subject) == len(indexed), subject
    before = services.projections.digest([NAME])
    services.projections.rebuild([NAME])
    assert services.projections.digest([NAME]) == before


@dataclass
class World:
    member_id: UUID
    cells: list[UUID]
    inspector: Any  # services.app.Session


@pytest.fixture
def world(services, admin) -> World:
    def found(code, name, kind, parent):
        return services.handle(
            c.FoundOrganisation(admin.actor, code, name, kind, parent), admin.signer
        )

    province = found("tinh-uy", "Tỉnh ủy Thử", "provincial_committee", None)
    cells = [found(f"chi-bo-{i}", f"Chi bộ {i}", "cell", province) for i in (1, 2)]
    member_id = services.handle(
        c.EnrolMember(
            admin.actor,
            "Nguyễn Văn An",
            "DV00000001",
            date(1980, 5, 17),
            date(2005, 2, 3),
            "full",
            cells[0],
        ),
        admin.signer,
    )
    for i in range(6):
        services.handle(
            c.TransferMember(admin.actor, member_id, cells[(i + 1) % 2]),
            admin.signer,
        )
    services.handle(
        c.OpenAccount(
            admin.actor,
            "ubkt",
            "Ủy viên Kiểm tra",
            ("inspector",),
            PASSWORD,
            org_id=province,
        ),
        admin.signer,
    )
    inspector = services.authenticate("ubkt", PASSWORD)
    assert inspector is not None
    return World(member_id, cells, inspector)


def test_history_pages_follow_the_log_with_each_rows_checks(services, admin, world):
    member_id, reader = world.member_id, world.inspector.actor
    whole = _scanned(services, member_id)
    assert len(whole) == 7
    seen: list[int] = []
    after, pages = 0, 0
    while True:
        page = services.audit.history(reader, member_id, after=after, limit=3)
        pages += 1
        assert len(page.items) <= 3
        assert all(i.entry.ok for i in page.items)
        assert page.failures == 0
        seen += [i.entry.row.notification_id for i in page.items]
        if page.next_after is None:
            break
        assert page.next_after == page.items[-1].entry.row.notification_id
        after = page.next_after
    assert (seen, pages) == (whole, 3)
    assert page.total == 7  # the whole file, on every page
    assert page.versions == list(range(1, 8))
    assert [k for k in page.kinds] == ["Enrolled", "Transferred"]
    assert page.actors == [(admin.actor, "Quản trị hệ thống")]
    only = services.audit.history(reader, member_id, kind="Enrolled")
    assert [i.kind for i in only.items] == ["Enrolled"]
    assert only.next_after is None


@contextmanager
def _statements(monkeypatch) -> Iterator[list[tuple[str, tuple[Any, ...]]]]:
    """Every statement run on the ledger's connection meanwhile."""
    seen: list[tuple[str, tuple[Any, ...]]] = []
    original = Cursor.execute

    def execute(self, statement, params=()):
        seen.append((statement, tuple(params)))
        return original(self, statement, params)

    monkeypatch.setattr(Cursor, "execute", execute)
    yield seen
    monkeypatch.setattr(Cursor, "execute", original)


def _plan(services: Kiemdiem, statement: str, params: tuple[Any, ...]) -> str:
    """The plan of a statement; on PostgreSQL with sequential scans disabled, so
    a Seq Scan in it means no index can answer it (a tiny test table would
    otherwise be scanned by choice)."""
    sql = services.ledger.sql
    with sql.tx() as cur:
        if sql.postgres:
            cur.execute("SET LOCAL enable_seqscan = off")
            rows = cur.execute("EXPLAIN " + statement, params).fetchall()
        else:
            rows = cur.execute("EXPLAIN QUERY PLAN " + statement, params).fetchall()
    return "\n".join(" ".join(str(v) for v in r) for r in rows)


def test_a_history_page_never_scans_the_events_table(services, world, monkeypatch):
    def no_byte_search(*_args, **_kwargs):
        raise AssertionError("the events table was searched byte by byte")

    monkeypatch.setattr(history, "rows_mentioning", no_byte_search)
    sql = services.ledger.sql
    for subject in (world.member_id, world.cells[0]):
        with _statements(monkeypatch) as seen:
            page = services.audit.history(world.inspector.actor, subject, limit=4)
        assert page.items
        on_events = [(s, p) for s, p in seen if sql.events_table in s]
        assert on_events, "the page read no stored row"
        for statement, params in on_events:
            plan = _plan(services, statement, params)
            if sql.postgres:
                assert "Seq Scan" not in plan, plan
            else:
                assert "SCAN stored_events" not in plan, plan
                assert "SEARCH stored_events" in plan, plan


@pytest.mark.postgres
def test_the_index_query_uses_its_primary_key_on_postgres(services, world):
    if not services.ledger.sql.postgres:
        pytest.skip("PostgreSQL only")
    member_id = world.member_id
    with services.projections.read(NAME) as cur:
        cur.execute("SET LOCAL enable_seqscan = off")
        plan = cur.execute(
            "EXPLAIN SELECT notification_id FROM {entries} WHERE subject = ? "
            "AND notification_id > ? ORDER BY notification_id LIMIT 51",
            [str(member_id), 0],
        ).fetchall()
    text = "\n".join(str(r[0]) for r in plan)
    assert "Seq Scan" not in text, text
    assert "subject_events_entries_pkey" in text, text


def test_the_first_releases_store_is_indexed_at_its_catch_up(tmp_path, monkeypatch):
    """The view is new to that store: created at start, filled by the catch-up,
    it finds what a byte search finds for every stream and account."""
    instance = tmp_path / "instance"
    url = copy_old_store(instance, monkeypatch)
    settings = settings_from_environ({"KIEMDIEM_INSTANCE_DIR": str(instance)}, url)
    services = Kiemdiem(settings)
    try:
        services.projections.catch_up()
        assert SubjectEvents.name in services.projections.names
        subjects = _subjects(services)
        assert len(subjects) > 100
        for subject in subjects:
            indexed = _indexed(services, subject)
            assert indexed == _scanned(services, subject), subject
            assert event_count(services.projections, subject) == len(indexed)
    finally:
        services.close()
    with sqlite3.connect(instance / "kiemdiem.db") as conn:
        (count,) = conn.execute("SELECT COUNT(*) FROM stored_events").fetchone()
    assert count == 605  # nothing written


def test_an_indexed_event_gone_from_the_store_shows_as_cut_off(services, world):
    """The DBA deletes the member's last event (SQLite has no append-only
    trigger): the page still lists it, as cut off (rollback)."""
    if services.ledger.sql.postgres:
        pytest.skip("the PostgreSQL triggers are exercised by the ledger tests")
    last = history.stream_rows(services.ledger.sql, world.member_id)[-1]
    lite = sqlite3.connect(str(services.settings.sqlite_path))
    try:
        with lite:
            lite.execute(
                "DELETE FROM stored_events WHERE rowid = ?", (last.notification_id,)
            )
    finally:
        lite.close()
    page = services.audit.history(world.inspector.actor, world.member_id)
    gone = page.items[-1].entry
    assert gone.row.notification_id == last.notification_id
    assert [p.kind for p in gone.problems] == ["rollback"]
    assert page.failures == 1
