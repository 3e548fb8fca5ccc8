"""``subject_events``: the index of every subject's file (sổ chỉ mục hồ sơ).

Answers "which stored events make up this subject's file?" (issue 5's history,
issue 14: read through an index, never a scan of the events table, and paged).
A subject is any aggregate id; its file is its own stream plus every event whose
signed content names it: the stream, the actor (``u:<account id>``) and every
UUID in the body, whether a UUID value, a hexadecimal or hyphenated UUID text,
or a key of a mapping (``"o:<id>"``). A stream opened about a subject (a
review, a remediation plan, a re-review: its first event's ``subject_key``,
"m:<member id>" or "o:<organisation id>") belongs to that subject's file too, every
event of it, though its later events do not name the subject (issue 13: one
file per person, the self-review and the meeting minutes in the member's file).
One row per (subject, event):

``entries``  subject, notification id, stream, version, topic, event name,
             actor, timestamp (UTC, fixed width, so text order is time order)
``about``    stream → the subject its first event names by ``subject_key``
``facets``   the distinct actors and event names of each subject's file (the
             history page's filters), without reading the whole file
``totals``   how many events each subject's file holds, counted as they are
             indexed (the history page's count: one row, never a count of rows)

Every stored event class is handled, so the file of an aggregate added later is
indexed without a change here (``tests/topics.txt`` is checked against it).
Handlers depend only on the event and the earlier events of its stream (in log
order): a rebuild equals the incremental view.

Queries (keyset pages) live below, next to the schema.
"""

from __future__ import annotations

import dataclasses
import importlib
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from operator import attrgetter
from types import ModuleType
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.domain import Aggregate, CanMutateAggregate, DomainEvent
from eventsourcing.utils import get_topic

from ledger.mapper import LedgerEvent
from projections.read_model import ReadModel, handles
from projections.sql_rows import execute_rows
from projections.sqlutil import Tx

if TYPE_CHECKING:
    from projections.runtime import ProjectionRuntime

NAME = "subject_events"
PAGE_SIZE = 50
MAX_DEPTH = 12  # nesting of an event's values walked for UUIDs
TS_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
# The modules whose aggregates' events are stored (tests/topics.txt).
EVENT_MODULES = (
    "domain.accounts",
    "domain.audit",
    "domain.commendations",
    "domain.criteria",
    "domain.cycles",
    "domain.members",
    "domain.organisations",
    "domain.ratings",
    "domain.remediation",
    "domain.rereviews",
    "domain.reviews",
    "domain.signins",
    "votes.aggregates",
    "votes.vote_events",
    "ledger.keys",
    "ledger.cosign",
)
EVENT_BASES = (DomainEvent, CanMutateAggregate)
# A UUID as text: hyphenated, or 32 hexadecimal digits standing alone.
UUID_TEXT = re.compile(
    r"(?<![0-9a-f])(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    r"|[0-9a-f]{32})(?![0-9a-f])"
)


def _event_classes_of(module: ModuleType) -> Iterator[type[Any]]:
    for value in vars(module).values():
        if not isinstance(value, type) or value.__module__.startswith("eventsourcing"):
            continue
        if issubclass(value, EVENT_BASES):
            yield value
        elif issubclass(value, Aggregate):
            for inner in vars(value).values():
                if (
                    isinstance(inner, type)
                    and issubclass(inner, EVENT_BASES)
                    and not inner.__module__.startswith("eventsourcing")
                ):
                    yield inner


def stored_event_classes() -> tuple[type[Any], ...]:
    """Every event class of the aggregates of ``EVENT_MODULES``, one per topic."""
    found: dict[str, type[Any]] = {}
    for name in EVENT_MODULES:
        for cls in _event_classes_of(importlib.import_module(name)):
            found.setdefault(get_topic(cls), cls)
    return tuple(found[t] for t in sorted(found))


def event_name(topic: str) -> str:
    """``domain.members:PartyMember.Transferred`` → ``Transferred``."""
    return topic.rpartition(".")[2].rpartition(":")[2]


def index_time(moment: datetime) -> str:
    """A moment as the index stores it (UTC, fixed width)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime(TS_FORMAT)


# Values that name no UUID, by exact type (the walk's common case, checked first).
NAMES_NOTHING = frozenset({type(None), bool, int, float, date, datetime, Decimal})
UUID_TEXT_MIN = 32  # the shortest UUID text UUID_TEXT matches
# A dataclass's fields, read by one call in C (its getter found once per class).
_FIELDS: dict[type[Any], Callable[[Any], tuple[Any, ...]]] = {}


def _fields_getter(names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    if len(names) == 1:
        one = attrgetter(names[0])
        return lambda value: (one(value),)
    if not names:
        return lambda value: ()
    return attrgetter(*names)


def mentioned(value: Any, found: set[str], depth: int = 0) -> None:
    """Add every UUID named in ``value`` (nested values, texts, mapping keys), as
    its canonical text (``str(UUID)``)."""
    kind = type(value)
    if kind is str:
        if len(value) >= UUID_TEXT_MIN and depth <= MAX_DEPTH:
            _texts(value, found)
        return
    if kind is UUID:
        if depth <= MAX_DEPTH:
            found.add(str(value))
        return
    if kind in NAMES_NOTHING or depth > MAX_DEPTH:
        return
    if kind is dict:
        _each(value.keys(), found, depth + 1)
        _each(value.values(), found, depth + 1)
        return
    if kind is list or kind is tuple:
        _each(value, found, depth + 1)
        return
    fields = _FIELDS.get(kind)  # a dataclass met before (events, values)
    if fields is not None:
        _each(fields(value), found, depth + 1)
        return
    if isinstance(value, bool | int | float):
        return
    if isinstance(value, UUID):
        found.add(str(value))
    elif isinstance(value, str):
        _texts(value, found)
    elif isinstance(value, Enum):
        mentioned(value.value, found, depth + 1)
    elif isinstance(value, dict):
        _each(value.keys(), found, depth + 1)
        _each(value.values(), found, depth + 1)
    elif isinstance(value, list | tuple | set | frozenset):
        _each(value, found, depth + 1)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = _FIELDS[kind] = _fields_getter(
            tuple(f.name for f in dataclasses.fields(value))
        )
        _each(fields(value), found, depth + 1)
    elif hasattr(value, "__dict__") and not isinstance(value, type):
        _each(vars(value).values(), found, depth + 1)


def _each(values: Iterable[Any], found: set[str], depth: int) -> None:
    """:func:`mentioned` of each value, the texts and scalars without a call."""
    for value in values:
        kind = type(value)
        if kind in NAMES_NOTHING:
            continue
        if kind is str:
            if len(value) >= UUID_TEXT_MIN and depth <= MAX_DEPTH:
                _texts(value, found)
        elif kind is UUID:
            if depth <= MAX_DEPTH:
                found.add(str(value))
        else:
            mentioned(value, found, depth)


def _texts(text: str, found: set[str]) -> None:
    """The UUIDs in a text, as ``str(UUID)`` writes them (lowercase, hyphenated)."""
    for m in UUID_TEXT.findall(text.lower()):
        found.add(
            m if len(m) == 36 else f"{m[:8]}-{m[8:12]}-{m[12:16]}-{m[16:20]}-{m[20:]}"
        )


def subjects_of(e: LedgerEvent) -> set[str]:
    """The subjects whose file holds ``e``: its stream, its actor, and every UUID
    its body names (as ``str(UUID)`` texts)."""
    found = {str(e.stream)}
    mentioned(e.actor, found)
    mentioned(e.event, found)
    return found


def opened_about(e: LedgerEvent) -> UUID | None:
    """The subject a stream is about, named by its first event's ``subject_key``
    (khóa đối tượng, "m:<id>" or "o:<id>"); None for any other event."""
    if e.version != 1:
        return None
    key = getattr(e.event, "subject_key", None)
    if not isinstance(key, str) or key[:2] not in ("m:", "o:"):
        return None
    try:
        return UUID(key[2:])
    except ValueError:
        return None


ENTRY_COLUMNS = (
    "subject",
    "notification_id",
    "stream",
    "version",
    "topic",
    "kind",
    "actor",
    "ts",
)
FACET_COLUMNS = ("subject", "facet", "value")


class SubjectEvents(ReadModel):
    name = NAME
    # v2: a stream opened about a subject is in that subject's file; v3: totals
    version = 3
    tables = {  # noqa: RUF012 - declarative table list read by the runtime
        "entries": (
            "subject TEXT NOT NULL, notification_id BIGINT NOT NULL, "
            "stream TEXT NOT NULL, version BIGINT NOT NULL, topic TEXT NOT NULL, "
            "kind TEXT NOT NULL, actor TEXT NOT NULL, ts TEXT NOT NULL, "
            "PRIMARY KEY (subject, notification_id)"
        ),
        "about": (
            "stream TEXT NOT NULL, subject TEXT NOT NULL, PRIMARY KEY (stream, subject)"
        ),
        "facets": (
            "subject TEXT NOT NULL, facet TEXT NOT NULL, value TEXT NOT NULL, "
            "PRIMARY KEY (subject, facet, value)"
        ),
        "totals": "subject TEXT PRIMARY KEY, events BIGINT NOT NULL",
    }
    indexes = {  # noqa: RUF012 - declarative index list read by the runtime
        # The history filtered by event name, still in log order.
        "entries_kind": ("entries", "subject, kind, notification_id"),
        # The streams opened about a subject (its reviews, remediation plans).
        "about_subject": ("about", "subject, stream"),
    }
    # Read by the history pages only (the handler reads ``about`` by stream).
    built_after_rebuild = frozenset({"entries_kind", "about_subject"})
    rebuild_weight = 3  # every event, a few rows per subject it names

    @handles(*stored_event_classes())
    def recorded(self, e: LedgerEvent, tx: Tx) -> None:
        kind = event_name(e.topic)
        at = index_time(e.timestamp)
        stream = str(e.stream)
        subjects = sorted(subjects_of(e) | _linked(tx, e, stream))
        entries = [
            (s, e.notification_id, stream, e.version, e.topic, kind, e.actor, at)
            for s in subjects
        ]
        facets = [(s, "kind", kind) for s in subjects]
        if e.actor:
            facets += [(s, "actor", e.actor) for s in subjects]
        if tx.deferred:  # a rebuild's page: written per table at its end
            _count(tx, subjects)
            # (subject, notification id): an event's rows are its own
            tx.insert_ignoring("entries", ENTRY_COLUMNS, entries, distinct=True)
            tx.insert_ignoring("facets", FACET_COLUMNS, facets)
            return
        # One statement per table for the event's rows, not one per row.
        execute_rows(tx, *TOTALS_ADD, [(s, 1) for s in subjects])
        execute_rows(tx, *ENTRIES_INSERT, entries)
        execute_rows(tx, *FACETS_INSERT, facets)


TOTALS_ADD = (
    "INSERT INTO {totals} AS here (subject, events) VALUES ",
    "(?, ?)",
    " ON CONFLICT (subject) DO UPDATE SET events = here.events + excluded.events",
)
ENTRIES_INSERT = (
    f"INSERT INTO {{entries}} ({', '.join(ENTRY_COLUMNS)}) VALUES ",  # noqa: S608 - names from code
    "(" + ", ".join("?" for _ in ENTRY_COLUMNS) + ")",
    " ON CONFLICT DO NOTHING",
)
FACETS_INSERT = (
    f"INSERT INTO {{facets}} ({', '.join(FACET_COLUMNS)}) VALUES ",  # noqa: S608 - names from code
    "(?, ?, ?)",
    " ON CONFLICT DO NOTHING",
)


ABOUT = "subject_events.about"
"""The subjects each stream is about, in ``Tx.later``: read once per stream and
transaction (a page), not once per event."""


def _linked(tx: Tx, e: LedgerEvent, stream: str) -> frozenset[str]:
    """The subjects the stream was opened about (its ``about`` rows). Only a
    stream's first event writes them, so at that event they are known without
    a read, and later in the same transaction they are remembered."""
    known: dict[str, frozenset[str]] = tx.later.setdefault(ABOUT, {})
    if e.version == 1:  # the stream's first event: no row of it yet
        about = opened_about(e)
        linked = frozenset() if about is None else frozenset({str(about)})
        if about is not None:
            tx.insert_ignoring("about", ("stream", "subject"), [(stream, str(about))])
        known[stream] = linked
        return linked
    remembered = known.get(stream)
    if remembered is None:
        tx.execute("SELECT subject FROM {about} WHERE stream = ?", [stream])
        remembered = known[stream] = frozenset(str(r[0]) for r in tx.fetchall())
    return remembered


def _count(tx: Tx, subjects: Sequence[str]) -> None:
    """Add the event to the totals of its subjects: one upsert per subject (a
    rebuild's page sums them, one row per subject). ``subjects`` holds each
    subject once and a view records an event once (its tracking row commits
    with it), so no read of ``entries`` is needed."""
    tx.add_counts("totals", ("subject",), "events", [(s,) for s in subjects])


# -- queries --------------------------------------------------------------------------


@dataclass(frozen=True)
class SubjectEventRow:
    """One event of a subject's file, as the index knows it."""

    notification_id: int
    stream: UUID
    version: int
    topic: str
    kind: str
    actor: str
    ts: str


@dataclass(frozen=True)
class HistoryFilter:
    """What a history page shows: by whom, which event, between two moments."""

    by: str | None = None
    kind: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def page_of(
    runtime: ProjectionRuntime,
    subject: UUID,
    *,
    after: int = 0,
    limit: int = PAGE_SIZE,
    only: HistoryFilter | None = None,
) -> list[SubjectEventRow]:
    """Up to ``limit`` events of the subject's file after notification ``after``,
    in log order (a keyset page: the next one starts after the last id)."""
    where = ["subject = ?", "notification_id > ?"]
    params: list[Any] = [str(subject), after]
    only = only or HistoryFilter()
    if only.by:
        where.append("actor = ?")
        params.append(only.by)
    if only.kind:
        where.append("kind = ?")
        params.append(only.kind)
    if only.since is not None:
        where.append("ts >= ?")
        params.append(index_time(only.since))
    if only.until is not None:
        where.append("ts <= ?")
        params.append(index_time(only.until))
    statement = (
        "SELECT notification_id, stream, version, topic, kind, actor, ts "  # noqa: S608 - fixed text
        f"FROM {{entries}} WHERE {' AND '.join(where)} "
        "ORDER BY notification_id LIMIT ?"
    )
    rows = runtime.query(NAME, statement, [*params, limit])
    return [
        SubjectEventRow(
            int(r["notification_id"]),
            UUID(str(r["stream"])),
            int(r["version"]),
            str(r["topic"]),
            str(r["kind"]),
            str(r["actor"]),
            str(r["ts"]),
        )
        for r in rows
    ]


def every_notification_id(
    runtime: ProjectionRuntime, subject: UUID, *, batch: int = 500
) -> Iterator[list[int]]:
    """The notification ids of the subject's whole file, in log order, in
    batches (a proof bundle of the whole file)."""
    after = 0
    while True:
        rows = runtime.query(
            NAME,
            "SELECT notification_id FROM {entries} WHERE subject = ? "
            "AND notification_id > ? ORDER BY notification_id LIMIT ?",
            [str(subject), after, batch],
        )
        if not rows:
            return
        ids = [int(r["notification_id"]) for r in rows]
        yield ids
        after = ids[-1]


def streams_about(runtime: ProjectionRuntime, subject: UUID) -> list[UUID]:
    """The streams opened about the subject (its reviews, remediation plans,
    re-review orders), every event of which is in its file."""
    rows = runtime.query(
        NAME,
        "SELECT stream FROM {about} WHERE subject = ? ORDER BY stream",
        [str(subject)],
    )
    return [UUID(str(r["stream"])) for r in rows]


def event_count(runtime: ProjectionRuntime, subject: UUID) -> int:
    """How many events the subject's file holds (its ``totals`` row)."""
    rows = runtime.query(
        NAME, "SELECT events FROM {totals} WHERE subject = ?", [str(subject)]
    )
    return int(rows[0]["events"]) if rows else 0


def facets_of(runtime: ProjectionRuntime, subject: UUID) -> tuple[list[str], list[str]]:
    """The actors and the event names found in the subject's file, sorted."""
    rows = runtime.query(
        NAME,
        "SELECT facet, value FROM {facets} WHERE subject = ? ORDER BY facet, value",
        [str(subject)],
    )
    actors = [str(r["value"]) for r in rows if r["facet"] == "actor"]
    kinds = [str(r["value"]) for r in rows if r["facet"] == "kind"]
    return actors, kinds


def unindexed_topics(topics: Iterable[str]) -> Sequence[str]:
    """The topics of ``topics`` this index does not take (expected: none)."""
    known = SubjectEvents().topics
    return sorted(t for t in topics if t not in known)
