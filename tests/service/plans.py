"""The plan of a view query on either backend, for the tests that check a read
is answered from indexes: PostgreSQL's ``EXPLAIN`` with sequential scans priced
out (a scan then means no index serves the access), SQLite's ``EXPLAIN QUERY
PLAN``; one line per row."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def explained(services: Any, view: str, sql: str, args: Sequence[Any]) -> str:
    with services.projections.read(view) as cursor:
        if services.ledger.sql.postgres:
            cursor.execute("SET LOCAL enable_seqscan = off")
            rows = cursor.execute("EXPLAIN " + sql, list(args)).fetchall()
        else:
            rows = cursor.execute("EXPLAIN QUERY PLAN " + sql, list(args)).fetchall()
    return "\n".join(" ".join(str(v) for v in r) for r in rows)
