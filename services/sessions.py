"""Server-side sessions that end (phiên đăng nhập; issue 11).

The cookie carries only a random token; the table ``web_sessions`` (in the
store's database, beside the vault's tables, not evidence) holds what it stands
for, under the token's SHA-256 so a copy of the table opens no session. A
session is good while its row is open, it has been used within the idle
timeout, it is younger than the absolute lifetime, and the account still looks
as it did at sign-in: its ``fingerprint`` (the account stream's version and its
valid key ids) changes with every role, organisation or disablement event and
every password reset (new key), so each of those ends every session opened
before, in every process, without the command having to know about sessions.
Logout ends one session, "sign out everywhere" all of the account's. The key
unlocked at sign-in is kept sealed with the session (``services.session_keys``),
so another worker process can sign for it; an ended session keeps none.

Sign-ins and the sign-outs the owner's own key can sign are recorded as signed
events (``domain.signins``), sent as commands through the one bus like every
other write; recording never fails a sign-in or a sign-out.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID

from domain.accounts import UserAccount
from domain.errors import DomainError
from ledger.signing import Signer
from ledger.sql import Sql
from services import commands as c
from services import session_keys

if TYPE_CHECKING:
    from services.app import Kiemdiem

log = logging.getLogger(__name__)

TABLE = "web_sessions"
COLUMNS = (
    "token_hash TEXT PRIMARY KEY, ref TEXT NOT NULL, account_id TEXT NOT NULL, "
    "fingerprint TEXT NOT NULL, created_at TEXT NOT NULL, last_seen TEXT NOT NULL, "
    "ended_at TEXT, end_reason TEXT, sealed_key TEXT"
)
RECORD_COLUMNS = (
    "token_hash, ref, account_id, fingerprint, created_at, last_seen, ended_at, "
    "end_reason"
)
# Ended rows (and rows unused) are kept this long, then removed at a sign-in.
KEEP_ENDED = timedelta(days=30)


@dataclass(frozen=True)
class SessionPolicy:
    """How long a session lasts: idle timeout, absolute lifetime, and how stale
    ``last_seen`` may get before a request writes it again (fewer writes)."""

    idle: timedelta = timedelta(minutes=30)
    absolute: timedelta = timedelta(hours=8)
    touch_every: timedelta = timedelta(seconds=60)


@dataclass(frozen=True)
class SessionRecord:
    token_hash: str
    ref: str
    account_id: UUID
    fingerprint: str
    created_at: datetime
    last_seen: datetime
    ended_at: datetime | None
    end_reason: str | None


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC)


class SessionStore:
    """The ``web_sessions`` table (plain SQL, SQLite and PostgreSQL alike)."""

    def __init__(self, sql: Sql) -> None:
        self.sql = sql
        self.table = sql.table(TABLE)
        with sql.tx(commit=True) as cur:
            cur.execute(f"CREATE TABLE IF NOT EXISTS {self.table} ({COLUMNS})")
            cur.execute(
                f"CREATE INDEX IF NOT EXISTS web_sessions_account "
                f"ON {self.table} (account_id)"
            )

    def open(
        self, account_id: UUID, fingerprint: str, now: datetime
    ) -> tuple[str, str]:
        """A new session: (the cookie's token, the session's public reference)."""
        token = secrets.token_urlsafe(32)
        ref = str(uuid.uuid4())
        stamp = now.isoformat()
        with self.sql.tx(commit=True) as cur:
            # Housekeeping: sessions ended (or last used, never ended) long ago.
            cur.execute(
                f"DELETE FROM {self.table} WHERE (ended_at IS NOT NULL "  # noqa: S608
                "AND ended_at < ?) OR last_seen < ?",
                ((now - KEEP_ENDED).isoformat(), (now - KEEP_ENDED).isoformat()),
            )
            cur.execute(
                f"INSERT INTO {self.table} (token_hash, ref, account_id, "  # noqa: S608
                "fingerprint, created_at, last_seen) VALUES (?, ?, ?, ?, ?, ?)",
                (token_hash(token), ref, str(account_id), fingerprint, stamp, stamp),
            )
        return token, ref

    def find(self, token: str) -> SessionRecord | None:
        with self.sql.read() as cur:
            row = cur.execute(
                f"SELECT {RECORD_COLUMNS} FROM {self.table} "  # noqa: S608
                "WHERE token_hash = ?",
                (token_hash(token),),
            ).fetchone()
        return None if row is None else _record(row)

    def find_at_tip(self, token: str) -> tuple[SessionRecord | None, int | None]:
        """The session's row and the log's tip (``MAX`` of the events' ids),
        in one statement: the tip the account and the key registry are read at
        (:meth:`SessionService.check`); None with no row."""
        with self.sql.read() as cur:
            row = cur.execute(
                f"SELECT {RECORD_COLUMNS}, (SELECT MAX({self.sql.notification_id}) "  # noqa: S608
                f"FROM {self.sql.events_table}) FROM {self.table} "
                "WHERE token_hash = ?",
                (token_hash(token),),
            ).fetchone()
        if row is None:
            return None, None
        return _record(row), int(row[8] or 0)

    def touch(self, record: SessionRecord, now: datetime) -> None:
        with self.sql.tx(commit=True) as cur:
            cur.execute(
                f"UPDATE {self.table} SET last_seen = ? "  # noqa: S608
                "WHERE token_hash = ? AND ended_at IS NULL",
                (now.isoformat(), record.token_hash),
            )

    def keep_key(self, token: str, sealed: str) -> None:
        """Keep the session's sealed signing key (``services.session_keys``)."""
        with self.sql.tx(commit=True) as cur:
            cur.execute(
                f"UPDATE {self.table} SET sealed_key = ? "  # noqa: S608
                "WHERE token_hash = ? AND ended_at IS NULL",
                (sealed, token_hash(token)),
            )

    def forget_key(self, token: str) -> None:
        """The session keeps no key any more (the password is asked again)."""
        with self.sql.tx(commit=True) as cur:
            cur.execute(
                f"UPDATE {self.table} SET sealed_key = NULL "  # noqa: S608
                "WHERE token_hash = ?",
                (token_hash(token),),
            )

    def sealed_key(self, token: str) -> str | None:
        """The open session's sealed key, if one is kept."""
        with self.sql.read() as cur:
            row = cur.execute(
                f"SELECT sealed_key FROM {self.table} "  # noqa: S608
                "WHERE token_hash = ? AND ended_at IS NULL",
                (token_hash(token),),
            ).fetchone()
        return str(row[0]) if row and row[0] else None

    def end(self, record: SessionRecord, reason: str, now: datetime) -> None:
        """End one session (an ended one keeps its first reason)."""
        with self.sql.tx(commit=True) as cur:
            cur.execute(
                f"UPDATE {self.table} SET ended_at = ?, end_reason = ?, "  # noqa: S608
                "sealed_key = NULL WHERE token_hash = ? AND ended_at IS NULL",
                (now.isoformat(), reason, record.token_hash),
            )

    def end_all(self, account_id: UUID, reason: str, now: datetime) -> list[str]:
        """End every open session of the account; their references."""
        with self.sql.tx(commit=True) as cur:
            refs = [
                str(r[0])
                for r in cur.execute(
                    f"SELECT ref FROM {self.table} "  # noqa: S608
                    "WHERE account_id = ? AND ended_at IS NULL",
                    (str(account_id),),
                ).fetchall()
            ]
            cur.execute(
                f"UPDATE {self.table} SET ended_at = ?, end_reason = ?, "  # noqa: S608
                "sealed_key = NULL WHERE account_id = ? AND ended_at IS NULL",
                (now.isoformat(), reason, str(account_id)),
            )
        return refs

    def open_count(self, account_id: UUID) -> int:
        with self.sql.read() as cur:
            row = cur.execute(
                f"SELECT COUNT(*) FROM {self.table} "  # noqa: S608
                "WHERE account_id = ? AND ended_at IS NULL",
                (str(account_id),),
            ).fetchone()
        return int(row[0]) if row else 0


def _record(row: Sequence[Any]) -> SessionRecord:
    return SessionRecord(
        token_hash=str(row[0]),
        ref=str(row[1]),
        account_id=UUID(str(row[2])),
        fingerprint=str(row[3]),
        created_at=datetime.fromisoformat(str(row[4])),
        last_seen=datetime.fromisoformat(str(row[5])),
        ended_at=datetime.fromisoformat(str(row[6])) if row[6] else None,
        end_reason=str(row[7]) if row[7] else None,
    )


@dataclass(frozen=True)
class ActiveSession:
    """A session that is still good, and the account behind it."""

    record: SessionRecord
    account: UserAccount


class SessionService:
    """Opening, checking and ending sessions; recording sign-ins and sign-outs."""

    def __init__(
        self,
        app: Kiemdiem,
        policy: SessionPolicy | None = None,
        clock: Callable[[], datetime] = _now,
    ) -> None:
        self.app = app
        self.policy = policy or SessionPolicy()
        self.clock = clock
        self.store = SessionStore(app.ledger.sql)

    # -- the account as it stands --------------------------------------------------
    def fingerprint(self, account: UserAccount, tip: int | None = None) -> str:
        """The account's stream version and its valid key ids: any role,
        organisation or status change, and any new or revoked key, changes it.
        ``tip``: the key registry read up to there (None: the log's tip now)."""
        registry = self.app.ledger.key_registry(tip)
        keys = sorted(r.key_id for r in registry.valid_keys_of(account.actor))
        return f"v{account.version}:{','.join(keys)}"

    # -- sessions -------------------------------------------------------------------
    def open(self, account_id: UUID, signer: Signer) -> tuple[str, str]:
        """A session for a correct password: (cookie token, reference); the
        sign-in is recorded, signed by the key just unlocked."""
        account = self.app.account(account_id)
        now = self.clock()
        token, ref = self.store.open(account_id, self.fingerprint(account), now)
        self.keep_key(token, signer)
        self._record(signer, account_id, now, ref=ref)
        return token, ref

    def keep_key(self, token: str, signer: Signer) -> None:
        """Keep the unlocked key with the session, sealed under its cookie token,
        so every worker process can sign for it (``services.session_keys``)."""
        self.store.keep_key(token, session_keys.seal(token, signer))

    def unlocked_key(self, token: str, actor: str) -> Signer | None:
        """The session's key, unsealed with its cookie token (None when the
        session is over, keeps no key, or the key is not ``actor``'s)."""
        sealed = self.store.sealed_key(token)
        if sealed is None:
            return None
        return session_keys.unseal(token, sealed, actor)

    def check(self, token: str, tip: int | None = None) -> ActiveSession | str:
        """The session if it is still good, else the reason it is not (and it is
        ended now if it was open).

        Every request runs it, in one statement when the log has not moved: the
        session's row comes with the log's tip, the account is read at that tip
        (the cached account as it is when no event came since it was last
        brought up, ``LedgerApplication.reads_at_tip``) and so is the key
        registry (no statement when it is already there). A session ended, an
        account changed or a key revoked before the statement is seen by it.
        ``tip``: the log's tip as this request has already read it (the
        embedded mode's catch-up check reads it first): then only the row is read."""
        if tip is None:
            record, tip = self.store.find_at_tip(token)
        else:
            record = self.store.find(token)
        if record is None:
            return "unknown"
        if record.ended_at is not None:
            return record.end_reason or "ended"
        now = self.clock()
        if now - record.created_at > self.policy.absolute:
            return self._expire(record, "expired", now)
        if now - record.last_seen > self.policy.idle:
            return self._expire(record, "idle", now)
        try:
            with self.app.ledger.reads_at_tip(tip):
                account = self.app.account(record.account_id)
        except DomainError:
            return self._expire(record, "account_gone", now)
        if account.disabled:
            return self._expire(record, "disabled", now)
        if self.fingerprint(account, tip) != record.fingerprint:
            return self._expire(record, "account_changed", now)
        if now - record.last_seen > self.policy.touch_every:
            self.store.touch(record, now)
        return ActiveSession(record, account)

    def _expire(self, record: SessionRecord, reason: str, now: datetime) -> str:
        self.store.end(record, reason, now)
        log.info("session of %s ended: %s", record.account_id, reason)
        return reason

    def close(self, token: str, signer: Signer | None, reason: str = "logout") -> None:
        """Logout: end this session; signed by the owner's key when it is held."""
        record = self.store.find(token)
        if record is None or record.ended_at is not None:
            return
        now = self.clock()
        self.store.end(record, reason, now)
        if signer is not None:
            self._record(
                signer, record.account_id, now, refs=[record.ref], reason=reason
            )

    def close_all(self, account_id: UUID, signer: Signer | None) -> int:
        """Sign out everywhere: end every session of the account."""
        now = self.clock()
        refs = self.store.end_all(account_id, "everywhere", now)
        if signer is not None and refs:
            self._record(signer, account_id, now, refs=refs, reason="everywhere")
        return len(refs)

    def expired_by_owner(self, reason: str, token: str, signer: Signer | None) -> None:
        """An idle or expired session seen by the process holding its key: the
        owner's key signs the sign-out (it is dropped right after)."""
        record = self.store.find(token)
        if record is None or signer is None or reason not in {"idle", "expired"}:
            return
        ended = record.ended_at or self.clock()
        self._record(signer, record.account_id, ended, refs=[record.ref], reason=reason)

    # -- the signed record ------------------------------------------------------------
    def _record(
        self,
        signer: Signer,
        account_id: UUID,
        at: datetime,
        *,
        ref: str | None = None,
        refs: Iterable[str] = (),
        reason: str = "",
    ) -> None:
        """Sign a ``SignedIn`` (``ref``) or ``SignedOut`` (``refs``, ``reason``)
        through the one bus (``RecordSignIn`` / ``RecordSignOut``, handled in
        ``services.handlers.accounts``); never raises: a session works even when
        its record cannot be written.

        Only the owner's own key signs these records, so a session ended without
        it is not recorded here: a sign-out whose key this process no longer
        holds (``signer`` None in :meth:`close`, :meth:`close_all`,
        :meth:`expired_by_owner`), and the sessions an administrator's change to
        the account ends, whose own signed event says why (``domain.signins``).
        No one may sign for the owner, and the bus needs a signer."""
        actor = f"u:{account_id}"
        if signer.actor != actor:
            return
        command: c.Command
        if ref is not None:
            command = c.RecordSignIn(actor, account_id, ref, at)
        else:
            command = c.RecordSignOut(actor, account_id, tuple(refs), reason, at)
        try:
            self.app.handle(command, signer)
        except Exception as exc:  # a sign-in never fails on its own record
            log.warning("sign-in record not written: %s", type(exc).__name__)
