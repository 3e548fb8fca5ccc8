"""The subject rows a report names (re-rated; late or still open at a deadline:
counted per place, then a keyset page of names), read through their indexes
rather than with every subject (issue 14); the other counts come from
:mod:`.statistics`."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from projections.runtime import ProjectionRuntime

COLUMNS = "cycle_id, subject_key, name, population, path, level, decision_no, "
COLUMNS += "decided_on, revisions"


def _decoded(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**r, "path": json.loads(r["path"])} for r in rows]


def revised_subjects(
    views: ProjectionRuntime, cycle_ids: Sequence[str]
) -> list[dict[str, Any]]:
    """The subjects of these cycles rated again (``subjects_revised``: the
    few rated again, then their cycle; ``cycle_id || ''`` keeps a planner
    without statistics from walking the cycle's every subject instead)."""
    if not cycle_ids:
        return []
    marks = ", ".join("?" for _ in cycle_ids)
    return _decoded(
        views.query(
            "ratings",
            f"SELECT {COLUMNS} FROM {{subjects}} WHERE revisions > 0 "  # noqa: S608 - marks only
            f"AND cycle_id || '' IN ({marks})",
            list(cycle_ids),
        )
    )


# -- bounded: the counts per place, and a page of names (issue 14) -------------------
_OPEN = "decided_on IS NULL"
_LATE = "decided_on > ?"
_AT_LEVEL = (
    "cycle_id = ? AND deadline_level = ? AND (exempt IS NULL OR exempt = '') AND "
)


def _filter(level: str, cycle_id: str, day: str | None) -> tuple[str, list[Any]]:
    """Still open at ``level`` (``day`` None), or decided after ``day``."""
    if day is None:
        return _AT_LEVEL + _OPEN, [cycle_id, level]
    return _AT_LEVEL + _LATE, [cycle_id, level, day]


def deadline_groups(
    views: ProjectionRuntime, cycle_id: str, level: str, day: str | None = None
) -> list[dict[str, Any]]:
    """The subjects still open at ``level`` (``day`` None) or decided after
    ``day``, counted by stored path (``path`` as stored, ``n``, the last
    ``decided_on``): one row per place, read through ``subjects_deadline``."""
    where, params = _filter(level, cycle_id, day)
    return views.query(
        "ratings",
        "SELECT path, COUNT(*) AS n, MAX(decided_on) AS last "  # noqa: S608 - fixed text
        f"FROM {{subjects}} WHERE {where} GROUP BY path ORDER BY path",
        params,
    )


def deadline_names(
    views: ProjectionRuntime,
    cycle_id: str,
    level: str,
    *,
    day: str | None = None,
    paths: Sequence[str] | None = None,
    after: tuple[str, str] | None = None,
    limit: int = 50,
) -> list[dict[str, Any]]:
    """A keyset page, by name then key, of the subjects :func:`deadline_groups`
    counts; only those whose stored path is one of ``paths`` when given (the
    places under a report's organisation). ``after``: the (name, key) the page
    before ended with."""
    where, params = _filter(level, cycle_id, day)
    if paths is not None:
        if not paths:
            return []
        where += f" AND path IN ({', '.join('?' for _ in paths)})"
        params += list(paths)
    if after is not None:
        where += " AND (name > ? OR (name = ? AND subject_key > ?))"
        params += [after[0], after[0], after[1]]
    return _decoded(
        views.query(
            "ratings",
            f"SELECT {COLUMNS} FROM {{subjects}} WHERE {where} "  # noqa: S608 - marks only
            "ORDER BY name, subject_key LIMIT ?",
            [*params, limit],
        )
    )


def members_of_cell(
    views: ProjectionRuntime, cycle_id: str, cell_id: str
) -> list[dict[str, Any]]:
    """The cycle's member subjects whose chi bộ (when the subjects were set) is
    ``cell_id``, with what their counter is keyed by (``subjects_cell``)."""
    return _decoded(
        views.query(
            "ratings",
            "SELECT subject_key, path, population, klass, deadline_level, exempt, "
            "level FROM {subjects} WHERE cycle_id = ? AND cell_id = ? "
            "AND member_id IS NOT NULL ORDER BY subject_key",
            [cycle_id, cell_id],
        )
    )
