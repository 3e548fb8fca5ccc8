"""One opened view's state in this process, and its record in the meta table.

The meta table (``kiemdiem_views``) holds, per view, the declared version and
schema hash its tables were made for and its status (``rebuilding``, ``ready`` or
``failed`` with the notification it stopped before). A view whose declaration
changed is reset: its tables dropped and re-created, its position forgotten.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from eventsourcing.persistence import InfrastructureFactory

from projections.attached_reads import AttachedConnections
from projections.read_model import ReadModel
from projections.sqlutil import (
    IDENTIFIER,
    as_tuple,
    normalise_columns,
    quote,
    render,
)
from projections.view_storage import META_TABLE, View

logger = logging.getLogger("kiemdiem.projections")


@dataclass
class ViewState:
    """A read model, its storage and what this process knows of its progress."""

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
    # SQLite: connections kept for reads that start at this view and attach others.
    attached: AttachedConnections = field(default_factory=AttachedConnections)
    topic_set: frozenset[str] = field(init=False)

    @property
    def name(self) -> str:
        return self.model.name

    def __post_init__(self) -> None:
        self.topic_set = frozenset(self.topics)

    @property
    def healthy(self) -> bool:
        return not self.rebuilding and self.failed_at is None and self.error is None


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


def sql(state: ViewState, statement: str) -> str:
    """A statement with ``?`` placeholders in the view backend's form."""
    return render(statement, {}, postgres=state.view.postgres)


def meta_row(state: ViewState, c: Any) -> tuple[Any, ...] | None:
    """``(version, schema_hash, tables, status, failed_at, error)`` or None."""
    meta = state.view.qualify(META_TABLE)
    columns = "version, schema_hash, tables, status, failed_at, error"
    statement = f"SELECT {columns} FROM {meta} WHERE name = ?"  # noqa: S608 - names from code
    c.execute(sql(state, statement), (state.name,))
    row = c.fetchone()
    return None if row is None else as_tuple(row)


def prepare(state: ViewState) -> bool:
    """Create the meta table and the view's tables; reset on a version change.

    True when a recorded view was reset because its declaration changed."""
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
        row = meta_row(state, c)
        if row is None:
            logger.info("view %s: created", model.name)
            reset(state, c, previous=())
        elif row[0] != model.version or row[1] != model.schema_hash():
            logger.warning(
                "view %s: recorded version %s, declared %s: rebuilding",
                model.name,
                row[0],
                model.version,
            )
            reset(state, c, previous=json.loads(row[2]))
            return True
        else:
            status, failed_at = row[3], row[4]
            state.rebuilding = status == "rebuilding"
            state.failed_at = failed_at if status == "failed" else None
            # A rebuild stopped before its end left these out (rebuild.py).
            missing = [
                index
                for index in state.model.built_after_rebuild
                if not _index_exists(state, c, index)
            ]
            create_indexes(state, c, missing)
            state.view.start_mark(c)
    return False


def reset(
    state: ViewState,
    c: Any,
    previous: Iterable[str],
    *,
    indexes_later: bool = False,
) -> None:
    """Drop and re-create the view's tables and forget its position, in the
    caller's transaction (the library's ``__migration__`` row is kept); with
    ``indexes_later`` (a rebuild) without the ``built_after_rebuild`` indexes."""
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
    later = model.built_after_rebuild if indexes_later else frozenset()
    create_indexes(state, c, set(model.indexes) - later)
    view.forget_position(c)
    meta = view.qualify(META_TABLE)
    c.execute(
        sql(state, f"DELETE FROM {meta} WHERE name = ?"),  # noqa: S608 - name from code
        (model.name,),
    )
    c.execute(
        sql(
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


def create_indexes(state: ViewState, c: Any, names: Iterable[str]) -> None:
    """Create these declared indexes of the view where they are missing."""
    model = state.model
    for index in sorted(names):
        table, columns = model.indexes[index]
        name = quote(f"{model.name}_{index}")
        c.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {state.tables[table]} ({columns})"
        )


def _index_exists(state: ViewState, c: Any, index: str) -> bool:
    """Whether a declared index is there, without the table lock that a
    ``CREATE INDEX IF NOT EXISTS`` takes on PostgreSQL."""
    name = f"{state.model.name}_{index}"
    if state.view.postgres:
        c.execute("SELECT to_regclass(%s)", (state.view.qualify(name),))
    else:
        c.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND name = ?", (name,)
        )
    row = c.fetchone()
    return row is not None and as_tuple(row)[0] is not None


def reset_for_rebuild(state: ViewState) -> None:
    """In a transaction of its own: reset the view, whatever its declaration,
    without the indexes it builds after the rebuild."""
    with state.view.transaction(commit=True) as c:
        state.view.serialise(c, state.name)
        row = meta_row(state, c)
        previous = json.loads(row[2]) if row is not None else []
        reset(state, c, previous=previous, indexes_later=True)


def mark_ready(state: ViewState) -> None:
    """A rebuilding view reached the tip."""
    with state.view.transaction(commit=True) as c:
        c.execute(
            sql(
                state,
                f"UPDATE {state.view.qualify(META_TABLE)} SET status = 'ready' "  # noqa: S608 - name from code
                "WHERE name = ? AND status = 'rebuilding'",
            ),
            (state.name,),
        )
    state.rebuilding = False
