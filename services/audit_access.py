"""The record of every read of a member's file (issue 5).

**Reads are recorded** as ``FileAccessed`` events signed by the reader, in one
``FileAccessLog`` stream per subject, reader and day, written synchronously (one
small signed append, a few milliseconds): every read has its own event, written
before the page is answered. When the reader's key is not unlocked in this
process, or the write fails, the read is kept in ``audit_access_pending`` (not
evidence) and signed at that reader's next read with an unlocked key, with its
original moment and ``late = true``. A page view never fails because of this.

**Concurrent reads by one reader are written together** (group commit): the
reads of one reader (and key) in this process are written one batch at a time.
A read that arrives while a batch is being written waits for it (at most
:data:`WAIT_SECONDS`), then the first of the waiting reads writes every read
queued meanwhile in one signed transaction, one ``FileAccessed`` event each,
and the others find theirs written. Reads of one reader's log stream never race
each other in a process (no optimistic-concurrency retries), and a burst of
views costs one append, not one each. A read that waited out the bound is kept
pending, as above.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate

from domain.audit import FileAccessLog, access_log_id
from domain.errors import DomainError
from ledger.signing import Signer
from services import audit_commands as ac
from services.context import AppContext

log = logging.getLogger(__name__)

PENDING_TABLE = "audit_access_pending"
PENDING_COLUMNS = (
    "actor TEXT NOT NULL, subject_id TEXT NOT NULL, view TEXT NOT NULL, "
    "seen_at TEXT NOT NULL, PRIMARY KEY (actor, subject_id, view, seen_at)"
)


WAIT_SECONDS = 10.0  # how long a read waits for its reader's batch before the next


@dataclass(eq=False)
class _Read:
    subject_id: UUID
    view: str
    seen_at: datetime
    done: threading.Event = field(default_factory=threading.Event)
    signed: bool = False


@dataclass(eq=False)
class _Batches:
    """One reader's (and key's) reads waiting to be written, and the lock held
    while a batch of them is written."""

    writing: threading.Lock = field(default_factory=threading.Lock)
    queued: list[_Read] = field(default_factory=list)


class FileReads:
    """Signs each read of a file, or keeps it pending until it can be signed."""

    def __init__(self, app: AppContext) -> None:
        self.app = app
        self.sql = app.ledger.sql
        self._guard = threading.Lock()
        self._batches: dict[tuple[str, bytes], _Batches] = {}
        with self.sql.tx(commit=True) as cur:
            cur.execute(
                f"CREATE TABLE IF NOT EXISTS {self.sql.table(PENDING_TABLE)} "
                f"({PENDING_COLUMNS})"
            )

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
        read = _Read(subject_id, view, seen_at)
        with self._guard:
            batches = self._batches.setdefault((actor, signer.key_id), _Batches())
            batches.queued.append(read)
        if not batches.writing.acquire(timeout=WAIT_SECONDS):
            with self._guard:
                waiting = read in batches.queued
                if waiting:
                    batches.queued.remove(read)
            if waiting:
                self._keep_pending(actor, subject_id, view, seen_at)
                return False
            read.done.wait(WAIT_SECONDS)  # taken by the batch being written
            return read.signed
        try:
            if read.done.is_set():  # written by the batch before
                return read.signed
            with self._guard:
                batch, batches.queued[:] = list(batches.queued), []
            signed = False
            try:
                signed = self._write(signer, actor, batch)
            finally:
                for each in batch:
                    each.signed = signed
                    each.done.set()
            return signed
        finally:
            batches.writing.release()

    def _write(self, signer: Signer, actor: str, batch: list[_Read]) -> bool:
        """Sign ``batch`` (this reader's reads) and the reader's pending reads in
        one transaction; on failure keep every read of the batch pending."""
        first = batch[0]
        try:
            pending = self._pending(actor)
            reads = [(s, v, t, True) for s, v, t in pending]
            reads += [(r.subject_id, r.view, r.seen_at, False) for r in batch]
            self.app.handle(
                ac.RecordFileAccess(actor, first.subject_id, first.view, tuple(reads)),
                signer,
            )
        except Exception as exc:  # a page never fails on its own read record
            log.warning("%s read(s) kept pending: %s", len(batch), exc)
            for r in batch:
                self._keep_pending(actor, r.subject_id, r.view, r.seen_at)
            return False
        if not pending:  # the common case: no write transaction for nothing
            return True
        try:
            self._clear_pending(actor, pending)
        except Exception:  # signed now; left rows are signed again, late, next time
            log.exception("could not clear the pending reads of %s", actor)
        return True

    def _keep_pending(
        self, actor: str, subject_id: UUID, view: str, seen_at: datetime
    ) -> None:
        table = self.sql.table(PENDING_TABLE)
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
        table = self.sql.table(PENDING_TABLE)
        with self.sql.read() as cur:
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
        table = self.sql.table(PENDING_TABLE)
        with self.sql.tx(commit=True) as cur:
            for subject_id, view, seen_at in pending:
                cur.execute(
                    f"DELETE FROM {table} WHERE actor = ? AND subject_id = ? "  # noqa: S608
                    "AND view = ? AND seen_at = ?",
                    (actor, str(subject_id), view, seen_at.isoformat()),
                )

    def pending_reads(self, subject_id: UUID) -> list[tuple[str, str, str]]:
        """Reads not yet signed: (actor, view, seen_at)."""
        table = self.sql.table(PENDING_TABLE)
        with self.sql.read() as cur:
            found = cur.execute(
                f"SELECT actor, view, seen_at FROM {table} "  # noqa: S608
                "WHERE subject_id = ? ORDER BY seen_at",
                (str(subject_id),),
            ).fetchall()
        return [(str(r[0]), str(r[1]), str(r[2])) for r in found]

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
