"""The projections runtime: read models kept up to date from the ledger (ledger.md §9).

This module has no domain knowledge. A read model declares its tables and its
handlers; the runtime pulls notifications from the ledger and applies them page by
page, committing the view rows and the tracking position in one transaction
(exactly-once). It also rebuilds views from scratch and computes the digests that
prove a rebuild gives the same views as the incremental build.

Declaring a read model::

    class ReviewList(ReadModel):
        name = "review_list"
        version = 1
        tables = {"reviews": "id TEXT PRIMARY KEY, title TEXT NOT NULL, "
                             "comments BIGINT NOT NULL, at BIGINT NOT NULL"}

        @handles(Review.Started)
        def started(self, event: LedgerEvent, tx: Tx) -> None:
            tx.upsert("reviews", ["id"], {"id": event.stream,
                      "title": event.event.title, "comments": 0,
                      "at": event.notification_id})

        @handles(Review.CommentAdded)
        def commented(self, event: LedgerEvent, tx: Tx) -> None:
            tx.execute("UPDATE {reviews} SET comments = comments + 1 WHERE id = ?",
                       (event.stream,))

Reading a view (the web)::

    rows = runtime.query("review_list", "SELECT * FROM {reviews} ORDER BY id")
    with runtime.read("review_list", "members") as cur:   # SQLite: ATTACHed read-only
        cur.execute("SELECT ... FROM {reviews} JOIN {members.people} ...")
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, TypeVar, cast

from eventsourcing.persistence import (
    InfrastructureFactory,
    IntegrityError,
    Notification,
    Tracking,
)
from eventsourcing.postgres import PostgresFactory, PostgresTrackingRecorder
from eventsourcing.sqlite import SQLiteFactory, SQLiteTrackingRecorder
from eventsourcing.utils import Environment, get_topic

from ledger import canonical
from ledger.mapper import LedgerEvent
from projections import presence
from projections.sqlutil import (
    IDENTIFIER,
    MAX_IDENTIFIER,
    Tx,
    ViewCursor,
    ViewDefinitionError,
    as_tuple,
    check_columns,
    column_names,
    dump_value,
    normalise_columns,
    quote,
    render,
    sha256_hex,
    sort_key,
)

if TYPE_CHECKING:
    from ledger.app import LedgerApplication

__all__ = [
    "UPSTREAM",
    "ProjectionRuntime",
    "ReadModel",
    "StaleModel",
    "Tx",
    "ViewCursor",
    "ViewDefinitionError",
    "ViewDigest",
    "handles",
]

logger = logging.getLogger("kiemdiem.projections")

UPSTREAM = "Ledger"  # the tracked application (LedgerApplication.name)
META_TABLE = "kiemdiem_views"
DEFAULT_PAGE = 500
REBUILD_PAGE = 5_000  # notifications per page of a rebuild (one read for all views)
RESERVED_NAMES = frozenset({"overall", "ledger", "tracking", "kiemdiem"})
VIEWS_POOL = "VIEWS"  # prefix of the shared pool's library settings

Handler = Callable[[Any, LedgerEvent, Tx], None]
F = TypeVar("F", bound=Callable[..., Any])
ProgressCallback = Callable[[str, int, int], None]
"""``progress(model_name, position, stop)`` after each committed page."""


# ---------------------------------------------------------------------------
# Read models
# ---------------------------------------------------------------------------
def handles(*event_classes: type[Any]) -> Callable[[F], F]:
    """Register a read-model method as the handler of these domain event classes.

    The method is called as ``handler(self, event: LedgerEvent, tx: Tx)``. The
    runtime selects only the topics of registered classes, so an event class is
    matched exactly (a handler for a base class does not receive subclasses).
    """
    if not event_classes:
        raise ViewDefinitionError("@handles needs at least one event class")

    def mark(function: F) -> F:
        already: tuple[type[Any], ...] = getattr(function, "__kiemdiem_handles__", ())
        function.__kiemdiem_handles__ = already + event_classes  # type: ignore[attr-defined]
        return function

    return mark


class ReadModel:
    """Base class of every read model (ledger.md §9.1).

    Subclasses set ``name`` (stable: it names files and tables), ``version``
    (bump it and the view is rebuilt at the next start), ``tables`` (short table
    name -> column definitions of ``CREATE TABLE``, in the common SQLite and
    PostgreSQL subset, each with a PRIMARY KEY) and optionally ``indexes`` (index
    name -> ``(table, "col, col")``). The stored tables are ``<name>_<table>``.

    Handlers follow §9.1: they depend only on the event and the view's own rows;
    never the clock, randomness, another projection or a float; natural keys or
    notification ids, never autoincrement.
    """

    name: ClassVar[str]
    version: ClassVar[int] = 1
    tables: ClassVar[Mapping[str, str]] = {}
    indexes: ClassVar[Mapping[str, tuple[str, str]]] = {}
    # Stored topic strings of renamed event classes (register_topic aliases).
    legacy_topics: ClassVar[Mapping[str, type[Any]]] = {}
    _handlers: ClassVar[dict[type[Any], Handler]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        handlers: dict[type[Any], Handler] = {}
        for base in reversed(cls.__mro__[1:]):
            handlers.update(getattr(base, "_handlers", {}))
        own: dict[type[Any], Handler] = {}
        for attribute in vars(cls).values():
            for event_class in getattr(attribute, "__kiemdiem_handles__", ()):
                if event_class in own:
                    msg = f"{cls.__qualname__}: two handlers for {event_class}"
                    raise ViewDefinitionError(msg)
                own[event_class] = attribute
        handlers.update(own)
        cls._handlers = handlers

    @classmethod
    def handled_classes(cls) -> frozenset[type[Any]]:
        return frozenset(cls._handlers)

    @property
    def topics(self) -> frozenset[str]:
        """Every stored topic string this model handles."""
        topics = {get_topic(c) for c in self._handlers}
        topics.update(t for t, c in self.legacy_topics.items() if c in self._handlers)
        return frozenset(topics)

    def apply(self, event: LedgerEvent, tx: Tx) -> None:
        """Apply one decoded event; events of unhandled classes are ignored."""
        handler = self._handlers.get(type(event.event))
        if handler is not None:
            handler(self, event, tx)

    # -- declaration checks --------------------------------------------------------
    def check(self) -> None:
        """Raise ViewDefinitionError when the declaration breaks a rule."""
        name = getattr(self, "name", None)
        where = type(self).__qualname__
        if not isinstance(name, str) or not IDENTIFIER.match(name):
            msg = f"{where}.name must be a lowercase identifier, not {name!r}"
            raise ViewDefinitionError(msg)
        if name in RESERVED_NAMES:
            raise ViewDefinitionError(f"{where}.name {name!r} is reserved")
        if not isinstance(self.version, int) or isinstance(self.version, bool):
            raise ViewDefinitionError(f"{where}.version must be an integer")
        if not self.tables:
            raise ViewDefinitionError(f"{where} declares no tables")
        for table, columns in self.tables.items():
            full = f"{name}_{table}"
            if not IDENTIFIER.match(table) or table in ("tracking", "meta"):
                msg = f"{where}: table name {table!r} is not allowed"
                raise ViewDefinitionError(msg)
            if len(full) > MAX_IDENTIFIER or full == META_TABLE:
                raise ViewDefinitionError(f"{where}: table name {full!r} is unusable")
            check_columns(columns, where=f"{where}.tables[{table!r}]")
        for index, (table, _columns) in self.indexes.items():
            if not IDENTIFIER.match(index) or table not in self.tables:
                msg = f"{where}: index {index!r} on unknown table {table!r}"
                raise ViewDefinitionError(msg)
            if len(f"{name}_{index}") > MAX_IDENTIFIER:
                raise ViewDefinitionError(f"{where}: index name {index!r} too long")

    def schema_hash(self) -> str:
        """A hash of the declared tables; a change without a version bump also
        rebuilds, because old rows would not fit the new tables."""
        declared = {
            "tables": dict(self.tables),
            "indexes": {k: list(v) for k, v in self.indexes.items()},
        }
        return sha256_hex(canonical.dumps(declared))


# ---------------------------------------------------------------------------
# View storage: the library's tracking recorders, one per read model
# ---------------------------------------------------------------------------
class View(Protocol):
    """What the runtime needs from a view's storage, on both backends."""

    postgres: bool

    def max_tracking_id(self, application_name: str) -> int | None: ...

    def wait(
        self,
        application_name: str,
        notification_id: int | None,
        timeout: float = 1.0,
        interrupt: threading.Event | None = None,
    ) -> None: ...

    def create_table(self) -> None: ...

    def transaction(self, *, commit: bool) -> AbstractContextManager[Any]: ...

    def serialise(self, cursor: Any, name: str) -> None: ...

    def position(self, cursor: Any) -> int: ...

    def advance(self, cursor: Any, position: int) -> None: ...

    def forget_position(self, cursor: Any) -> None: ...

    def qualify(self, table: str) -> str: ...

    def primary_key(self, cursor: Any, table: str) -> list[str]: ...

    def begin_read(self, cursor: Any) -> None: ...

    def end_read(self, cursor: Any) -> None: ...


class SQLiteView(SQLiteTrackingRecorder):
    """A read model's SQLite file: its tables, the meta table and ``tracking``."""

    postgres = False

    def create_table(self) -> None:
        """The library's ``tracking`` table. Two processes creating a new file at
        once both insert the library's ``__migration__`` row; the loser gets an
        IntegrityError, and a second look finds the table complete."""
        try:
            super().create_table()
        except IntegrityError:
            super().create_table()

    def transaction(self, *, commit: bool) -> AbstractContextManager[Any]:
        return self.datastore.transaction(commit=commit)

    def serialise(self, cursor: Any, name: str) -> None:
        """Take the file's write lock before reading anything.

        The library's ``BEGIN`` is deferred: a transaction that read the position
        and then found another writer had committed meanwhile would fail on its
        first write ("database is locked"), inside a handler. A no-op write first
        waits for the lock (up to SQLITE_LOCK_TIMEOUT) and then reads fresh rows.
        """
        cursor.execute("DELETE FROM tracking WHERE 0")

    def position(self, cursor: Any) -> int:
        return self._max_tracking_id(UPSTREAM, cursor) or 0

    def advance(self, cursor: Any, position: int) -> None:
        self._insert_tracking(cursor, Tracking(UPSTREAM, position))

    def forget_position(self, cursor: Any) -> None:
        cursor.execute("DELETE FROM tracking WHERE application_name = ?", (UPSTREAM,))

    def qualify(self, table: str) -> str:
        return quote(table)

    def primary_key(self, cursor: Any, table: str) -> list[str]:
        cursor.execute(
            "SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk", (table,)
        )
        return [as_tuple(row)[0] for row in cursor.fetchall()]

    def begin_read(self, cursor: Any) -> None:
        # The library's read transaction gives the snapshot; this makes it read-only.
        cursor.execute("PRAGMA query_only = ON")

    def end_read(self, cursor: Any) -> None:
        # The connection goes back to the library's pool, which also writes.
        cursor.execute("PRAGMA query_only = OFF")

    @property
    def db_name(self) -> str:
        return self.datastore.pool.db_name


class PostgresView(PostgresTrackingRecorder):
    """A read model's tables in the ledger's schema, tracked in ``<name>_tracking``."""

    postgres = True

    def create_table(self) -> None:
        """The library's tracking table, created under a session advisory lock:
        the web and the worker start together, and concurrent ``CREATE TABLE IF
        NOT EXISTS`` of one table can fail on PostgreSQL."""
        key = (f"kiemdiem-view-ddl:{self.datastore.schema}",)
        with self.datastore.get_connection() as conn:
            conn.execute("SELECT pg_advisory_lock(hashtextextended(%s, 0))", key)
            try:
                super().create_table()
            finally:
                conn.execute("SELECT pg_advisory_unlock(hashtextextended(%s, 0))", key)

    def transaction(self, *, commit: bool) -> AbstractContextManager[Any]:
        return self.datastore.transaction(commit=commit)

    def serialise(self, cursor: Any, name: str) -> None:
        """Serialise writers of one view across processes (worker instances)."""
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
            (f"kiemdiem-view:{self.datastore.schema}.{name}",),
        )

    def position(self, cursor: Any) -> int:
        return self._max_tracking_id(UPSTREAM, cursor) or 0

    def advance(self, cursor: Any, position: int) -> None:
        self._insert_tracking(cursor, Tracking(UPSTREAM, position))

    def forget_position(self, cursor: Any) -> None:
        cursor.execute(
            f"DELETE FROM {self.qualify(self.tracking_table_name)} "  # noqa: S608 - name from code
            "WHERE application_name = %s",
            (UPSTREAM,),
        )

    def qualify(self, table: str) -> str:
        return f"{quote(self.datastore.schema)}.{quote(table)}"

    def primary_key(self, cursor: Any, table: str) -> list[str]:
        cursor.execute(
            "SELECT a.attname FROM pg_index i JOIN pg_attribute a "
            "ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
            "WHERE i.indrelid = %s::regclass AND i.indisprimary "
            "ORDER BY array_position(i.indkey::int2[], a.attnum)",
            (self.qualify(table),),
        )
        return [as_tuple(row)[0] for row in cursor.fetchall()]

    def begin_read(self, cursor: Any) -> None:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")

    def end_read(self, cursor: Any) -> None:
        """The transaction ends with a rollback; nothing to undo."""


# ---------------------------------------------------------------------------
# Runtime state
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class StaleModel:
    """A view that is behind the log for a known reason (the web shows a banner)."""

    name: str
    # "failed" (a handler error), "rebuilding", "error" (transient), or "ahead"
    # (the view has seen notifications the log no longer has)
    reason: str
    position: int  # its tracked position
    notification_id: int | None  # the event it stopped before, when known
    detail: str


@dataclass(frozen=True)
class ViewDigest:
    name: str
    version: int
    position: int
    rows: int
    sha256: str


@dataclass
class _Model:
    model: ReadModel
    view: View
    factory: InfrastructureFactory[Any] | None  # None: the runtime's shared pool
    topics: list[str]
    tables: dict[str, str]  # short name -> quoted, qualified name
    lock: threading.RLock = field(default_factory=threading.RLock)
    failed_at: int | None = None  # notification id of the failing event
    error: str | None = None  # transient error text (not persisted)
    retry_at: float = 0.0  # monotonic time before which a failed view is skipped
    rebuilding: bool = False
    warned_ahead: bool = False
    # In this process: every notification this view handles up to here is applied
    # (its tracked position may lag, see catch_up_written); None: not known yet.
    known: int | None = None
    topic_set: frozenset[str] = field(init=False)

    @property
    def name(self) -> str:
        return self.model.name

    def __post_init__(self) -> None:
        self.topic_set = frozenset(self.topics)

    @property
    def healthy(self) -> bool:
        return not self.rebuilding and self.failed_at is None and self.error is None


class _HandlerError(Exception):
    def __init__(self, index: int, cause: BaseException) -> None:
        super().__init__(index, cause)
        self.index = index
        self.cause = cause


class _PositionMoved(Exception):
    """Another writer advanced the view since the page was read; re-read it."""


class _NotReady(Exception):
    """The view is failed or rebuilding in its storage: take the careful path."""


@dataclass(frozen=True)
class _Failure:
    notification: Notification
    error: BaseException
    stage: str  # "decode" or "handler"


# ---------------------------------------------------------------------------
# The runtime
# ---------------------------------------------------------------------------
class ProjectionRuntime:
    """Keeps the read models of one deployment up to date (ledger.md §9.2).

    Construction opens every view, creates missing tables, and resets any view
    whose declared ``version`` (or table declaration) differs from the recorded
    one; such views are then rebuilt by the next :meth:`catch_up` (they report as
    stale, reason ``"rebuilding"``, until they reach the tip).
    """

    def __init__(
        self,
        app: LedgerApplication,
        models: Iterable[ReadModel],
        *,
        page_size: int = DEFAULT_PAGE,
        stale_retry_seconds: float = 30.0,
        verify: bool = False,
    ) -> None:
        if page_size < 1:
            raise ValueError("page_size must be positive")
        self.app = app
        self.settings = app.settings
        self.page_size = page_size
        self.stale_retry_seconds = stale_retry_seconds
        self.verify = verify
        self.inline = self.settings.projections_mode == "inline"
        # Worker mode: how long a command waits for the worker (read_your_writes).
        self.read_your_writes_seconds = 5.0
        self.rebuilt_at_start: list[str] = []
        self._models: dict[str, _Model] = {}
        # PostgreSQL: one connection pool for every view of this process (their
        # tables share the ledger's schema); SQLite: a file, and a pool, per view.
        self._shared: PostgresFactory | None = None
        models = list(models)
        names: set[str] = set()
        for model in models:
            model.check()
            if model.name in names:
                raise ViewDefinitionError(f"two read models are named {model.name!r}")
            names.add(model.name)
        self._check_distinct_files(models)
        try:
            if self.settings.backend == "postgres":
                self._shared = cast(
                    PostgresFactory,
                    InfrastructureFactory.construct(self._pool_environment()),
                )
            for model in models:
                self._models[model.name] = self._open(model)
        except BaseException:
            self.close()
            raise

    # -- opening ------------------------------------------------------------------
    def _open(self, model: ReadModel) -> _Model:
        own: InfrastructureFactory[Any] | None = None
        view: View
        try:
            if self._shared is not None:
                # The library names a consumer's table "<env name>_tracking".
                view = PostgresView(
                    datastore=self._shared.datastore,
                    tracking_table_name=f"{model.name}_tracking",
                )
                view.create_table()  # CREATE_TABLE is off on PostgreSQL (§10.1)
            else:
                own = InfrastructureFactory.construct(self._view_environment(model))
                if not isinstance(own, SQLiteFactory):  # pragma: no cover
                    msg = f"unsupported persistence module for views: {type(own)}"
                    raise ViewDefinitionError(msg)
                view = cast(SQLiteView, own.tracking_recorder(SQLiteView))
            state = _Model(
                model=model,
                view=view,
                factory=own,
                topics=sorted(model.topics),
                tables={t: view.qualify(f"{model.name}_{t}") for t in model.tables},
            )
            self._prepare(state)
        except BaseException:
            if own is not None:
                own.close()
            raise
        return state

    def _view_environment(self, model: ReadModel) -> Environment:
        return Environment(model.name, dict(self.settings.view_env(model.name)))

    def _pool_environment(self) -> Environment:
        """The views' one pool: a connection kept open, more while pages read in
        parallel (a gunicorn worker's threads), closed again when idle."""
        env = dict(self.settings.library_env)
        env.setdefault(f"{VIEWS_POOL}_POSTGRES_POOL_SIZE", "1")
        env.setdefault(f"{VIEWS_POOL}_POSTGRES_MAX_OVERFLOW", "9")
        return Environment(VIEWS_POOL.lower(), env)

    def _check_distinct_files(self, models: Sequence[ReadModel]) -> None:
        """Two consumers in one SQLite file would share one ``tracking`` row (§9.2)."""
        if self.settings.backend != "sqlite":
            return
        seen: dict[str, str] = {}
        if self.settings.sqlite_path is not None:
            seen[_db_identity(self.settings.sqlite_path)] = "the ledger"
        for model in models:
            db_name = self._view_environment(model).get("SQLITE_DBNAME") or ""
            key = _db_identity(db_name)
            if key in seen:
                msg = (
                    f"read model {model.name!r} shares its SQLite file with "
                    f"{seen[key]}; each tracked consumer needs its own file"
                )
                raise ViewDefinitionError(msg)
            seen[key] = f"read model {model.name!r}"

    def _prepare(self, state: _Model) -> None:
        """Create the meta table and the view's tables; reset on a version change."""
        model = state.model
        with state.view.transaction(commit=True) as c:
            # All views share the meta table on PostgreSQL: create it in turn.
            state.view.serialise(c, META_TABLE)
            state.view.serialise(c, model.name)
            meta = state.view.qualify(META_TABLE)
            c.execute(
                f"CREATE TABLE IF NOT EXISTS {meta} ("
                "name TEXT PRIMARY KEY, version BIGINT NOT NULL, "
                "schema_hash TEXT NOT NULL, tables TEXT NOT NULL, "
                "status TEXT NOT NULL, failed_at BIGINT, error TEXT)"
            )
            row = self._meta_row(state, c)
            if row is None:
                logger.info("view %s: created", model.name)
                self._reset(state, c, previous=())
            elif row[0] != model.version or row[1] != model.schema_hash():
                logger.warning(
                    "view %s: recorded version %s, declared %s: rebuilding",
                    model.name,
                    row[0],
                    model.version,
                )
                self._reset(state, c, previous=json.loads(row[2]))
                self.rebuilt_at_start.append(model.name)
            else:
                status, failed_at = row[3], row[4]
                state.rebuilding = status == "rebuilding"
                state.failed_at = failed_at if status == "failed" else None

    def _meta_row(self, state: _Model, c: Any) -> tuple[Any, ...] | None:
        meta = state.view.qualify(META_TABLE)
        columns = "version, schema_hash, tables, status, failed_at, error"
        statement = f"SELECT {columns} FROM {meta} WHERE name = ?"  # noqa: S608 - names from code
        c.execute(self._sql(state, statement), (state.name,))
        row = c.fetchone()
        return None if row is None else as_tuple(row)

    def _reset(self, state: _Model, c: Any, previous: Iterable[str]) -> None:
        """Drop and re-create the view's tables and forget its position, in the
        caller's transaction (the library's ``__migration__`` row is kept)."""
        model, view = state.model, state.view
        postgres = view.postgres
        current = [f"{model.name}_{t}" for t in model.tables]
        for table in sorted(set(previous) | set(current)):
            if not IDENTIFIER.match(table):  # pragma: no cover - meta written by us
                continue
            cascade = " CASCADE" if postgres else ""
            c.execute(f"DROP TABLE IF EXISTS {view.qualify(table)}{cascade}")
        for table, columns in model.tables.items():
            ddl = render(
                normalise_columns(columns, postgres=postgres),
                state.tables,
                postgres=False,
            )
            c.execute(f"CREATE TABLE {state.tables[table]} ({ddl})")
        for index, (table, columns) in model.indexes.items():
            name = quote(f"{model.name}_{index}")
            c.execute(f"CREATE INDEX {name} ON {state.tables[table]} ({columns})")
        view.forget_position(c)
        meta = view.qualify(META_TABLE)
        c.execute(
            self._sql(state, f"DELETE FROM {meta} WHERE name = ?"),  # noqa: S608 - name from code
            (model.name,),
        )
        c.execute(
            self._sql(
                state,
                f"INSERT INTO {meta} (name, version, schema_hash, tables, status) "  # noqa: S608 - name from code
                "VALUES (?, ?, ?, ?, 'rebuilding')",
            ),
            (model.name, model.version, model.schema_hash(), json.dumps(current)),
        )
        state.rebuilding = True
        state.failed_at = None
        state.error = None
        state.retry_at = 0.0
        state.known = None

    @staticmethod
    def _sql(state: _Model, statement: str) -> str:
        return render(statement, {}, postgres=state.view.postgres)

    # -- public: introspection ---------------------------------------------------------
    @property
    def names(self) -> list[str]:
        return list(self._models)

    def model(self, name: str) -> ReadModel:
        return self._state(name).model

    def _state(self, name: str) -> _Model:
        try:
            return self._models[name]
        except KeyError:
            known = ", ".join(self._models) or "none"
            msg = f"no read model named {name!r} (known: {known})"
            raise KeyError(msg) from None

    def _selected(self, names: Iterable[str] | None) -> list[_Model]:
        if names is None:
            return list(self._models.values())
        return [self._state(n) for n in names]

    def position(self, name: str) -> int:
        """The view's tracked position (the last notification id it has seen)."""
        return self._state(name).view.max_tracking_id(UPSTREAM) or 0

    def positions(self) -> dict[str, int]:
        return {name: self.position(name) for name in self._models}

    def stale_models(self) -> dict[str, StaleModel]:
        """Views that are behind for a known reason, read from the view storage
        (so a web process sees what the worker recorded)."""
        stale: dict[str, StaleModel] = {}
        tip = self.app.max_notification_id()
        for state in self._models.values():
            with state.view.transaction(commit=False) as c:
                row = self._meta_row(state, c)
                position = state.view.position(c)
            status = "ready" if row is None else row[3]
            if position > tip:
                stale[state.name] = StaleModel(
                    state.name,
                    "ahead",
                    position,
                    None,
                    f"the log ends at {tip}: truncated or restored from a backup",
                )
            elif status == "failed":
                stale[state.name] = StaleModel(
                    state.name,
                    "failed",
                    position,
                    row[4] if row else None,
                    (row[5] if row else None) or "",
                )
            elif status == "rebuilding":
                stale[state.name] = StaleModel(
                    state.name, "rebuilding", position, None, "rebuilding"
                )
            elif state.error is not None:
                stale[state.name] = StaleModel(
                    state.name, "error", position, None, state.error
                )
        return stale

    # -- public: catching up ----------------------------------------------------
    def catch_up(self, until: int | None = None) -> dict[str, int]:
        """Bring every view to the tip of the log (the worker's round; after a
        command, :meth:`read_your_writes` does only the work the command needs).

        With ``until``, a view already at or after that notification id is left
        alone at once. Errors never propagate: a failing view is logged, marked
        stale and skipped, and the others continue.
        """
        states = list(self._models.values())
        together = self._catch_up_together([s for s in states if s.healthy], until)
        return {
            state.name: together[state.name]
            if state.name in together
            else self._catch_up_one(state, until)
            for state in states
        }

    def _catch_up_together(
        self, states: Sequence[_Model], until: int | None
    ) -> dict[str, int]:
        """PostgreSQL: the views' round in one transaction (the worker's, after
        every command): one statement reads every position, one page of the new
        notifications is read and decoded once, and each view applies what it
        handles and advances to the tip. Returns the positions of the views it
        brought there; anything unusual leaves them all to the careful path."""
        if self._shared is None or not states:
            return {}
        try:
            stop = self.app.max_notification_id()
            with self._shared.datastore.transaction(commit=False) as c:
                tracked, _worker = self._tracked(c, states)
            if any(tracked[s.name][1] not in (None, "ready") for s in states):
                return {}
            positions = {s.name: tracked[s.name][0] for s in states}
            behind = [
                s
                for s in states
                if positions[s.name] < stop
                and (until is None or positions[s.name] < until)
            ]
            if not behind:
                return positions
            start = min(positions[s.name] for s in behind)
            notifications = list(
                self.app.recorder.select_notifications(
                    start, limit=self.page_size, stop=stop, inclusive_of_start=False
                )
            )
            if len(notifications) >= self.page_size:
                return {}
            wanted = {
                s.name: [
                    n
                    for n in notifications
                    if n.id > max(positions[s.name], s.known or 0)
                    and n.topic in s.topic_set
                ]
                for s in behind
            }
            decoded: dict[int, LedgerEvent] = {}
            for name in wanted:
                for n in wanted[name]:
                    if n.id not in decoded:
                        decoded[n.id] = self._decode(n)
            ordered = sorted(behind, key=lambda s: s.name)
            reached: dict[str, int] = {}
            with ExitStack() as locks:
                for state in ordered:
                    locks.enter_context(state.lock)
                with self._shared.datastore.transaction(commit=True) as c:
                    for state in ordered:
                        events = [decoded[n.id] for n in wanted[state.name]]
                        reached[state.name] = self._apply_events(state, c, events, stop)
            for state in ordered:
                state.known = max(state.known or 0, reached[state.name])
                positions[state.name] = reached[state.name]
        except Exception as exc:
            # Rolled back: the careful path replays, finds and marks the culprit.
            logger.debug("views: the round in one transaction fell back: %r", exc)
            return {}
        return positions

    def catch_up_written(self, until: int) -> None:
        """Embedded mode, after a command: bring the views to ``until`` doing only
        the work the new notifications need (the command's, and any other
        process's written meanwhile).

        The notifications after the lowest position this process knows for a
        view are read once (one page) and decoded once; a view that handles none
        of their topics is left alone (its tracked position may then lag the tip,
        which changes nothing it shows: :meth:`catch_up` advances it); the views
        that do are committed together, in one transaction on PostgreSQL (one per
        view file on SQLite). Anything unusual (a failed or rebuilding view, more
        than a page to read, a handler error) takes the careful per-view path of
        :meth:`catch_up`, which logs and marks a failing view stale.
        """
        states = list(self._models.values())
        careful = [s for s in states if not s.healthy]
        quick = [s for s in states if s.healthy]
        for state in careful:
            self._catch_up_one(state, until)
        if not quick:
            return
        try:
            for state in quick:
                if state.known is None:
                    state.known = state.view.max_tracking_id(UPSTREAM) or 0
            start = min(s.known or 0 for s in quick)
            if start >= until:
                return
            notifications = list(
                self.app.recorder.select_notifications(
                    start, limit=self.page_size, stop=until, inclusive_of_start=False
                )
            )
        except Exception:
            logger.exception("views: reading the new notifications failed")
            notifications = []
            careful, quick = quick, []
        if len(notifications) >= self.page_size:
            careful, quick = quick, []
        if quick:
            careful = self._apply_written(quick, notifications, until)
        for state in careful:
            self._catch_up_one(state, until)

    def _apply_written(
        self,
        states: Sequence[_Model],
        notifications: Sequence[Notification],
        until: int,
    ) -> list[_Model]:
        """The quick path of :meth:`catch_up_written`, given every notification
        after the lowest known position up to ``until``; returns the views left
        for the careful path."""
        wanted: dict[str, list[Notification]] = {}
        for state in states:
            known = state.known or 0
            topics = state.topic_set
            mine = [n for n in notifications if n.id > known and n.topic in topics]
            if mine:
                wanted[state.name] = mine
            else:
                # Nothing it handles in (known, until]: it shows the same as if
                # it had read them.
                state.known = max(known, until)
        touched = sorted((s for s in states if s.name in wanted), key=lambda s: s.name)
        if not touched:
            return []
        try:
            decoded: dict[int, LedgerEvent] = {}
            for state in touched:
                for n in wanted[state.name]:
                    if n.id not in decoded:
                        decoded[n.id] = self._decode(n)
            events = {s.name: [decoded[n.id] for n in wanted[s.name]] for s in touched}
            reached: dict[str, int] = {}
            with ExitStack() as locks:
                for state in touched:
                    locks.enter_context(state.lock)
                if self._shared is not None:
                    with self._shared.datastore.transaction(commit=True) as c:
                        for state in touched:
                            reached[state.name] = self._apply_events(
                                state, c, events[state.name], until
                            )
                    for state in touched:
                        state.known = max(state.known or 0, reached[state.name])
                else:
                    for state in touched:
                        with state.view.transaction(commit=True) as c:
                            done = self._apply_events(
                                state, c, events[state.name], until
                            )
                        state.known = max(state.known or 0, done)
        except Exception as exc:
            # Rolled back: the careful path replays, finds and marks the culprit.
            logger.debug("views: quick catch-up to %d fell back: %r", until, exc)
            return touched
        return []

    def _apply_events(
        self, state: _Model, c: Any, events: Sequence[LedgerEvent], until: int
    ) -> int:
        """In the caller's transaction: apply the events the view has not seen and
        advance it to ``until``; returns the position it then has."""
        view = state.view
        view.serialise(c, state.name)
        row = self._meta_row(state, c)
        if row is None or row[3] != "ready":
            raise _NotReady(state.name)
        position = view.position(c)
        # Both are lower bounds of what the view holds (another process may have
        # gone further; this one may know that nothing it handles came since).
        start = max(position, state.known or 0)
        tx = Tx(c, postgres=view.postgres, tables=state.tables)
        for event in events:
            if event.notification_id > start:
                state.model.apply(event, tx)
        if until > position:
            view.advance(c, until)
        return max(start, until)

    def _catch_up_one(
        self,
        state: _Model,
        until: int | None,
        *,
        force: bool = False,
        progress: ProgressCallback | None = None,
        page_size: int | None = None,
    ) -> int:
        try:
            if until is not None:
                position = state.view.max_tracking_id(UPSTREAM) or 0
                if position >= until:
                    return position
            with state.lock:
                if (
                    not force
                    and (state.failed_at is not None or state.error is not None)
                    and time.monotonic() < state.retry_at
                ):
                    return state.view.max_tracking_id(UPSTREAM) or 0
                position = self._advance(state, until, progress, page_size)
                state.error = None
                state.known = max(state.known or 0, position)
                return position
        except Exception as exc:
            logger.exception("view %s: catch-up failed", state.name)
            state.error = f"{type(exc).__name__}: {exc}"
            state.retry_at = time.monotonic() + self.stale_retry_seconds
            try:
                return state.view.max_tracking_id(UPSTREAM) or 0
            except Exception:
                return 0

    def _advance(
        self,
        state: _Model,
        until: int | None,
        progress: ProgressCallback | None,
        page_size: int | None,
    ) -> int:
        """The pull loop (§9.2); the caller holds the model's lock."""
        page = page_size or self.page_size
        while True:
            stop = self.app.max_notification_id()
            start = state.view.max_tracking_id(UPSTREAM) or 0
            if start > stop and not state.warned_ahead:
                state.warned_ahead = True
                logger.error(
                    "view %s is at position %d but the log ends at %d: the log was "
                    "truncated or restored from a backup; run `kiemdiem verify` "
                    "against a held checkpoint, then `kiemdiem rebuild`",
                    state.name,
                    start,
                    stop,
                )
            if start >= stop:
                if state.rebuilding:
                    self._mark_ready(state)
                return start
            try:
                position, failed = self._page(state, start, stop, page)
            except _PositionMoved:
                continue
            if progress is not None:
                progress(state.name, position, stop)
            if failed:
                return position

    def _page(
        self, state: _Model, start: int, stop: int, page: int
    ) -> tuple[int, bool]:
        """Process the notifications in (start, stop], up to one page of handled
        ones; returns the new position and whether the view stopped on a failure."""
        if state.topics:
            notifications = list(
                self.app.recorder.select_notifications(
                    start,
                    limit=page,
                    stop=stop,
                    topics=state.topics,
                    inclusive_of_start=False,
                )
            )
            last = notifications[-1].id if len(notifications) == page else stop
        else:
            notifications, last = [], stop
        events: list[LedgerEvent] = []
        failure: _Failure | None = None
        for notification in notifications:
            try:
                events.append(self._decode(notification))
            except Exception as exc:
                failure = _Failure(notification, exc, "decode")
                break
        while True:
            target = last if failure is None else failure.notification.id - 1
            try:
                self._commit(state, start, events, target, failure, reached=stop)
            except _HandlerError as err:
                failed_event = events[err.index]
                failure = _Failure(notifications[err.index], err.cause, "handler")
                events = events[: err.index]
                logger.debug(
                    "view %s: page rolled back at %d; replaying up to it",
                    state.name,
                    failed_event.notification_id,
                )
                continue
            break
        position = max(start, target)
        if failure is not None:
            self._log_failure(state, failure, position)
            state.failed_at = failure.notification.id
            state.retry_at = time.monotonic() + self.stale_retry_seconds
            return position, True
        if state.failed_at is not None and position >= state.failed_at:
            logger.info("view %s: recovered past %d", state.name, state.failed_at)
            state.failed_at = None
        if state.rebuilding and position >= stop:
            state.rebuilding = False
        return position, False

    def _decode(self, notification: Notification) -> LedgerEvent:
        if self.verify:
            # Checks the signature under the registered key (§9.3 --verify).
            self.app.mapper.to_domain_event(notification)
        return self.app.decode(notification)

    def _commit(
        self,
        state: _Model,
        start: int,
        events: Sequence[LedgerEvent],
        target: int,
        failure: _Failure | None,
        *,
        reached: int,
    ) -> None:
        """Apply events and advance to ``target`` in one view transaction."""
        view = state.view
        with view.transaction(commit=True) as c:
            view.serialise(c, state.name)
            if view.position(c) != start:
                raise _PositionMoved
            tx = Tx(c, postgres=view.postgres, tables=state.tables)
            for index, event in enumerate(events):
                try:
                    state.model.apply(event, tx)
                except Exception as exc:
                    raise _HandlerError(index, exc) from exc
            if target > start:
                view.advance(c, target)
            meta = view.qualify(META_TABLE)
            if failure is not None:
                c.execute(
                    self._sql(
                        state,
                        f"UPDATE {meta} SET status = 'failed', failed_at = ?, "  # noqa: S608 - name from code
                        "error = ? WHERE name = ?",
                    ),
                    (
                        failure.notification.id,
                        _describe(failure)[:2000],
                        state.name,
                    ),
                )
            else:
                c.execute(
                    self._sql(
                        state,
                        f"UPDATE {meta} SET status = 'ready', failed_at = NULL, "  # noqa: S608 - name from code
                        "error = NULL WHERE name = ? AND ("
                        "(status = 'failed' AND failed_at <= ?) OR "
                        "(status = 'rebuilding' AND ? >= ?))",
                    ),
                    (state.name, target, target, reached),
                )

    def _mark_ready(self, state: _Model) -> None:
        with state.view.transaction(commit=True) as c:
            c.execute(
                self._sql(
                    state,
                    f"UPDATE {state.view.qualify(META_TABLE)} SET status = 'ready' "  # noqa: S608 - name from code
                    "WHERE name = ? AND status = 'rebuilding'",
                ),
                (state.name,),
            )
        state.rebuilding = False

    def _log_failure(self, state: _Model, failure: _Failure, position: int) -> None:
        n = failure.notification
        logger.error(
            "view %s stopped before notification %d (stream %s version %d, %s): "
            "%s; the view stays at position %d and is marked stale",
            state.name,
            n.id,
            n.originator_id,
            n.originator_version,
            n.topic,
            _describe(failure),
            position,
            exc_info=failure.error,
        )

    # -- public: worker mode ----------------------------------------------------------
    def ensure_seen(
        self,
        notification_id: int,
        timeout: float = 5.0,
        names: Iterable[str] | None = None,
    ) -> bool:
        """True once the views have processed ``notification_id`` (read your writes).

        In worker mode this waits (the library's ``wait``) up to ``timeout``
        seconds in all; on timeout it returns False and the page shows the stale
        banner. In the embedded mode it catches up inline instead of waiting.
        """
        selected = self._selected(names)
        if self.inline:
            return all(
                self._catch_up_one(state, notification_id) >= notification_id
                for state in selected
            )
        deadline = time.monotonic() + timeout
        for state in selected:
            remaining = max(0.0, deadline - time.monotonic())
            try:
                state.view.wait(UPSTREAM, notification_id, timeout=remaining)
            except TimeoutError:
                return False
        return True

    def read_your_writes(
        self, notification_id: int, timeout: float | None = None
    ) -> bool:
        """After a command: return once the views show ``notification_id``.

        The single post-command step (``Kiemdiem.after_write``). Embedded mode:
        :meth:`catch_up_written`. Worker mode: wait, bounded by ``timeout``
        (default :attr:`read_your_writes_seconds`), for a running worker to bring
        every view there; with no worker running (``kiemdiem init --demo``, a CLI
        writer before the worker starts, a worker that died) the process brings
        the views there itself. False when the wait timed out (the page then
        shows the views as they are).
        """
        if self.inline:
            self.catch_up_written(notification_id)
            return True
        limit = self.read_your_writes_seconds if timeout is None else timeout
        deadline = time.monotonic() + limit
        pause = 0.002
        while True:
            position, worker = self._progress()
            if not worker:
                self.catch_up_written(notification_id)
                return True
            if position is None or position >= notification_id:
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                logger.warning(
                    "views: the worker has not reached %d after %.1fs (at %s)",
                    notification_id,
                    limit,
                    position,
                )
                return False
            time.sleep(min(pause, remaining))
            pause = min(pause * 2, 0.02)

    def _progress(self) -> tuple[int | None, bool]:
        """The lowest tracked position of the views the worker keeps current, and
        whether a worker runs. A view its storage marks failed or rebuilding is
        left out (the page shows it stale; waiting for it would hold every
        command for the whole bound); None when no view is to be waited for."""
        if self._shared is None:
            positions: list[int] = []
            for state in self._models.values():
                with state.view.transaction(commit=False) as c:
                    row = self._meta_row(state, c)
                    if row is None or row[3] == "ready":
                        positions.append(state.view.position(c))
            return min(positions, default=None), presence.worker_present(self.app)
        with self._shared.datastore.transaction(commit=False) as c:
            tracked, worker = self._tracked(c, list(self._models.values()))
        ready = [p for p, status in tracked.values() if status in (None, "ready")]
        return min(ready, default=None), worker

    def _tracked(
        self, c: Any, states: Sequence[_Model]
    ) -> tuple[dict[str, tuple[int, str | None]], bool]:
        """PostgreSQL, in one statement: each view's tracked position and recorded
        status, and whether a worker runs."""
        worker_sql = (
            f"{presence.PRESENCE_SQL}",
            [presence.PRESENCE_CLASS, presence.presence_key(self.settings.pg_schema)],
        )
        if not states:
            c.execute(f"SELECT {worker_sql[0]}", worker_sql[1])
            return {}, bool(as_tuple(c.fetchone())[0])
        tracked = " UNION ALL ".join(
            "SELECT %s AS name, (SELECT MAX(notification_id) FROM "  # noqa: S608 - names from code
            f"{s.view.qualify(cast(PostgresView, s.view).tracking_table_name)} "
            "WHERE application_name = %s) AS position"
            for s in states
        )
        params: list[Any] = []
        for state in states:
            params += [state.name, UPSTREAM]
        c.execute(
            f"SELECT v.name, COALESCE(v.position, 0), m.status, {worker_sql[0]} "  # noqa: S608 - names from code
            f"FROM ({tracked}) v LEFT JOIN {self._shared_view_qualify(META_TABLE)} m "
            "ON m.name = v.name",
            worker_sql[1] + params,  # the select list's come first
        )
        rows = [as_tuple(r) for r in c.fetchall()]
        found = {str(r[0]): (int(r[1]), r[2]) for r in rows}
        return found, bool(rows[0][3]) if rows else False

    def _shared_view_qualify(self, table: str) -> str:
        return f"{quote(self.settings.pg_schema)}.{quote(table)}"

    def worker_presence(self) -> presence.WorkerPresence:
        """What a running worker holds (see :mod:`projections.presence`)."""
        return presence.WorkerPresence(self.app)

    def run_forever(
        self, poll_seconds: float = 1.0, stop_event: threading.Event | None = None
    ) -> None:
        """A worker loop for the views alone: catch up, then wait for new events
        (or ``poll_seconds``) until stopped, holding the worker presence."""
        stop_event = stop_event or threading.Event()
        with self.worker_presence() as present:
            while not stop_event.is_set():
                try:
                    self.catch_up()
                except Exception:  # pragma: no cover - catch_up contains errors
                    logger.exception("projections catch-up failed")
                present.wait(poll_seconds, stop_event)

    # -- public: rebuild -----------------------------------------------------------
    def rebuild(
        self,
        names: Iterable[str] | None = None,
        progress: ProgressCallback | None = None,
        *,
        page_size: int | None = None,
    ) -> dict[str, int]:
        """Rebuild views from the start of the log (§9.3).

        Per view, in one transaction, its tables are dropped and re-created and
        its tracking row deleted; then it catches up from the start while holding
        the view's lock, so inline catch-up waits. An interrupted rebuild resumes
        with the next catch-up (the view reports ``rebuilding`` until the tip).
        """
        selected = self._selected(names)
        page = page_size or REBUILD_PAGE
        with ExitStack() as locks:
            for state in selected:
                locks.enter_context(state.lock)
                with state.view.transaction(commit=True) as c:
                    state.view.serialise(c, state.name)
                    row = self._meta_row(state, c)
                    previous = json.loads(row[2]) if row is not None else []
                    self._reset(state, c, previous=previous)
                logger.info("view %s: tables reset, rebuilding", state.name)
                if progress is not None:
                    progress(state.name, 0, self.app.max_notification_id())
            self._rebuild_pass(selected, progress, page)
            # The tip as it is now, and a view the pass left (a handler error)
            # with the page-by-page replay that stops just before the bad event.
            return {
                state.name: self._catch_up_one(
                    state, None, force=True, progress=progress, page_size=page
                )
                for state in selected
            }

    def _rebuild_pass(
        self, states: Sequence[_Model], progress: ProgressCallback | None, page: int
    ) -> None:
        """One read of the log for every view being rebuilt (all at position 0).

        Each page of notifications is read and decoded once, then every view gets
        the events of its topics in one transaction of its own, advancing to the
        page's end; positions and rows are those of separate catch-ups. A view
        whose handler fails leaves the pass (its page rolled back); the caller's
        catch-up then replays it event by event as :meth:`_page` does.
        """
        active = [s for s in states if s.topics]
        stop = self.app.max_notification_id()
        topics = sorted({t for s in active for t in s.topics})
        wanted = {s.name: frozenset(s.topics) for s in active}
        start = 0
        while active and start < stop:
            try:
                notifications = self.app.recorder.select_notifications(
                    start,
                    limit=page,
                    stop=stop,
                    topics=topics,
                    inclusive_of_start=False,
                )
            except Exception:  # each view's catch-up below meets and records it
                return
            target = notifications[-1].id if len(notifications) == page else stop
            events: list[LedgerEvent] = []
            for notification in notifications:
                try:
                    events.append(self._decode(notification))
                except Exception:  # the catch-up after the pass reports it per view
                    target = notification.id - 1
                    active_after: list[_Model] = []
                    break
            else:
                active_after = active
            for state in list(active):
                mine = wanted[state.name]
                try:
                    self._commit(
                        state,
                        start,
                        [e for e in events if e.topic in mine],
                        target,
                        None,
                        reached=stop,
                    )
                except Exception:
                    # A handler error, a moved position or a storage error: the
                    # view's own catch-up below replays or records it, as before.
                    active.remove(state)
                    continue
                if target >= stop:
                    state.rebuilding = False
                if progress is not None:
                    progress(state.name, target, stop)
            active = [s for s in active if s in active_after]
            start = target

    # -- public: reading views --------------------------------------------------------
    @contextmanager
    def read(self, *names: str) -> Iterator[ViewCursor]:
        """A read-only cursor on one or more views, in one read transaction.

        ``{table}`` names a table of the first view, ``{model.table}`` a table of
        any listed view. On SQLite several views are ATTACHed read-only to a
        private connection; on PostgreSQL they share the schema.
        """
        if not names:
            raise ValueError("read() needs at least one read model name")
        states = [self._state(n) for n in names]
        first = states[0]
        namespaces = {s.name: s.tables for s in states}
        if first.view.postgres or len(states) == 1:
            with self._reading(first) as c:
                yield ViewCursor(
                    c,
                    postgres=first.view.postgres,
                    tables=first.tables,
                    namespaces=namespaces,
                )
            return
        with self._attached(states) as (connection, attached):
            cursor = connection.cursor()
            try:
                yield ViewCursor(
                    cursor,
                    postgres=False,
                    tables=attached[first.name],
                    namespaces=attached,
                )
            finally:
                cursor.close()

    @contextmanager
    def _reading(self, state: _Model) -> Iterator[Any]:
        with state.view.transaction(commit=False) as c:
            state.view.begin_read(c)
            try:
                yield c
            finally:
                state.view.end_read(c)

    @contextmanager
    def _attached(
        self, states: Sequence[_Model]
    ) -> Iterator[tuple[sqlite3.Connection, dict[str, dict[str, str]]]]:
        connection = sqlite3.connect(":memory:", uri=True, isolation_level=None)
        try:
            attached: dict[str, dict[str, str]] = {}
            for state in states:
                if not isinstance(state.view, SQLiteView):  # pragma: no cover
                    raise TypeError(state.name)
                connection.execute(
                    "ATTACH DATABASE ? AS " + quote(state.name),
                    (_read_only_uri(state.view.db_name),),
                )
                attached[state.name] = {
                    t: f"{quote(state.name)}.{quote(f'{state.name}_{t}')}"
                    for t in state.model.tables
                }
            connection.execute("PRAGMA query_only = ON")
            connection.execute("BEGIN")
            yield connection, attached
            connection.execute("ROLLBACK")
        finally:
            connection.close()

    def query(
        self, name: str, statement: str, params: Sequence[Any] = ()
    ) -> list[dict[str, Any]]:
        """Run one read-only query on a view; rows as dicts keyed by column."""
        with self.read(name) as cursor:
            return cursor.execute(statement, params).fetchall_dicts()

    # -- public: digests --------------------------------------------------------
    def digest_details(
        self, names: Iterable[str] | None = None
    ) -> dict[str, ViewDigest]:
        """Canonical dump of each view (rows sorted by primary key), hashed.

        In the embedded mode the views are first caught up, so that a position
        left behind by :meth:`catch_up_written` (no event the view handles came
        since) reads as the tip, as it does after a rebuild.
        """
        if self.inline:
            self.catch_up()
        result: dict[str, ViewDigest] = {}
        for state in self._selected(names):
            with self._reading(state) as c:
                position = state.view.position(c)
                dump: dict[str, Any] = {}
                count = 0
                for table in sorted(state.model.tables):
                    full = f"{state.name}_{table}"
                    key = state.view.primary_key(c, full)
                    c.execute(f"SELECT * FROM {state.tables[table]}")  # noqa: S608 - name from code
                    raw = getattr(c, "sqlite_cursor", c)
                    columns = column_names(raw.description)
                    rows = [[dump_value(v) for v in as_tuple(r)] for r in c.fetchall()]
                    index = [columns.index(k) for k in key]
                    rows.sort(key=lambda r: sort_key([r[i] for i in index] + r))
                    dump[table] = {"columns": columns, "key": key, "rows": rows}
                    count += len(rows)
            document = {
                "name": state.name,
                "position": position,
                "tables": dump,
                "version": state.model.version,
            }
            result[state.name] = ViewDigest(
                name=state.name,
                version=state.model.version,
                position=position,
                rows=count,
                sha256=sha256_hex(canonical.dumps(document)),
            )
        return result

    def digest(self, names: Iterable[str] | None = None) -> dict[str, str]:
        """SHA-256 per view and ``"overall"`` (over the per-view digests)."""
        details = self.digest_details(names)
        out = {name: d.sha256 for name, d in details.items()}
        out["overall"] = self.overall_digest(details)
        return out

    @staticmethod
    def overall_digest(details: Mapping[str, ViewDigest]) -> str:
        """SHA-256 of the canonical ``{name: sha256}`` of the given views."""
        return sha256_hex(
            canonical.dumps({name: d.sha256 for name, d in details.items()})
        )

    # -- closing ----------------------------------------------------------------
    def close(self) -> None:
        """Close the views' connection pools (not the ledger's)."""
        models, self._models = self._models, {}
        for state in models.values():
            if state.factory is not None:
                state.factory.close()
        shared, self._shared = self._shared, None
        if shared is not None:
            shared.close()

    def __enter__(self) -> ProjectionRuntime:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _describe(failure: _Failure) -> str:
    return f"{failure.stage} error: {type(failure.error).__name__}: {failure.error}"


def _db_identity(db_name: str) -> str:
    if "mode=memory" in db_name or ":memory:" in db_name:
        return db_name
    path = db_name.removeprefix("file:").split("?")[0]
    return str(Path(path).resolve())


def _read_only_uri(db_name: str) -> str:
    if "mode=memory" in db_name:
        return db_name if db_name.startswith("file:") else f"file:{db_name}"
    return Path(db_name).resolve().as_uri() + "?mode=ro"
