"""Idempotency keys of API writes (issue 11): the first answer to a request that
carried ``Idempotency-Key`` is kept for a day, so a client that retries gets it
again and nothing is signed twice.

The table ``api_idempotency`` lives in the store's database beside the vault's
tables; it is not evidence. A key belongs to one account: another account's
request with the same key is a request of its own.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from ledger.sql import Sql

TABLE = "api_idempotency"
COLUMNS = (
    "account_id TEXT NOT NULL, idem_key TEXT NOT NULL, fingerprint TEXT NOT NULL, "
    "claim TEXT NOT NULL, status INTEGER, body TEXT, content_type TEXT, "
    "location TEXT, created_at TEXT NOT NULL, expires_at TEXT NOT NULL, "
    "PRIMARY KEY (account_id, idem_key)"
)
KEEP = timedelta(hours=24)


@dataclass(frozen=True)
class Claim:
    """This request holds the key: its answer is to be kept under it."""

    account_id: UUID
    key: str
    claim: str


@dataclass(frozen=True)
class StoredAnswer:
    fingerprint: str
    status: int | None  # None: the first request is still being answered
    body: str
    content_type: str
    location: str | None


class IdempotencyStore:
    def __init__(self, sql: Sql, keep: timedelta = KEEP) -> None:
        self.sql = sql
        self.keep = keep
        self.table = sql.table(TABLE)
        with sql.tx(commit=True) as cur:
            cur.execute(f"CREATE TABLE IF NOT EXISTS {self.table} ({COLUMNS})")
            # Every claim first deletes the expired keys: through this index,
            # not a scan of a day's keys (35-40 ms a claim at 100,000 of them).
            cur.execute(
                f"CREATE INDEX IF NOT EXISTS {TABLE}_expires "
                f"ON {self.table} (expires_at)"
            )

    def claim(
        self, account_id: UUID, key: str, fingerprint: str, now: datetime
    ) -> Claim | StoredAnswer:
        """Hold ``key`` for this request, or what is already stored under it."""
        mine = secrets.token_hex(16)
        with self.sql.tx(commit=True) as cur:
            cur.execute(
                f"DELETE FROM {self.table} WHERE expires_at < ?",  # noqa: S608
                (now.isoformat(),),
            )
            cur.execute(
                f"INSERT INTO {self.table} (account_id, idem_key, fingerprint, "  # noqa: S608
                "claim, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT DO NOTHING",
                (
                    str(account_id),
                    key,
                    fingerprint,
                    mine,
                    now.isoformat(),
                    (now + self.keep).isoformat(),
                ),
            )
            row = cur.execute(
                f"SELECT claim, fingerprint, status, body, content_type, "  # noqa: S608
                f"location FROM {self.table} WHERE account_id = ? AND idem_key = ?",
                (str(account_id), key),
            ).fetchone()
        if row is None or str(row[0]) == mine:
            return Claim(account_id, key, mine)
        return StoredAnswer(
            fingerprint=str(row[1]),
            status=int(row[2]) if row[2] is not None else None,
            body=str(row[3] or ""),
            content_type=str(row[4] or "application/json"),
            location=str(row[5]) if row[5] else None,
        )

    def keep_answer(
        self,
        claim: Claim,
        status: int,
        body: str,
        content_type: str,
        location: str | None,
    ) -> None:
        with self.sql.tx(commit=True) as cur:
            cur.execute(
                f"UPDATE {self.table} SET status = ?, body = ?, "  # noqa: S608
                "content_type = ?, location = ? "
                "WHERE account_id = ? AND idem_key = ? AND claim = ?",
                (
                    status,
                    body,
                    content_type,
                    location,
                    str(claim.account_id),
                    claim.key,
                    claim.claim,
                ),
            )

    def release(self, claim: Claim) -> None:
        """Forget the key: the request was not answered for good (a transient
        failure), so a retry runs it again."""
        with self.sql.tx(commit=True) as cur:
            cur.execute(
                f"DELETE FROM {self.table} "  # noqa: S608
                "WHERE account_id = ? AND idem_key = ? AND claim = ? "
                "AND status IS NULL",
                (str(claim.account_id), claim.key, claim.claim),
            )
