"""Refilling the open items of many subjects at once (``open_items``).

The handlers name the subjects whose items may have changed
(:func:`open_items.refill_later`); at the end of the event, or of a page in a
rebuild (``RatingsView.finish``), :func:`refill_pending` refills them all
together, a few statements for every subject of a cycle, however many: the
subjects' rows with their cycle's year and latest rating step in one query; what
they hold now, their prerequisites (with the status and name of each other
subject), their reviews and their members' latest discipline counted in the
cycle in a second (``UNION ALL``). The items are asked of the domain subject by
subject (``domain.rating_open_items``) from those rows, as one subject's refill
read them; the subjects whose rows change are rewritten in one delete (of those
that held some) and one multi-row insert, their counts summed into the cycle's
tallies in one upsert.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from domain.rating_open_items import (
    RATING_STEPS,
    discipline_window,
    disciplines_counted_from,
    reads_prerequisites,
    reads_reviews,
    subject_open_items,
)
from projections.ratings.open_items import (
    BATCH,
    PENDING,
    as_subject_row,
    counted,
    items_rows,
    refresh_opened,
    store_items,
)
from projections.ratings.tallies import tally
from projections.sqlutil import Tx, adapt_params

_STEP_MARKS = ", ".join("?" for _ in RATING_STEPS)
_STEPS = sorted(RATING_STEPS)
# The parts of the second read, in one statement: the items held now, the
# prerequisites (in order), the review meetings and the latest discipline.
HELD, NEEDS, MET, LAST = "a", "p", "r", "s"


def refill_pending(tx: Tx) -> None:
    """Refill the items of the subjects :func:`open_items.refill_later` named,
    each once: per cycle, :data:`BATCH` subjects at a time; first, the cycles
    opened and not yet refreshed (``open_items.refresh_opened``)."""
    refresh_opened(tx)
    pending: dict[tuple[str, str], None] | None = tx.later.pop(PENDING, None)
    by_cycle: dict[str, list[str]] = {}
    for cycle, key in pending or ():
        by_cycle.setdefault(cycle, []).append(key)
    for cycle, keys in by_cycle.items():
        for start in range(0, len(keys), BATCH):
            refill(tx, cycle, keys[start : start + BATCH])


def refill(tx: Tx, cycle: str, keys: Sequence[str]) -> None:
    """Refill these subjects' open items from their rows and the few rows they
    read, and the cycle's counts of them. A subject whose items come out the
    same is not written; one without a row (removed) loses its items."""
    marks = ", ".join("?" for _ in keys)
    tx.execute(
        "SELECT s.*, c.year, (SELECT t.detail FROM {timeline} t "  # noqa: S608 - marks only
        "WHERE t.cycle_id = s.cycle_id AND t.subject_key = s.subject_key "
        f"AND t.step IN ({_STEP_MARKS}) ORDER BY t.position DESC LIMIT 1) "
        "AS latest_step FROM {subjects} s JOIN {cycles} c "
        "ON c.cycle_id = s.cycle_id "
        f"WHERE s.cycle_id = ? AND s.subject_key IN ({marks})",
        (*_STEPS, cycle, *keys),
    )
    found = {str(r["subject_key"]): r for r in tx.fetchall_dicts()}
    years = {int(r["year"]) for r in found.values()}  # one cycle: one year
    counted_from = disciplines_counted_from(years.pop()) if years else None
    held, needs, met, last = _around(tx, cycle, keys, marks, counted_from)
    later = _disciplined(found, last)
    changed: list[str] = []
    fresh: list[tuple[Any, ...]] = []
    counts: Counter[tuple[str, str, str]] = Counter()
    for key in keys:
        before = held.get(key, [])
        row = found.get(key)
        stored = [] if row is None else _items(row, needs, met, later)
        if _same_rows(before, stored):  # a refill that changes nothing writes nothing
            continue
        changed.append(key)
        fresh += stored
        counts.update(counted(stored))
        counts.subtract(counted(before))
    gone = [key for key in changed if key in held]  # only they have rows to drop
    if gone:
        tx.execute(
            "DELETE FROM {open_items} WHERE cycle_id = ? AND subject_key IN ("  # noqa: S608 - marks only
            + ", ".join("?" for _ in gone)
            + ")",
            (cycle, *gone),
        )
    store_items(tx, fresh)
    tally(tx, cycle, counts, drop_zero=True)


def _around(
    tx: Tx, cycle: str, keys: Sequence[str], marks: str, counted_from: str | None
) -> tuple[
    dict[str, list[tuple[Any, ...]]],
    dict[str, list[dict[str, Any]]],
    dict[str, list[tuple[Any, Any, Any]]],
    dict[str, int],
]:
    """In one statement: the stored items of each subject (as the table holds
    them), its prerequisites in order with the other subject's status and name,
    its review meetings (venue, held on, redo order) and, from
    ``counted_from`` (the cycle's first day a discipline counts), when its
    member's latest discipline was recorded."""
    statement = (
        f"SELECT '{HELD}' AS part, subject_key, seq AS n, position AS a, "  # noqa: S608 - marks only
        "kind AS b, rule AS c, subject AS d, other AS e FROM {open_items} "
        f"WHERE cycle_id = ? AND subject_key IN ({marks}) "
        f"UNION ALL SELECT '{NEEDS}', p.subject_key, p.seq, p.rule, p.other_key, "
        "o.status, o.name, NULL FROM {prerequisites} p JOIN {subjects} o "
        "ON o.cycle_id = p.cycle_id AND o.subject_key = p.other_key "
        f"WHERE p.cycle_id = ? AND p.subject_key IN ({marks}) "
        f"UNION ALL SELECT '{MET}', subject_key, 0, venue_id, held_on, "
        "redo_order_id, NULL, NULL FROM {reviews} "
        f"WHERE cycle_id = ? AND subject_key IN ({marks}) "
    )
    params: list[Any] = [cycle, *keys, cycle, *keys, cycle, *keys]
    if counted_from is not None:
        statement += (
            f"UNION ALL SELECT '{LAST}', s.subject_key, MAX(d.recorded_at), NULL, "  # noqa: S608 - marks only
            "NULL, NULL, NULL, NULL FROM {subjects} s JOIN {disciplines} d "
            "ON d.member_id = s.member_id "
            f"WHERE s.cycle_id = ? AND s.subject_key IN ({marks}) "
            "AND d.decided_on >= ? GROUP BY s.subject_key "
        )
        params += [cycle, *keys, counted_from]
    tx.execute(statement + "ORDER BY 1, 2, 3", params)
    held: dict[str, list[tuple[Any, ...]]] = {}
    needs: dict[str, list[dict[str, Any]]] = {}
    met: dict[str, list[tuple[Any, Any, Any]]] = {}
    last: dict[str, int] = {}
    for part, key, n, a, b, c, d, e in tx.fetchall():
        if part == HELD:
            held.setdefault(key, []).append((cycle, a, n, key, b, c, d, e))
        elif part == NEEDS:
            needs.setdefault(key, []).append(
                {"rule": a, "other_key": b, "status": c, "name": d}
            )
        elif part == MET:
            met.setdefault(key, []).append((a, b, c))
        elif n is not None:
            last[key] = int(n)
    return held, needs, met, last


def _disciplined(found: dict[str, dict[str, Any]], last: dict[str, int]) -> set[str]:
    """The subjects among ``found`` with a discipline recorded in their
    :func:`discipline_window` (``last``: when their member's latest discipline
    counted in the cycle was recorded)."""
    return {
        key
        for key, row in found.items()
        if (window := discipline_window(row, int(row["year"]))) is not None
        and key in last
        and last[key] > window.recorded_after
    }


def _items(
    found: dict[str, Any],
    needs: dict[str, list[dict[str, Any]]],
    met: dict[str, list[tuple[Any, Any, Any]]],
    later: set[str],
) -> list[tuple[Any, ...]]:
    """The stored rows of one subject's items, asked of the domain with only
    what the rule reads (``reads_prerequisites``, ``reads_reviews``)."""
    row = as_subject_row(found)
    key = str(found["subject_key"])
    needed = needs.get(key, []) if reads_prerequisites(row) else []
    rows = {key: row} | {
        n["other_key"]: {"status": n["status"], "name": n["name"]} for n in needed
    }
    reviews = met.get(key, []) if reads_reviews(row) else []
    items = subject_open_items(
        row,
        rows,
        {(key, str(v)) for v, held, redo in reviews if held or redo},
        disciplined_after=key in later,
        prerequisites=[(n["rule"], n["other_key"]) for n in needed],
    )
    latest = found["latest_step"]
    step = None if latest is None else {"detail": latest}
    was_held = any(held_on is not None for _, held_on, _ in reviews)
    return items_rows(found, items, step, was_held)


def _same_rows(stored: list[tuple[Any, ...]], fresh: list[tuple[Any, ...]]) -> bool:
    """Whether the rows read back equal the rows about to be written (as the
    database holds them), in any order."""
    if len(stored) != len(fresh):
        return False
    return Counter(stored) == Counter(adapt_params(row) for row in fresh)
