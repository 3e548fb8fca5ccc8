"""The reads that place a split chi bộ's cycle subjects where the split put
each one (the cycle page's counts by place, ``services.split_tallies``): which
organisations of a list were split and into what, the subjects counted at such
an organisation, and where members are now. Each an indexed query; they read
the ``directory`` and ``ratings`` views and change nothing."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from domain.subjects import SubjectKey

if TYPE_CHECKING:
    from projections.runtime import ProjectionRuntime

BATCH = 500  # ids per IN (...) list
# ``{marks}``: one ``?`` per id of a batch (``{{...}}``: a view's table).
SPLIT_SQL = (
    "SELECT predecessor_id, successor_id FROM {{org_successions}} "
    "WHERE predecessor_id IN ({marks}) AND how = 'split' "
    "ORDER BY predecessor_id, successor_id"
)
COUNTED_AT_SQL = (
    "SELECT subject_key, member_id, path, status, decides FROM {subjects} "
    "WHERE cycle_id = ? AND cell_id = ? UNION ALL "
    "SELECT subject_key, member_id, path, status, decides FROM {subjects} "
    "WHERE cycle_id = ? AND subject_key = ?"
)
# The split organisations in a branch today (few: reorganisations), each
# with its successors in the order of ``SPLIT_SQL``.
SPLIT_IN_BRANCH_SQL = (
    "SELECT s.predecessor_id, s.successor_id FROM {org_successions} s "
    "WHERE s.how = 'split' AND EXISTS (SELECT 1 FROM {org_ancestors} a "
    "WHERE a.org_id = s.predecessor_id AND a.ancestor_id = ?) "
    "ORDER BY s.predecessor_id, s.successor_id"
)
CELLS_SQL = "SELECT member_id, cell_id FROM {{members}} WHERE member_id IN ({marks})"


def _batches(ids: Sequence[str]) -> list[list[str]]:
    return [list(ids[n : n + BATCH]) for n in range(0, len(ids), BATCH)]


def split_successors(
    runtime: ProjectionRuntime, org_ids: Sequence[str]
) -> dict[str, list[str]]:
    """Of ``org_ids``, those split (chia tách) into several successors, each
    with its successors by id (the first is where whatever the decision did not
    place stands: ``domain.reorganisation.path_as_of``). A range of the
    successions' primary key per organisation, a few hundred at a time."""
    found: dict[str, list[str]] = {}
    for batch in _batches(org_ids):
        marks = ", ".join("?" for _ in batch)
        rows = runtime.query("directory", SPLIT_SQL.format(marks=marks), batch)
        for r in rows:
            found.setdefault(str(r["predecessor_id"]), []).append(
                str(r["successor_id"])
            )
    return found


def split_in_branch(runtime: ProjectionRuntime, branch: str) -> dict[str, list[str]]:
    """:func:`split_successors` of the organisations in ``branch`` today
    (itself included), in one statement: the branch is never listed."""
    found: dict[str, list[str]] = {}
    for r in runtime.query("directory", SPLIT_IN_BRANCH_SQL, [branch]):
        found.setdefault(str(r["predecessor_id"]), []).append(str(r["successor_id"]))
    return found


def subjects_counted_at(
    runtime: ProjectionRuntime, cycle_id: str, org_id: str
) -> list[dict[str, Any]]:
    """The cycle's subjects counted at ``org_id`` (their stored path's first):
    the members of that chi bộ (``subjects_cell``) and its own collective
    (by key), each with its key, member, status and deciding authority."""
    rows = runtime.query(
        "ratings",
        COUNTED_AT_SQL,
        [cycle_id, org_id, cycle_id, str(SubjectKey.of_org(org_id))],
    )
    found = []
    for r in rows:
        path = json.loads(r["path"])
        if path and str(path[0]) == org_id:
            found.append({**r, "path": path})
    return found


def cells_now(runtime: ProjectionRuntime, member_ids: Sequence[str]) -> dict[str, str]:
    """Each member's chi bộ now (the directory's ``members``, by primary key)."""
    found: dict[str, str] = {}
    for batch in _batches(member_ids):
        marks = ", ".join("?" for _ in batch)
        rows = runtime.query("directory", CELLS_SQL.format(marks=marks), batch)
        found.update({str(r["member_id"]): str(r["cell_id"]) for r in rows})
    return found
