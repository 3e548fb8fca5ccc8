"""Every claim of an idempotency key first deletes the expired keys
(``services.idempotency``): through an index on ``expires_at``, not a scan of a
day's keys, on SQLite and PostgreSQL."""

from __future__ import annotations

from services.idempotency import IdempotencyStore


def _plan(services, statement: str) -> str:
    sql = services.ledger.sql
    with sql.tx() as cur:
        if sql.postgres:
            cur.execute("SET LOCAL enable_seqscan = off")  # the table is tiny here
            rows = cur.execute(f"EXPLAIN {statement}", ("2026-12-07",)).fetchall()
        else:
            rows = cur.execute(
                f"EXPLAIN QUERY PLAN {statement}", ("2026-12-07",)
            ).fetchall()
    return "\n".join(str(r[-1]) for r in rows)


def test_the_expired_keys_are_found_through_an_index(services):
    store = IdempotencyStore(services.ledger.sql)
    IdempotencyStore(services.ledger.sql)  # a second process: all there already
    plan = _plan(services, f"DELETE FROM {store.table} WHERE expires_at < ?")
    assert "api_idempotency_expires" in plan, plan
