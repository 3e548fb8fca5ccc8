"""What still blocks or breaks the rules in a cycle, subject by subject?
(``prerequisites``, ``open_items``)

The open items that belong to one subject (the prerequisites not decided, the
hold, the violations of a decision, the flags of its latest rating step) are
kept as rows, refilled for a subject whenever something they read changes: its
row, its reviews, its rating steps, a discipline of its member, or the status
of a subject it waits for. What counts as an open item stays the domain's
(``domain.rating_open_items``); this module only gathers the rows it asks about.

``prerequisites`` keeps each subject's (rule, other subject) from
``domain.rating_order.rating_prerequisites``, computed over the whole cycle
when its subjects are set (the cycle opened or refreshed), so a change of one
subject re-asks the rule with the few rows it names and finds the subjects
waiting for it through the ``prerequisites_other`` index. A cycle whose
subjects arrive or change in parts (several events) asks the rules about each
part's neighbours only (:mod:`.cycle_parts`), never the whole cycle. The
subjects named by :func:`refill_later` are refilled together at the end of the
event, or of a rebuild's page (:mod:`.refills`). The deadlines and re-review
orders depend on the day and are read apart (``services``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any
from uuid import UUID

from domain.cycles import MILESTONES, SubjectIndex
from domain.rating_open_items import (
    RATING_STEPS,
    discipline_window,
    disciplines_counted_from,
    step_flags,
    still_open,
    subject_open_items,
    waiting_items_change,
)
from domain.rating_order import rating_prerequisites
from domain.subjects import Subject
from projections.ratings.tallies import MILESTONE, OPEN, WHOLE, tallies_at, tally
from projections.read_model import ReadModel
from projections.sql_rows import execute_rows
from projections.sqlutil import Tx

if TYPE_CHECKING:
    from projections.runtime import ProjectionRuntime

BATCH = 500  # keys per IN (...) list
ITEMS_PAGE = 50
"""Open items per page of the cycle's list."""

SUBJECT_ITEMS, FLAGS, MILESTONES_OPEN = "0", "1", "2"
"""The parts of the table, in order: the subjects' items, then the flags (the
list shown), then one row per deadline milestone the subject has not reached
(not shown: a deadline at risk counts and names them)."""

# A change of one of these columns of a subject may change its open items.
READ_COLUMNS = frozenset({"status", "held_reason", "decided_at", "exempt"})

_STEP_MARKS = ", ".join("?" for _ in RATING_STEPS)
_STEPS = sorted(RATING_STEPS)
PENDING = "ratings.open_items"
"""The name of the subjects to refill in ``Tx.later`` (an ordered set of
(cycle, key)): each once, at the end of the event or of a rebuild's page."""
OPENING = "ratings.opening"
"""The name of the cycles opened and not yet refreshed in ``Tx.later`` (an
ordered set): :func:`refresh_opened` refreshes each once its subjects' parts
are in (:func:`refresh_later`)."""


class CycleOpenItems(ReadModel):
    """Each subject's open items and what it waits for."""

    tables = {  # noqa: RUF012 - declarative table list read by the runtime
        "prerequisites": (
            "cycle_id TEXT NOT NULL, subject_key TEXT NOT NULL, seq BIGINT NOT NULL, "
            "rule TEXT NOT NULL, other_key TEXT NOT NULL, "
            "PRIMARY KEY (cycle_id, subject_key, seq)"
        ),
        # Who holds a post where, among a cycle's individuals (their row's
        # ``posts``), to find those waiting for a collective added later.
        "posts": (
            "cycle_id TEXT NOT NULL, org_id TEXT NOT NULL, subject_key TEXT NOT NULL, "
            "PRIMARY KEY (cycle_id, org_id, subject_key)"
        ),
        "open_items": (
            "cycle_id TEXT NOT NULL, position TEXT NOT NULL, seq BIGINT NOT NULL, "
            "subject_key TEXT NOT NULL, kind TEXT NOT NULL, rule TEXT NOT NULL, "
            "subject TEXT NOT NULL, other TEXT, "
            "PRIMARY KEY (cycle_id, position, seq)"
        ),
    }
    indexes = {  # noqa: RUF012
        "prerequisites_other": ("prerequisites", "cycle_id, other_key"),
        "open_items_subject": ("open_items", "cycle_id, subject_key"),
    }


def _position(part: str, row: Mapping[str, Any]) -> str:
    """The list's order: the subjects' items before the flags, collectives
    before individuals, then by key (a keyset, the same on both databases)."""
    rank = "0" if row["kind"] == "collective" else "1"
    return f"{part}{rank}{row['subject_key']}"


def as_subject_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """A stored subject row as the domain's open-item rules read it."""
    out = dict(row)
    out["key"] = row["subject_key"]
    for name in ("venues", "posts", "path"):
        if isinstance(out.get(name), str):
            out[name] = json.loads(out[name])
    return out


def items_rows(
    row: Mapping[str, Any],
    subject_items: list[dict[str, Any]],
    latest_step: Mapping[str, Any] | None,
    held: bool,
) -> list[tuple[Any, ...]]:
    """The stored rows of one subject's items, flags and open milestones
    (``held``: a review meeting of the subject was held)."""
    found = [(SUBJECT_ITEMS, item) for item in subject_items]
    if latest_step is not None:
        detail = json.loads(latest_step["detail"])
        found += [
            (
                FLAGS,
                {
                    "kind": kind,
                    "rule": rule,
                    "subject_key": row["subject_key"],
                    "subject": row["name"],
                },
            )
            for kind, rule in step_flags(detail, row["status"])
            if kind == "flag"
        ]
    stored = [
        (
            row["cycle_id"],
            _position(part, row),
            seq,
            row["subject_key"],
            item["kind"],
            item["rule"],
            item["subject"],
            item.get("other"),
        )
        for seq, (part, item) in enumerate(found)
    ]
    keys = {row["subject_key"]} if held else set()
    stored += [
        (
            row["cycle_id"],
            milestone_position(milestone, row["deadline_level"]) + _position("", row),
            0,
            row["subject_key"],
            MILESTONE,
            milestone,
            row["name"],
            row["deadline_level"],
        )
        for milestone in sorted(MILESTONES)
        if still_open(row, milestone, keys)
    ]
    return stored


def milestone_position(milestone: str, level: str) -> str:
    """Where the subjects at deadline ``level`` that have not reached
    ``milestone`` start in the table (then by rank and key)."""
    return f"{MILESTONES_OPEN}{milestone}:{level}:"


def counted(rows: Iterable[tuple[Any, ...]]) -> dict[tuple[str, str, str], int]:
    """The cycle's tallies these stored rows make: the items shown, and the
    subjects short of each milestone at each deadline level."""
    counts: dict[tuple[str, str, str], int] = {}
    for row in rows:
        if row[4] == MILESTONE:
            place = (WHOLE, MILESTONE, f"{row[5]}:{row[7]}")
        else:
            place = (WHOLE, OPEN, OPEN)
        counts[place] = counts.get(place, 0) + 1
    return counts


def store_items(tx: Tx, rows: Iterable[tuple[Any, ...]]) -> None:
    execute_rows(
        tx,
        "INSERT INTO {open_items} (cycle_id, position, seq, subject_key, kind, "
        "rule, subject, other) VALUES ",
        "(?, ?, ?, ?, ?, ?, ?, ?)",
        "",
        list(rows),
    )


# -- one subject ------------------------------------------------------------------
def refill_later(tx: Tx, cycle: str, key: str) -> None:
    """Something the subject's items read changed: refill them once, at the end
    of the event (:func:`refill_pending`), however many of its rows the event
    writes; in a rebuild, at the end of the page. The refill reads the rows as
    they then stand, so it gives the rows of refilling after each write."""
    pending: dict[tuple[str, str], None] = tx.later.setdefault(PENDING, {})
    pending[(cycle, key)] = None


def waiting_for(tx: Tx, cycle: str, key: str) -> list[str]:
    """The subjects that have ``key`` among their prerequisites."""
    # No DISTINCT nor ORDER BY in SQL: with them SQLite walks the primary key
    # (every prerequisite of the cycle) to skip a sort, instead of this index.
    tx.execute(
        "SELECT subject_key FROM {prerequisites} WHERE cycle_id = ? AND other_key = ?",
        (cycle, key),
    )
    return sorted({str(r[0]) for r in tx.fetchall()})


def subject_updated(
    tx: Tx, cycle: str, key: str, changed: Iterable[str], moved: tuple[str, str] | None
) -> None:
    """A subject's row changed (``changed``: the columns set; ``moved``: its
    status before and after, when it moved): refill its items when they read
    one of them, and those of the subjects waiting for it when its move can
    change theirs (``domain.rating_open_items.waiting_items_change``)."""
    if READ_COLUMNS.isdisjoint(changed):
        return
    refill_later(tx, cycle, key)
    if moved is not None and waiting_items_change(*moved):
        for other in waiting_for(tx, cycle, key):
            refill_later(tx, cycle, other)


def member_disciplined(tx: Tx, member_id: str) -> None:
    """A discipline of the member was recorded: its subjects' items again."""
    tx.execute(
        "SELECT cycle_id, subject_key FROM {subjects} WHERE member_id = ?",
        (member_id,),
    )
    for cycle, key in tx.fetchall():
        refill_later(tx, str(cycle), str(key))


# -- the whole cycle (its subjects set) --------------------------------------------
def refresh_later(tx: Tx, cycle: str) -> None:
    """The cycle was opened: :func:`refresh_cycle` once the parts of its
    subjects that follow its ``Opened`` are stored (``RatingsView.apply``), as
    when one ``Opened`` carried every subject, not part by part."""
    opening: dict[str, None] = tx.later.setdefault(OPENING, {})
    opening[cycle] = None


def opening(tx: Tx, cycle: str) -> bool:
    """Whether the cycle waits for :func:`refresh_opened` (its parts need no
    work of their own: the refresh derives every subject's)."""
    return cycle in tx.later.get(OPENING, ())


def refresh_opened(tx: Tx) -> None:
    """Refresh the cycles opened since the last call (:func:`refresh_later`)."""
    for cycle in tx.later.pop(OPENING, None) or ():
        refresh_cycle(tx, cycle)


def refresh_cycle(tx: Tx, cycle: str) -> None:
    """Recompute the cycle's prerequisites and every subject's items at once,
    when its subjects are set (opened, refreshed): the event carries every
    subject, so this is in its size; no other event costs the cycle's size."""
    tx.execute("SELECT year FROM {cycles} WHERE cycle_id = ?", (cycle,))
    found = tx.fetchone()
    if found is None:
        return
    year = int(found[0])
    pending: dict[tuple[str, str], None] = tx.later.get(PENDING, {})
    for waiting in [p for p in pending if p[0] == cycle]:
        del pending[waiting]  # refilled here from the same rows
    tx.execute(
        "SELECT * FROM {subjects} WHERE cycle_id = ? ORDER BY subject_key", (cycle,)
    )
    rows = {r["subject_key"]: as_subject_row(r) for r in tx.fetchall_dicts()}
    typed = {k: Subject.from_payload(r) for k, r in rows.items()}
    index = SubjectIndex.of(typed)
    needed = {
        k: rating_prerequisites(typed[k], typed, index)
        for k, r in rows.items()
        if not r["exempt"]
    }
    tx.execute("DELETE FROM {posts} WHERE cycle_id = ?", (cycle,))
    store_posts(tx, cycle, typed.values())
    tx.execute("DELETE FROM {prerequisites} WHERE cycle_id = ?", (cycle,))
    tx.executemany(
        "INSERT INTO {prerequisites} (cycle_id, subject_key, seq, rule, other_key) "
        "VALUES (?, ?, ?, ?, ?)",
        [
            (cycle, k, seq, rule, other)
            for k, pairs in needed.items()
            for seq, (rule, other) in enumerate(pairs)
        ],
    )
    tx.execute(
        "SELECT subject_key, venue_id, held_on, redo_order_id FROM {reviews} "
        "WHERE cycle_id = ?",
        (cycle,),
    )
    reviews = tx.fetchall()
    met = {(str(k), str(v)) for k, v, held, redo in reviews if held or redo}
    held = {str(k) for k, _, held_on, _ in reviews if held_on is not None}
    tx.execute(
        "SELECT member_id, MAX(recorded_at) FROM {disciplines} "
        "WHERE decided_on >= ? GROUP BY member_id",
        (disciplines_counted_from(year),),
    )
    last = {str(m): int(n) for m, n in tx.fetchall()}
    tx.execute(
        "SELECT subject_key, detail FROM {timeline} WHERE cycle_id = ? "  # noqa: S608 - marks only
        f"AND step IN ({_STEP_MARKS}) ORDER BY position",
        (cycle, *_STEPS),
    )
    latest = {str(k): {"detail": d} for k, d in tx.fetchall()}
    tx.execute("DELETE FROM {open_items} WHERE cycle_id = ?", (cycle,))
    stored: list[tuple[Any, ...]] = []
    for key, row in rows.items():
        window = discipline_window(row, year)
        recorded = -1 if window is None else last.get(window.member_id, -1)
        later = window is not None and recorded > window.recorded_after
        items = subject_open_items(
            row,
            rows,
            met,
            disciplined_after=later,
            prerequisites=needed.get(key, []),
        )
        stored += items_rows(row, items, latest.get(key), key in held)
    store_items(tx, stored)
    tx.execute(
        "DELETE FROM {tallies} WHERE cycle_id = ? AND facet IN (?, ?)",
        (cycle, OPEN, MILESTONE),
    )
    tally(tx, cycle, counted(stored))


def store_posts(tx: Tx, cycle: str, subjects: Iterable[Subject]) -> None:
    tx.executemany(
        "INSERT INTO {posts} (cycle_id, org_id, subject_key) VALUES (?, ?, ?) "
        "ON CONFLICT (cycle_id, org_id, subject_key) DO NOTHING",
        [(cycle, org, s.key) for s in subjects if s.is_individual for org in s.posts],
    )


# -- reads --------------------------------------------------------------------------
def items_page(
    views: ProjectionRuntime,
    cycle_id: UUID,
    after: tuple[str, int] | None = None,
    limit: int = ITEMS_PAGE,
) -> list[dict[str, Any]]:
    """The cycle's subject items and flags in order, ``limit`` after the item
    at ``after`` (its ``position`` and ``seq``), through the primary key."""
    where = " AND position < ?"
    params: list[Any] = [str(cycle_id), MILESTONES_OPEN]
    if after is not None:
        where += " AND (position > ? OR (position = ? AND seq > ?))"
        params += [after[0], after[0], after[1]]
    return views.query(
        "ratings",
        "SELECT position, seq, subject_key, kind, rule, subject, other "
        "FROM {open_items} WHERE cycle_id = ?"
        + where
        + " ORDER BY position, seq LIMIT ?",
        [*params, limit],
    )


def short_counts(views: ProjectionRuntime, cycle_id: UUID) -> dict[str, int]:
    """How many subjects have not reached each ``<milestone>:<level>`` (the
    cycle's counters, one read for every deadline)."""
    return tallies_at(views, cycle_id, None, MILESTONE)


def short_names(
    views: ProjectionRuntime, cycle_id: UUID, milestone: str, level: str, limit: int
) -> list[str]:
    """The names of the first ``limit`` subjects at deadline ``level`` that
    have not reached ``milestone`` (the open items' key range)."""
    start = milestone_position(milestone, level)
    rows = views.query(
        "ratings",
        "SELECT subject FROM {open_items} WHERE cycle_id = ? AND position > ? "
        "AND position < ? ORDER BY position LIMIT ?",
        [str(cycle_id), start, start + "~", limit],
    )
    return [str(r["subject"]) for r in rows]


def items_count(views: ProjectionRuntime, cycle_id: UUID) -> int:
    """How many subject items and flags the cycle has (a counter)."""
    return tallies_at(views, cycle_id, None, OPEN).get(OPEN, 0)
