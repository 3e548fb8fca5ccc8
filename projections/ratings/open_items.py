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
subjects arrive or change in parts (several events) calls
:func:`subjects_added` for each part and :func:`subjects_removed` for the keys
that leave: each asks the rules about the part's neighbours only
(``domain.rating_open_items.prerequisite_candidates`` and
``waiting_candidates``), never the whole cycle. The deadlines and re-review
orders depend on the day and are read apart (``services``).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any
from uuid import UUID

from domain.cycles import MILESTONES, SubjectIndex
from domain.rating_open_items import (
    RATING_STEPS,
    Neighbours,
    discipline_window,
    disciplines_counted_from,
    prerequisite_candidates,
    reads_prerequisites,
    reads_reviews,
    step_flags,
    still_open,
    subject_open_items,
    waiting_candidates,
    waiting_items_change,
)
from domain.rating_order import rating_prerequisites
from domain.subjects import Subject
from projections.ratings.tallies import MILESTONE, OPEN, WHOLE, tallies_at, tally
from projections.read_model import ReadModel
from projections.sqlutil import Tx, adapt_params

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


def _subject(row: Mapping[str, Any]) -> dict[str, Any]:
    """A stored subject row as the domain's open-item rules read it."""
    out = dict(row)
    out["key"] = row["subject_key"]
    for name in ("venues", "posts", "path"):
        if isinstance(out.get(name), str):
            out[name] = json.loads(out[name])
    return out


def _items_of(
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


def _counted(rows: Iterable[tuple[Any, ...]]) -> dict[tuple[str, str, str], int]:
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


def _store(tx: Tx, rows: Iterable[tuple[Any, ...]]) -> None:
    tx.executemany(
        "INSERT INTO {open_items} (cycle_id, position, seq, subject_key, kind, "
        "rule, subject, other) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
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


def refill_pending(tx: Tx) -> None:
    """Refill the items of the subjects :func:`refill_later` named, each once."""
    pending: dict[tuple[str, str], None] | None = tx.later.pop(PENDING, None)
    for cycle, key in pending or ():
        refresh_subject(tx, cycle, key)


def refresh_subject(tx: Tx, cycle: str, key: str) -> None:
    """Refill one subject's open items from its row and the few rows they read
    (and the cycle's count of them)."""
    tx.execute(
        "SELECT cycle_id, position, seq, subject_key, kind, rule, subject, other "
        "FROM {open_items} WHERE cycle_id = ? AND subject_key = ?",
        (cycle, key),
    )
    before = tx.fetchall()
    stored = _refilled(tx, cycle, key)
    if _same_rows(before, stored):  # a refill that changes nothing writes nothing
        return
    tx.execute(
        "DELETE FROM {open_items} WHERE cycle_id = ? AND subject_key = ?",
        (cycle, key),
    )
    _store(tx, stored)
    counts = _counted(stored)
    for place, n in _counted(before).items():
        counts[place] = counts.get(place, 0) - n
    tally(tx, cycle, counts, drop_zero=True)


def _same_rows(stored: list[tuple[Any, ...]], fresh: list[tuple[Any, ...]]) -> bool:
    """Whether the rows read back equal the rows about to be written (as the
    database holds them), in any order."""
    if len(stored) != len(fresh):
        return False
    return Counter(stored) == Counter(adapt_params(row) for row in fresh)


def _refilled(tx: Tx, cycle: str, key: str) -> list[tuple[Any, ...]]:
    """The stored rows of one subject's items, asked of the domain."""
    tx.execute(
        "SELECT s.*, c.year, (SELECT t.detail FROM {timeline} t "  # noqa: S608 - marks only
        "WHERE t.cycle_id = s.cycle_id AND t.subject_key = s.subject_key "
        f"AND t.step IN ({_STEP_MARKS}) ORDER BY t.position DESC LIMIT 1) "
        "AS latest_step FROM {subjects} s JOIN {cycles} c "
        "ON c.cycle_id = s.cycle_id WHERE s.cycle_id = ? AND s.subject_key = ?",
        (*_STEPS, cycle, key),
    )
    found = tx.fetchone_dict()
    if found is None:
        return []
    row = _subject(found)
    needed: list[dict[str, Any]] = []
    if reads_prerequisites(row):
        tx.execute(
            "SELECT p.rule, p.other_key, o.status, o.name FROM {prerequisites} p "
            "JOIN {subjects} o ON o.cycle_id = p.cycle_id "
            "AND o.subject_key = p.other_key "
            "WHERE p.cycle_id = ? AND p.subject_key = ? ORDER BY p.seq",
            (cycle, key),
        )
        needed = tx.fetchall_dicts()
    rows = {key: row} | {
        n["other_key"]: {"status": n["status"], "name": n["name"]} for n in needed
    }
    reviews: list[tuple[Any, ...]] = []
    if reads_reviews(row):
        tx.execute(
            "SELECT venue_id, held_on, redo_order_id FROM {reviews} "
            "WHERE cycle_id = ? AND subject_key = ?",
            (cycle, key),
        )
        reviews = tx.fetchall()
    met = {(key, str(v)) for v, held, redo in reviews if held or redo}
    held = any(held_on is not None for _, held_on, _ in reviews)
    later = False
    window = discipline_window(row, int(found["year"]))
    if window is not None:
        last = tx.scalar(
            "SELECT MAX(recorded_at) FROM {disciplines} WHERE member_id = ? "
            "AND decided_on >= ?",
            (window.member_id, window.decided_from),
        )
        later = last is not None and int(last) > window.recorded_after
    items = subject_open_items(
        row,
        rows,
        met,
        disciplined_after=later,
        prerequisites=[(n["rule"], n["other_key"]) for n in needed],
    )
    latest = found["latest_step"]
    step = None if latest is None else {"detail": latest}
    return _items_of(found, items, step, held)


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
    rows = {r["subject_key"]: _subject(r) for r in tx.fetchall_dicts()}
    typed = {k: Subject.from_payload(r) for k, r in rows.items()}
    index = SubjectIndex.of(typed)
    needed = {
        k: rating_prerequisites(typed[k], typed, index)
        for k, r in rows.items()
        if not r["exempt"]
    }
    tx.execute("DELETE FROM {posts} WHERE cycle_id = ?", (cycle,))
    _store_posts(tx, cycle, typed.values())
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
        stored += _items_of(row, items, latest.get(key), key in held)
    _store(tx, stored)
    tx.execute(
        "DELETE FROM {tallies} WHERE cycle_id = ? AND facet IN (?, ?)",
        (cycle, OPEN, MILESTONE),
    )
    tally(tx, cycle, _counted(stored))


# -- a part of the cycle's subjects (added, changed or removed) -----------------------
def subjects_added(tx: Tx, cycle: str, keys: Iterable[str]) -> None:
    """Subjects were added to an open cycle or their rows changed (their rows
    stored): their prerequisites, those of the subjects that may wait for them
    (``domain.rating_open_items.waiting_candidates``) and the items of both
    again. In the size of the part and its neighbours, not of the cycle, so a
    cycle whose subjects arrive in many events stays linear."""
    added = _typed(tx, cycle, list(keys))
    tx.executemany(
        "DELETE FROM {posts} WHERE cycle_id = ? AND subject_key = ?",
        [(cycle, k) for k in added],
    )
    _store_posts(tx, cycle, added.values())
    again = set(added)
    for subject in added.values():
        again |= _named(tx, cycle, waiting_candidates(subject))
    for key in sorted(again):
        _prerequisites_again(tx, cycle, key)
        refill_later(tx, cycle, key)


def subjects_removed(tx: Tx, cycle: str, keys: Iterable[str]) -> None:
    """Subjects left an open cycle (their rows already deleted): their items,
    prerequisites and posts go, and the subjects that waited for them are asked
    again."""
    gone = sorted(set(keys))
    waiting: set[str] = set()
    for key in gone:
        waiting.update(waiting_for(tx, cycle, key))
        refill_later(tx, cycle, key)  # no row: its items and their counts go
    for column in ("subject_key", "other_key"):
        tx.executemany(
            "DELETE FROM {prerequisites} WHERE cycle_id = ? AND "  # noqa: S608 - a fixed column
            + column
            + " = ?",
            [(cycle, k) for k in gone],
        )
    tx.executemany(
        "DELETE FROM {posts} WHERE cycle_id = ? AND subject_key = ?",
        [(cycle, k) for k in gone],
    )
    for key in sorted(waiting - set(gone)):
        _prerequisites_again(tx, cycle, key)
        refill_later(tx, cycle, key)


def _store_posts(tx: Tx, cycle: str, subjects: Iterable[Subject]) -> None:
    tx.executemany(
        "INSERT INTO {posts} (cycle_id, org_id, subject_key) VALUES (?, ?, ?) "
        "ON CONFLICT (cycle_id, org_id, subject_key) DO NOTHING",
        [(cycle, org, s.key) for s in subjects if s.is_individual for org in s.posts],
    )


def _typed(tx: Tx, cycle: str, keys: list[str]) -> dict[str, Subject]:
    """The stored subjects among ``keys``, as the domain reads them."""
    found: dict[str, Subject] = {}
    for start in range(0, len(keys), BATCH):
        batch = keys[start : start + BATCH]
        tx.execute(
            "SELECT * FROM {subjects} WHERE cycle_id = ? AND subject_key IN ("  # noqa: S608 - marks only
            + ", ".join("?" for _ in batch)
            + ")",
            (cycle, *batch),
        )
        for row in tx.fetchall_dicts():
            found[row["subject_key"]] = Subject.from_payload(_subject(row))
    return found


def _named(tx: Tx, cycle: str, who: Neighbours) -> set[str]:
    """The keys of the cycle's subjects ``who`` names (through indexes)."""
    found = set(who.keys)
    for sql, values in (
        (
            "SELECT subject_key FROM {subjects} WHERE cycle_id = ? "
            "AND kind = 'collective' AND parent_id = ?",
            who.parents,
        ),
        (
            "SELECT subject_key FROM {subjects} WHERE cycle_id = ? "
            "AND kind = 'individual' AND cell_id = ?",
            who.cells,
        ),
        (
            "SELECT subject_key FROM {posts} WHERE cycle_id = ? AND org_id = ?",
            who.posted_at,
        ),
    ):
        for value in values:
            tx.execute(sql, (cycle, value))
            found.update(str(r[0]) for r in tx.fetchall())
    return found


def _prerequisites_again(tx: Tx, cycle: str, key: str) -> None:
    """One subject's prerequisites from its candidates only
    (``domain.rating_open_items.prerequisite_candidates``)."""
    tx.execute(
        "DELETE FROM {prerequisites} WHERE cycle_id = ? AND subject_key = ?",
        (cycle, key),
    )
    subject = _typed(tx, cycle, [key]).get(key)
    if subject is None or subject.exempt:
        return
    near = _typed(
        tx, cycle, sorted(_named(tx, cycle, prerequisite_candidates(subject)))
    )
    near[key] = subject
    pairs = rating_prerequisites(subject, near, SubjectIndex.of(near))
    tx.executemany(
        "INSERT INTO {prerequisites} (cycle_id, subject_key, seq, rule, other_key) "
        "VALUES (?, ?, ?, ?, ?)",
        [(cycle, key, seq, rule, other) for seq, (rule, other) in enumerate(pairs)],
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


def short_of(
    views: ProjectionRuntime, cycle_id: UUID, milestone: str, level: str, limit: int
) -> tuple[int, list[str]]:
    """How many subjects at deadline ``level`` have not reached ``milestone``
    (a counter), and the names of the first ``limit`` of them."""
    n = tallies_at(views, cycle_id, None, MILESTONE).get(f"{milestone}:{level}", 0)
    if n == 0:
        return 0, []
    start = milestone_position(milestone, level)
    rows = views.query(
        "ratings",
        "SELECT subject FROM {open_items} WHERE cycle_id = ? AND position > ? "
        "AND position < ? ORDER BY position LIMIT ?",
        [str(cycle_id), start, start + "~", limit],
    )
    return n, [str(r["subject"]) for r in rows]


def items_count(views: ProjectionRuntime, cycle_id: UUID) -> int:
    """How many subject items and flags the cycle has (a counter)."""
    return tallies_at(views, cycle_id, None, OPEN).get(OPEN, 0)
