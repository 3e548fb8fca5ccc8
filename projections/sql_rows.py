"""Many rows in one statement: ``INSERT … VALUES (…), (…), …`` (both backends).

``executemany`` sends one statement per row; on PostgreSQL psycopg pipelines
them, but each row still costs a round of its pipeline machinery, which is most
of a handler's CPU when it writes a few rows per event. A handler that writes a
handful of rows of one table at once passes them here instead: one statement
and one round trip per :data:`projections.many_rows.ROWS` rows. The rows of an upsert
(``ON CONFLICT … DO UPDATE``) must name each key at most once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from projections.many_rows import Shape
from projections.sqlutil import Tx


def execute_rows(
    tx: Tx, head: str, marks: str, tail: str, rows: Sequence[Sequence[Any]]
) -> None:
    """``head`` + ``marks`` once per row, comma-separated, + ``tail``, with the
    rows' values in order (``head`` ends with ``VALUES``, ``marks`` is one
    row's ``(?, …)``); on PostgreSQL with numbered parameters
    (:meth:`Tx.execute_shaped`: psycopg parses a statement of more than 50
    ``%s`` again at each call)."""
    tx.execute_shaped(Shape(head, marks, tail, "insert", ()), rows)
