"""Key events as an aggregate of the ledger itself (ledger.md §4.2).

Keys live here and never in ``domain/``: the domain does not know signing exists.
Each key has its own stream, ``uuid5(LEDGER_KEYS_NAMESPACE, key_id)``, so a key can
be registered once only; the stored topics are ``ledger.keys:SigningKey.KeyRegistered``
and ``ledger.keys:SigningKey.KeyRevoked`` (signed content: never rename them).
"""

from __future__ import annotations

import base64
from typing import Any
from uuid import UUID

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from eventsourcing.domain import Aggregate, event

from ledger.envelope import key_id_for
from ledger.keyring import REVOCATION_REASONS, key_stream_id, pop_message


class SigningKey(Aggregate):
    """One Ed25519 public key, its owner and whether it is still valid."""

    @staticmethod
    def create_id(key_id: str, **_: Any) -> UUID:
        return key_stream_id(key_id)

    @event("KeyRegistered")
    def __init__(
        self,
        key_id: str,
        public_key: str,
        owner: str,
        role: str,
        cosigner_name: str | None,
        pop: str,
    ) -> None:
        self.key_id = key_id
        self.public_key = public_key
        self.owner = owner
        self.role = role
        self.cosigner_name = cosigner_name
        self.pop = pop
        self.revoked_reason: str | None = None

    def revoke(self, reason: str) -> None:
        if reason not in REVOCATION_REASONS:
            msg = f"unknown revocation reason {reason!r}"
            raise ValueError(msg)
        if self.revoked_reason is None:
            self._revoked(key_id=self.key_id, reason=reason)

    @event("KeyRevoked")
    def _revoked(self, key_id: str, reason: str) -> None:
        self.revoked_reason = reason


def public_key_raw(private_key: Ed25519PrivateKey) -> bytes:
    return private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def register_key(
    private_key: Ed25519PrivateKey,
    owner: str,
    role: str,
    cosigner_name: str | None = None,
) -> SigningKey:
    """A new key registration with its proof of possession, ready to save."""
    raw = public_key_raw(private_key)
    key_id = key_id_for(raw).hex()
    pop = private_key.sign(pop_message(key_id, owner))
    return SigningKey(
        key_id=key_id,
        public_key=base64.b64encode(raw).decode(),
        owner=owner,
        role=role,
        cosigner_name=cosigner_name,
        pop=base64.b64encode(pop).decode(),
    )
