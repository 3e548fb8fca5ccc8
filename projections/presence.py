"""Is a projections worker running, and wake it when the log grows (ledger.md §9.2).

In worker mode a web process that has just written waits for the worker to bring
the views to its write (read your own writes). It may only wait for a worker that
exists: ``kiemdiem init --demo`` and CLI writers run while no worker does, and
then the writing process catches the views up itself.

A running worker holds a *presence* for its lifetime, which every other process
can see without writing anything:

- PostgreSQL: a shared session advisory lock, seen in ``pg_locks`` (readable by
  any role, the insert-only app role included), on the connection that also
  ``LISTEN``s to the library's insert notifications, so the worker wakes as soon
  as a command commits instead of at its next poll (the library's channel is
  named after the events table, so an insert in another schema of the same
  database wakes it too: one catch-up round that finds nothing);
- SQLite: a shared ``flock`` on ``worker.lock`` beside the view files; the worker
  finds writes by asking the ledger file's ``PRAGMA data_version`` every
  :data:`SQLITE_WAKE_SECONDS` (a read of the WAL index, a few µs), which changes
  when another connection commits. Sleeping its whole poll (1 s) instead held
  every command's read-your-writes wait for up to that second (1 command/s).
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time
import zlib
from contextlib import ExitStack
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from psycopg.sql import SQL, Identifier

if TYPE_CHECKING:
    from ledger.app import LedgerApplication

# pg_advisory_lock_shared(PRESENCE_CLASS, crc32(schema)): in pg_locks as
# classid = PRESENCE_CLASS, objid = the schema's key, objsubid = 2.
PRESENCE_CLASS = 0x6B64  # "kd"
LOCK_FILE = "worker.lock"
# SQLite: how often a waiting worker asks whether the ledger file has changed.
SQLITE_WAKE_SECONDS = 0.005


def presence_key(schema: str) -> int:
    """The schema's half of the presence lock's key (a positive int4)."""
    return zlib.crc32(f"kiemdiem-worker:{schema}".encode()) & 0x7FFFFFFF


PRESENCE_SQL = (
    "EXISTS (SELECT 1 FROM pg_catalog.pg_locks WHERE locktype = 'advisory' "
    "AND granted AND classid = %s AND objid = %s AND objsubid = 2 "
    "AND database = (SELECT oid FROM pg_catalog.pg_database "
    "WHERE datname = current_database()))"
)


def lock_file(app: LedgerApplication) -> Path | None:
    """SQLite: the presence file beside the view files (None in memory)."""
    settings = app.settings
    if settings.memory or settings.sqlite_path is None:
        return None
    db = Path(settings.sqlite_path)
    return db.parent / f"{db.stem}.views" / LOCK_FILE


def worker_present(app: LedgerApplication) -> bool:
    """True while some process holds a worker presence on this store."""
    settings = app.settings
    if settings.backend == "postgres":
        with app.sql.read() as cur:
            row = cur.execute(
                f"SELECT {PRESENCE_SQL.replace('%s', '?')}",
                (PRESENCE_CLASS, presence_key(settings.pg_schema)),
            ).fetchone()
        return bool(row and row[0])
    path = lock_file(app)
    if path is None or not path.exists():
        return False
    fd = os.open(path, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


class WorkerPresence:
    """Held by a running worker: makes it visible and wakes it on new events.

    Use as a context manager; :meth:`wait` returns when the log may have grown
    (PostgreSQL: an insert notification arrived) or after ``timeout`` seconds.
    """

    def __init__(self, app: LedgerApplication) -> None:
        self.app = app
        self._stack = ExitStack()
        self._conn: Any = None
        self._fd: int | None = None
        self._sqlite: sqlite3.Connection | None = None
        self._version: int | None = None

    def __enter__(self) -> WorkerPresence:
        settings = self.app.settings
        try:
            if settings.backend == "postgres":
                datastore = self.app.recorder.datastore  # type: ignore[attr-defined]
                conn = self._stack.enter_context(datastore.get_connection())
                key = (PRESENCE_CLASS, presence_key(settings.pg_schema))
                conn.execute("SELECT pg_advisory_lock_shared(%s, %s)", key)
                self._stack.callback(
                    conn.execute, "SELECT pg_advisory_unlock_shared(%s, %s)", key
                )
                channel = self.app.recorder.channel_name  # type: ignore[attr-defined]
                conn.execute(SQL("LISTEN {0}").format(Identifier(channel)))
                self._stack.callback(conn.execute, "UNLISTEN *")
                self._conn = conn
            else:
                path = lock_file(self.app)
                if path is not None:
                    path.parent.mkdir(parents=True, exist_ok=True)
                    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
                    self._stack.callback(os.close, fd)
                    fcntl.flock(fd, fcntl.LOCK_SH)
                    self._fd = fd
                    watch = sqlite3.connect(
                        f"{Path(settings.sqlite_path or '').resolve().as_uri()}"
                        "?mode=ro",
                        uri=True,
                        check_same_thread=False,
                    )
                    self._stack.callback(watch.close)
                    self._sqlite = watch
                    self._version = _data_version(watch)
        except BaseException:
            self._stack.close()
            raise
        return self

    def wait(self, timeout: float, stop: threading.Event | None = None) -> None:
        """Until an insert is notified (PostgreSQL), ``stop`` is set, or timeout."""
        if self._conn is not None:
            for _ in self._conn.notifies(timeout=timeout, stop_after=1):
                pass
            # Several inserts may have been notified: one catch-up reads them all.
            for _ in self._conn.notifies(timeout=0, stop_after=100):
                pass
            return
        stop = stop or threading.Event()
        watch = self._sqlite
        if watch is None:
            stop.wait(timeout)
            return
        deadline = time.monotonic() + timeout
        while not stop.wait(min(SQLITE_WAKE_SECONDS, timeout)):
            version = _data_version(watch)
            if version != self._version:
                self._version = version
                return
            if time.monotonic() >= deadline:
                return

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._conn = None
        self._fd = None
        self._sqlite = None
        self._stack.close()


def _data_version(watch: sqlite3.Connection) -> int:
    """The ledger file's change counter as ``watch`` sees it: it moves when any
    other connection commits (sqlite.org/pragma.html#pragma_data_version)."""
    return int(watch.execute("PRAGMA data_version").fetchone()[0])
