"""The few subject rows a report names (re-rated, late, still open at a
deadline), read through their indexes rather than with every subject (issue 14);
the counts come from :mod:`.statistics`."""

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
    """The subjects of these cycles rated again (``subjects_revised``)."""
    if not cycle_ids:
        return []
    marks = ", ".join("?" for _ in cycle_ids)
    return _decoded(
        views.query(
            "ratings",
            f"SELECT {COLUMNS} FROM {{subjects}} WHERE revisions > 0 "  # noqa: S608 - marks only
            f"AND cycle_id IN ({marks})",
            list(cycle_ids),
        )
    )


def undecided_at_level(
    views: ProjectionRuntime, cycle_id: str, level: str
) -> list[dict[str, Any]]:
    """The cycle's subjects at deadline ``level``, not exempt, with no decision
    date (``subjects_deadline``)."""
    return _decoded(
        views.query(
            "ratings",
            f"SELECT {COLUMNS} FROM {{subjects}} WHERE cycle_id = ? "  # noqa: S608 - fixed text
            "AND deadline_level = ? AND decided_on IS NULL "
            "AND (exempt IS NULL OR exempt = '')",
            [cycle_id, level],
        )
    )


def decided_after(
    views: ProjectionRuntime, cycle_id: str, level: str, day: str
) -> list[dict[str, Any]]:
    """The cycle's subjects at deadline ``level``, not exempt, decided after
    ``day`` (ISO; ``subjects_deadline``)."""
    return _decoded(
        views.query(
            "ratings",
            f"SELECT {COLUMNS} FROM {{subjects}} WHERE cycle_id = ? "  # noqa: S608 - fixed text
            "AND deadline_level = ? AND decided_on > ? "
            "AND (exempt IS NULL OR exempt = '')",
            [cycle_id, level, day],
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
