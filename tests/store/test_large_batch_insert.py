"""One batch of many megabytes goes in and comes back, on both backends.

A province's cycle opening writes a batch of ~10 MB or more in one INSERT. In
psycopg's pipeline mode (the library's recorder) such an insert never returned:
psycopg stopped flushing libpq's output buffer before the whole message was
sent and waited to read, while the server waited for the rest of the message.
The ledger's recorder writes without the pipeline (``ledger/recorders.py``), in
INSERTs of at most ~8 MB; this test hangs, then fails, with the pipeline.
"""

from __future__ import annotations

import itertools
import threading
import uuid
from collections.abc import Sequence
from typing import Any

import psycopg
import pytest
from eventsourcing.persistence import Recording, StoredEvent
from hypothesis import given
from hypothesis import strategies as st

from bench.pg_trace import Trace, lending_traced
from ledger.recorders import insert_chunks
from ledger.signing import signing_as
from tests.store.conftest import PG_SERVER, Review, Store

REVIEWS = 1_200
COMMENT = "Ý kiến đóng góp dài. " * 600  # ~13 KB: ~16 MB in the one INSERT
WAIT_SECONDS = 120


def test_a_batch_of_sixteen_megabytes_is_written_in_one_transaction(
    backend: Store,
) -> None:
    reviews: list[Review] = [backend.new_review(f"Hồ sơ {n}") for n in range(REVIEWS)]
    for review in reviews:
        review.add_comment(COMMENT, 1)
    events = [e for review in reviews for e in review.collect_events()]
    before = backend.app.recorder.max_notification_id() or 0
    saved: list[Sequence[Recording[Any]]] = []

    def save() -> None:
        saved.append(backend.app.save_batch([(backend.admin, events)]))

    writer = threading.Thread(target=save, daemon=True)
    writer.start()
    writer.join(WAIT_SECONDS)
    if writer.is_alive():
        _end_the_stuck_insert(backend)
        pytest.fail(f"the batch's insert did not return in {WAIT_SECONDS} s")

    ids = [r.notification.id for r in saved[0]]
    assert ids == list(range(before + 1, before + 1 + len(events)))
    back: Review = backend.app.repository.get(reviews[-1].id)
    assert back.comments == [COMMENT]
    backend.integrate()
    assert backend.verify().ok


def _end_the_stuck_insert(backend: Store) -> None:
    """Free the schema for the fixture's DROP: the stuck transaction holds the
    events table's lock for as long as its connection lives."""
    if backend.backend != "postgres":
        return
    with psycopg.connect(PG_SERVER, autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE pid <> pg_backend_pid() AND query LIKE %s",
            (f'%"{backend.settings.pg_schema}"%',),
        )


@given(
    sizes=st.lists(st.integers(min_value=0, max_value=50), max_size=40),
    limit=st.integers(min_value=1, max_value=120),
)
def test_the_insert_chunks_keep_every_event_in_order_and_under_the_limit(
    sizes: list[int], limit: int
) -> None:
    events = [StoredEvent(uuid.uuid4(), 1, "t", bytes(size)) for size in sizes]
    chunks = insert_chunks(events, limit)
    assert [e for chunk in chunks for e in chunk] == events
    for chunk in chunks:
        assert len(chunk) == 1 or sum(len(e.state) for e in chunk) <= limit
    for left, right in itertools.pairwise(chunks):
        # A chunk ends only where its next event would pass the limit.
        assert sum(len(e.state) for e in left) + len(right[0].state) > limit


def test_a_signed_save_is_three_round_trips_on_postgresql(
    backend: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The transaction's start, lock, notification and tip in one simple query;
    the INSERT; the commit (the library's pipeline sent five)."""
    if backend.backend != "postgres":
        pytest.skip("PostgreSQL's protocol")
    author = backend.new_signer()
    backend.register(author)
    review = backend.new_review("Hồ sơ")
    datastore = backend.app.recorder.datastore  # type: ignore[attr-defined]
    trace = Trace()
    monkeypatch.setattr(
        datastore, "get_connection", lending_traced(datastore.get_connection, trace)
    )
    with signing_as(author):
        backend.app.save(review)
    assert trace.round_trips == 3
    assert trace.statements[0].startswith("BEGIN; SET LOCAL lock_timeout")
    assert trace.statements[-1] == "COMMIT"
