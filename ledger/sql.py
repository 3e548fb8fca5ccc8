"""Plain SQL on the ledger's own tables, on SQLite and PostgreSQL alike.

Statements are written once with ``?`` placeholders and ``{t:name}``-free table
names; :class:`Sql` adapts placeholders and qualifies tables with the schema on
PostgreSQL. It reuses the library's datastore so ledger rows share its connection
pool and, on SQLite, its reader/writer interlock.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Protocol

from ledger.config import Settings

EVENTS_TABLE = {"sqlite": "stored_events", "postgres": "ledger_events"}
NOTIFICATION_ID = {"sqlite": "rowid", "postgres": "notification_id"}


class _Datastore(Protocol):
    def transaction(self, *, commit: bool) -> Any: ...


class Cursor:
    """A thin cursor that adapts ``?`` placeholders for psycopg."""

    def __init__(self, raw: Any, postgres: bool) -> None:
        self._raw = raw
        self._postgres = postgres

    def execute(self, statement: str, params: Sequence[Any] = ()) -> Cursor:
        if self._postgres:
            statement = statement.replace("?", "%s")
        self._raw.execute(statement, tuple(params))
        return self

    def executemany(self, statement: str, rows: Sequence[Sequence[Any]]) -> None:
        if self._postgres:
            statement = statement.replace("?", "%s")
        self._raw.executemany(statement, [tuple(r) for r in rows])

    def fetchall(self) -> list[tuple[Any, ...]]:
        return [_as_tuple(row) for row in self._raw.fetchall()]

    def fetchone(self) -> tuple[Any, ...] | None:
        row = self._raw.fetchone()
        return None if row is None else _as_tuple(row)


def _as_tuple(row: Any) -> tuple[Any, ...]:
    values = tuple(row.values()) if isinstance(row, dict) else tuple(row)
    return tuple(bytes(v) if isinstance(v, memoryview) else v for v in values)


class Sql:
    def __init__(self, settings: Settings, datastore: _Datastore) -> None:
        self.settings = settings
        self.datastore = datastore
        self.postgres = settings.backend == "postgres"

    def table(self, name: str) -> str:
        if self.postgres:
            return f'"{self.settings.pg_schema}"."{name}"'
        return name

    @property
    def events_table(self) -> str:
        return self.table(EVENTS_TABLE[self.settings.backend])

    @property
    def notification_id(self) -> str:
        return NOTIFICATION_ID[self.settings.backend]

    @contextmanager
    def tx(self, *, commit: bool = False) -> Iterator[Cursor]:
        with self.datastore.transaction(commit=commit) as raw:
            yield Cursor(raw, self.postgres)
