"""A deferred table's rows in a few multi-row statements (``Tx.flush``).

A page's deferred rows of one statement were written by ``executemany``: one
statement per row, which on PostgreSQL is psycopg's whole per-statement path
(adapting, preparing, the pipeline's round) for every row, most of a rebuild's
CPU on views that write several rows per event. Here they become
``INSERT … VALUES (…), (…), … [ON CONFLICT …]`` of up to :data:`ROWS` rows
each, with the rows those statements one by one would leave:

- ``insert``: a plain insert (a conflict fails either way: the caller then
  replays the page event by event);
- ``ignore``: ``ON CONFLICT DO NOTHING``: the first of rows with the same key
  stays (PostgreSQL skips a later duplicate within the statement too);
- ``update``: ``ON CONFLICT (key) DO UPDATE SET`` every other column to
  ``excluded``'s: the last row of a key is what stays (PostgreSQL refuses to
  update one row twice in one statement, so only it is sent);
- ``count``: ``ON CONFLICT (key) DO UPDATE SET n = here.n + excluded.n`` of
  rows already summed per key (``Tx.add_counts``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

ROWS = 500  # rows per statement at most
PARAMETERS = 30_000  # parameters per statement at most (PostgreSQL's limit: 65,535)

Mode = Literal["insert", "ignore", "update", "count"]
_NUMBERED: dict[tuple[int, int], str] = {}


@dataclass(frozen=True)
class Shape:
    """A one-row ``INSERT … VALUES (?, …) …`` statement cut around its row."""

    head: str  # up to and including ``VALUES ``
    marks: str  # ``(?, …)``
    tail: str  # what follows the row (`` ON CONFLICT …``), maybe empty
    mode: Mode
    key: tuple[int, ...]  # the key columns' positions in a row (update)

    @classmethod
    def of(cls, statement: str, mode: Mode, key: Sequence[int] = ()) -> Shape:
        at = statement.index(" VALUES (") + len(" VALUES ")
        end = statement.index(")", at) + 1
        return cls(statement[:at], statement[at:end], statement[end:], mode, tuple(key))

    def parts(self, rows: Sequence[tuple[Any, ...]]) -> list[tuple[int, list[Any]]]:
        """How many rows each statement that writes ``rows`` holds, and its
        parameters (the rows' values in order)."""
        rows = self._unique(rows)
        width = max(1, len(rows[0])) if rows else 1
        per = max(1, min(ROWS, PARAMETERS // width))
        return [
            (len(part), [value for row in part for value in row])
            for part in (rows[at : at + per] for at in range(0, len(rows), per))
        ]

    def numbered(self, count: int, width: int) -> str:
        """``count`` rows of ``width`` PostgreSQL parameters ``($1, $2), ($3,
        $4)…``: psycopg sends such a statement as it is (a ``RawCursor``),
        where it would parse a ``%s`` one of more than 50 parameters again at
        every call (its cache of parsed statements stops there)."""
        key = (count, width)
        text = _NUMBERED.get(key)
        if text is None:
            text = ", ".join(
                "(" + ", ".join(f"${r * width + c + 1}" for c in range(width)) + ")"
                for r in range(count)
            )
            if len(_NUMBERED) < 256:
                _NUMBERED[key] = text
        return text

    def _unique(self, rows: Sequence[tuple[Any, ...]]) -> Sequence[tuple[Any, ...]]:
        if self.mode == "update":
            last: dict[tuple[Any, ...], tuple[Any, ...]] = {}
            for row in rows:
                last[tuple(row[i] for i in self.key)] = row
            return list(last.values()) if len(last) < len(rows) else rows
        return rows
