"""Where a report's subject stands in the tree of one day (issue 12, "reports on
either tree"): its stored organisation (the tree when its cycle opened) followed
to its successor if it had ended by then, then that day's parents
(``domain.reorganisation.path_as_of``).

A chi bộ split by that day has several successors, and its members went where
the decision placed each of them: a member subject of such a chi bộ stands
where the member's own chi bộ stood that day (the directory's
``member_cells``, ``domain.reorganisation.cell_on``), never at the old chi bộ's
first successor. Each subject still lands in one place, so counts never
double. Only the split organisations' members are looked up one by one (one
indexed query each): a report stays O(organisations) otherwise."""

from __future__ import annotations

from collections.abc import Hashable
from datetime import date
from functools import cached_property, lru_cache
from typing import Any
from uuid import UUID

from domain.reorganisation import cell_on, path_as_of
from domain.subjects import SubjectKey
from projections import reading
from projections.directory_history import TREE_AS_OF_SQL, successors_as_of
from projections.directory_reads import member_cells
from projections.runtime import ProjectionRuntime

DayTree = list[tuple[str, str | None, str, str]]
"""The tree of a day as :func:`projections.directory_history.tree_as_of`
reads it, each organisation as text: (id, parent id, name, kind), in the
order read; ids as ``str(UUID(...))`` of the stored text."""


@lru_cache(maxsize=16384)
def _canonical(text: str) -> str:
    """An id's text as ``tree_as_of`` makes it (``str(UUID(text))``), once a
    process per id: a report reads the province's tree whole."""
    return str(UUID(text))


def day_tree(runtime: ProjectionRuntime, day: date) -> DayTree:
    """The organisations of the tree of ``day`` (those ``tree_as_of`` keeps:
    existing then and not ended), as text tuples rather than a dict of UUIDs
    each: a placer and a report's list of children need no more."""
    key = day.isoformat()
    with reading.one_statement([runtime.views.state("directory")]) as cursor:
        rows = cursor.execute(TREE_AS_OF_SQL, [key, key]).fetchall()
    return [
        (_canonical(o), _canonical(p) if p else None, name, kind)
        for o, p, name, kind, ended in rows
        if not ended
    ]


class TreePlacer:
    """``placer(path, subject_key)``: the stored ``path`` (own organisation
    first) as it stands in the tree of ``day``, root last, like a stored path;
    ``divided``: the organisations split by that day (their members are placed
    one by one)."""

    def __init__(
        self,
        runtime: ProjectionRuntime,
        day: date,
        tree: dict[UUID, dict[str, Any]] | None = None,
        rows: DayTree | None = None,
    ) -> None:
        self.runtime = runtime
        self.day = day
        # The day's tree, if the caller has read it already: ``tree`` as
        # ``tree_as_of`` reads it, or ``rows`` as :func:`day_tree` does.
        self._tree = tree
        if tree is not None:
            self._up = {
                str(o): None if row["parent_id"] is None else str(row["parent_id"])
                for o, row in tree.items()
            }
        else:
            self._up = {o: p for o, p, _, _ in rows or day_tree(runtime, day)}
        self.successors = successors_as_of(runtime, day)
        self.predecessors: dict[UUID, list[UUID]] = {}
        for old, new in successors_as_of(runtime, date.max).items():
            for one in new:
                self.predecessors.setdefault(one, []).append(old)
        self.divided = frozenset(
            str(o) for o, new in self.successors.items() if len(new) > 1
        )
        self._placed: dict[str, list[str]] = {}
        # The paths of the day's tree's organisations (by id text: a text
        # hashes in C, a UUID in Python), each worked out once.
        self._alive: dict[str, list[str]] = {}
        # What readers worked out from this tree (e.g. which organisations
        # stand under a report's): kept as long as the placer is.
        self.memo: dict[Hashable, Any] = {}

    @cached_property
    def parents(self) -> dict[UUID, UUID | None]:
        """The day's tree by UUID, for the domain's walk (an organisation
        not of that tree: ended, or founded since), made only if one is met."""
        if self._tree is not None:
            return {o: row["parent_id"] for o, row in self._tree.items()}
        return {UUID(o): None if p is None else UUID(p) for o, p in self._up.items()}

    def __call__(self, path: list[str], subject_key: str = "") -> list[str]:
        """Stored paths run from the subject's own organisation up."""
        if not path:
            return path
        own = path[0]
        if own in self.divided and subject_key:
            cell = self.member_cell(subject_key)
            if cell is not None:
                own = str(cell)
        if own not in self._placed:
            self._placed[own] = self._path(own)
        return self._placed[own]

    def _path(self, org_id: str) -> list[str]:
        """:meth:`_found` as a stored path; an organisation of the day's tree
        from its parent's path, each worked out once (``path_as_of`` walks up
        to the root for each)."""
        up = self._up
        if org_id not in up:
            return [str(o) for o in reversed(self._found(UUID(org_id)))]
        chain: list[str] = []
        seen: set[str] = set()
        node: str | None = org_id
        while node is not None and node in up and node not in self._alive:
            if node in seen:  # not a tree: the domain's walk decides
                return [str(o) for o in reversed(self._found(UUID(org_id)))]
            seen.add(node)
            chain.append(node)
            node = up[node]
        if node is None:
            path: list[str] = []
        elif node in self._alive:
            path = self._alive[node]
        else:  # a parent not of the day's tree ends the walk, as in path_as_of
            path = [node]
        for one in reversed(chain):
            path = [one, *path]
            self._alive[one] = path
        return path

    def member_cell(self, subject_key: str) -> UUID | None:
        """A member subject's own chi bộ on the day (None for a collective, or
        a member not yet enrolled then)."""
        member = SubjectKey.parse(subject_key).member_id
        if member is None:
            return None
        cells = member_cells(self.runtime, member)
        return cell_on([(r["cell_id"], r["valid_from"]) for r in cells], self.day)

    def _found(self, org_id: UUID) -> tuple[UUID, ...]:
        """An organisation founded after the day (a merger's new successor)
        stands where its first predecessor stood that day, so the day's tree
        still counts it once."""
        waiting, seen = [org_id], {org_id}
        while waiting:
            current = waiting.pop(0)
            here = path_as_of(current, self.parents, self.successors)
            if here:
                return here
            for before in sorted(self.predecessors.get(current, [])):
                if before not in seen:
                    seen.add(before)
                    waiting.append(before)
        return ()


class StoredPlacer:
    """The stored path as it is (the tree when each cycle opened)."""

    divided: frozenset[str] = frozenset()

    def __init__(self) -> None:
        self.memo: dict[Hashable, Any] = {}

    def __call__(self, path: list[str], subject_key: str = "") -> list[str]:
        return path
