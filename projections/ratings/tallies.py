"""How many subjects of a cycle stand at each status, and which authorities
decide them, in each organisation, everything under it included? (``tallies``)

One row per cycle, organisation on a subject's stored path (or ``WHOLE``, the
whole cycle), facet (``status`` or ``decides``) and value, kept as the subjects'
rows change (:mod:`.subjects`) like the level buckets of :mod:`.statistics`, so
the cycle page reads a few rows instead of every subject (issue 14).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any
from uuid import UUID

from projections.read_model import ReadModel
from projections.sqlutil import Tx

if TYPE_CHECKING:
    from projections.runtime import ProjectionRuntime

WHOLE = "*"
"""The organisation column of a cycle's totals (every subject, whatever its path)."""
STATUS = "status"
DECIDES = "decides"
OPEN = "open"  # the facet (and value) of the cycle's count of open items (WHOLE)
MILESTONE = "milestone"  # subjects short of "<milestone>:<deadline level>" (WHOLE)


def tally(tx: Tx, cycle: str, counts: Mapping[tuple[str, str, str], int]) -> None:
    """Add each (organisation, facet, value) count to the cycle's tallies."""
    for (org, facet, value), n in counts.items():
        if n == 0:
            continue
        tx.execute(
            "INSERT INTO {tallies} (cycle_id, org_id, facet, value, n) "
            "VALUES (?, ?, ?, ?, 0) ON CONFLICT (cycle_id, org_id, facet, value) "
            "DO NOTHING",
            (cycle, org, facet, value),
        )
        tx.execute(
            "UPDATE {tallies} SET n = n + ? WHERE cycle_id = ? AND org_id = ? "
            "AND facet = ? AND value = ?",
            (n, cycle, org, facet, value),
        )


def subject_tallies(
    path: Iterable[str], status: str, decides: str | None, by: int = 1
) -> dict[tuple[str, str, str], int]:
    """The counts one subject adds (``by`` 1) or takes away (-1): its status and
    its deciding authority, at every organisation of its path and in the whole
    cycle."""
    counts: dict[tuple[str, str, str], int] = {}
    for org in (WHOLE, *path):
        counts[(org, STATUS, status)] = by
        if decides:
            counts[(org, DECIDES, decides)] = by
    return counts


def add_tallies(
    into: dict[tuple[str, str, str], int], more: Mapping[tuple[str, str, str], int]
) -> None:
    for place, n in more.items():
        into[place] = into.get(place, 0) + n


def recount(tx: Tx, cycle: str) -> None:
    """The cycle's status and authority tallies again from its rows (when its
    subjects are set again: the event is in the cycle's size already)."""
    tx.execute(
        "DELETE FROM {tallies} WHERE cycle_id = ? AND facet IN (?, ?)",
        (cycle, STATUS, DECIDES),
    )
    tx.execute(
        "SELECT path, status, decides FROM {subjects} WHERE cycle_id = ?", (cycle,)
    )
    counts: dict[tuple[str, str, str], int] = {}
    for path, status, decides in tx.fetchall():
        add_tallies(counts, subject_tallies(json.loads(path), status, decides))
    tally(tx, cycle, counts)


def status_moved(tx: Tx, cycle: str, path: Iterable[str], old: str, new: str) -> None:
    """A subject moved from status ``old`` to ``new``."""
    if old == new:
        return
    counts: dict[tuple[str, str, str], int] = {}
    for org in (WHOLE, *path):
        counts[(org, STATUS, old)] = -1
        counts[(org, STATUS, new)] = 1
    tally(tx, cycle, counts)


class SubjectTallies(ReadModel):
    """The counters by status and by deciding authority, rolled up the tree."""

    tables = {  # noqa: RUF012 - declarative table list read by the runtime
        "tallies": (
            "cycle_id TEXT NOT NULL, org_id TEXT NOT NULL, facet TEXT NOT NULL, "
            "value TEXT NOT NULL, n BIGINT NOT NULL, "
            "PRIMARY KEY (cycle_id, org_id, facet, value)"
        ),
    }


def tallies_at(
    views: ProjectionRuntime, cycle_id: UUID, org_id: UUID | None, facet: str
) -> dict[str, int]:
    """Value → count of the subjects in and under ``org_id`` (the whole cycle
    when None) by ``facet``, the non-zero ones (by primary key)."""
    rows: list[dict[str, Any]] = views.query(
        "ratings",
        "SELECT value, n FROM {tallies} WHERE cycle_id = ? AND org_id = ? "
        "AND facet = ? AND n != 0 ORDER BY value",
        [str(cycle_id), WHOLE if org_id is None else str(org_id), facet],
    )
    return {str(r["value"]): int(r["n"]) for r in rows}
