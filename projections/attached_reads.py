"""SQLite connections kept for reads of several views at once
(``projections.reading._attached``).

Such a read (the organisation tree, the search: a directory's rows beside the
search view's) ATTACHes the views' files read-only to a private connection.
Opening that connection and attaching the files (each file's schema read and
parsed) cost ≈ 1 ms of CPU at every read; the connection is now kept, per set
of views, and lent to one read at a time: ``BEGIN``, the read, ``ROLLBACK``
(one snapshot of every file for the read, as before). It stays read-only (files
attached with ``mode=ro`` and ``PRAGMA query_only``); a view's schema changed
meanwhile is seen by SQLite at the next statement (its schema cookie). A read
that fails closes its connection; the views' close closes every kept one.
"""

from __future__ import annotations

import sqlite3
import threading
from contextlib import suppress

Attached = tuple[sqlite3.Connection, dict[str, dict[str, str]]]
Key = tuple[tuple[str, str], ...]  # (view name, its file) for each view read

KEEP = 8  # connections kept per set of views (a worker serves 8 threads)


class AttachedConnections:
    """The kept connections of the reads that start at one view."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._free: dict[Key, list[Attached]] = {}
        self._closed = False

    def take(self, key: Key) -> Attached | None:
        with self._lock:
            free = self._free.get(key)
            return free.pop() if free else None

    def give_back(self, key: Key, attached: Attached) -> None:
        with self._lock:
            free = self._free.setdefault(key, [])
            if not self._closed and len(free) < KEEP:
                free.append(attached)
                return
        attached[0].close()

    def discard(self, attached: Attached) -> None:
        with suppress(sqlite3.Error):
            attached[0].close()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            kept = [a for free in self._free.values() for a in free]
            self._free = {}
        for attached in kept:
            self.discard(attached)

    def kept(self) -> int:
        with self._lock:
            return sum(len(free) for free in self._free.values())
