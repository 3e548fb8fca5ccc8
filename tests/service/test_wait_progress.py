"""The views' progress read without asking for the worker's presence
(``projections.worker.worker_progress(presence=False)``, the polls of a
read-your-writes wait after its first): the same positions, and on PostgreSQL
a statement that leaves ``pg_locks`` alone."""

from __future__ import annotations

from typing import Any

import psycopg

from projections import worker
from services import commands as c


def test_progress_without_presence_reads_the_same_positions(
    services, admin, monkeypatch
):
    services.handle(
        c.FoundOrganisation(
            admin.actor, "tinh", "Tỉnh ủy", "provincial_committee", None
        ),
        admin.signer,
    )
    views, ledger = services.projections.views, services.ledger
    sent: list[str] = []
    execute = psycopg.Cursor.execute

    def traced(self: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
        sent.append(str(query))
        return execute(self, query, *args, **kwargs)

    monkeypatch.setattr(psycopg.Cursor, "execute", traced)
    position, running = worker.worker_progress(views, ledger)
    asked = list(sent)
    sent.clear()
    assert worker.worker_progress(views, ledger, presence=False) == (position, None)
    assert position is not None
    assert position > 0
    assert running is False
    if views.shared is not None:  # PostgreSQL: one statement each
        assert len(asked) == len(sent) == 1
        assert "pg_locks" in asked[0]
        assert "pg_locks" not in sent[0]
