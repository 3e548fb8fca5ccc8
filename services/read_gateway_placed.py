"""A list the process keeps with where each row stands in the tree
(``services.read_gateway``: ``ReadGateway.keep_placed``).

A list filtered by scope on every request (the cycle page's ≈ 800 leadership
collectives and committees at 100,000 members) read each row's ancestor path and
asked the read rule once per row. The rule decides by place through a viewer's
reach (``domain.permissions.read_reach``): whole branches and a few organisations
themselves. So the rows are indexed once, while the views they came from stand
still (``services.kept_results``), by every organisation on their paths; a
viewer's rows are then the union of a few index entries, and only the rows
outside them are asked the owner's clause (``reads_as_owner``).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, cast
from uuid import UUID

from domain.permissions import Read, ReadReach, Viewer, read_reach, reads_as_owner
from projections import directory_reads
from projections.directory import ancestor_paths
from services.read_gateway_memo import as_uuid

Row = Any


@dataclass(frozen=True)
class PlacedRows:
    """``rows`` in their order and, by organisation, the positions of the rows
    placed at it or below it (``under``) and at it (``at``). A row with no
    place, or an unknown one, is in neither: only its owner reads it. Shared
    by the threads of a process: never changed."""

    rows: Sequence[Row]
    under: Mapping[UUID, frozenset[int]]
    at: Mapping[UUID, frozenset[int]]

    def covered(self, reach: ReadReach) -> frozenset[int] | range:
        """The positions of the rows ``reach`` covers (its ``covers`` on each
        row's path)."""
        if reach.everything:
            return range(len(self.rows))
        if len(reach.branches) == 1 and not reach.places:
            (branch,) = reach.branches
            return self.under.get(branch, frozenset())
        found: set[int] = set()
        for branch in reach.branches:
            found.update(self.under.get(branch, ()))
        for place in reach.places:
            found.update(self.at.get(place, ()))
        return frozenset(found)


def placed_rows(
    runtime: Any, rows: Sequence[Row], place: Callable[[Row], UUID | str | None]
) -> PlacedRows:
    """``rows`` indexed by their places' ancestor paths (the directory's
    ``org_ancestors``, read in batches)."""
    places = [place(r) for r in rows]
    paths = ancestor_paths(runtime, {as_uuid(o) for o in places if o})
    under: dict[UUID, set[int]] = {}
    at: dict[UUID, set[int]] = {}
    for i, org in enumerate(places):
        path = paths.get(as_uuid(org), ()) if org else ()
        if not path:
            continue
        at.setdefault(path[-1], set()).add(i)
        for above in path:
            under.setdefault(above, set()).add(i)
    return PlacedRows(
        rows,
        {o: frozenset(found) for o, found in under.items()},
        {o: frozenset(found) for o, found in at.items()},
    )


def kept_placed(
    app: Any,
    kind: str,
    key: Hashable,
    rows: Callable[[], Sequence[Row]],
    place: Callable[[Row], UUID | str | None],
) -> PlacedRows:
    """``rows()`` placed (:func:`placed_rows`), kept by the process while
    every view they were read from stands still (``app.kept``, its ``kind``
    and ``key``)."""
    return cast(
        PlacedRows,
        app.kept.get(kind, key, lambda: placed_rows(app.projections, rows(), place)),
    )


def narrowed(
    viewer: Viewer,
    kind: Read,
    placed: PlacedRows,
    owner: Callable[[Row], UUID | str | None] | None = None,
) -> list[Row]:
    """The rows of ``placed`` the viewer reads (``may_read`` on each row's
    path, ``owner(row)`` its member): those the viewer's reach covers, in one
    step per branch, and of the others those the viewer reads as their owner."""
    rows = placed.rows
    seen = placed.covered(read_reach(viewer, kind))
    if len(seen) == len(rows):
        return list(rows)
    if owner is None:
        return [r for i, r in enumerate(rows) if i in seen]
    return [
        r
        for i, r in enumerate(rows)
        if i in seen or reads_as_owner(viewer, kind, owner=as_owner(owner(r)))
    ]


def as_owner(value: UUID | str | None) -> UUID | None:
    """A row's owner as a UUID; None for none."""
    return as_uuid(value) if value else None


def kept_names(
    app: Any, viewer: Viewer, key: Hashable, org_ids: Iterable[UUID | str | None]
) -> dict[str, str]:
    """The names of ``org_ids`` the viewer reads, by id text (as
    ``ReadGateway.organisation_names``), for a page that asks for the same
    few hundred on every request (the cycle page's deciding authorities):
    read and placed once while the directory stands still, under ``key`` and
    the ids asked, then narrowed per viewer."""
    asked = tuple(sorted({str(o) for o in org_ids if o}))

    def read() -> list[tuple[str, str]]:
        wanted = sorted({as_uuid(o) for o in asked})
        found = directory_reads.organisation_names(app.projections, wanted)
        return [(str(o), name) for o, name in found.items()]

    placed = kept_placed(app, "names_placed", (key, asked), read, itemgetter(0))
    return dict(narrowed(viewer, Read.ORGANISATION, placed))
