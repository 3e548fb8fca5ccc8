"""The cycle page's counts of a split chi bộ's subjects (issue 12, "reports on
either tree"): a chi bộ split into several successors is in each successor's
branch (``org_ancestors`` reaches it from every successor, so its history reads
from each), and its counters by place hold every one of its subjects; summed
as they are, each successor's keepers would count the members the split placed
with the other. Here such a chi bộ's subjects are counted one by one instead:
a member where their own chi bộ is now, the chi bộ's own collective (and a
member the directory does not place) at its first successor, as
``services.report_placer`` places them on today's tree. The work is the split
chi bộ's subjects, never the branch's."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from uuid import UUID

from projections.split_subjects import cells_now, subjects_counted_at

if TYPE_CHECKING:
    from projections.runtime import ProjectionRuntime

FACETS = (("statuses", "status"), ("authorities", "decides"))


def placed_tallies(
    runtime: ProjectionRuntime,
    cycle_id: UUID,
    divided: dict[str, list[str]],
    places: Sequence[str],
) -> dict[str, dict[str, int]]:
    """Counts by status and by deciding authority of the subjects counted at
    the ``divided`` organisations (``projections.split_subjects.
    split_successors`` of the viewer's places) that stand in ``places`` now,
    each placed as the split placed it (the module's rule)."""
    within = set(places)
    found: dict[str, dict[str, int]] = {name: {} for name, _ in FACETS}
    for org_id, successors in divided.items():
        rows = subjects_counted_at(runtime, str(cycle_id), org_id)
        members = [str(r["member_id"]) for r in rows if r["member_id"]]
        now = cells_now(runtime, members) if members else {}
        for row in rows:
            cell = now.get(str(row["member_id"] or ""))
            where = cell if cell and cell != org_id else successors[0]
            if where in within:
                _count(found, row)
    return found


def _count(found: dict[str, dict[str, int]], row: dict[str, Any]) -> None:
    for name, column in FACETS:
        value = row[column]
        if value:
            found[name][value] = found[name].get(value, 0) + 1


def add(into: dict[str, dict[str, int]], more: dict[str, dict[str, int]]) -> None:
    """Add ``more``'s counts to ``into`` (facet → value → count)."""
    for name, counts in more.items():
        mine = dict(into.get(name, {}))
        for value, n in counts.items():
            mine[value] = mine.get(value, 0) + n
        into[name] = dict(sorted(mine.items()))
