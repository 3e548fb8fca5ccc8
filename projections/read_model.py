"""A read model's declaration: its tables, indexes and handlers (ledger.md §9.1).

A read model has no storage of its own here: :mod:`projections.runtime` opens its
tables (:mod:`projections.view_storage`) and feeds it the ledger's events.

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
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar, TypeVar

from eventsourcing.utils import get_topic

from ledger import canonical
from ledger.mapper import LedgerEvent
from projections.sqlutil import (
    IDENTIFIER,
    MAX_IDENTIFIER,
    Tx,
    ViewDefinitionError,
    check_columns,
    sha256_hex,
)
from projections.view_storage import META_TABLE

__all__ = ["ReadModel", "handles"]

RESERVED_NAMES = frozenset({"overall", "ledger", "tracking", "kiemdiem"})

Handler = Callable[[Any, LedgerEvent, Tx], None]
F = TypeVar("F", bound=Callable[..., Any])


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
    name -> ``(table, "col, col")``), of which ``built_after_rebuild`` names those
    no handler's statement needs. The stored tables are ``<name>_<table>``.

    Handlers follow §9.1: they depend only on the event and the view's own rows;
    never the clock, randomness, another projection or a float; natural keys or
    notification ids, never autoincrement.
    """

    name: ClassVar[str]
    version: ClassVar[int] = 1
    tables: ClassVar[Mapping[str, str]] = {}
    indexes: ClassVar[Mapping[str, tuple[str, str]]] = {}
    # Indexes only the pages read, never a handler: a rebuild creates them once
    # the log is applied (one sorted build instead of an insert per row).
    built_after_rebuild: ClassVar[frozenset[str]] = frozenset()
    # Roughly what rebuilding the view costs beside the others (a rebuild in
    # several processes gives each a share of about equal weight).
    rebuild_weight: ClassVar[int] = 1
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

    def finish(self, tx: Tx) -> None:
        """Write what the handlers left for the end (``Tx.later``): called after
        each page of events (a deferred ``Tx``: a rebuild's page, a catch-up's,
        a command's), before it commits. A model that keeps something for the
        end of each event does it in :meth:`apply` when the ``Tx`` is not
        deferred (a page replayed event by event after an error, to find the
        failing event); ``finish`` then also runs after that page's events."""

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
        for index in self.built_after_rebuild:
            if index not in self.indexes:
                msg = f"{where}: built_after_rebuild names no declared index {index!r}"
                raise ViewDefinitionError(msg)

    def schema_hash(self) -> str:
        """A hash of the declared tables; a change without a version bump also
        rebuilds, because old rows would not fit the new tables."""
        declared = {
            "tables": dict(self.tables),
            "indexes": {k: list(v) for k, v in self.indexes.items()},
        }
        return sha256_hex(canonical.dumps(declared))
