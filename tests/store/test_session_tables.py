"""The web's own small tables (issue 11) on SQLite and PostgreSQL: session
records and idempotency keys live beside the vault's tables, never in the
ledger's event tables."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime, timedelta

from services.idempotency import Claim, IdempotencyStore, StoredAnswer
from services.sessions import SessionStore, token_hash


def _events_digest(backend) -> str:
    sql = backend.app.sql
    with sql.tx() as cur:
        rows = cur.execute(f"SELECT * FROM {sql.events_table} ORDER BY 1, 2").fetchall()
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def test_session_records_open_end_and_end_all(backend):
    before = _events_digest(backend)
    store = SessionStore(backend.app.sql)
    SessionStore(backend.app.sql)  # a second process: the table is there already
    account, other = uuid.uuid4(), uuid.uuid4()
    now = datetime.now(UTC)
    token, ref = store.open(account, "v1:k", now)
    second, _ = store.open(account, "v1:k", now)
    third, _ = store.open(other, "v1:k", now)
    found = store.find(token)
    assert found is not None
    assert (found.account_id, found.ref, found.ended_at) == (account, ref, None)
    assert found.token_hash == token_hash(token) != token
    store.touch(found, now + timedelta(minutes=5))
    touched = store.find(token)
    assert touched is not None
    assert touched.last_seen == now + timedelta(minutes=5)
    store.end(touched, "logout", now + timedelta(minutes=6))
    ended = store.find(token)
    assert ended is not None
    assert ended.end_reason == "logout"
    store.end(ended, "idle", now + timedelta(minutes=7))  # keeps the first reason
    assert store.find(token).end_reason == "logout"  # type: ignore[union-attr]
    assert store.open_count(account) == 1
    assert len(store.end_all(account, "everywhere", now)) == 1
    assert store.open_count(account) == 0
    assert store.open_count(other) == 1
    assert store.find(second).end_reason == "everywhere"  # type: ignore[union-attr]
    assert store.find(third).ended_at is None  # type: ignore[union-attr]
    assert store.find("not-a-token") is None
    # A month later a sign-in sweeps ended and long-unused rows away.
    store.open(uuid.uuid4(), "v1:k", now + timedelta(days=31))
    assert store.find(token) is None
    assert store.find(third) is None
    assert _events_digest(backend) == before


def test_idempotency_keys_claim_keep_and_release(backend):
    before = _events_digest(backend)
    store = IdempotencyStore(backend.app.sql)
    account, other = uuid.uuid4(), uuid.uuid4()
    now = datetime.now(UTC)
    claim = store.claim(account, "k-1", "fp", now)
    assert isinstance(claim, Claim)
    pending = store.claim(account, "k-1", "fp", now)
    assert isinstance(pending, StoredAnswer)
    assert pending.status is None
    assert isinstance(store.claim(other, "k-1", "fp", now), Claim)  # per account
    store.keep_answer(claim, 201, '{"id": "x"}', "application/json", "/x")
    kept = store.claim(account, "k-1", "fp", now)
    assert isinstance(kept, StoredAnswer)
    assert (kept.status, kept.body, kept.location) == (201, '{"id": "x"}', "/x")
    released = store.claim(account, "k-2", "fp", now)
    assert isinstance(released, Claim)
    store.release(released)
    assert isinstance(store.claim(account, "k-2", "fp", now), Claim)
    # Expired keys are forgotten.
    later = now + timedelta(hours=25)
    assert isinstance(store.claim(account, "k-1", "fp", later), Claim)
    assert _events_digest(backend) == before
