"""The integrator's lease (``LedgerApplication.advisory_lock``) is the store's:
two stores in two schemas of one PostgreSQL database each hold their own at
once (one instance per province in one database; the tests' parallel stores),
while a second process on the same store is refused it."""

from __future__ import annotations

import uuid

import psycopg
import pytest

from ledger.app import LedgerApplication
from ledger.config import settings_from_environ
from tests.store.conftest import PG_SERVER, Store

LEASE = "kiemdiem-integrator"


@pytest.mark.postgres
def test_a_store_in_another_schema_does_not_hold_this_ones_lease(
    backend: Store,
) -> None:
    if backend.backend != "postgres":
        pytest.skip("PostgreSQL only: SQLite has one writer process")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    other = LedgerApplication(
        settings_from_environ({}, f"{PG_SERVER}?schema={schema}"), backend.trust_root
    )
    same = LedgerApplication(backend.settings, backend.trust_root)
    try:
        with backend.app.advisory_lock(LEASE) as held:
            assert held
            with same.advisory_lock(LEASE) as again:
                assert not again  # the same store: one integrator
            with other.advisory_lock(LEASE) as theirs:
                assert theirs  # another store's lease is its own
        with same.advisory_lock(LEASE) as after:
            assert after  # given back at the block's end
    finally:
        other.close()
        same.close()
        with psycopg.connect(PG_SERVER, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
