"""A report's figures from the ratings view's counters instead of its subject
rows (issue 14): the ``placed`` counters (one per own organisation, population,
class, deadline level and bucket) rolled up by the tree of the report's day,
and for the names a report lists (re-rated; late and still open: counted per
place, the first few named, the rest a keyset-paged list) indexed reads of those
subjects only. O(organisations) per year, not O(members).

The counters count each cycle's subjects apart: a subject found in two annual
cycles of the same year (two overlapping plans, or a member moved between them)
must count once, which only the rows can tell, so a year with more than one
annual cycle keeps the row path (``services.reports``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol
from uuid import UUID

from projections.ratings import report_reads as report_view
from projections.ratings import statistics as stats_view
from projections.runtime import ProjectionRuntime
from services.report_placer import DayTree, StoredPlacer, TreePlacer


class Placer(Protocol):
    """A stored path (own organisation first) as it stands in a report's tree,
    a member subject of a split organisation by their own chi bộ that day
    (``services.report_placer``); ``divided``: those split organisations."""

    divided: frozenset[str]
    memo: dict[Hashable, Any]  # what readers worked out from its tree

    def __call__(self, path: list[str], subject_key: str = "") -> list[str]: ...


Tree = dict[UUID, dict[str, Any]]  # ``directory.tree_as_of``


def placer(
    runtime: ProjectionRuntime,
    tree_on: date | None,
    tree: Tree | None = None,
    rows: DayTree | None = None,
) -> Placer:
    """A stored path as it stands in the tree of ``tree_on`` (unchanged
    without a day; :mod:`services.report_placer`); ``tree`` or ``rows``: that
    day's, if the caller has read it already."""
    if tree_on is None:
        return StoredPlacer()
    return TreePlacer(runtime, tree_on, tree, rows)


def counted_entries(
    views: ProjectionRuntime, cycle_ids: Sequence[str], org_id: str, place: Placer
) -> list[dict[str, Any]]:
    """The cycles' ``placed`` counters of the organisations that stand in or
    under ``org_id`` in the placer's tree, each with that ``path``; an entry
    weighs ``n`` subjects."""
    found = []
    split: dict[tuple[str, str], list[dict[str, Any]]] = {}
    paths = _paths_in(org_id, place)
    for row in stats_view.placed_counts(views, cycle_ids):
        own = row["org_id"]
        if own in place.divided:
            entry = {**row, "n": int(row["n"])}
            split.setdefault((row["cycle_id"], own), []).append(entry)
            continue
        path = paths(own)
        if path is not None:
            found.append({**row, "n": int(row["n"]), "path": path})
    for (cycle_id, divided), entries in split.items():
        for entry in _members_apart(views, cycle_id, divided, entries, place):
            if org_id in entry["path"]:
                found.append(entry)
    return found


def _paths_in(org_id: str, place: Placer) -> Callable[[str], list[str] | None]:
    """An organisation's path in the placer's tree when it stands in or under
    ``org_id`` (None otherwise), worked out once per organisation and placer."""
    known: dict[str, list[str] | None] = place.memo.setdefault(("in", org_id), {})

    def path_of(own: str) -> list[str] | None:
        if own not in known:
            path = place([own]) if own else []
            known[own] = path if org_id in path else None
        return known[own]

    return path_of


def counted_totals(
    views: ProjectionRuntime, cycle_ids: Sequence[str], org_id: str, place: Placer
) -> dict[str, dict[str, int]] | None:
    """:func:`counted_entries` summed by population and bucket (population →
    bucket → subjects), from the counters summed over class and deadline level:
    what counts by level need. None when an organisation was split by the
    placer's day (its members are placed one by one: ``counted_entries``)."""
    if place.divided:
        return None
    paths = _paths_in(org_id, place)
    totals: dict[str, dict[str, int]] = {}
    orgs, sums = stats_view.placed_sums(views, cycle_ids)
    if _all_in(org_id, place, orgs, paths):  # summed over them all
        for population, bucket, n in sums:
            _add(totals.setdefault(population, {}), bucket, n)
        return totals
    last, inside = None, False
    for _, own, population, bucket, n in stats_view.placed_totals(views, cycle_ids):
        if own != last:  # an organisation's rows mostly come together
            last, inside = own, paths(own) is not None
        if inside:
            mine = totals.setdefault(population, {})
            mine[bucket] = mine.get(bucket, 0) + int(n)
    return totals


def _all_in(
    org_id: str,
    place: Placer,
    orgs: Sequence[str],
    paths: Callable[[str], list[str] | None],
) -> bool:
    """Whether every one of ``orgs`` stands in or under ``org_id`` in the
    placer's tree; the answer kept with the placer for the same ``orgs``."""
    kept = place.memo.get(("all in", org_id))
    listed = tuple(orgs)
    if kept is not None and kept[0] == listed:
        return bool(kept[1])
    answer = all(paths(own) is not None for own in listed)
    place.memo["all in", org_id] = (listed, answer)
    return answer


Weights = dict[tuple[str, tuple[str, ...], str, str, str, str], int]
"""Subjects by cycle, the organisations directly below the report's that
their place is under (a path is a chain: one at most), population, class,
deadline level and bucket."""


class Sums:
    """A year's counted subjects summed the ways a report shows them
    (:meth:`of`): by population and bucket, party organisations by class and
    bucket, the members and leaders under each organisation directly below
    the report's by bucket, and (the exempt apart) by cycle and deadline level;
    ``cycles``: those counted."""

    def __init__(self, below: Iterable[str], weights: Weights) -> None:
        self.cycles: set[str] = set()
        self.populations: dict[str, dict[str, int]] = {}
        self.klasses: dict[str, dict[str, int]] = {}
        self.under: dict[str, dict[str, int]] = {child: {} for child in below}
        self.deadlines: dict[tuple[str, str], int] = {}
        # Summed by population first (the keys that differ only by the
        # organisations below meet there), then each way from those sums.
        by_key: dict[tuple[str, str, str, str, str], int] = {}
        for (cycle, children, population, klass, level, bucket), n in weights.items():
            key = (cycle, population, klass, level, bucket)
            by_key[key] = by_key.get(key, 0) + n
            if population == "members" or population == "leaders":
                for child in children:
                    _add(self.under[child], bucket, n)
        for (cycle, population, klass, level, bucket), n in by_key.items():
            self.cycles.add(cycle)
            _add(self.populations.setdefault(population, {}), bucket, n)
            if population == "party_orgs":
                _add(self.klasses.setdefault(klass, {}), bucket, n)
            if not bucket.startswith("exempt:"):
                _add(self.deadlines, (cycle, level), n)


def _add(into: dict[Any, int], key: Any, n: int) -> None:
    into[key] = into.get(key, 0) + n


def children_met(path: Sequence[str], below: Mapping[str, Any]) -> tuple[str, ...]:
    """The organisations of ``below`` on a path (in its order)."""
    return tuple(o for o in path if o in below)


def counted_sums(
    views: ProjectionRuntime,
    cycle_ids: Sequence[str],
    org_id: str,
    place: Placer,
    below: Sequence[str],
) -> Sums:
    """:class:`Sums` of :func:`counted_entries` (the same counters on the same
    tree), read as tuples and weighed by where each organisation stands, in
    one pass: no dict per counter."""
    weights: Weights = {}
    split: dict[tuple[str, str], list[dict[str, Any]]] = {}
    paths = _paths_in(org_id, place)
    mine = dict.fromkeys(below)
    # own organisation -> the organisations below it is under (None: not
    # under ``org_id``, or split), once per placer
    met: dict[str, tuple[str, ...] | None]
    met = place.memo.setdefault(("below", org_id, tuple(below)), {})
    last, children = None, None
    for row in stats_view.placed_rows(views, cycle_ids):
        cycle, own, population, klass, level, bucket, n = row
        if own != last:  # an organisation's rows mostly come together
            if own not in met:
                path = None if own in place.divided else paths(own)
                met[own] = None if path is None else children_met(path, mine)
            last, children = own, met[own]
        if children is not None:
            key = (cycle, children, population, klass, level, bucket)
            weights[key] = weights.get(key, 0) + int(n)
        elif own in place.divided:
            entry = dict(zip(PLACED_COLUMNS, row, strict=True))
            split.setdefault((cycle, own), []).append({**entry, "n": int(n)})
    for (cycle_id, divided), entries in split.items():
        for e in _members_apart(views, cycle_id, divided, entries, place):
            if org_id in e["path"]:
                key = (
                    e["cycle_id"],
                    children_met(e["path"], mine),
                    e["population"],
                    e["klass"],
                    e["deadline_level"],
                    e["bucket"],
                )
                weights[key] = weights.get(key, 0) + e["n"]
    return Sums(below, weights)


PLACED_COLUMNS = (
    "cycle_id",
    "org_id",
    "population",
    "klass",
    "deadline_level",
    "bucket",
    "n",
)


def _members_apart(
    views: ProjectionRuntime,
    cycle_id: str,
    divided: str,
    entries: list[dict[str, Any]],
    place: Placer,
) -> list[dict[str, Any]]:
    """The counters of an organisation split by the report's day, its members
    taken out one by one (each where their own chi bộ stood that day) and the
    rest (the organisation itself) where it is followed; the sum is unchanged."""
    key = ("population", "klass", "deadline_level", "bucket")
    left = {tuple(e[k] for k in key): e for e in entries}
    apart = []
    for row in report_view.members_of_cell(views, cycle_id, divided):
        bucket = stats_view.bucket_of(row)
        counter = left.get(
            (row["population"], row["klass"], row["deadline_level"], bucket)
        )
        if counter is None or counter["n"] <= 0:
            continue  # not counted (a row the counters do not hold)
        counter["n"] -= 1
        apart.append(
            {
                **counter,
                "n": 1,
                "path": place(list(row["path"]), row["subject_key"]),
            }
        )
    rest = [{**e, "path": place([divided])} for e in left.values() if e["n"] > 0]
    return [*apart, *rest]


def placed_rows(
    rows: Iterable[dict[str, Any]], org_id: str, place: Placer
) -> list[dict[str, Any]]:
    """Subject rows (their path decoded) that stand in or under ``org_id`` in
    the placer's tree, that path set, by name and key (the report's order)."""
    kept = []
    for row in rows:
        path = place(list(row["path"]), row["subject_key"])
        if org_id in path:
            kept.append({**row, "path": path})
    return sorted(kept, key=lambda r: (r["name"], r["subject_key"]))


def revised_rows(
    views: ProjectionRuntime, cycle_ids: Sequence[str], org_id: str, place: Placer
) -> list[dict[str, Any]]:
    """The re-rated subjects of the cycles in and under ``org_id``."""
    return placed_rows(report_view.revised_subjects(views, cycle_ids), org_id, place)


NAMES_SHOWN = 20  # names listed per deadline (still open, late); a link to the rest


@dataclass(frozen=True)
class Scope:
    """A report's place in the tree: its organisation, the placer of the
    report's tree, and the organisations directly below it (id → name)."""

    org_id: str
    place: Placer
    below: Mapping[str, str]
    # stored path (its JSON text) -> (its path in the tree, the organisation
    # directly below it goes through): a report's deadlines meet the same
    # places a dozen times; kept with the placer (its tree).
    known: dict[str, tuple[list[str], str]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def __post_init__(self) -> None:
        key = ("stored", self.org_id, tuple(self.below))
        object.__setattr__(self, "known", self.place.memo.setdefault(key, {}))

    def placed(self, stored: str) -> tuple[list[str], str]:
        """A stored path (its JSON text) in the scope's tree, and the
        organisation directly below the scope's it goes through (the scope's
        own when none), worked out once."""
        found = self.known.get(stored)
        if found is None:
            path = self.place(list(json.loads(stored)))
            found = self.known[stored] = (path, self.child(path))
        return found

    def child(self, placed: Sequence[str]) -> str:
        """The organisation directly below the scope's that a path in its tree
        goes through (the scope's own when none)."""
        return next((o for o in placed if o in self.below), self.org_id)


def in_scope(
    groups: Iterable[dict[str, Any]], scope: Scope
) -> tuple[list[str], list[dict[str, Any]]]:
    """Of :func:`report_reads.deadline_groups`' rows, the stored paths that
    stand in or under the scope's organisation in its tree (None when all do:
    no filter needed) and those rows with ``placed`` (the path in that tree)
    and ``child`` (the organisation directly below it goes through)."""
    groups = list(groups)
    kept = []
    for group in groups:
        placed, child = scope.placed(group["path"])
        if scope.org_id in placed:
            kept.append(
                {**group, "n": int(group["n"]), "placed": placed, "child": child}
            )
    return [g["path"] for g in kept], kept


def by_place(groups: Iterable[Mapping[str, Any]], scope: Scope) -> list[dict[str, Any]]:
    """How many of the counted subjects stand under each organisation directly
    below the scope's (``org_id``, ``name``, ``n``), those of the
    organisation itself last (``org_id`` its own), in the report's order."""
    counts: dict[str, int] = {}
    for group in groups:
        child = group.get("child") or scope.child(group["placed"])
        counts[child] = counts.get(child, 0) + int(group["n"])
    found = [
        {"org_id": o, "name": name, "n": counts[o]}
        for o, name in scope.below.items()
        if counts.get(o)
    ]
    if counts.get(scope.org_id):
        found.append({"org_id": scope.org_id, "name": "", "n": counts[scope.org_id]})
    return found


Named = tuple[int, list[dict[str, Any]], list[dict[str, Any]]]
"""How many subjects, counted by place, and a page of them by name."""


def deadline_names(
    views: ProjectionRuntime,
    cycle_id: str,
    level: str,
    scope: Scope,
    *,
    day: str | None = None,
    after: tuple[str, str] | None = None,
    limit: int | None = None,
) -> Named:
    """The subjects still open at ``level`` of a cycle (``day`` None) or decided
    after ``day``, in and under the scope's organisation: how many, counted by
    place (``by_place``), and a keyset page of them by name (``after``, up to
    ``limit``). Reads one row per place and the page's rows, never every
    subject."""
    groups = report_view.deadline_groups(views, cycle_id, level, day)
    paths, kept = in_scope(groups, scope)
    total = sum(g["n"] for g in kept)
    rows = report_view.deadline_names(
        views,
        cycle_id,
        level,
        day=day,
        paths=None if len(kept) == len(groups) else paths,
        after=after,
        limit=NAMES_SHOWN if limit is None else limit,
    )
    return total, kept, rows


def counted_deadlines(
    views: ProjectionRuntime,
    cycles: Sequence[Mapping[str, Any]],
    totals: Mapping[tuple[str, str], int],
    scope: Scope,
    today: date,
) -> list[dict[str, Any]]:
    """``ReportService.deadlines`` from the counters: how many subjects each
    level has from the counters (``totals``: by cycle and deadline level, the
    exempt apart: ``Sums.deadlines``); how many are still open or were late,
    by place, and the first ``NAMES_SHOWN`` of each by name, from indexed
    reads (one row per place, then a page of names)."""
    items = []
    # A level's milestones (rating, report) ask the same of it, each read once.
    found: dict[tuple[str, str, str | None], Named] = {}

    def read(cycle_id: str, level: str, day: str | None) -> Named:
        if (cycle_id, level, day) not in found:
            found[cycle_id, level, day] = deadline_names(
                views, cycle_id, level, scope, day=day
            )
        return found[cycle_id, level, day]

    for cycle in cycles:
        cycle_id = cycle["cycle_id"]
        for d in cycle["deadlines"]:
            if d["milestone"] == "review":
                continue
            due = date.fromisoformat(str(d["due"]))
            total = totals.get((cycle_id, d["level"]), 0)
            level = d["level"]
            open_n, open_groups, open_rows = read(cycle_id, level, None)
            late_n, late_groups, late = read(cycle_id, level, due.isoformat())
            done = total - open_n
            late_done = [{"name": r["name"], "done_on": r["decided_on"]} for r in late]
            if d["milestone"] == "report":
                # the level's report: once, on its last decision date
                finished = bool(total) and not open_n
                done = 1 if finished else 0
                last = max((g["last"] for g in late_groups), default=None)
                late_n = 1 if finished and last else 0
                late_done = [{"name": "", "done_on": last}] if late_n else []
            overdue = due < today and bool(open_n)
            items.append(
                {
                    "cycle_id": cycle_id,
                    "level": level,
                    "milestone": d["milestone"],
                    "due": due.isoformat(),
                    "subjects": total,
                    "on_time": done - late_n,
                    "late_done": late_done,
                    "late_count": late_n,
                    "open": [r["name"] for r in open_rows],
                    "open_count": open_n,
                    "open_by_place": by_place(open_groups, scope),
                    "overdue": overdue,
                    "late": bool(late_n) or overdue,
                }
            )
    return sorted(items, key=lambda i: (i["due"], i["level"], i["milestone"]))


PAGE = 50  # names a page of the whole list shows


def still_open_page(
    views: ProjectionRuntime,
    cycle_ids: Sequence[str],
    level: str,
    scope: Scope,
    after: tuple[str, str] | None = None,
) -> dict[str, Any]:
    """A page of the subjects still open at ``level`` of these cycles in and
    under the scope's organisation, by name (``after``: where the page before
    ended), with their number and where the next page starts (None: the last
    page)."""
    total, rows = 0, []
    for cycle_id in cycle_ids:
        n, _, found = deadline_names(
            views, cycle_id, level, scope, after=after, limit=PAGE + 1
        )
        total += n
        rows += found
    rows.sort(key=lambda r: (r["name"], r["subject_key"]))
    page = rows[:PAGE]
    more = len(rows) > PAGE
    return {
        "total": total,
        "subjects": page,
        "next": (page[-1]["name"], page[-1]["subject_key"]) if more else None,
    }
