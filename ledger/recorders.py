"""The library's recorders with one addition: inside the insert transaction they
read the log tip and let the application refuse the insert when its key registry
is behind it (ledger.md §4.3).

That makes "the signer's key is valid at the tip" and "the event is inserted" one
atomic step on both backends — on PostgreSQL the tip is read after the library's
EXCLUSIVE table lock, which closes the revocation race the spec tolerates — and
it costs one indexed ``MAX`` in a transaction that exists anyway.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

from ledger.errors import LedgerError

TipGuard = Callable[[int], None]


class RegistryBehindError(LedgerError):
    """Another writer appended since the key registry was last caught up."""


def _no_guard(tip: int) -> None:
    return None


class LedgerSQLiteRecorder(SQLiteApplicationRecorder):
    tip_guard: TipGuard = staticmethod(_no_guard)

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        if stored_events:
            c.execute(self.select_max_notification_id_statement)
            self.tip_guard(c.fetchone()[0] or 0)
        return super()._insert_events(c, stored_events, **kwargs)


class LedgerPostgresRecorder(PostgresApplicationRecorder):
    tip_guard: TipGuard = staticmethod(_no_guard)

    def _lock_table(self, curs: Cursor[DictRow]) -> None:
        super()._lock_table(curs)
        curs.execute(
            SQL("SELECT MAX(notification_id) AS tip FROM {0}.{1}").format(
                Identifier(self.datastore.schema), Identifier(self.events_table_name)
            )
        )
        row = curs.fetchone()
        self.tip_guard(int(row["tip"] or 0) if row is not None else 0)
