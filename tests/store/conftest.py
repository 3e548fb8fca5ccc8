"""Store fixtures for the verify drills: one signed store per backend.

``backend`` is parametrised over SQLite (a temp file) and PostgreSQL (the real
server at 127.0.0.1:5432, database ``test``, a fresh schema per test). Without a
reachable server the PostgreSQL cases are skipped, unless ``CI`` is set, where
they fail: CI must run every store test on both backends.

``Store.tamper`` is the DBA adversary: plain SQL on a separate connection, with
the append-only triggers disabled first on PostgreSQL (the table owner can).
"""

from __future__ import annotations

import json
import os
import sqlite3
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from eventsourcing.domain import Aggregate, event

from ledger import canonical, envelope, note, verify
from ledger.app import LedgerApplication
from ledger.config import Settings, settings_from_environ
from ledger.integrator import Integrator
from ledger.keyring import TrustedAdminKey
from ledger.keys import SigningKey, public_key_raw, register_key
from ledger.signing import Signer, signing_as
from ledger.trustroot import make_trust_root
from tests.store.explain_province import province  # noqa: F401 - a fixture

PG_SERVER = "postgresql://postgres@127.0.0.1:5432/test"
ORIGIN = "kiemdiem.test/dang-bo-x"
APPEND_ONLY = ("ledger_events", "ledger_leaves", "ledger_checkpoints", "ledger_alerts")


class Review(Aggregate):
    """A stand-in for a domain aggregate: a review file with comments."""

    @event("Opened")
    def __init__(self, subject: str) -> None:
        self.subject = subject
        self.comments: list[str] = []

    @event("CommentAdded")
    def add_comment(self, text: str, rating: int) -> None:
        self.comments.append(text)


def new_signer(owner: str | None = None) -> Signer:
    return Signer(owner or f"u:{uuid.uuid4()}", Ed25519PrivateKey.generate())


@dataclass
class Store:
    backend: str
    url: str
    settings: Settings
    app: LedgerApplication
    trust_root: dict[str, Any]
    admin: Signer
    log_signer: note.NoteSigner
    tmp: Path
    keys: dict[str, SigningKey] = field(default_factory=dict)
    _integrator: Integrator | None = None
    _triggers_off: bool = False

    # -- writing through the ledger ------------------------------------------------
    new_signer = staticmethod(new_signer)

    @staticmethod
    def new_review(subject: str) -> Review:
        return Review(subject)

    @property
    def integrator(self) -> Integrator:
        if self._integrator is None:
            self._integrator = Integrator(self.app)
        return self._integrator

    def register(self, signer: Signer, role: str = "member", **kw: Any) -> SigningKey:
        key = register_key(signer.private_key, signer.actor, role, **kw)
        with signing_as(self.admin):
            self.app.save(key)
        self.keys[signer.actor] = key
        return key

    def revoke(self, signer: Signer, reason: str = "compromised") -> None:
        key = self.keys[signer.actor]
        key.revoke(reason)
        with signing_as(self.admin):
            self.app.save(key)

    def open_review(
        self, signer: Signer, subject: str, comments: Sequence[str]
    ) -> Review:
        review = Review(subject)
        for i, text in enumerate(comments):
            review.add_comment(text, i + 1)
        with signing_as(signer):
            self.app.save(review)
        return review

    def comment(self, signer: Signer, review: Review, text: str) -> None:
        review.add_comment(text, 3)
        with signing_as(signer):
            self.app.save(review)

    def integrate(self) -> None:
        self.integrator.catch_up()

    def checkpoint(self) -> bytes:
        """Integrate and sign a checkpoint; return its note (as an auditor keeps it)."""
        return self.integrator.issue_checkpoint([self.log_signer]).note

    # -- reading and the adversary ---------------------------------------------------
    @property
    def events(self) -> str:
        if self.backend == "postgres":
            return f'"{self.settings.pg_schema}".ledger_events'
        return "stored_events"

    @property
    def nid(self) -> str:
        return "notification_id" if self.backend == "postgres" else "rowid"

    def table(self, name: str) -> str:
        if self.backend == "postgres":
            return f'"{self.settings.pg_schema}".{name}'
        return name

    def sql(self, statement: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run one statement on a separate connection and commit it."""
        if self.backend == "postgres":
            with psycopg.connect(PG_SERVER, autocommit=True) as conn:
                cur = conn.execute(statement.replace("?", "%s"), tuple(params))
                return list(cur.fetchall()) if cur.description else []
        lite = sqlite3.connect(str(self.settings.sqlite_path))
        try:
            with lite:
                return list(lite.execute(statement, tuple(params)).fetchall())
        finally:
            lite.close()

    def tamper(
        self, statement: str, params: Sequence[Any] = ()
    ) -> list[tuple[Any, ...]]:
        """The DBA adversary: triggers off (PostgreSQL) or dropped (SQLite),
        then plain SQL."""
        if self.backend == "postgres" and not self._triggers_off:
            for name in APPEND_ONLY:
                self.sql(f"ALTER TABLE {self.table(name)} DISABLE TRIGGER USER")
            self._triggers_off = True
        elif self.backend == "sqlite":
            self.sql("DROP TRIGGER IF EXISTS stored_events_next_version")
        return self.sql(statement, params)

    def rows(self) -> list[tuple[int, uuid.UUID, int, str, bytes]]:
        """Every event as (notification id, stream, version, topic, state)."""
        out = []
        for nid, oid, ver, topic, state in self.sql(
            f"SELECT {self.nid}, originator_id, originator_version, topic, state "
            f"FROM {self.events} ORDER BY {self.nid}"
        ):
            stream = oid if isinstance(oid, uuid.UUID) else uuid.UUID(oid)
            out.append((nid, stream, ver, topic, bytes(state)))
        return out

    def row(self, stream: uuid.UUID, version: int) -> tuple[int, bytes]:
        for nid, s, v, _topic, state in self.rows():
            if s == stream and v == version:
                return nid, state
        raise LookupError((stream, version))

    def stream_id(self, stream: uuid.UUID) -> str:
        """The originator_id column value as the backend stores it."""
        return str(stream) if self.backend == "postgres" else stream.hex

    def set_state(self, nid: int, state: bytes) -> None:
        self.tamper(
            f"UPDATE {self.events} SET state = ? WHERE {self.nid} = ?", (state, nid)
        )

    def insert_event(
        self, stream: uuid.UUID, version: int, topic: str, state: bytes
    ) -> int:
        """Force an event in by raw SQL; return its notification id."""
        self.tamper(
            f"INSERT INTO {self.events} "
            "(originator_id, originator_version, topic, state) VALUES (?, ?, ?, ?)",
            (self.stream_id(stream), version, topic, state),
        )
        return self.row(stream, version)[0]

    def forge(
        self,
        signer: Signer,
        stream: uuid.UUID,
        version: int,
        topic: str,
        body: dict[str, Any],
        *,
        ts: datetime | None = None,
        key: Ed25519PrivateKey | None = None,
        log: str = ORIGIN,
    ) -> bytes:
        """A correctly formed envelope signed with ``key`` (default: the signer's)."""
        private = key or signer.private_key
        key_id = envelope.key_id_for(public_key_raw(private))
        prev = None
        if version > 1:
            prev = envelope.event_hash(self.row(stream, version - 1)[1])
        content = envelope.build_content(
            log=log,
            stream=stream,
            ver=version,
            topic=topic,
            ts=ts or datetime.now(UTC),
            actor=signer.actor,
            key_id=key_id,
            prev=prev,
            body_jsonable=canonical.to_jsonable(body),
        )
        signature = private.sign(envelope.signed_message(content))
        return envelope.Envelope(key_id, signature, content).pack()

    # -- verifying ---------------------------------------------------------------------
    def verify(self, **kwargs: Any) -> verify.Report:
        kwargs.setdefault("jobs", 1)
        return verify.verify(self.url, self.trust_root, **kwargs)

    def trust_root_file(self) -> Path:
        path = self.tmp / "trust-root.json"
        path.write_text(json.dumps(self.trust_root), encoding="utf-8")
        return path

    def reopen(self) -> None:
        """A fresh application and integrator on the same database (as a new
        process would start), e.g. after the adversary rewrote the tables."""
        self.app.close()
        self.app = LedgerApplication(self.settings, self.trust_root)
        self._integrator = None
        self.keys = {}

    def close(self) -> None:
        self.app.close()


@dataclass
class World:
    """A small history: two members, two review files, one key event each."""

    alice: Signer
    bob: Signer
    r1: Review
    r2: Review


def populate(store: Store) -> World:
    alice, bob = new_signer(), new_signer()
    store.register(alice)
    store.register(bob)
    r1 = store.open_review(
        alice, "Nguyễn Văn An", ["Hoàn thành tốt nhiệm vụ", "Ý kiến thứ hai", "Đồng ý"]
    )
    r2 = store.open_review(bob, "Trần Thị Bình", ["Cần cố gắng hơn"])
    store.comment(alice, r1, "Bổ sung: đạt chỉ tiêu")
    store.integrate()
    return World(alice, bob, r1, r2)


def _postgres_url() -> str:
    try:
        with psycopg.connect(PG_SERVER, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.OperationalError as exc:
        reason = (
            f"PostgreSQL at 127.0.0.1:5432 (db test, user postgres) unreachable: {exc}"
        )
        if os.environ.get("CI"):
            pytest.fail(f"{reason} (CI is set: the store tests must run on PostgreSQL)")
        pytest.skip(reason)
    return f"{PG_SERVER}?schema=t_{uuid.uuid4().hex[:12]}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """An initialised, empty-but-for-genesis store on each backend."""
    if request.param == "postgres":
        url = _postgres_url()
    else:
        url = f"sqlite:///{tmp_path / 'kiemdiem.db'}"
    settings = settings_from_environ({}, url)
    admin = new_signer()
    log_key = Ed25519PrivateKey.generate()
    admin_raw = public_key_raw(admin.private_key)
    trust_root = make_trust_root(
        ORIGIN,
        [log_key.public_key()],
        [TrustedAdminKey(admin.actor, envelope.key_id_for(admin_raw).hex(), admin_raw)],
    )
    app = LedgerApplication(settings, trust_root)
    store = Store(
        backend=request.param,
        url=url,
        settings=settings,
        app=app,
        trust_root=trust_root,
        admin=admin,
        log_signer=note.NoteSigner(ORIGIN, log_key),
        tmp=tmp_path,
    )
    try:
        app.create_tables()
        # Genesis, as `kiemdiem init` writes it: the trust-root admin key, self-signed.
        store.register(admin, role="admin")
        yield store
    finally:
        store.close()
        if request.param == "postgres":
            with psycopg.connect(PG_SERVER, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA IF EXISTS "{settings.pg_schema}" CASCADE')


@pytest.fixture
def world(backend: Store) -> World:
    """``backend`` with :func:`populate`'s history, integrated."""
    return populate(backend)
