"""How many are rated at each level in each organisation, everything under it
included? (``stats``)

One row per cycle, organisation, population and bucket (a level, ``pending`` or
``exempt:<reason>``), kept by the subjects' changes (:mod:`.subjects`); the counts
are integers, percentages are computed exactly by the reader.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from projections.read_model import ReadModel
from projections.sqlutil import Tx

if TYPE_CHECKING:
    from projections.runtime import ProjectionRuntime


def bump(tx: Tx, cycle: str, path: list[str], pop: str, bucket: str, by: int) -> None:
    """Add ``by`` to the bucket of every organisation on the path."""
    for org in path:
        tx.execute(
            "INSERT INTO {stats} (cycle_id, org_id, population, bucket, n) "
            "VALUES (?, ?, ?, ?, 0) ON CONFLICT (cycle_id, org_id, population, "
            "bucket) DO NOTHING",
            (cycle, org, pop, bucket),
        )
        tx.execute(
            "UPDATE {stats} SET n = n + ? WHERE cycle_id = ? AND org_id = ? "
            "AND population = ? AND bucket = ?",
            (by, cycle, org, pop, bucket),
        )


class RatingStatistics(ReadModel):
    """The counters by level, rolled up through the tree."""

    tables = {  # noqa: RUF012 - declarative table list read by the runtime
        "stats": (
            "cycle_id TEXT NOT NULL, org_id TEXT NOT NULL, population TEXT NOT NULL, "
            "bucket TEXT NOT NULL, n BIGINT NOT NULL, "
            "PRIMARY KEY (cycle_id, org_id, population, bucket)"
        ),
    }


def level_counts(
    views: ProjectionRuntime, cycle_id: UUID, org_id: UUID
) -> list[dict[str, Any]]:
    """The non-zero counts (``population``, ``bucket``, ``n``) of everything in
    and under ``org_id`` in the cycle."""
    return views.query(
        "ratings",
        "SELECT population, bucket, n FROM {stats} WHERE cycle_id = ? "
        "AND org_id = ? AND n != 0 ORDER BY population, bucket",
        [str(cycle_id), str(org_id)],
    )
