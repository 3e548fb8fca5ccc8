"""The signed event store: the library's Application with our mapper installed
(ledger.md §3.4, §4.3, §10)."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from copy import deepcopy
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.application import (
    Application,
    ProjectorFunction,
    Repository,
    project_aggregate,
)
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import (
    Notification,
    Recording,
    StoredEvent,
    Transcoder,
)

from ledger import envelope
from ledger.config import FORBIDDEN_SETTINGS, Settings
from ledger.errors import ConfigurationError, KeyNotValidError
from ledger.keyring import (
    KEY_TOPICS,
    KeyRegistry,
    KeyValidityError,
    ingest_key_event,
    registry_from_trust_root,
)
from ledger.mapper import LedgerEvent, SigningMapper
from ledger.recorders import KeyRows, LedgerPostgresRecorder, LedgerSQLiteRecorder
from ledger.schema import create_tables
from ledger.signing import Signer, require_scope, signing_as
from ledger.sql import Sql

# SQLite serialises writers anyway; one lock per database file makes the key
# check, signing and insert atomic within the single writer process (§4.3).
_WRITE_LOCKS: dict[str, threading.RLock] = {}
# The last save's notifications are kept for the read that follows it (the
# integrator's, inline) when no bigger than this.
WRITTEN_KEPT_BYTES = 1 << 20
_WRITE_LOCKS_GUARD = threading.Lock()


def _write_lock(name: str) -> threading.RLock:
    with _WRITE_LOCKS_GUARD:
        return _WRITE_LOCKS.setdefault(name, threading.RLock())


class _Reads:
    """One command's reads (:meth:`LedgerApplication.reads_at_tip`): the log's
    tip, read once at the first aggregate loaded."""

    tip: int | None = None


_reads: ContextVar[_Reads | None] = ContextVar("kiemdiem_reads", default=None)


class TipRepository(Repository[UUID]):
    """The library's repository, whose cached aggregates are fast-forwarded only
    when the log has moved (within :meth:`LedgerApplication.reads_at_tip`).

    A cached aggregate is otherwise fast-forwarded on every load: one query each
    (a command's account, its organisation and each ancestor up the tree, the
    aggregate it changes, loaded twice when it is also checked). Here a
    command's first load reads the log's tip (``MAX(notification_id)``) once;
    an aggregate fast-forwarded since the log last moved is taken from the
    cache as it is, since no event of it can be missing (a PostgreSQL insert
    holds the table's EXCLUSIVE lock, so no smaller id commits later; SQLite
    has one writer). When the tip has moved the set of such aggregates is
    emptied; after this process's own save, when its events directly follow
    the tip it knew, only the aggregates saved leave the set. Everything else
    (a load outside a command, a version asked for, no cache) is the library's.
    """

    def __init__(self, *args: Any, tip: Callable[[], int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._tip = tip
        self._fresh_lock = threading.Lock()
        self._fresh: set[UUID] = set()
        self._fresh_at = -1  # every event up to here is in the set's aggregates
        self._generation = 0  # bumped whenever an aggregate leaves the set

    def get(
        self,
        aggregate_id: UUID,
        *,
        version: int | None = None,
        projector_func: ProjectorFunction[Any, Any] = project_aggregate,
        fastforward_skipping: bool = False,
        deepcopy_from_cache: bool = True,
    ) -> Any:
        reads = _reads.get()
        if (
            reads is None
            or version is not None
            or not self.cache
            or not self.fastforward
        ):
            return super().get(
                aggregate_id,
                version=version,
                projector_func=projector_func,
                fastforward_skipping=fastforward_skipping,
                deepcopy_from_cache=deepcopy_from_cache,
            )
        if reads.tip is None:
            reads.tip = self._tip()
            self.moved_to(reads.tip)
        with self._fresh_lock:
            fresh = aggregate_id in self._fresh
            generation = self._generation
        if fresh:
            try:
                aggregate = self.cache.get(aggregate_id)
            except KeyError:
                pass  # evicted meanwhile: loaded as the library does
            else:
                copy = deepcopy_from_cache and self.deepcopy_from_cache
                return deepcopy(aggregate) if copy else aggregate
        aggregate = super().get(
            aggregate_id,
            projector_func=projector_func,
            fastforward_skipping=fastforward_skipping,
            deepcopy_from_cache=deepcopy_from_cache,
        )
        with self._fresh_lock:
            # Only if nothing left the set since before the fast-forward's query.
            if self._generation == generation:
                self._fresh.add(aggregate_id)
        return aggregate

    def moved_to(self, tip: int) -> None:
        """The log's tip is ``tip``: past the set's position, the set empties."""
        with self._fresh_lock:
            if tip > self._fresh_at:
                self._fresh.clear()
                self._generation += 1
                self._fresh_at = tip

    def saved(self, recordings: Sequence[Recording[UUID]]) -> None:
        """This process stored ``recordings``: their aggregates leave the set,
        which stays good past them when they directly follow its position."""
        if not recordings:
            return
        ids = [r.notification.id for r in recordings]
        with self._fresh_lock:
            self._generation += 1
            if ids[0] == self._fresh_at + 1 and ids == list(range(ids[0], ids[-1] + 1)):
                self._fresh.difference_update(
                    r.notification.originator_id for r in recordings
                )
                self._fresh_at = ids[-1]
            else:
                self._fresh.clear()


class LedgerApplication(Application[UUID]):
    """The one event store of a deployment. Every event is signed and chained."""

    name = "Ledger"
    snapshotting_intervals: ClassVar[dict[Any, int]] = {}

    def __init__(self, settings: Settings, trust_root: Mapping[str, Any]) -> None:
        self.settings = settings
        self.trust_root = dict(trust_root)
        self.origin: str = self.trust_root["origin"]
        self._registry = registry_from_trust_root(self.trust_root)
        self._registry_position = 0
        self._registry_lock = threading.Lock()
        self._catch_up_lock = threading.Lock()  # never taken by a writer
        self._written: tuple[Notification, ...] = ()  # the last save's (_saved)
        lock_name = settings.sqlite_path or settings.database_url
        self._write_lock = _write_lock(lock_name)
        super().__init__(env=settings.library_env)
        for key in FORBIDDEN_SETTINGS:
            if self.env.get(key):
                msg = f"{key} đang được đặt; thiết lập này bỏ qua việc ký sự kiện"
                raise ConfigurationError(msg)
        if self.snapshots is not None:
            raise ConfigurationError(
                "ảnh chụp trạng thái (snapshot) sẽ bị ký như sự kiện: đã tắt"
            )
        self.sql = Sql(settings, self.recorder.datastore)  # type: ignore[attr-defined]
        if not isinstance(self.recorder, LedgerSQLiteRecorder | LedgerPostgresRecorder):
            raise ConfigurationError("không được đổi APPLICATION_RECORDER_TOPIC")
        self.recorder.tip_guard = self._guard_tip
        if settings.backend == "sqlite":
            outwait_the_file_lock(self.recorder.datastore.pool)
            create_tables(self.sql)

    # -- construction ---------------------------------------------------------
    def construct_mapper(self) -> SigningMapper:
        return SigningMapper(
            self.construct_transcoder(),
            origin=self.origin,
            registry=self.key_registry,
            registry_now=lambda: self._registry,
            recorder=lambda: self.recorder,
        )

    def construct_repository(self) -> Repository[UUID]:
        library = super().construct_repository()
        return TipRepository(
            event_store=library.event_store,
            snapshot_store=library.snapshot_store,
            cache_maxsize=self._cache_maxsize(),
            fastforward=library.fastforward,
            fastforward_skipping=library.fastforward_skipping,
            deepcopy_from_cache=library.deepcopy_from_cache,
            tip=lambda: self.recorder.max_notification_id() or 0,
        )

    def _cache_maxsize(self) -> int | None:
        raw = self.env.get(self.AGGREGATE_CACHE_MAXSIZE)
        return int(raw) if raw else None

    @contextmanager
    def reads_at_tip(self, tip: int | None = None) -> Iterator[None]:
        """A command's loads in this block: a cached aggregate is fast-forwarded
        only if the log has moved since it last was (:class:`TipRepository`).

        ``tip``: the log's tip as the caller has just read it (the session
        check reads it with the session's row, in one statement), so the block
        reads it no more; None: read at the block's first load."""
        reads = _Reads()
        if tip is not None:
            reads.tip = tip
            repository = self.repository
            if isinstance(repository, TipRepository):
                repository.moved_to(tip)
        token = _reads.set(reads)
        try:
            yield
        finally:
            _reads.reset(token)

    def construct_transcoder(self) -> Transcoder:
        # The mapper encodes bodies canonically itself; the library's transcoder
        # is constructed for interface compatibility only.
        return super().construct_transcoder()

    def create_tables(self) -> None:
        """Create every ledger table (PostgreSQL: run once by ``kiemdiem init``)."""
        if self.settings.backend == "postgres":
            with self.sql.tx(commit=True) as cur:
                cur.execute(f'CREATE SCHEMA IF NOT EXISTS "{self.settings.pg_schema}"')
            self.recorder.create_table()  # type: ignore[attr-defined]
        create_tables(self.sql)

    @property
    def mapper_(self) -> SigningMapper:
        if not isinstance(self.mapper, SigningMapper):
            raise ConfigurationError("chưa cài bộ ký sự kiện (signing mapper)")
        return self.mapper

    # -- writing ---------------------------------------------------------------
    def save(self, *objs: Any, **kwargs: Any) -> list[Recording[UUID]]:
        """Save all aggregates of one command in one transaction, signed.

        Under the write lock the signer's key is checked once against the registry
        caught up to the tip, then every event is signed and the batch inserted;
        our own key events are then fed to the registry so that, with a single
        writer, the next save needs only a ``MAX(id)`` look-up to be current.
        """
        scope = require_scope()
        with self._write_lock:
            self.mapper_.check_signer_key(scope.signer, catch_up=False)
            scope.key_checked = True
            try:
                recordings = super().save(*objs, **kwargs)
            finally:
                scope.key_checked = False
            self._advance_registry(recordings)
            self._saved(recordings)
            return recordings

    def save_batch(
        self, parts: Sequence[tuple[Signer, Sequence[DomainEventProtocol[UUID]]]]
    ) -> list[Recording[UUID]]:
        """Save the events of many commands in one transaction, each command's
        events signed by that command's own signer (``services.command_batch``).

        The same guarantees as :meth:`save`, command by command: every signer's key
        is checked against the registry, and again at the tip inside the insert
        transaction; every event is chained to the one before it in its stream,
        also when that one is earlier in the same batch; a conflict on any stream
        stores nothing at all.
        """
        if not parts:
            return []
        signers = list({s.actor + s.key_id.hex(): s for s, _ in parts}.values())
        with self._write_lock:
            for signer in signers:
                self.mapper_.check_signer_key(signer, catch_up=False)
            heads: dict[tuple[UUID, int], bytes] = {}
            events: list[DomainEventProtocol[UUID]] = []
            stored: list[StoredEvent] = []
            for signer, part in parts:
                with signing_as(signer) as scope:
                    scope.heads = heads  # a stream's head may be earlier in the batch
                    scope.key_checked = True
                    stored.extend(self.mapper_.to_stored_event(e) for e in part)
                events.extend(part)
            with signing_as(signers[0]) as scope:
                scope.co_signers = tuple(signers[1:])
                ids = self.recorder.insert_events(stored) or []
            recordings = [
                Recording(
                    d,
                    Notification(
                        originator_id=s.originator_id,
                        originator_version=s.originator_version,
                        topic=s.topic,
                        state=s.state,
                        id=n_id,
                    ),
                )
                for d, s, n_id in zip(events, stored, ids, strict=True)
            ]
            self._advance_registry(recordings)
            self._saved(recordings)
            return recordings

    def _saved(self, recordings: Sequence[Recording[UUID]]) -> None:
        """After a save: the loads' bookkeeping (:class:`TipRepository`) and the
        notifications kept for the next read after them (the integrator's)."""
        if isinstance(self.repository, TipRepository):
            self.repository.saved(recordings)
        written = tuple(r.notification for r in recordings)
        ids = [n.id for n in written]
        small = sum(len(n.state) for n in written) <= WRITTEN_KEPT_BYTES
        contiguous = bool(ids) and ids == list(range(ids[0], ids[-1] + 1))
        self._written = written if small and contiguous else ()

    def _guard_tip(self, tip: int, key_rows: KeyRows) -> None:
        """Inside the insert transaction: bring the registry to the tip with the
        key events others appended meanwhile, then re-check the signer's key.

        The check and the insert are one transaction (on PostgreSQL, under the
        library's EXCLUSIVE lock), so a key revoked by another process a moment
        ago can never sign; a refusal rolls the whole command back.
        """
        with self._registry_lock:
            if tip > self._registry_position:
                for nid, stream, version, topic, state in key_rows(
                    self._registry_position, tip
                ):
                    self._ingest_key_notification(
                        Notification(
                            id=nid,
                            originator_id=stream,
                            originator_version=version,
                            topic=topic,
                            state=state,
                        )
                    )
                self._registry_position = tip
            scope = require_scope()
            for signer in (scope.signer, *scope.co_signers):
                try:
                    self._registry.check(signer.key_id.hex(), signer.actor, 2**62)
                except KeyValidityError as exc:
                    raise KeyNotValidError(exc.detail) from exc

    def _advance_registry(self, recordings: Sequence[Recording[UUID]]) -> None:
        if not recordings:
            return
        ids = [r.notification.id for r in recordings]
        with self._registry_lock:
            if self._registry_position != ids[0] - 1 or ids != list(
                range(ids[0], ids[-1] + 1)
            ):
                return  # someone else wrote in between: the next catch-up reads it
            for recording in recordings:
                if recording.notification.topic in KEY_TOPICS:
                    self._ingest_key_notification(recording.notification)
            self._registry_position = ids[-1]

    @contextmanager
    def advisory_lock(self, name: str) -> Iterator[bool]:
        """Yield True while this process holds the named lock for the block.

        PostgreSQL: ``pg_try_advisory_lock`` on a dedicated connection, so only
        one worker integrates. The lock is the store's (its schema's): advisory
        locks are database-wide, and a store in another schema of the same
        database (one instance per province, the tests' parallel stores) must
        not keep this one's integrator idle. SQLite has a single writer
        process: always True.
        """
        if self.settings.backend != "postgres":
            yield True
            return
        scoped = f"{self.settings.pg_schema}/{name}"
        key = int.from_bytes(hashlib.sha256(scoped.encode()).digest()[:8], "big") >> 1
        datastore = self.recorder.datastore  # type: ignore[attr-defined]
        with datastore.get_connection() as conn:
            row = conn.execute(
                "SELECT pg_try_advisory_lock(%s) AS ok", (key,)
            ).fetchone()
            held = bool(row["ok"])
            try:
                yield held
            finally:
                if held:
                    conn.execute("SELECT pg_advisory_unlock(%s)", (key,))

    # -- key registry ------------------------------------------------------------
    def key_registry(self, tip: int | None = None) -> KeyRegistry:
        """The registry caught up to the tip, replaying only checked key events.

        ``tip``: the log's tip as the caller has just read it (at least that far:
        a key event at or below it is in the registry); None: read here.

        One thread at a time reads the database for it (``_catch_up_lock``, as
        before), but the registry's own lock is held only to ingest what was read:
        a writer holds its connection while its insert guard (:meth:`_guard_tip`)
        waits for that lock, and on SQLite the pool lends connections in turn, so
        a thread asking for a connection under it could wait behind a thread
        that waits for that writer: each waited for the other until the pool's
        timeout (15 s, then a 503). No writer takes ``_catch_up_lock``.
        """
        with self._catch_up_lock:
            if tip is None:
                tip = self.recorder.max_notification_id() or 0
            while True:
                with self._registry_lock:
                    position = self._registry_position
                    if position >= tip:
                        return self._registry
                page = self.recorder.select_notifications(
                    start=position,
                    limit=500,
                    stop=tip,
                    topics=KEY_TOPICS,
                    inclusive_of_start=False,
                )
                with self._registry_lock:
                    if self._registry_position != position:
                        continue  # a writer's guard moved it meanwhile: from there
                    for notification in page:
                        self._ingest_key_notification(notification)
                    if len(page) < 500:
                        self._registry_position = tip
                    else:
                        self._registry_position = page[-1].id

    def key_registry_past(self, position: int) -> KeyRegistry:
        """A registry holding every key event up to ``position``: as it stands
        when it has read the log that far (no statement: the session check
        brought it to the request's tip), else caught up to the tip."""
        with self._registry_lock:
            if self._registry_position >= position:
                return self._registry
        return self.key_registry()

    def _ingest_key_notification(self, notification: Notification) -> None:
        try:
            env = envelope.unpack(notification.state)
            content = envelope.parse_content(env.content)
            if (
                content.stream != notification.originator_id
                or content.ver != notification.originator_version
                or content.topic != notification.topic
                or content.log != self.origin
            ):
                return
            ingest_key_event(
                self._registry,
                position=notification.id,
                topic=content.topic,
                actor=content.actor,
                key_id_hex=env.key_id.hex(),
                signature=env.signature,
                message=envelope.signed_message(env.content),
                body=content.body,
            )
        except (KeyValidityError, ValueError):
            # Not trusted here; the integrator raises the alert and verify reports it.
            return

    # -- reading -----------------------------------------------------------------
    def decode(self, notification: Notification) -> LedgerEvent:
        return self.mapper_.decode_unverified(notification)

    def read_notifications(
        self, after: int, limit: int, topics: Sequence[str] = ()
    ) -> Sequence[Notification]:
        """The notifications after ``after``, at most ``limit``. Right after this
        process's own save, from ``after`` its events' first id less one (the
        integrator's read after a command), its own events as saved: exactly
        what the table held up to them when they committed (ids are unique; no
        smaller id commits later, see :class:`TipRepository`). A reader reads
        on after them, from the table."""
        written = self._written
        if not topics and written and written[0].id == after + 1:
            return written[:limit]
        return self.recorder.select_notifications(
            start=after, limit=limit, topics=topics, inclusive_of_start=False
        )

    def max_notification_id(self) -> int:
        return self.recorder.max_notification_id() or 0


def outwait_the_file_lock(pool: Any) -> None:
    """A thread waiting for the process's one SQLite writer waits longer than
    the writer itself may wait for the file's lock (``SQLITE_LOCK_TIMEOUT``,
    held by another process such as the command line): otherwise a request
    queued behind a writer that is still within its own wait gives up first
    and answers 503 ``store.busy`` under an ordinary burst of writes. The
    library's default pool timeout (5 s) is shorter than our lock timeout."""
    lock = float(getattr(pool, "lock_timeout", 0) or 0)
    pool.pool_timeout = max(float(pool.pool_timeout), lock + 5.0)
