"""The store refuses, at insert, an event whose stream version is not the stream's
last version plus one (issue 11, deliverable 6): a replayed or skipped version
never gets in, on either backend, even by a raw INSERT with the triggers on."""

from __future__ import annotations

import sqlite3
from typing import Any

import psycopg
import pytest

from ledger.schema import VERSION_REFUSED
from services.setup import create_database_tables
from tests.store.conftest import Store, World


def _raw_insert(store: Store, stream: Any, version: int, state: bytes) -> None:
    """A plain INSERT with the triggers left on (not the DBA's ``tamper``)."""
    store.sql(
        f"INSERT INTO {store.events} "
        "(originator_id, originator_version, topic, state) VALUES (?, ?, ?, ?)",
        (store.stream_id(stream), version, "domain.review:Review.CommentAdded", state),
    )


def _refused(store: Store, stream: Any, version: int, state: bytes) -> str:
    errors = (sqlite3.IntegrityError, psycopg.errors.IntegrityError)
    with pytest.raises(errors) as caught:
        _raw_insert(store, stream, version, state)
    return str(caught.value)


def test_a_skipped_version_is_refused_at_insert(world: World, backend: Store) -> None:
    before = backend.rows()
    last = len(world.r1.comments) + 1  # Opened, then one event per comment
    _nid, state = backend.row(world.r1.id, last)
    message = _refused(backend, world.r1.id, last + 2, state)
    assert VERSION_REFUSED in message
    assert backend.rows() == before


def test_a_replayed_row_is_refused_at_insert(world: World, backend: Store) -> None:
    before = backend.rows()
    _nid, state = backend.row(world.r1.id, 2)
    # The same row again: the primary key refuses it.
    _refused(backend, world.r1.id, 2, state)
    # Replayed into another stream at a version that is not its next one.
    assert VERSION_REFUSED in _refused(backend, world.r2.id, 5, state)
    assert backend.rows() == before


def test_an_old_version_is_refused_after_the_dba_removed_it(
    world: World, backend: Store
) -> None:
    """SQLite (no roles): even a deleted middle event cannot be put back later
    as the application would, because the stream has moved on."""
    if backend.backend != "sqlite":
        pytest.skip("PostgreSQL refuses the DELETE itself (append-only triggers)")
    _nid, state = backend.row(world.r1.id, 2)
    backend.sql(
        f"DELETE FROM {backend.events} WHERE originator_id = ? "
        "AND originator_version = 2",
        (backend.stream_id(world.r1.id),),
    )
    assert VERSION_REFUSED in _refused(backend, world.r1.id, 2, state)


def test_the_next_version_and_a_new_stream_still_go_in(
    world: World, backend: Store
) -> None:
    """The trigger refuses only wrong versions: the ledger's own writes, several
    events of one stream in one save included, go in and verify."""
    review = backend.open_review(world.alice, "Lê Văn Cường", ["một", "hai", "ba"])
    backend.comment(world.alice, review, "bốn")
    backend.comment(world.bob, world.r2, "Đã sửa")
    backend.integrate()
    assert backend.verify().ok


def test_db_init_adds_the_trigger_to_an_existing_store(
    world: World, backend: Store
) -> None:
    """A store made before the trigger existed: ``kiemdiem db init`` (PostgreSQL)
    or opening the store (SQLite) adds it; the store still verifies."""
    last = len(world.r1.comments) + 1
    _nid, state = backend.row(world.r1.id, last)
    if backend.backend == "postgres":
        schema = backend.settings.pg_schema
        backend.sql(f"DROP TRIGGER next_version ON {backend.events}")
        backend.sql(f'DROP FUNCTION "{schema}".kiemdiem_next_version()')
        create_database_tables(backend.settings, backend.trust_root)
    else:
        backend.sql("DROP TRIGGER stored_events_next_version")
        backend.reopen()
    assert VERSION_REFUSED in _refused(backend, world.r1.id, last + 2, state)
    assert backend.verify().ok
