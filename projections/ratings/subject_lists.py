"""A cycle's subjects read by status, member or key (the to-do lists, a member's
own subjects, cycle names and levels): reads over :mod:`.subjects`' rows, each
through an index (``subjects_status``, the primary key)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from uuid import UUID

from projections.ratings.subjects import decode_subject, under_pattern

if TYPE_CHECKING:
    from projections.runtime import ProjectionRuntime


# -- the to-do lists: a cycle's subjects waiting at one status ------------------------
def at_status_by_keys(
    views: ProjectionRuntime,
    cycle_id: str,
    status: str,
    keys: Sequence[str],
    under: UUID | None = None,
) -> list[dict[str, Any]]:
    """The subjects among ``keys`` at ``status`` in the cycle (and in or under
    ``under`` when given), unordered."""
    path, params = _path_filter(under)
    return views.query(
        "ratings",
        "SELECT * FROM {subjects} WHERE cycle_id = ? AND status = ? "  # noqa: S608 - placeholders only
        "AND subject_key IN (" + ", ".join("?" for _ in keys) + ")" + path,
        [cycle_id, status, *keys, *params],
    )


def first_at_status(
    views: ProjectionRuntime,
    cycle_id: str,
    status: str,
    limit: int,
    under: UUID | None = None,
) -> list[dict[str, Any]]:
    """The first ``limit`` subjects at ``status`` in the cycle (and in or under
    ``under`` when given), by key."""
    path, params = _path_filter(under)
    return views.query(
        "ratings",
        "SELECT * FROM {subjects} WHERE cycle_id = ? AND status = ?"  # noqa: S608 - the condition comes from code
        + path
        + " ORDER BY subject_key LIMIT ?",
        [cycle_id, status, *params, limit],
    )


def count_at_status(
    views: ProjectionRuntime,
    cycle_id: str,
    status: str,
    cap: int,
    under: UUID | None = None,
) -> int:
    """How many subjects are at ``status`` in the cycle (and in or under
    ``under`` when given), counted up to ``cap``."""
    path, params = _path_filter(under)
    counted = views.query(
        "ratings",
        "SELECT COUNT(*) AS n FROM (SELECT 1 AS one FROM {subjects} "  # noqa: S608 - the condition comes from code
        "WHERE cycle_id = ? AND status = ?" + path + " LIMIT ?) AS capped",
        [cycle_id, status, *params, cap],
    )
    return int(counted[0]["n"])


def _path_filter(under: UUID | None) -> tuple[str, list[Any]]:
    """The condition keeping the subjects whose stored ancestor path names
    ``under`` (none without it)."""
    if under is None:
        return "", []
    return " AND path LIKE ?", [under_pattern(under)]


def subjects_of_member(
    views: ProjectionRuntime, member_id: UUID
) -> list[dict[str, Any]]:
    """The member's own subjects, in every cycle (as stored)."""
    return views.query(
        "ratings", "SELECT * FROM {subjects} WHERE member_id = ?", [str(member_id)]
    )


CYCLE_NAME_BATCH = 500  # ids per IN (...) list


def cycle_names(runtime: ProjectionRuntime, ids: Sequence[str]) -> dict[str, str]:
    """ "<organisation> (<year>)" of each review cycle among ``ids`` that exists,
    by id (one indexed query per batch)."""
    names: dict[str, str] = {}
    for i in range(0, len(ids), CYCLE_NAME_BATCH):
        batch = list(ids[i : i + CYCLE_NAME_BATCH])
        marks = ", ".join("?" for _ in batch)
        rows = runtime.query(
            "ratings",
            "SELECT cycle_id, org_name, year FROM {cycles} "  # noqa: S608 - marks only
            f"WHERE cycle_id IN ({marks})",
            batch,
        )
        for r in rows:
            names[str(r["cycle_id"])] = f"{r['org_name']} ({r['year']})"
    return names


def round_levels_sql(cycle_id: str, decides: str) -> tuple[str, list[Any]]:
    """The key and level of each subject an authority decides in the cycle: one
    range of the ``ratings_subjects_round`` index (cycle, authority)."""
    return (
        "SELECT subject_key, level FROM {subjects} WHERE cycle_id = ? AND decides = ?",
        [cycle_id, decides],
    )


def subject_levels(
    views: ProjectionRuntime,
    cycle_id: str,
    keys: Sequence[str],
    decides: str | None = None,
) -> dict[str, str | None]:
    """The decided level of each of these subjects of the cycle: with
    ``decides`` (a round's authority) first those the authority decides, in one
    range of an index (:func:`round_levels_sql`), then any other by primary key,
    a few hundred at a time: not a read of the whole cycle. (At 100,000 members,
    a commune's ~500 keys in one ``IN (...)`` list were read through the cycle's
    every row, 210 ms, when the table had no statistics.)"""
    levels: dict[str, str | None] = {}
    if decides is not None and keys:
        wanted = set(keys)
        sql, args = round_levels_sql(cycle_id, decides)
        for r in views.query("ratings", sql, args):
            if (key := str(r["subject_key"])) in wanted:
                levels[key] = r["level"]
    rest = [k for k in keys if k not in levels]
    for start in range(0, len(rest), CYCLE_NAME_BATCH):
        chunk = list(rest[start : start + CYCLE_NAME_BATCH])
        marks = ", ".join("?" for _ in chunk)
        for r in views.query(
            "ratings",
            "SELECT subject_key, level FROM {subjects} "  # noqa: S608 - marks only
            f"WHERE cycle_id = ? AND subject_key IN ({marks})",
            [cycle_id, *chunk],
        ):
            levels[str(r["subject_key"])] = r["level"]
    return levels


# -- who holds a post at an organisation, among a cycle's individuals ---------------
def post_holders_sql(cycle_id: str, org_id: str) -> tuple[str, list[Any]]:
    """The cycle's individuals holding a post at ``org_id`` (their row's
    ``posts``), by name and key: one range of the ``posts`` table's primary key,
    each subject by its own, never the cycle's other subjects."""
    return (
        "SELECT s.* FROM {posts} p JOIN {subjects} s "
        "ON s.cycle_id = p.cycle_id AND s.subject_key = p.subject_key "
        "WHERE p.cycle_id = ? AND p.org_id = ? ORDER BY s.name, s.subject_key",
        [cycle_id, org_id],
    )


def post_holders(
    views: ProjectionRuntime, cycle_id: str, org_id: str
) -> list[dict[str, Any]]:
    """See :func:`post_holders_sql`; rows decoded."""
    sql, args = post_holders_sql(cycle_id, org_id)
    return [decode_subject(r) for r in views.query("ratings", sql, args)]


# -- the cycle page's collectives ------------------------------------------------------
COLLECTIVE_COLUMNS = (
    "subject_key",
    "name",
    "org_kind",
    "org_id",
    "cell_id",
    "member_id",
)
COLLECTIVES_SQL = (
    "SELECT " + ", ".join(COLLECTIVE_COLUMNS) + " FROM {subjects} "  # noqa: S608 - fixed text
    "WHERE cycle_id = ? AND kind = 'collective' "
    "AND (org_kind IS NULL OR org_kind != 'cell') ORDER BY name, subject_key"
)


def cycle_collectives(views: ProjectionRuntime, cycle_id: str) -> list[dict[str, Any]]:
    """The cycle's collectives but its chi bộ (the leadership collectives and
    committees), by name then key, with only ``COLLECTIVE_COLUMNS``: the rows
    of :func:`.subjects.cycle_subjects` (``kind="collective"``, without
    ``cells``) the cycle page shows, without decoding each one's venues, posts
    and path (a province has some 400 of them)."""
    return views.query("ratings", COLLECTIVES_SQL, [cycle_id])
