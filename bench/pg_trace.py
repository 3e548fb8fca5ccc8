"""What a psycopg connection sends to PostgreSQL, from libpq's protocol trace.

One place for the trace hook that ``bench.round_trips`` (every connection the
app's pools lend while a page is served) and ``tests/store/test_view_round_trips``
(one datastore's connections in a test) both use: :func:`lending_traced` wraps a
datastore's ``get_connection`` so each connection it lends while ``trace.on``
is traced into ``trace.lines``; :class:`Trace` reads those lines.
"""

from __future__ import annotations

import re
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

FRONTEND = re.compile(r"^F\t\d+\t(\w+)\t?(.*)$")
CONTROL = ("BEGIN", "SET", "ROLLBACK", "COMMIT", "DEALLOCATE")


class Trace:
    """The client's side of the trace of the connections lent meanwhile."""

    def __init__(self, *, on: bool = True) -> None:
        self.lines: list[str] = []
        self.on = on

    @property
    def sent(self) -> list[tuple[str, str]]:
        """Each message the client sent: (kind, detail)."""
        found = (FRONTEND.match(line) for line in self.lines)
        return [(m.group(1), m.group(2).strip()) for m in found if m]

    @property
    def round_trips(self) -> int:
        """A ``Sync`` (extended protocol) or a simple ``Query`` waits for the server."""
        return sum(1 for kind, _ in self.sent if kind in ("Sync", "Query"))

    @property
    def statements(self) -> list[str]:
        """The text of each statement sent (simple ``Query`` or ``Parse``)."""
        return [text for _, text in self._texts()]

    def _texts(self) -> Iterator[tuple[str, str]]:
        for kind, detail in self.sent:
            if kind == "Query":
                yield kind, detail.strip('"')
            elif kind == "Parse":
                yield kind, detail.split('" "', 1)[1].rsplit('"', 1)[0]

    def counts(self) -> Counter[str]:
        """Round trips, the transaction-control statements among them
        (:data:`CONTROL`), statements prepared and runs of prepared ones."""
        found: Counter[str] = Counter()
        found["round trips"] = self.round_trips
        for kind, detail in self.sent:
            if kind == "Parse":
                found["prepared"] += detail.startswith('"_pg3')
            elif kind == "Bind" and '"_pg3' in detail:
                found["prepared runs"] += 1
        for _, text in self._texts():
            word = text.split(" ", 1)[0].upper()
            if word in CONTROL:
                found[word] += 1
        return found


@contextmanager
def tracing(conn: Any, trace: Trace) -> Iterator[None]:
    """Trace what ``conn`` (a psycopg connection) sends in the block."""
    from psycopg import pq

    with tempfile.TemporaryFile() as out:
        conn.pgconn.trace(out.fileno())
        conn.pgconn.set_trace_flags(
            pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE
        )
        try:
            yield
        finally:
            conn.pgconn.untrace()
            out.seek(0)
            trace.lines += out.read().decode().splitlines()


def lending_traced(
    lend: Callable[..., AbstractContextManager[Any]], trace: Trace
) -> Callable[..., AbstractContextManager[Any]]:
    """``lend`` (a datastore's ``get_connection``, bound or not) whose
    connections are traced into ``trace`` while ``trace.on``."""

    @contextmanager
    def get_connection(*args: Any, **kwargs: Any) -> Iterator[Any]:
        with lend(*args, **kwargs) as conn:
            if not trace.on:
                yield conn
                return
            with tracing(conn, trace):
                yield conn

    return get_connection
