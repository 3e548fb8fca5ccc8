"""A part of a cycle's subjects added, changed or removed (``open_items``).

A cycle whose subjects arrive or change in parts (several events) calls
:func:`subjects_added` for each part and :func:`subjects_removed` for the keys
that leave: each asks the rules about the part's neighbours only
(``domain.rating_open_items.prerequisite_candidates`` and
``waiting_candidates``), never the whole cycle, and reads them set-based: the
neighbours of every subject of the part in one query per kind of neighbour, and
their rows in one query, not one read per neighbour.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from domain.cycles import SubjectIndex
from domain.rating_open_items import (
    Neighbours,
    prerequisite_candidates,
    waiting_candidates,
)
from domain.rating_order import rating_prerequisites
from domain.subjects import Subject
from projections.ratings.open_items import (
    BATCH,
    as_subject_row,
    refill_later,
    store_posts,
    waiting_for,
)
from projections.sqlutil import Tx


def subjects_added(tx: Tx, cycle: str, keys: Iterable[str]) -> None:
    """Subjects were added to an open cycle or their rows changed (their rows
    stored): their prerequisites, those of the subjects that may wait for them
    (``domain.rating_open_items.waiting_candidates``) and the items of both
    again. In the size of the part and its neighbours, not of the cycle, so a
    cycle whose subjects arrive in many events stays linear."""
    added = typed(tx, cycle, list(keys))
    tx.executemany(
        "DELETE FROM {posts} WHERE cycle_id = ? AND subject_key = ?",
        [(cycle, k) for k in added],
    )
    store_posts(tx, cycle, added.values())
    again = set(added) | named(
        tx, cycle, [waiting_candidates(s) for s in added.values()]
    )
    prerequisites_again(tx, cycle, sorted(again), added)
    for key in sorted(again):
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
    again = sorted(waiting - set(gone))
    prerequisites_again(tx, cycle, again)
    for key in again:
        refill_later(tx, cycle, key)


def typed(tx: Tx, cycle: str, keys: Sequence[str]) -> dict[str, Subject]:
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
            found[row["subject_key"]] = Subject.from_payload(as_subject_row(row))
    return found


_NAMED = (
    "SELECT subject_key FROM {subjects} WHERE cycle_id = ? "
    "AND kind = 'collective' AND parent_id IN ",
    "SELECT subject_key FROM {subjects} WHERE cycle_id = ? "
    "AND kind = 'individual' AND cell_id IN ",
    "SELECT subject_key FROM {posts} WHERE cycle_id = ? AND org_id IN ",
)


def named(tx: Tx, cycle: str, who: Iterable[Neighbours]) -> set[str]:
    """The keys of the cycle's subjects any of ``who`` names: one query per
    kind of neighbour (and per :data:`BATCH` values), not one per value."""
    found: set[str] = set()
    values: tuple[set[str], set[str], set[str]] = (set(), set(), set())
    for one in who:
        found.update(one.keys)
        values[0].update(one.parents)
        values[1].update(one.cells)
        values[2].update(one.posted_at)
    for sql, wanted in zip(_NAMED, values, strict=True):
        ordered = sorted(wanted)
        for start in range(0, len(ordered), BATCH):
            batch = ordered[start : start + BATCH]
            tx.execute(sql + "(" + ", ".join("?" for _ in batch) + ")", (cycle, *batch))
            found.update(str(r[0]) for r in tx.fetchall())
    return found


def prerequisites_again(
    tx: Tx,
    cycle: str,
    keys: Sequence[str],
    known: dict[str, Subject] | None = None,
) -> None:
    """These subjects' prerequisites from their candidates only
    (``domain.rating_open_items.prerequisite_candidates``), all at once: the
    rule answers over any subjects that hold a subject's candidates as over
    the whole cycle, so one set of neighbours serves the whole part.
    ``known``: subjects already read (as stored now)."""
    if not keys:
        return
    for start in range(0, len(keys), BATCH):
        batch = keys[start : start + BATCH]
        tx.execute(
            "DELETE FROM {prerequisites} WHERE cycle_id = ? AND subject_key IN ("  # noqa: S608 - marks only
            + ", ".join("?" for _ in batch)
            + ")",
            (cycle, *batch),
        )
    known = known or {}
    subjects = {k: known[k] for k in keys if k in known}
    subjects |= typed(tx, cycle, [k for k in keys if k not in known])
    asking = {k: s for k, s in subjects.items() if not s.exempt}
    if not asking:
        return
    near_keys = named(tx, cycle, [prerequisite_candidates(s) for s in asking.values()])
    near = typed(tx, cycle, sorted(near_keys - set(subjects))) | subjects
    index = SubjectIndex.of(near)
    tx.executemany(
        "INSERT INTO {prerequisites} (cycle_id, subject_key, seq, rule, other_key) "
        "VALUES (?, ?, ?, ?, ?)",
        [
            (cycle, key, seq, rule, other)
            for key in sorted(asking)
            for seq, (rule, other) in enumerate(
                rating_prerequisites(asking[key], near, index)
            )
        ],
    )
