"""Wrapped private keys and password hashes (ledger.md §4.4).

These rows are mutable and are not evidence: public keys live in the log, so
tampering here can deny a login but cannot forge a signature.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
)

from ledger import keywrap
from ledger.signing import Signer
from ledger.sql import Sql


@dataclass(frozen=True)
class KdfCost:
    """Argon2id cost; tests lower the memory, production keeps the default."""

    t: int = keywrap.DEFAULT_T
    m: int = keywrap.DEFAULT_M
    p: int = keywrap.DEFAULT_P

    @classmethod
    def from_environ(cls) -> KdfCost:
        memory = os.environ.get("KIEMDIEM_ARGON2_MEMORY_KIB")
        return cls(m=int(memory)) if memory else cls()


def seed_of(private_key: Ed25519PrivateKey) -> bytes:
    return private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())


class Vault:
    def __init__(self, sql: Sql, cost: KdfCost | None = None) -> None:
        self.sql = sql
        self.cost = cost or KdfCost.from_environ()

    def store_credentials(
        self,
        user_id: str,
        username: str,
        private_key: Ed25519PrivateKey,
        password: str,
    ) -> None:
        """Store the wrapped key and the password hash in one transaction, so a
        failure never leaves a key wrapped under one password and a hash of
        another."""
        key_id = Signer("", private_key).key_id.hex()
        wrapped = keywrap.wrap_seed(
            seed_of(private_key),
            password,
            user_id,
            key_id,
            t=self.cost.t,
            m=self.cost.m,
            p=self.cost.p,
        )
        hashed = keywrap.hash_password(
            password, t=self.cost.t, m=self.cost.m, p=self.cost.p
        )
        now = datetime.now(UTC).isoformat()
        vault = self.sql.table("ledger_key_vault")
        credentials = self.sql.table("account_credentials")
        with self.sql.tx(commit=True) as cur:
            cur.execute(f"DELETE FROM {vault} WHERE user_id = ?", (user_id,))  # noqa: S608
            cur.execute(
                f"INSERT INTO {vault} (user_id, key_id, wrapped, created_at, "  # noqa: S608
                "updated_at) VALUES (?, ?, ?, ?, ?)",
                (user_id, key_id, json.dumps(wrapped), now, now),
            )
            cur.execute(
                f"INSERT INTO {credentials} (user_id, username, password_hash, "  # noqa: S608
                "updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE "
                "SET password_hash = excluded.password_hash, "
                "updated_at = excluded.updated_at",
                (user_id, username, hashed, now),
            )

    def unlock(self, user_id: str, actor: str, password: str) -> Signer:
        """Unwrap the user's key; raises ``keywrap.KeyUnwrapError``."""
        table = self.sql.table("ledger_key_vault")
        with self.sql.read() as cur:
            row = cur.execute(
                f"SELECT key_id, wrapped FROM {table} WHERE user_id = ?",  # noqa: S608
                (user_id,),
            ).fetchone()
        if row is None:
            raise keywrap.KeyUnwrapError("no key is stored for this account")
        key_id, wrapped = str(row[0]), json.loads(str(row[1]))
        seed = keywrap.unwrap_seed(wrapped, password, user_id, key_id)
        return Signer(actor, Ed25519PrivateKey.from_private_bytes(seed))

    def wrapped_record(self, user_id: str) -> tuple[str, dict[str, object]] | None:
        """(key id, wrapped record) of this user, for the owner to open on their own
        device (the mode B booth); None when no key is stored."""
        table = self.sql.table("ledger_key_vault")
        with self.sql.read() as cur:
            row = cur.execute(
                f"SELECT key_id, wrapped FROM {table} WHERE user_id = ?",  # noqa: S608
                (user_id,),
            ).fetchone()
        if row is None:
            return None
        return str(row[0]), dict(json.loads(str(row[1])))

    def check_password(self, username: str, password: str) -> str | None:
        """The user id when the password is right, else None."""
        table = self.sql.table("account_credentials")
        with self.sql.read() as cur:
            row = cur.execute(
                f"SELECT user_id, password_hash FROM {table} WHERE username = ?",  # noqa: S608
                (username,),
            ).fetchone()
        if row is None:
            # Spend the same effort so the answer time does not reveal usernames.
            keywrap.hash_password(password, t=self.cost.t, m=self.cost.m, p=self.cost.p)
            return None
        if keywrap.check_password(str(row[1]), password):
            return str(row[0])
        return None


@dataclass
class UnlockedKeys:
    """Keys unlocked at login, held in memory only, by server-side session id.

    Dropped at logout, on password reset and on revocation; a restart forgets all.
    """

    _by_session: dict[str, Signer] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def put(self, session_id: str, signer: Signer) -> None:
        with self._lock:
            self._by_session[session_id] = signer

    def get(self, session_id: str) -> Signer | None:
        with self._lock:
            return self._by_session.get(session_id)

    def drop(self, session_id: str) -> None:
        with self._lock:
            self._by_session.pop(session_id, None)

    def drop_actor(self, actor: str) -> None:
        with self._lock:
            for session_id in [
                s for s, signer in self._by_session.items() if signer.actor == actor
            ]:
                del self._by_session[session_id]
