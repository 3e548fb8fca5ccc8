"""A rating round's subjects a page at a time (issue 14): the subjects its
authority decides, by name then key, read through the ``subjects_round``
index (cycle, decider, name, key) — a keyset page, never the whole round —
and the few of them a typed name or card number names (the peer-group form).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from projections.ratings.subjects import decode_subject

if TYPE_CHECKING:
    from projections.runtime import ProjectionRuntime

Position = tuple[str, str] | None
"""Where a page starts: the (name, key) of the row before it, None for the first."""


def subject_position(
    views: ProjectionRuntime, cycle_id: str, key: str
) -> tuple[str, str] | None:
    """The (name, key) of one subject of the cycle (by primary key), where a
    keyset page continues from; None for a key the cycle does not hold."""
    rows = views.query(
        "ratings",
        "SELECT name, subject_key FROM {subjects} WHERE cycle_id = ? "
        "AND subject_key = ?",
        [cycle_id, key],
    )
    return (str(rows[0]["name"]), str(rows[0]["subject_key"])) if rows else None


def round_subject_page(
    views: ProjectionRuntime,
    cycle_id: str,
    decides: str,
    *,
    after: Position = None,
    before: Position = None,
    limit: int = 50,
) -> list[dict[str, Any]]:
    """Up to ``limit`` subjects the authority ``decides`` in the cycle, by name
    then key: those after ``after`` (forwards), or the ``limit`` just before
    ``before`` (returned in page order). One range of the index."""
    sql = "SELECT * FROM {subjects} WHERE cycle_id = ? AND decides = ?"
    params: list[Any] = [cycle_id, decides]
    order = " ORDER BY name, subject_key"
    if after is not None:
        sql += " AND (name > ? OR (name = ? AND subject_key > ?))"
        params += [after[0], after[0], after[1]]
    elif before is not None:
        sql += " AND (name < ? OR (name = ? AND subject_key < ?))"
        params += [before[0], before[0], before[1]]
        order = " ORDER BY name DESC, subject_key DESC"
    rows = views.query("ratings", sql + order + " LIMIT ?", [*params, limit])
    if before is not None and after is None:
        rows.reverse()
    return [decode_subject(r) for r in rows]


def round_subjects_by_keys(
    views: ProjectionRuntime, cycle_id: str, decides: str, keys: Sequence[str]
) -> list[dict[str, Any]]:
    """The subjects among ``keys`` the authority decides in the cycle (by
    primary key, a few hundred at most), by name then key."""
    wanted = list(dict.fromkeys(keys))[:500]
    if not wanted:
        return []
    marks = ", ".join("?" for _ in wanted)
    rows = views.query(
        "ratings",
        "SELECT * FROM {subjects} WHERE cycle_id = ? "  # noqa: S608 - marks only
        f"AND subject_key IN ({marks}) AND decides = ? ORDER BY name, subject_key",
        [cycle_id, *wanted, decides],
    )
    return [decode_subject(r) for r in rows]
