"""A review cycle's subjects as its events record them (issue 14 §3): in small
events, never one event holding a province.

Opening a cycle records its subjects in ``SubjectsAdded`` events of at most
:data:`MAX_SUBJECTS_PER_EVENT` rows and about :data:`MAX_EVENT_BYTES`, an
organisation's subjects (a chi bộ and its members) together; a refresh or a
combined conference records only the rows that changed and the keys that went
(``SubjectsChanged``). Earlier releases recorded the whole list in ``Opened``,
``SubjectsRefreshed`` and ``CombinedConferenceSet``: those still replace it.

The aggregate keeps the events' rows in a :data:`SubjectLog` (each event adds an
entry: O(1) rows touched, so replaying a cycle of n subjects in k events costs
O(n + k²) small steps, not O(n·k)) and builds the subjects from it once, when
they are first read after a change (:func:`materialise`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from domain.subjects import Subject

MAX_SUBJECTS_PER_EVENT = 500
MAX_EVENT_BYTES = 512 * 1024  # the rows' JSON; the event stays well under ~1 MB
MAX_KEYS_PER_EVENT = 5_000  # removed keys (≈ 40 bytes each)

SET, PUT, DROP = "set", "put", "drop"
# One entry per event: (SET, rows) replaces every subject, (PUT, rows) adds or
# replaces rows by key, (DROP, keys) removes subjects.
SubjectLog = tuple[tuple[str, Sequence[Any]], ...]


def row_bytes(row: Mapping[str, Any]) -> int:
    """An upper bound of a subject's row's size in an event (its JSON, UTF-8),
    from the parts whose length varies, without encoding it: the fixed fields
    (key, kind, class, ids, authority steps) take under 800 bytes, a name at
    most 3 bytes a character, an organisation id in the path or venues about
    40 and a post about 80."""
    many = len(row.get("path") or ()) + len(row.get("venues") or ())
    return (
        800
        + 3 * len(str(row.get("name") or ""))
        + 45 * many
        + 100 * len(row.get("posts") or ())
    )


def _group(row: Mapping[str, Any]) -> tuple[str, ...]:
    """Where a row belongs: its organisation's (or chi bộ's) path from the top,
    so that a chi bộ's collective and its members share a group and the groups
    sort depth first, each organisation before those below it."""
    return tuple(reversed([str(o) for o in row.get("path") or ()]))


def in_chunks(rows: Sequence[Mapping[str, Any]]) -> list[list[dict[str, Any]]]:
    """The rows split into events' worth: an organisation's rows stay together
    where they fit, at most :data:`MAX_SUBJECTS_PER_EVENT` rows and about
    :data:`MAX_EVENT_BYTES` per chunk. Deterministic: groups in path order, rows
    in the given order within a group."""
    groups: dict[tuple[str, ...], list[tuple[dict[str, Any], int]]] = {}
    for row in rows:
        groups.setdefault(_group(row), []).append((dict(row), row_bytes(row)))
    chunks: list[list[dict[str, Any]]] = []
    current: list[dict[str, Any]] = []
    size = 0
    for key in sorted(groups):
        group = groups[key]
        group_size = sum(n for _, n in group)
        if current and (
            len(current) + len(group) > MAX_SUBJECTS_PER_EVENT
            or size + group_size > MAX_EVENT_BYTES
        ):
            chunks.append(current)
            current, size = [], 0
        for row, n in group:  # a group too big for one event is split
            if current and (
                len(current) >= MAX_SUBJECTS_PER_EVENT or size + n > MAX_EVENT_BYTES
            ):
                chunks.append(current)
                current, size = [], 0
            current.append(row)
            size += n
    if current:
        chunks.append(current)
    return chunks


def key_batches(keys: Sequence[str]) -> list[list[str]]:
    """Removed keys, sorted, in events' worth."""
    ordered = sorted(keys)
    return [
        ordered[i : i + MAX_KEYS_PER_EVENT]
        for i in range(0, len(ordered), MAX_KEYS_PER_EVENT)
    ]


def changes(
    current: Mapping[str, Mapping[str, Any]], rows: Mapping[str, Mapping[str, Any]]
) -> tuple[list[dict[str, Any]], list[str]]:
    """What turns ``current`` into ``rows`` (both by key): the rows added or
    different, by key, and the keys no longer there, sorted."""
    changed = [dict(rows[k]) for k in sorted(rows) if current.get(k) != rows[k]]
    removed = sorted(k for k in current if k not in rows)
    return changed, removed


@dataclass(frozen=True, eq=False)
class Materialised:
    """The subjects a :data:`SubjectLog` amounts to: the rows as the events store
    them and the typed subjects, by key. Never changed once built."""

    log: SubjectLog
    rows: Mapping[str, Mapping[str, Any]]
    subjects: Mapping[str, Subject]


EMPTY = Materialised((), {}, {})


def materialise(log: SubjectLog, built: Materialised | None) -> Materialised:
    """The subjects of ``log``, from ``built`` when it is an earlier state of
    the same log (only the entries after it are applied, to copies)."""
    if built is not None and built.log is log:
        return built
    start = 0
    rows: dict[str, Mapping[str, Any]] = {}
    subjects: dict[str, Subject] = {}
    if (
        built is not None
        and len(built.log) <= len(log)
        and all(a is b for a, b in zip(built.log, log, strict=False))
    ):
        start, rows, subjects = len(built.log), dict(built.rows), dict(built.subjects)
    for op, items in log[start:]:
        if op == SET:
            rows, subjects = {}, {}
        if op in (SET, PUT):
            for row in items:
                key = str(row["key"])
                rows[key] = row
                subjects[key] = Subject.from_payload(row)
        else:
            for key in items:
                rows.pop(key, None)
                subjects.pop(key, None)
    return Materialised(log, rows, subjects)
