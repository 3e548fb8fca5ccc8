"""The library's recorders with one addition: inside the insert transaction they
read the log tip and hand the application the key events it has not seen yet, so
it can bring its key registry to the tip and re-check the signer's key before the
rows go in (ledger.md §4.3).

That makes "the signer's key is valid at the tip" and "the event is inserted" one
atomic step on both backends — on PostgreSQL the tip is read after the library's
EXCLUSIVE table lock, which closes the revocation race the spec tolerates — and
it costs one indexed ``MAX`` in a transaction that exists anyway.

On PostgreSQL the insert does not use psycopg's pipeline mode, as the library's
recorder does: with one large INSERT (a batch of ~10 MB or more) psycopg's
pipeline leaves part of the message in libpq's output buffer and then waits to
read, while the server waits for the rest of the message, for ever (seen with
the plain library recorder as well; ``tests/store/test_large_batch_insert.py``).
Our tip guard reads inside the transaction anyway, so the pipeline saved little.
The rows go in as INSERTs of at most ~8 MB each (one transaction still): a
province's cycle opening is a batch of ~80 MB, and one message of that size keeps
the server waiting while the client adapts it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID

import psycopg
from eventsourcing.persistence import InterfaceError, OperationalError, StoredEvent
from eventsourcing.postgres import (
    PostgresAggregateRecorder,
    PostgresApplicationRecorder,
)
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor
from eventsourcing.utils import retry
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Composed, Identifier

from ledger.keyring import KEY_TOPICS
from ledger.sql import immediate_transaction

INSERT_BYTES = 8 * 1024 * 1024

# (id, originator_id, originator_version, topic, state) of key events in (after, tip]
KeyRows = Callable[[int, int], list[tuple[int, UUID, int, str, bytes]]]
TipGuard = Callable[[int, KeyRows], None]


def _no_guard(tip: int, key_rows: KeyRows) -> None:
    return None


class LedgerSQLiteRecorder(SQLiteApplicationRecorder):
    tip_guard: TipGuard = staticmethod(_no_guard)

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        # The tip guard reads before the rows are inserted: take the write lock
        # first, or another process's commit in between fails this one.
        with immediate_transaction(self.datastore) as c:
            return self._insert_events(c, stored_events, **kwargs)

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        if stored_events:
            c.execute(self.select_max_notification_id_statement)
            tip = c.fetchone()[0] or 0

            def key_rows(
                after: int, upto: int
            ) -> list[tuple[int, UUID, int, str, bytes]]:
                c.execute(
                    "SELECT rowid, originator_id, originator_version, topic, state "  # noqa: S608
                    f"FROM {self.events_table_name} WHERE rowid > ? AND rowid <= ? "
                    "AND topic IN (?, ?) ORDER BY rowid",
                    (after, upto, *KEY_TOPICS),
                )
                return [
                    (r[0], UUID(r[1]), r[2], r[3], bytes(r[4])) for r in c.fetchall()
                ]

            self.tip_guard(tip, key_rows)
        return super()._insert_events(c, stored_events, **kwargs)


class LedgerPostgresRecorder(PostgresApplicationRecorder):
    tip_guard: TipGuard = staticmethod(_no_guard)

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        """The library's steps (lock, notify, insert, ids) and the tip guard in
        one transaction of three round trips, not in pipeline mode (see the
        module's docstring): the transaction's start, the lock, the notification
        and the tip in one simple query; the INSERTs; the commit."""
        if not stored_events:
            return None
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            try:
                curs.execute(self._begin_statement())  # no parameters: one message
                while curs.nextset():
                    pass  # to the last statement's result: the tip
                row = curs.fetchone()
                tip = int(row["tip"] or 0) if row is not None else 0
                self.tip_guard(tip, self._key_rows(curs))
                ids: list[int] = []
                for chunk in insert_chunks(stored_events, INSERT_BYTES):
                    # The library's plain INSERT … RETURNING.
                    PostgresAggregateRecorder._insert_stored_events(self, curs, chunk)
                    ids.extend(self._fetch_ids_after_insert_events(curs, chunk) or ())
                conn.commit()
            except BaseException:
                # The first error is the one to report (a conflict, a revoked
                # key); a connection too broken to roll back is dropped by the pool.
                if not conn.closed:
                    with contextlib.suppress(psycopg.Error):
                        conn.rollback()
                raise
            return ids

    def _begin_statement(self) -> Composed:
        return SQL("; ").join(
            [
                SQL("BEGIN"),
                *self.lock_table_statements,
                SQL("NOTIFY {0}").format(Identifier(self.channel_name)),
                SQL("SELECT MAX(notification_id) AS tip FROM {0}.{1}").format(
                    Identifier(self.datastore.schema),
                    Identifier(self.events_table_name),
                ),
            ]
        )

    def _key_rows(self, curs: Cursor[DictRow]) -> KeyRows:
        def key_rows(after: int, upto: int) -> list[tuple[int, UUID, int, str, bytes]]:
            curs.execute(
                SQL(
                    "SELECT notification_id, originator_id, originator_version, topic, "
                    "state FROM {0}.{1} WHERE notification_id > %s AND "
                    "notification_id <= %s AND topic = ANY(%s) ORDER BY notification_id"
                ).format(
                    Identifier(self.datastore.schema),
                    Identifier(self.events_table_name),
                ),
                (after, upto, list(KEY_TOPICS)),
            )
            return [
                (
                    int(r["notification_id"]),
                    r["originator_id"],
                    int(r["originator_version"]),
                    str(r["topic"]),
                    bytes(r["state"]),
                )
                for r in curs.fetchall()
            ]

        return key_rows


def insert_chunks(
    stored_events: Sequence[StoredEvent], limit: int
) -> list[Sequence[StoredEvent]]:
    """Consecutive runs of events of at most ``limit`` bytes of state each (an
    event larger than that alone)."""
    chunks: list[Sequence[StoredEvent]] = []
    start, size = 0, 0
    for i, event in enumerate(stored_events):
        if i > start and size + len(event.state) > limit:
            chunks.append(stored_events[start:i])
            start, size = i, 0
        size += len(event.state)
    chunks.append(stored_events[start:])
    return chunks
