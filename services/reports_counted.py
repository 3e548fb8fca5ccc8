"""A report's figures from the ratings view's counters instead of its subject
rows (issue 14): the ``placed`` counters (one per own organisation, population,
class, deadline level and bucket) rolled up by the tree of the report's day,
and for the few names a report lists (re-rated, late, still open) indexed reads
of those subjects only. O(organisations) per year, not O(members).

The counters count each cycle's subjects apart: a subject found in two annual
cycles of the same year (two overlapping plans, or a member moved between them)
must count once, which only the rows can tell, so a year with more than one
annual cycle keeps the row path (``services.reports``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any, Protocol

from projections.ratings import report_reads as report_view
from projections.ratings import statistics as stats_view
from projections.runtime import ProjectionRuntime


class Placer(Protocol):
    """A stored path (own organisation first) as it stands in a report's tree,
    a member subject of a split organisation by their own chi bộ that day
    (``services.report_placer``); ``divided``: those split organisations."""

    divided: frozenset[str]

    def __call__(self, path: list[str], subject_key: str = "") -> list[str]: ...


def counted_entries(
    views: ProjectionRuntime, cycle_ids: Sequence[str], org_id: str, place: Placer
) -> list[dict[str, Any]]:
    """The cycles' ``placed`` counters of the organisations that stand in or
    under ``org_id`` in the placer's tree, each with that ``path``; an entry
    weighs ``n`` subjects."""
    found = []
    split: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in stats_view.placed_counts(views, cycle_ids):
        entry = {**row, "n": int(row["n"])}
        if row["org_id"] in place.divided:
            split.setdefault((row["cycle_id"], row["org_id"]), []).append(entry)
            continue
        path = place([row["org_id"]]) if row["org_id"] else []
        if org_id in path:
            found.append({**entry, "path": path})
    for (cycle_id, divided), entries in split.items():
        for entry in _members_apart(views, cycle_id, divided, entries, place):
            if org_id in entry["path"]:
                found.append(entry)
    return found


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


def counted_deadlines(
    views: ProjectionRuntime,
    cycles: Sequence[Mapping[str, Any]],
    entries: Sequence[Mapping[str, Any]],
    under: tuple[str, Placer],
    today: date,
) -> list[dict[str, Any]]:
    """``ReportService.deadlines`` from the counters: how many subjects each
    level has from the counters, who is still open and who was late from
    indexed reads of those subjects only (``under``: the organisation and the
    placer of the report's tree)."""
    org_id, place = under
    items = []
    for cycle in cycles:
        cycle_id = cycle["cycle_id"]
        for d in cycle["deadlines"]:
            if d["milestone"] == "review":
                continue
            due = date.fromisoformat(str(d["due"]))
            total = sum(
                e["n"]
                for e in entries
                if e["cycle_id"] == cycle_id
                and e["deadline_level"] == d["level"]
                and not str(e["bucket"]).startswith("exempt:")
            )
            open_rows = placed_rows(
                report_view.undecided_at_level(views, cycle_id, d["level"]),
                org_id,
                place,
            )
            late = placed_rows(
                report_view.decided_after(views, cycle_id, d["level"], due.isoformat()),
                org_id,
                place,
            )
            done = total - len(open_rows)
            if d["milestone"] == "report":
                # the level's report: once, on its last decision date
                finished = bool(total) and not open_rows
                done = 1 if finished else 0
                last = max((r["decided_on"] for r in late), default=None)
                late = [{"name": "", "decided_on": last}] if finished and last else []
            overdue = due < today and bool(open_rows)
            items.append(
                {
                    "cycle_id": cycle_id,
                    "level": d["level"],
                    "milestone": d["milestone"],
                    "due": due.isoformat(),
                    "subjects": total,
                    "on_time": done - len(late),
                    "late_done": [
                        {"name": r["name"], "done_on": r["decided_on"]} for r in late
                    ],
                    "open": [r["name"] for r in open_rows],
                    "overdue": overdue,
                    "late": bool(late) or overdue,
                }
            )
    return sorted(items, key=lambda i: (i["due"], i["level"], i["milestone"]))
