"""How many subjects of a cycle stand at each status, and which authorities
decide them, at each place? (``tallies``)

One row per cycle, place (the organisation a subject belongs to: a
collective's own, a member's chi bộ, its stored path's first; or ``WHOLE``, the
whole cycle), facet (``status`` or ``decides``) and value, kept as the
subjects' rows change (:mod:`.subjects`), so the cycle page reads a few rows
instead of every subject (issue 14). Not rolled up the stored path: the page
shows what the viewer reads, placed by today's tree (a reorganisation since the
cycle opened moves chi bộ between branches), so the reader sums the places of
the viewer's branch.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
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
BATCH = 100  # counts brought down per DELETE of the rows at 0
MILESTONE = "milestone"  # subjects short of "<milestone>:<deadline level>" (WHOLE)


def tally(
    tx: Tx,
    cycle: str,
    counts: Mapping[tuple[str, str, str], int],
    *,
    drop_zero: bool = False,
) -> None:
    """Add each (organisation, facet, value) count to the cycle's tallies: one
    upsert per count (a new row holds the count). ``drop_zero``: a row a
    decrease brings to 0 goes (counts added in any grouping, one by one or
    summed over a rebuild's page, then leave the same rows)."""
    rows = [
        (cycle, org, facet, value, n)
        for (org, facet, value), n in counts.items()
        if n != 0
    ]
    if not rows:
        return
    # Summed per key over a deferred page (a rebuild's), written at its end or
    # before a statement reads the table: the rows of adding each at once.
    tx.add_amounts("tallies", ("cycle_id", "org_id", "facet", "value"), "n", rows)
    lower = [row[1:4] for row in rows if row[4] < 0]
    for start in range(0, len(lower), BATCH) if drop_zero else ():
        part = lower[start : start + BATCH]
        tx.execute(
            "DELETE FROM {tallies} WHERE cycle_id = ? AND n = 0 AND ("  # noqa: S608 - marks only
            + " OR ".join("(org_id = ? AND facet = ? AND value = ?)" for _ in part)
            + ")",
            [cycle, *(value for row in part for value in row)],
        )


def _places(path: Sequence[str]) -> tuple[str, ...]:
    """Where a subject (its stored ``path``) is counted: the whole cycle and its
    place."""
    return (WHOLE, str(path[0])) if path else (WHOLE,)


def subject_tallies(
    path: Sequence[str], status: str, decides: str | None, by: int = 1
) -> dict[tuple[str, str, str], int]:
    """The counts one subject adds (``by`` 1) or takes away (-1): its status and
    its deciding authority, at its place and in the whole cycle."""
    counts: dict[tuple[str, str, str], int] = {}
    for org in _places(path):
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


def status_moved(tx: Tx, cycle: str, path: Sequence[str], old: str, new: str) -> None:
    """A subject moved from status ``old`` to ``new``."""
    if old == new:
        return
    counts: dict[tuple[str, str, str], int] = {}
    for org in _places(path):
        counts[(org, STATUS, old)] = -1
        counts[(org, STATUS, new)] = 1
    tally(tx, cycle, counts)


class SubjectTallies(ReadModel):
    """The counters by status and by deciding authority, by place."""

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
    """Value → count of the subjects placed at ``org_id`` (the whole cycle when
    None) by ``facet``, the non-zero ones (by primary key)."""
    return tallies_of(
        views, cycle_id, [WHOLE if org_id is None else str(org_id)], facet
    )


PLACES_BATCH = 500  # places per IN (...) list


def tallies_of(
    views: ProjectionRuntime, cycle_id: UUID, places: Sequence[str], facet: str
) -> dict[str, int]:
    """Value → count of the subjects placed at any of ``places`` by ``facet``
    (one indexed query per few hundred places)."""
    found: dict[str, int] = {}
    for start in range(0, len(places), PLACES_BATCH):
        batch = list(places[start : start + PLACES_BATCH])
        marks = ", ".join("?" for _ in batch)
        rows: list[dict[str, Any]] = views.query(
            "ratings",
            "SELECT value, SUM(n) AS n FROM {tallies} WHERE cycle_id = ? "  # noqa: S608 - marks only
            f"AND facet = ? AND org_id IN ({marks}) GROUP BY value",
            [str(cycle_id), facet, *batch],
        )
        for r in rows:
            if int(r["n"]):
                found[str(r["value"])] = found.get(str(r["value"]), 0) + int(r["n"])
    return dict(sorted(found.items()))


FACETS_BATCH = 2_000  # places per IN (...) list when both facets are read at once


def tallies_by_facet_sql(
    cycle_id: str, places: Sequence[str], facets: Sequence[str]
) -> tuple[str, list[Any]]:
    """The sums by facet and value of the tallies at ``places``: the primary
    key's ranges (cycle, place), never the cycle's rows of a facet."""
    facet_marks = ", ".join("?" for _ in facets)
    marks = ", ".join("?" for _ in places)
    return (
        "SELECT facet, value, SUM(n) AS n FROM {tallies} WHERE cycle_id = ? "  # noqa: S608 - marks only
        f"AND facet IN ({facet_marks}) AND org_id IN ({marks}) "
        "GROUP BY facet, value",
        [cycle_id, *facets, *places],
    )


def tallies_by_facet(
    views: ProjectionRuntime,
    cycle_id: UUID,
    places: Sequence[str],
    facets: Sequence[str],
) -> dict[str, dict[str, int]]:
    """Facet → value → count of the subjects placed at any of ``places``, the
    non-zero ones: :func:`tallies_of` of each facet, every facet in one
    statement per two thousand places (a province's branch is thousands of
    places: one statement per facet and per five hundred of them was 18 at
    100,000 members, each reading the cycle's rows of its facet)."""
    found: dict[str, dict[str, int]] = {facet: {} for facet in facets}
    if not facets:
        return found
    for start in range(0, len(places), FACETS_BATCH):
        batch = places[start : start + FACETS_BATCH]
        sql, args = tallies_by_facet_sql(str(cycle_id), batch, facets)
        rows: list[dict[str, Any]] = views.query("ratings", sql, args)
        for r in rows:
            if int(r["n"]):
                counts = found[str(r["facet"])]
                value = str(r["value"])
                counts[value] = counts.get(value, 0) + int(r["n"])
    return {facet: dict(sorted(counts.items())) for facet, counts in found.items()}


def branch_tallies_sql(
    cycle_id: str, branch: str, facets: Sequence[str], excluded: Sequence[str] = ()
) -> tuple[str, list[Any]]:
    """The sums by facet and value of the tallies at the places in ``branch``
    today (the directory's ``org_ancestors``: the organisation and every one
    below it), but the ``excluded`` ones: one statement joining the branch's
    range of ``org_descendants`` to the tallies' key ranges (cycle, place),
    the places never sent as parameters."""
    facet_marks = ", ".join("?" for _ in facets)
    skip = (
        f" AND a.org_id NOT IN ({', '.join('?' for _ in excluded)})" if excluded else ""
    )
    return (
        "SELECT t.facet, t.value, SUM(t.n) AS n "  # noqa: S608 - marks only
        "FROM {directory.org_ancestors} a JOIN {tallies} t "
        "ON t.cycle_id = ? AND t.org_id = a.org_id "
        f"WHERE a.ancestor_id = ? AND t.facet IN ({facet_marks}){skip} "
        "GROUP BY t.facet, t.value",
        [cycle_id, branch, *facets, *excluded],
    )


def branch_tallies(
    views: ProjectionRuntime,
    cycle_id: UUID,
    branch: str,
    facets: Sequence[str],
    excluded: Sequence[str] = (),
) -> dict[str, dict[str, int]]:
    """:func:`tallies_by_facet` of the places in ``branch`` today but the
    ``excluded``, in one statement whatever the branch's size (a province is
    4,400 places: listing them, then sending them back in three statements of
    2,000 parameters, was most of the cycle page's CPU at 100,000 members)."""
    found: dict[str, dict[str, int]] = {facet: {} for facet in facets}
    if not facets:
        return found
    sql, args = branch_tallies_sql(str(cycle_id), branch, facets, excluded)
    for r in views.query_views(["ratings", "directory"], sql, args):
        if int(r["n"]):
            found[str(r["facet"])][str(r["value"])] = int(r["n"])
    return {facet: dict(sorted(counts.items())) for facet, counts in found.items()}
