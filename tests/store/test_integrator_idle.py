"""The integrator reads a page's envelopes before it takes its lock.

The ledger's PostgreSQL connections end a transaction left idle for 5 s (the
library's ``idle_in_transaction_session_timeout``). A province's cycle opening
puts pages of ~330 KB events in front of the integrator, whose canonical checks
took longer than that inside the transaction: the 100,000-member build died
there. Here the server's limit is 1 s and one envelope takes 1.5 s to read.
"""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from ledger import envelope
from ledger.app import LedgerApplication
from ledger.config import IDLE_IN_TRANSACTION_SECONDS
from ledger.integrator import Integrator
from tests.store.conftest import Store

SLOW_SECONDS = 1.5


def test_a_slow_page_is_read_before_the_integrators_transaction(
    backend: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    author = backend.new_signer()
    backend.register(author)
    backend.open_review(author, "Hồ sơ kiểm điểm", ["ý kiến 1", "ý kiến 2"])
    settings = replace(
        backend.settings,
        library_env={
            **backend.settings.library_env,
            "POSTGRES_IDLE_IN_TRANSACTION_SESSION_TIMEOUT": "1",
        },
    )
    app = LedgerApplication(settings, backend.trust_root)
    real = envelope.parse_content
    slow_once = [True]

    def slow(content: bytes) -> envelope.Content:
        if slow_once:
            slow_once.clear()
            time.sleep(SLOW_SECONDS)
        return real(content)

    try:
        monkeypatch.setattr(envelope, "parse_content", slow)
        integrator = Integrator(app)
        events = app.recorder.max_notification_id() or 0
        assert integrator.catch_up() == events
        assert integrator.alerts() == []
        assert integrator.size == events
    finally:
        app.close()


def test_the_ledgers_connections_allow_a_minute_idle_in_a_transaction(
    backend: Store,
) -> None:
    if backend.backend != "postgres":
        pytest.skip("a PostgreSQL session setting")
    datastore = backend.app.recorder.datastore  # type: ignore[attr-defined]
    with datastore.get_connection() as conn:
        row = conn.execute("SHOW idle_in_transaction_session_timeout").fetchone()
    assert row is not None
    assert next(iter(row.values())) == f"{IDLE_IN_TRANSACTION_SECONDS // 60}min"
