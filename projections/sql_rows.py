"""Many rows in one statement: ``INSERT … VALUES (…), (…), …`` (both backends).

``executemany`` sends one statement per row; on PostgreSQL psycopg pipelines
them, but each row still costs a round of its pipeline machinery, which is most
of a handler's CPU when it writes a few rows per event. A handler that writes a
handful of rows of one table at once passes them here instead: one statement
and one round trip per :data:`ROWS_PER_STATEMENT` rows. The rows of an upsert
(``ON CONFLICT … DO UPDATE``) must name each key at most once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from projections.sqlutil import Tx

ROWS_PER_STATEMENT = 500


def execute_rows(
    tx: Tx, head: str, marks: str, tail: str, rows: Sequence[Sequence[Any]]
) -> None:
    """``head`` + ``marks`` once per row, comma-separated, + ``tail``, with the
    rows' values in order (``head`` ends with ``VALUES``, ``marks`` is one
    row's ``(?, …)``)."""
    for start in range(0, len(rows), ROWS_PER_STATEMENT):
        part = rows[start : start + ROWS_PER_STATEMENT]
        tx.execute(
            head + ", ".join(marks for _ in part) + tail,
            [value for row in part for value in row],
        )
