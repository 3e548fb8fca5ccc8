"""The inspection committee's workspace (issue 5): history with signature status,
state as of any moment, proof bundles, checkpoint cosigning and consistency, the
full verification as a background job, and the record of every read of a file.

``AuditService(kiemdiem)`` is created once per process as ``kiemdiem.audit``.
Everything here is generic over streams: a subject is any aggregate id (member,
organisation, vote, cycle, rating round…); its *file* is its own stream plus every
event elsewhere whose signed content names it, so aggregates added later show up
without a change here.

Decisions (documented in the workspace's help text and the final report):

* **Reads are recorded** as ``FileAccessed`` events signed by the reader, in one
  ``FileAccessLog`` stream per subject, reader and day, written synchronously
  (one small signed append, a few milliseconds). When the reader's key is not
  unlocked in this process, or the write fails, the read is kept in
  ``audit_access_pending`` (not evidence) and signed at that reader's next read
  with an unlocked key, with its original moment and ``late = true``. A page view
  never fails or waits because of this.
* **Held checkpoints**: each cosigned or uploaded checkpoint is also kept in
  ``audit_held_checkpoints`` with the log size seen at that moment, so a rollback is
  noticed even when the cosignature event itself is what was deleted. Every
  inconsistency found is kept in ``audit_incidents`` with both notes as evidence.
  The external anchor remains the copy each member downloads.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, is_dataclass
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import Notification

from domain.accounts import UserAccount
from domain.audit import FileAccessLog, access_log_id, require_in_scope
from domain.errors import DomainError
from domain.organisations import Organisation
from ledger import bundle as ledger_bundle
from ledger import canonical, cosign, history, keywrap, merkle, note, trustroot
from ledger import verify as ledger_verify
from ledger.errors import ConfigurationError, LedgerError
from ledger.history import Entry as LedgerEntry
from ledger.history import Row as LedgerRow
from ledger.keyring import key_stream_id
from ledger.keys import SigningKey
from ledger.signing import Signer
from services import audit_commands as ac
from services.context import AppContext
from services.errors import NotFoundError

log = logging.getLogger(__name__)

LABEL_ATTRIBUTES = ("full_name", "title", "name", "username", "code", "key_id")
ORG_ATTRIBUTES = (
    "org_id",
    "cell_id",
    "organisation_id",
    "authority_org_id",
    "venue_id",
)
# Attributes naming the aggregate a subject belongs to (for its scope).
PARENT_ATTRIBUTES = ("cycle_id", "round_id", "review_id", "vote_id", "subject_id")
MAX_SCOPE_DEPTH = 3
# Body fields that say why: shown as the rule explanation in the history.
EXPLANATION_FIELDS = (
    "explanation",
    "decision_no",
    "decided_on",
    "rulebook_id",
    "rulebook",
    "rules",
    "rule",
    "basis",
    "justification",
    "reason",
    "band",
)
MAX_JOBS_KEPT = 20
MAX_FLATTEN_DEPTH = 4

_TABLES = {
    "audit_held_checkpoints": (
        "size BIGINT NOT NULL, root TEXT NOT NULL, note TEXT NOT NULL, "
        "holder TEXT NOT NULL, seen_log_size BIGINT NOT NULL, held_at TEXT NOT NULL, "
        "PRIMARY KEY (size, holder)"
    ),
    "audit_incidents": (
        "kind TEXT NOT NULL, detail TEXT NOT NULL, evidence TEXT NOT NULL, "
        "detected_at TEXT NOT NULL, PRIMARY KEY (kind, detail)"
    ),
    "audit_access_pending": (
        "actor TEXT NOT NULL, subject_id TEXT NOT NULL, view TEXT NOT NULL, "
        "seen_at TEXT NOT NULL, PRIMARY KEY (actor, subject_id, view, seen_at)"
    ),
}


# -- results ------------------------------------------------------------------------


@dataclass(frozen=True)
class Subject:
    subject_id: UUID
    kind: str
    label: str
    org_id: UUID | None
    version: int


@dataclass(frozen=True)
class HistoryItem:
    entry: LedgerEntry
    actor_name: str
    own: bool  # an event of the subject's own stream (a version of it)
    explanation: list[tuple[str, str]]  # why: rule, rulebook, basis… (may be empty)

    @property
    def kind(self) -> str:
        return self.entry.event_name


@dataclass(frozen=True)
class History:
    subject: Subject
    items: list[HistoryItem]
    actors: list[tuple[str, str]]  # (actor, name) for the filter
    kinds: list[str]
    versions: list[int]
    failures: int


@dataclass(frozen=True)
class StateAt:
    """One aggregate as it stood: ``version`` 0 means it did not exist yet."""

    subject_id: UUID
    kind: str
    label: str
    version: int
    state: dict[str, str]


@dataclass(frozen=True)
class AsOf:
    subject: Subject
    moment: datetime
    position: int  # the last notification id with ts ≤ moment (0: none)
    main: StateAt
    related: list[StateAt]  # organisations: everything in the subtree then
    failures: list[LedgerEntry]  # the subject's own rows up to then that fail


@dataclass(frozen=True)
class Change:
    field: str
    before: str | None
    after: str | None


@dataclass(frozen=True)
class HeldCheckpoint:
    size: int
    root: str
    note: str
    holder: str
    seen_log_size: int
    held_at: str


@dataclass(frozen=True)
class Incident:
    kind: str  # rollback | fork | cosignature_missing
    detail: str
    evidence: str
    detected_at: str


@dataclass(frozen=True)
class CheckpointStatus:
    latest: Any  # ledger.integrator.StoredCheckpoint | None
    log_size: int
    held: list[HeldCheckpoint]
    incidents: list[Incident]  # every one ever found, newest first
    new_incidents: list[Incident]  # found by this look
    alerts: list[Any]
    cosigner_name: str | None
    names: dict[str, str]  # actor -> full name, for the holders


@dataclass(frozen=True)
class Comparison:
    size: int
    root: str
    outcome: str  # consistent | ahead | rollback | fork
    detail: str
    proof: list[str]


@dataclass
class VerificationJob:
    job_id: str
    requested_by: str
    started_at: str
    done: int = 0
    total: int = 0
    finished: bool = False
    report: dict[str, Any] | None = None
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "job_id": self.job_id,
            "started_at": self.started_at,
            "done": self.done,
            "total": self.total,
            "finished": self.finished,
            "report": self.report,
            "error": self.error,
        }


# -- the service ----------------------------------------------------------------------


class AuditService:
    def __init__(self, app: AppContext) -> None:
        self.app = app
        self.sql = app.ledger.sql
        self._jobs: dict[str, VerificationJob] = {}
        self._jobs_lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._create_tables()

    def _create_tables(self) -> None:
        with self.sql.tx(commit=True) as cur:
            for name, columns in _TABLES.items():
                cur.execute(
                    f"CREATE TABLE IF NOT EXISTS {self.sql.table(name)} ({columns})"
                )

    def close(self) -> None:
        for thread in self._threads:
            thread.join(timeout=60)

    # -- subjects and scope ----------
    def subject(self, subject_id: UUID) -> Subject:
        try:
            aggregate = self._load(subject_id)
        except DomainError as exc:
            if exc.code != "audit.state_unreadable":
                raise
            # The stored rows fail their checks: identify the subject from an
            # unverified replay, so its history can still show where it breaks.
            aggregate = self._load_unverified(subject_id)
        return Subject(
            subject_id=subject_id,
            kind=type(aggregate).__name__,
            label=_label(aggregate),
            org_id=self._org_of(aggregate),
            version=aggregate.version,
        )

    def _load(self, subject_id: UUID, version: int | None = None) -> Aggregate:
        try:
            aggregate: Aggregate = self.app.ledger.repository.get(
                subject_id, version=version
            )
        except AggregateNotFoundError:
            raise NotFoundError("audit.subject_not_found", id=str(subject_id)) from None
        except (LedgerError, ValueError, TypeError) as exc:
            # A stream whose stored rows no longer decode: the history still shows
            # them with their failed checks; its state cannot be rebuilt.
            raise DomainError("audit.state_unreadable", id=str(subject_id)) from exc
        return aggregate

    def _load_unverified(self, subject_id: UUID) -> Aggregate:
        aggregate: Any = None
        for row in history.stream_rows(self.sql, subject_id):
            try:
                event = self.app.ledger.decode(
                    Notification(
                        id=row.notification_id,
                        originator_id=row.stream,
                        originator_version=row.version,
                        topic=row.topic,
                        state=row.state,
                    )
                )
                aggregate = event.event.mutate(aggregate)
            except Exception as exc:
                log.warning("unreadable row %s: %s", row.notification_id, exc)
        if not isinstance(aggregate, Aggregate):
            raise DomainError("audit.state_unreadable", id=str(subject_id))
        return aggregate

    def _org_of(self, aggregate: Aggregate, depth: int = 0) -> UUID | None:
        """The organisation a subject belongs to, found generically: its own
        organisation attribute, else through the aggregate it belongs to (a
        review's cycle, an access log's subject, a key's owner), else the first
        organisation named by an event that names it (a vote's facts)."""
        if isinstance(aggregate, Organisation):
            return aggregate.id
        for name in ORG_ATTRIBUTES:
            value = _uuid_value(getattr(aggregate, name, None))
            if value is not None:
                return value
        if depth < MAX_SCOPE_DEPTH:
            for parent in _parent_ids(aggregate):
                try:
                    found = self._org_of(self._load(parent), depth + 1)
                except DomainError:
                    continue
                if found is not None:
                    return found
        for row in history.rows_mentioning(self.sql, aggregate.id):
            if row.stream == aggregate.id:
                continue
            found = _org_in_body(row.state)
            if found is not None:
                return found
        return None

    def scope_of(self, org_id: UUID | None) -> list[UUID]:
        """The organisation and its ancestors; the top level for no organisation."""
        rows = {r.org_id: r for r in self.app.organisations()}
        if org_id is None or org_id not in rows:
            return [r.org_id for r in rows.values() if r.parent_id is None]
        chain: list[UUID] = []
        current: UUID | None = org_id
        while current is not None and current in rows and current not in chain:
            chain.append(current)
            current = rows[current].parent_id
        return chain

    def authorise_read(self, actor: str, subject: Subject) -> UserAccount:
        account = self.app.uow.authorise(actor, "audit.read")
        require_in_scope(
            account.org_id, self.scope_of(subject.org_id), subject=subject.subject_id
        )
        return account

    def readable_subject(self, actor: str, subject_id: UUID) -> Subject:
        subject = self.subject(subject_id)
        self.authorise_read(actor, subject)
        return subject

    def in_scope_organisations(self, actor: str) -> list[Any]:
        """The organisation rows an inspector may open, in tree order."""
        account = self.app.uow.authorise(actor, "audit.read")
        rows = self.app.organisations()
        return [r for r in rows if account.org_id in self.scope_of(r.org_id)]

    # -- history ----------
    def history(
        self,
        actor: str,
        subject_id: UUID,
        *,
        by: str | None = None,
        kind: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> History:
        subject = self.readable_subject(actor, subject_id)
        rows = history.rows_mentioning(self.sql, subject_id)
        entries = history.check(rows, self.app.ledger.key_registry(), self._origin)
        names = self._actor_names()
        items = [
            HistoryItem(
                entry=e,
                actor_name=names.get(e.actor, _actor_fallback(e.actor)),
                own=e.row.stream == subject_id,
                explanation=_explanation(e.body),
            )
            for e in entries
        ]
        actors = sorted({(i.entry.actor, i.actor_name) for i in items if i.entry.actor})
        kinds = sorted({i.kind for i in items})
        versions = [i.entry.row.version for i in items if i.own]
        failures = sum(1 for i in items if not i.entry.ok)
        shown = [i for i in items if _matches(i, by, kind, since, until)]
        return History(subject, shown, actors, kinds, versions, failures)

    def _actor_names(self) -> dict[str, str]:
        return {f"u:{a.account_id}": a.full_name for a in self.app.accounts()}

    @property
    def _origin(self) -> str:
        return str(self.app.trust_root["origin"])

    # -- as of a moment ----------
    def state_at(self, actor: str, subject_id: UUID, moment: datetime) -> StateAt:
        """The subject's own aggregate as it stood at ``moment``, rebuilt from its
        stored events up to the last one with ``ts`` ≤ ``moment``."""
        subject = self.readable_subject(actor, subject_id)
        return self._state_at(subject, _utc(moment))

    def _state_at(self, subject: Subject, moment: datetime) -> StateAt:
        version = 0
        for row in history.stream_rows(self.sql, subject.subject_id):
            if _row_time(row) <= moment:
                version = max(version, row.version)
        if version == 0:
            return StateAt(subject.subject_id, subject.kind, subject.label, 0, {})
        aggregate = self._load(subject.subject_id, version)
        return _state_of(aggregate)

    def as_of(self, actor: str, subject_id: UUID, moment: datetime) -> AsOf:
        """The subject's state at ``moment``; for an organisation, also everything
        that belonged to it or below at that moment (members, votes, ratings…),
        replayed from every event up to the last one with ``ts`` ≤ ``moment``."""
        subject = self.readable_subject(actor, subject_id)
        moment = _utc(moment)
        position, aggregates = self.replay_until(moment)
        main = aggregates.get(subject_id)
        related: list[StateAt] = []
        if subject.kind == Organisation.__name__ and main is not None:
            related = _subtree(aggregates, subject_id)
        own = [
            r
            for r in history.stream_rows(self.sql, subject_id)
            if r.notification_id <= position
        ]
        checked = history.check(own, self.app.ledger.key_registry(), self._origin)
        return AsOf(
            subject=subject,
            moment=moment,
            position=position,
            failures=[e for e in checked if not e.ok],
            main=_state_of(main)
            if main is not None
            else StateAt(subject_id, subject.kind, subject.label, 0, {}),
            related=related,
        )

    def replay_until(self, moment: datetime) -> tuple[int, dict[UUID, Aggregate]]:
        """Every aggregate rebuilt from the events up to the last notification whose
        ``ts`` ≤ ``moment`` (today's views are never read)."""
        moment = _utc(moment)
        decoded = []
        position = 0
        after = 0
        recorder = self.app.ledger.recorder
        while True:
            page = recorder.select_notifications(
                start=after, limit=1000, inclusive_of_start=False
            )
            if not page:
                break
            for notification in page:
                event = self.app.ledger.decode(notification)
                decoded.append(event)
                if event.timestamp <= moment:
                    position = notification.id
            after = page[-1].id
        aggregates: dict[UUID, Aggregate] = {}
        for event in decoded:
            if event.notification_id > position:
                break
            try:
                aggregates[event.stream] = event.event.mutate(
                    aggregates.get(event.stream)
                )
            except Exception:
                log.warning(
                    "as-of replay skipped notification %s", event.notification_id
                )
        return position, aggregates

    def diff(
        self, actor: str, subject_id: UUID, before: int, after: int
    ) -> list[Change]:
        """What changed in the subject's own state between two versions."""
        subject = self.readable_subject(actor, subject_id)
        if not (1 <= before <= subject.version and 1 <= after <= subject.version):
            raise DomainError("audit.version_unknown", last=subject.version)
        old = _state_of(self._load(subject_id, before)).state
        new = _state_of(self._load(subject_id, after)).state
        return [
            Change(name, old.get(name), new.get(name))
            for name in sorted(set(old) | set(new))
            if old.get(name) != new.get(name)
        ]

    # -- proofs ----------
    def proof_bundle(self, actor: str | None, subject_id: UUID) -> dict[str, Any]:
        """The subject's whole file with inclusion proofs (``ledger.bundle``).

        ``actor`` None is the operator's CLI (``kiemdiem proof``), which reads the
        store directly and needs no account.
        """
        subject = (
            self.subject(subject_id)
            if actor is None
            else self.readable_subject(actor, subject_id)
        )
        rows = history.rows_mentioning(self.sql, subject_id)
        return self._bundle(subject.subject_id, rows, [subject.subject_id])

    def event_proof(self, actor: str, notification_id: int) -> dict[str, Any]:
        """One event with its inclusion proof (and the key events judging it)."""
        rows = self._rows_at(notification_id)
        if not rows:
            raise NotFoundError("audit.event_not_found", id=notification_id)
        row = rows[0]
        subject = self._event_subject(row)
        self.authorise_read(actor, subject)
        return self._bundle(row.stream, [row], [])

    def event_subject(self, actor: str, notification_id: int) -> Subject:
        rows = self._rows_at(notification_id)
        if not rows:
            raise NotFoundError("audit.event_not_found", id=notification_id)
        subject = self._event_subject(rows[0])
        self.authorise_read(actor, subject)
        return subject

    def _event_subject(self, row: LedgerRow) -> Subject:
        try:
            return self.subject(row.stream)
        except DomainError:
            # a row that no longer decodes: judged by the top-level scope
            return Subject(row.stream, "?", str(row.stream), None, row.version)

    def _rows_at(self, notification_id: int) -> list[LedgerRow]:
        return [
            r
            for r in history.rows_up_to(self.sql, notification_id)[-1:]
            if r.notification_id == notification_id
        ]

    def _bundle(
        self, subject_id: UUID, rows: Sequence[LedgerRow], streams: Sequence[UUID]
    ) -> dict[str, Any]:
        checkpoint = self._checkpoint_covering(max(r.notification_id for r in rows))
        leaves = self._leaves(checkpoint.size)
        index_of = {nid: i for i, (nid, _) in enumerate(leaves)}
        hashes = [h for _, h in leaves]
        covered = [r for r in rows if r.notification_id in index_of]
        events = [
            ledger_bundle.entry_for(
                hashes, index_of[r.notification_id], r.notification_id, r.state
            )
            for r in covered
        ]
        keys = [
            ledger_bundle.entry_for(
                hashes, index_of[r.notification_id], r.notification_id, r.state
            )
            for r in self._key_rows(covered)
            if r.notification_id in index_of
            and r.notification_id not in {c.notification_id for c in covered}
        ]
        return ledger_bundle.build_bundle(
            origin=self._origin,
            subject=subject_id,
            created_at=datetime.now(UTC).isoformat(),
            checkpoint_note=checkpoint.note,
            size=checkpoint.size,
            root=checkpoint.root,
            streams=streams,
            events=events,
            keys=keys,
        )

    def _checkpoint_covering(self, notification_id: int) -> Any:
        """The latest checkpoint, issued anew in the embedded mode when it does not
        cover ``notification_id`` yet (the worker issues them otherwise)."""
        integrator = self.app.integrator
        if self.app.settings.projections_mode == "inline":
            integrator.catch_up()
        latest = integrator.latest_checkpoint()
        index = integrator.leaf_index(notification_id)
        if latest is None or index is None or index >= latest.size:
            if self.app.settings.projections_mode != "inline":
                if latest is None:
                    raise DomainError("audit.no_checkpoint")
                return latest
            try:
                latest = self.app.issue_checkpoint()
            except (ConfigurationError, LedgerError, OSError) as exc:
                log.warning("no checkpoint for a proof: %s", exc)
                if latest is None:
                    raise DomainError("audit.no_checkpoint") from exc
        return latest

    def _leaves(self, size: int) -> list[tuple[int, bytes]]:
        table = self.sql.table("ledger_leaves")
        with self.sql.tx() as cur:
            found = cur.execute(
                f"SELECT notification_id, leaf_hash FROM {table} "  # noqa: S608
                "WHERE idx < ? ORDER BY idx",
                (size,),
            ).fetchall()
        return [(int(r[0]), bytes(r[1])) for r in found]

    def _key_rows(self, rows: Sequence[LedgerRow]) -> list[LedgerRow]:
        """Key events of every key that signed ``rows``, and of the keys that
        registered those keys, down to the trust-root admin keys."""
        trusted = {k["key_id"] for k in self.app.trust_root["admin_keys"]}
        wanted = {_key_id_of(r.state) for r in rows} - {None}
        done: set[str] = set()
        found: dict[int, LedgerRow] = {}

        while wanted:
            key_id = wanted.pop()
            if key_id is None or key_id in done:
                continue
            done.add(key_id)
            for row in history.stream_rows(self.sql, key_stream_id(key_id)):
                found[row.notification_id] = row
                signer = _key_id_of(row.state)
                if signer is not None and signer not in done and signer not in trusted:
                    wanted.add(signer)
        return [found[n] for n in sorted(found)]

    # -- reads of a file ----------
    def record_access(
        self, signer: Signer | None, actor: str, subject_id: UUID, view: str
    ) -> bool:
        """Record that ``actor`` read ``subject_id``'s file; True when signed now.

        Never raises: an unsigned read is kept pending (see the module doc).
        """
        if not actor.startswith("u:"):
            return False
        seen_at = datetime.now(UTC)
        if signer is None or signer.actor != actor:
            self._keep_pending(actor, subject_id, view, seen_at)
            return False
        pending = self._pending(actor)
        reads = [(s, v, t, True) for s, v, t in pending]
        reads.append((subject_id, view, seen_at, False))
        try:
            self.app.handle(
                ac.RecordFileAccess(actor, subject_id, view, tuple(reads)), signer
            )
        except Exception as exc:  # a page never fails on its own read record
            log.warning("read of %s kept pending: %s", subject_id, exc)
            self._keep_pending(actor, subject_id, view, seen_at)
            return False
        self._clear_pending(actor, pending)
        return True

    def _keep_pending(
        self, actor: str, subject_id: UUID, view: str, seen_at: datetime
    ) -> None:
        table = self.sql.table("audit_access_pending")
        try:
            with self.sql.tx(commit=True) as cur:
                cur.execute(
                    f"INSERT INTO {table} (actor, subject_id, view, seen_at) "  # noqa: S608
                    "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    (actor, str(subject_id), view, seen_at.isoformat()),
                )
        except Exception:
            log.exception("could not keep a pending read of %s", subject_id)

    def _pending(self, actor: str) -> list[tuple[UUID, str, datetime]]:
        table = self.sql.table("audit_access_pending")
        with self.sql.tx() as cur:
            found = cur.execute(
                f"SELECT subject_id, view, seen_at FROM {table} "  # noqa: S608
                "WHERE actor = ? ORDER BY seen_at",
                (actor,),
            ).fetchall()
        return [
            (UUID(r[0]), str(r[1]), datetime.fromisoformat(str(r[2]))) for r in found
        ]

    def _clear_pending(
        self, actor: str, pending: Iterable[tuple[UUID, str, datetime]]
    ) -> None:
        table = self.sql.table("audit_access_pending")
        with self.sql.tx(commit=True) as cur:
            for subject_id, view, seen_at in pending:
                cur.execute(
                    f"DELETE FROM {table} WHERE actor = ? AND subject_id = ? "  # noqa: S608
                    "AND view = ? AND seen_at = ?",
                    (actor, str(subject_id), view, seen_at.isoformat()),
                )

    def pending_reads(self, subject_id: UUID) -> list[tuple[str, str, str]]:
        """Reads not yet signed: (actor, view, seen_at)."""
        table = self.sql.table("audit_access_pending")
        with self.sql.tx() as cur:
            found = cur.execute(
                f"SELECT actor, view, seen_at FROM {table} "  # noqa: S608
                "WHERE subject_id = ? ORDER BY seen_at",
                (str(subject_id),),
            ).fetchall()
        return [(str(r[0]), str(r[1]), str(r[2])) for r in found]

    # -- what the audit command handlers use ----------
    def access_log(self, subject_id: UUID, reader: str, day: date) -> FileAccessLog:
        """The reader's log of reads of ``subject_id`` on ``day`` (new if none)."""
        try:
            found: Aggregate = self.app.ledger.repository.get(
                access_log_id(subject_id, reader, day)
            )
        except AggregateNotFoundError:
            return FileAccessLog.start(subject_id=subject_id, reader=reader, day=day)
        if not isinstance(found, FileAccessLog):
            raise DomainError("audit.subject_not_found", id=str(subject_id))
        return found

    @property
    def origin(self) -> str:
        """The log's origin line (the trust root's)."""
        return self._origin

    def hold_cosigned(self, size: int, line: str, holder: str) -> None:
        """Keep the stored checkpoint of ``size`` with ``holder``'s cosignature."""
        stored = self.app.integrator.checkpoint(size)
        if stored is None:
            raise DomainError("audit.checkpoint_not_found", size=size)
        cosigned = stored.note + (line + "\n").encode("utf-8")
        self._hold(stored.size, stored.root, cosigned, holder, self._log_size())

    def cosigner_name(self, actor: str) -> str | None:
        registry = self.app.ledger.key_registry()
        for record in registry.valid_keys_of(actor):
            if record.cosigner_name:
                return record.cosigner_name
        return None

    def export_key(self, username: str, password: str) -> dict[str, Any]:
        """The account's wrapped key as a file for ``kiemdiem cosign`` (the
        password is checked first; the key stays wrapped under it)."""
        user_id = self.app.vault.check_password(username.strip().lower(), password)
        if user_id is None:
            raise DomainError("auth.invalid_credentials")
        table = self.sql.table("ledger_key_vault")
        with self.sql.tx() as cur:
            row = cur.execute(
                f"SELECT key_id, wrapped FROM {table} WHERE user_id = ?",  # noqa: S608
                (user_id,),
            ).fetchone()
        if row is None:
            raise DomainError("audit.no_key")
        key_id, wrapped = str(row[0]), json.loads(str(row[1]))
        try:
            keywrap.unwrap_seed(wrapped, password, user_id, key_id)
        except keywrap.KeyUnwrapError:
            raise DomainError("auth.invalid_credentials") from None
        registered = self.app.ledger.key_registry().get(key_id)
        return cosign.export_key(
            origin=self._origin,
            user_id=user_id,
            key_id=key_id,
            cosigner_name=registered.cosigner_name if registered else None,
            wrapped=wrapped,
        )

    # -- checkpoints ----------
    def latest_checkpoint(self, actor: str) -> Any:
        self.app.uow.authorise(actor, "audit.read")
        if self.app.settings.projections_mode == "inline":
            self.app.integrator.catch_up()
        return self.app.integrator.latest_checkpoint()

    def issue_checkpoint(self, actor: str) -> Any:
        """The committee's "Tạo checkpoint" (ledger.md §6.3: on demand)."""
        self.app.uow.authorise(actor, "ledger.checkpoint")
        try:
            return self.app.issue_checkpoint()
        except (ConfigurationError, OSError) as exc:
            log.warning("checkpoint not issued: %s", exc)
            raise DomainError("audit.no_log_key") from None

    def cosigned_note(self, actor: str, size: int) -> bytes:
        """The stored checkpoint of ``size`` with every recorded cosignature line."""
        self.app.uow.authorise(actor, "audit.read")
        stored = self.app.integrator.checkpoint(size)
        if stored is None:
            raise NotFoundError("audit.checkpoint_not_found", size=size)
        lines = [
            e.body.get("line", "")
            for e in self._cosignature_entries()
            if e.body.get("size") == size and e.ok
        ]
        text = stored.note + "".join(str(x) for x in lines).encode("utf-8")
        return text

    def _cosignature_entries(self) -> list[LedgerEntry]:
        rows = history.rows_with_topic(self.sql, cosign.COSIGNED_TOPIC)
        return history.check(rows, self.app.ledger.key_registry(), self._origin)

    def _log_size(self) -> int:
        size, _ = history.log_roots(self.sql, [])
        return size

    def _hold(
        self, size: int, root: bytes, note_bytes: bytes, holder: str, seen: int
    ) -> None:
        table = self.sql.table("audit_held_checkpoints")
        with self.sql.tx(commit=True) as cur:
            cur.execute(
                f"INSERT INTO {table} (size, root, note, holder, seen_log_size, "  # noqa: S608
                "held_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (
                    size,
                    _b64(root),
                    note_bytes.decode("utf-8"),
                    holder,
                    seen,
                    datetime.now(UTC).isoformat(),
                ),
            )

    def held_checkpoints(self) -> list[HeldCheckpoint]:
        """Checkpoints the committee holds: kept at cosigning or upload, and every
        cosignature still in the log."""
        table = self.sql.table("audit_held_checkpoints")
        with self.sql.tx() as cur:
            found = cur.execute(
                f"SELECT size, root, note, holder, seen_log_size, held_at "  # noqa: S608
                f"FROM {table} ORDER BY size, holder"
            ).fetchall()
        held = [
            HeldCheckpoint(
                int(r[0]), str(r[1]), str(r[2]), str(r[3]), int(r[4]), str(r[5])
            )
            for r in found
        ]
        return held

    def _held_notes(self) -> list[tuple[str, bytes]]:
        return [
            (f"held {h.size} ({h.holder})", h.note.encode("utf-8"))
            for h in self.held_checkpoints()
        ]

    def checkpoint_status(self, actor: str) -> CheckpointStatus:
        """The latest checkpoint against everything the committee holds: any
        rollback or fork is recorded as an incident, with its evidence."""
        account = self.app.uow.authorise(actor, "audit.read")
        latest = self.latest_checkpoint(actor)
        held = self.held_checkpoints()
        log_size, roots = history.log_roots(self.sql, [h.size for h in held])
        found: list[Incident] = []
        now = datetime.now(UTC).isoformat()
        for h in held:
            found.extend(self._compare_held(h, log_size, roots, latest, now))
        present = {
            (e.body.get("size"), e.body.get("cosigner_name"))
            for e in self._cosignature_entries()
        }
        for h in held:
            if h.holder.startswith("u:") and h.seen_log_size > 0:
                name = self._holder_cosigner(h.holder)
                if name is not None and (h.size, name) not in present:
                    found.append(
                        Incident(
                            "cosignature_missing",
                            f"the cosignature of the checkpoint of size {h.size} by "
                            f"{name} is no longer in the log",
                            h.note,
                            now,
                        )
                    )
        new = self._record_incidents(found)
        return CheckpointStatus(
            latest=latest,
            log_size=log_size,
            held=held,
            incidents=self.incidents(),
            new_incidents=new,
            alerts=self.app.integrator.alerts(),
            cosigner_name=self.cosigner_name(account.actor),
            names=self._actor_names(),
        )

    def _holder_cosigner(self, holder: str) -> str | None:
        return cosign.cosigner_name_for(self._origin, holder[2:])

    def _compare_held(
        self,
        h: HeldCheckpoint,
        log_size: int,
        roots: Mapping[int, bytes],
        latest: Any,
        now: str,
    ) -> list[Incident]:
        out: list[Incident] = []
        observed = latest.note.decode("utf-8") if latest is not None else ""
        evidence = f"{h.note}\n---\n{observed}"
        if log_size < h.size:
            out.append(
                Incident(
                    "rollback",
                    f"the log has {log_size} events, fewer than the {h.size} of a "
                    f"checkpoint held by the committee (log_shorter_than_checkpoint)",
                    evidence,
                    now,
                )
            )
        elif _b64(roots[h.size]) != h.root:
            out.append(
                Incident(
                    "fork",
                    f"the events give another root at size {h.size} than the "
                    f"checkpoint held by the committee: history was rewritten",
                    evidence,
                    now,
                )
            )
        if log_size < h.seen_log_size:
            out.append(
                Incident(
                    "rollback",
                    f"the log has {log_size} events; it had {h.seen_log_size} when "
                    f"the checkpoint of size {h.size} was cosigned",
                    evidence,
                    now,
                )
            )
        if latest is not None:
            if latest.size == h.size and _b64(latest.root) != h.root:
                out.append(
                    Incident(
                        "fork",
                        f"two signed checkpoints of size {h.size} with different "
                        "roots (equivocation)",
                        evidence,
                        now,
                    )
                )
            elif latest.size < h.size:
                out.append(
                    Incident(
                        "rollback",
                        f"the latest stored checkpoint has size {latest.size}, "
                        f"below the {h.size} the committee holds",
                        evidence,
                        now,
                    )
                )
        return out

    def compare_checkpoint(self, actor: str, note_bytes: bytes) -> Comparison:
        """Check a checkpoint the member holds against the log as it is now."""
        self.app.uow.authorise(actor, "audit.read")
        try:
            opened = note.open_note(
                note_bytes, trustroot.log_verifiers(self.app.trust_root)
            )
            held = note.parse_checkpoint(opened.text)
        except note.NoteError as exc:
            raise DomainError("audit.checkpoint_invalid", reason=str(exc)) from None
        if held.origin != self._origin:
            raise DomainError("audit.checkpoint_invalid", reason="another log")
        latest = self.latest_checkpoint(actor)
        log_size, roots = history.log_roots(self.sql, [held.size])
        root = _b64(held.root)
        now = datetime.now(UTC).isoformat()
        evidence = note_bytes.decode("utf-8") + "\n---\n"
        evidence += latest.note.decode("utf-8") if latest is not None else ""
        if log_size < held.size:
            outcome, detail = (
                "rollback",
                f"the log has {log_size} events, fewer than the {held.size} of "
                "your checkpoint",
            )
        elif _b64(roots[held.size]) != root:
            outcome, detail = (
                "fork",
                f"the events give another root at size {held.size}",
            )
        elif latest is None or latest.size < held.size:
            outcome, detail = ("ahead", "no newer checkpoint has been issued yet")
        else:
            proof: list[bytes] = []
            try:
                if latest.size > held.size and held.size > 0:
                    proof = self.app.integrator.consistency_proof(
                        held.size, latest.size
                    )
                if held.size > 0:
                    merkle.verify_consistency(
                        held.size, latest.size, held.root, latest.root, proof
                    )
            except (merkle.ProofError, LedgerError) as exc:
                outcome, detail = ("fork", f"no consistency proof: {exc}")
            else:
                outcome, detail = (
                    "consistent",
                    f"the checkpoint of size {latest.size} extends yours",
                )
                self._hold(held.size, held.root, note_bytes, "uploaded", 0)
                return Comparison(
                    held.size, root, outcome, detail, [_b64(p) for p in proof]
                )
        if outcome in ("rollback", "fork"):
            self._record_incidents([Incident(outcome, detail, evidence, now)])
        self._hold(held.size, held.root, note_bytes, "uploaded", 0)
        return Comparison(held.size, root, outcome, detail, [])

    def _record_incidents(self, found: Sequence[Incident]) -> list[Incident]:
        table = self.sql.table("audit_incidents")
        known = {(i.kind, i.detail) for i in self.incidents()}
        new = [i for i in found if (i.kind, i.detail) not in known]
        if new:
            with self.sql.tx(commit=True) as cur:
                for i in new:
                    cur.execute(
                        f"INSERT INTO {table} (kind, detail, evidence, detected_at) "  # noqa: S608
                        "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                        (i.kind, i.detail, i.evidence, i.detected_at),
                    )
            for i in new:
                log.error("checkpoint incident %s: %s", i.kind, i.detail)
        return new

    def incidents(self) -> list[Incident]:
        table = self.sql.table("audit_incidents")
        with self.sql.tx() as cur:
            found = cur.execute(
                f"SELECT kind, detail, evidence, detected_at FROM {table} "  # noqa: S608
                "ORDER BY detected_at DESC, kind"
            ).fetchall()
        return [Incident(str(r[0]), str(r[1]), str(r[2]), str(r[3])) for r in found]

    # -- verification jobs ----------
    def start_verification(self, actor: str) -> str:
        """Run ``ledger.verify.verify`` on this store in a background thread, with
        the checkpoints the committee holds as auditor checkpoints."""
        self.app.uow.authorise(actor, "audit.verify")
        job = VerificationJob(
            job_id=uuid.uuid4().hex,
            requested_by=actor,
            started_at=datetime.now(UTC).isoformat(),
        )
        with self._jobs_lock:
            self._jobs[job.job_id] = job
            while len(self._jobs) > MAX_JOBS_KEPT:
                oldest = next(iter(self._jobs))
                if not self._jobs[oldest].finished:
                    break
                del self._jobs[oldest]
        thread = threading.Thread(
            target=self._run_job,
            args=(job,),
            name=f"verify-{job.job_id[:8]}",
            daemon=True,
        )
        self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()
        return job.job_id

    def _run_job(self, job: VerificationJob) -> None:
        def progress(done: int, total: int) -> None:
            job.done, job.total = done, total

        try:
            report = ledger_verify.verify(
                self.app.settings.database_url,
                self.app.trust_root,
                checkpoints=self._held_notes(),
                jobs=1,
                progress=progress,
            )
            job.report = report.to_json()
            job.done = job.total = int(report.counts.get("events", job.total))
        except Exception as exc:
            log.exception("verification job %s failed", job.job_id)
            job.error = str(exc)
        finally:
            job.finished = True

    def job(self, actor: str, job_id: str) -> VerificationJob:
        self.app.uow.authorise(actor, "audit.verify")
        with self._jobs_lock:
            found = self._jobs.get(job_id)
        if found is None:
            raise NotFoundError("audit.job_not_found", id=job_id)
        return found

    def wait(self, job_id: str, timeout: float = 60.0) -> VerificationJob:
        """Block until the job ends (tests and the CLI)."""
        for thread in list(self._threads):
            if thread.name == f"verify-{job_id[:8]}":
                thread.join(timeout)
        return self._jobs[job_id]


# -- helpers -------------------------------------------------------------------------


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise DomainError("audit.naive_time")
    return moment.astimezone(UTC)


def _row_time(row: LedgerRow) -> datetime:
    from ledger import envelope

    try:
        content = envelope.parse_content_unchecked(
            envelope.unpack(row.state).content, row.stream
        )
        return canonical.parse_timestamp(content.ts)
    except (ValueError, TypeError):
        return datetime.max.replace(tzinfo=UTC)


def _key_id_of(state: bytes) -> str | None:
    from ledger import envelope

    try:
        return envelope.unpack(state).key_id.hex()
    except envelope.MalformedEnvelopeError:
        return None


def _parent_ids(aggregate: Aggregate) -> list[UUID]:
    found = [_uuid_value(getattr(aggregate, name, None)) for name in PARENT_ATTRIBUTES]
    owner = getattr(aggregate, "owner", None)
    if isinstance(aggregate, SigningKey) and isinstance(owner, str):
        found.append(_uuid_value(owner.removeprefix("u:")))
    return [f for f in found if f is not None and f != aggregate.id]


def _org_in_body(state: bytes) -> UUID | None:
    from ledger import envelope

    try:
        body = envelope.parse_content(envelope.unpack(state).content).body
    except (ValueError, TypeError):
        return None
    for name in ORG_ATTRIBUTES:
        value = _uuid_value(body.get(name))
        if value is not None:
            return value
    return None


def _uuid_value(value: Any) -> UUID | None:
    if isinstance(value, UUID):
        return value
    if isinstance(value, dict):
        value = value.get("_data_")
    if isinstance(value, str):
        try:
            return UUID(value)
        except ValueError:
            return None
    return None


def _label(aggregate: Aggregate) -> str:
    for name in LABEL_ATTRIBUTES:
        value = getattr(aggregate, name, None)
        if isinstance(value, str) and value:
            return value
    return type(aggregate).__name__


def _actor_fallback(actor: str) -> str:
    if actor.startswith("u:"):
        return actor
    return f"{actor} (không phải cá nhân)"


def _explanation(body: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(field, text) pairs of the body fields that say why, in a fixed order."""
    return [
        (name, _plain(body[name]))
        for name in EXPLANATION_FIELDS
        if body.get(name) not in (None, "", [], {})
    ]


def _matches(
    item: HistoryItem,
    by: str | None,
    kind: str | None,
    since: datetime | None,
    until: datetime | None,
) -> bool:
    if by and item.entry.actor != by:
        return False
    if kind and item.kind != kind:
        return False
    if since is not None or until is not None:
        try:
            at = canonical.parse_timestamp(item.entry.ts)
        except ValueError:
            return True  # an unreadable row is always shown
        if since is not None and at < _utc(since):
            return False
        if until is not None and at > _utc(until):
            return False
    return True


def _plain(value: Any) -> str:
    """A stable text rendering of any state or body value."""
    if isinstance(value, dict) and set(value) == {"_type_", "_data_"}:
        return _plain(value["_data_"])
    if isinstance(value, bool | int | str):
        return str(value)
    if value is None:
        return "—"
    if isinstance(value, UUID | date | datetime):
        return value.isoformat() if not isinstance(value, UUID) else str(value)
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, list | tuple | frozenset | set):
        items = sorted(value, key=str) if isinstance(value, frozenset | set) else value
        return "[" + ", ".join(_plain(v) for v in items) + "]"
    if isinstance(value, dict):
        return (
            "{" + ", ".join(f"{k}: {_plain(v)}" for k, v in sorted(value.items())) + "}"
        )
    if hasattr(value, "value") and isinstance(value.value, str):  # enums
        return str(value.value)
    return str(value)


def _flatten(prefix: str, value: Any, out: dict[str, str], depth: int) -> None:
    """Nested mappings as dotted fields (``entries.<subject>.decision.level``), so
    a diff of a review or a rating round names the field that changed. A frozen
    dataclass of the state (a round's entry) reads as the mapping of its fields."""
    if is_dataclass(value) and not isinstance(value, type):
        value = {f.name: getattr(value, f.name) for f in fields(value)}
    if isinstance(value, dict) and value and depth < MAX_FLATTEN_DEPTH:
        for key in sorted(value, key=str):
            _flatten(f"{prefix}.{key}", value[key], out, depth + 1)
        return
    out[prefix] = _plain(value)


def _state_of(aggregate: Aggregate) -> StateAt:
    state: dict[str, str] = {}
    for name, value in sorted(vars(aggregate).items()):
        if not name.startswith("_"):
            _flatten(name, value, state, 0)
    return StateAt(
        aggregate.id,
        type(aggregate).__name__,
        _label(aggregate),
        aggregate.version,
        state,
    )


def _subtree(aggregates: Mapping[UUID, Aggregate], root: UUID) -> list[StateAt]:
    """Everything under ``root`` in the replayed world: organisations by their
    parent, the rest by the organisation they name."""
    orgs = {k: a for k, a in aggregates.items() if isinstance(a, Organisation)}
    inside = {root}
    grew = True
    while grew:
        grew = False
        for org_id, org in orgs.items():
            if org_id not in inside and getattr(org, "parent_id", None) in inside:
                inside.add(org_id)
                grew = True
    related: list[StateAt] = []
    for aggregate_id, aggregate in aggregates.items():
        if aggregate_id == root:
            continue
        if aggregate_id in inside:
            related.append(_state_of(aggregate))
            continue
        for name in ORG_ATTRIBUTES:
            if _uuid_value(getattr(aggregate, name, None)) in inside:
                related.append(_state_of(aggregate))
                break
    related.sort(key=lambda s: (s.kind, s.label, str(s.subject_id)))
    return related
