"""Which key may sign which event, judged by log position (ledger.md §4.2–§4.3).

Pure bookkeeping shared by the append-time check (the mapper), the integrator and
``kiemdiem verify``: each replays key events in notification order into a
:class:`KeyRegistry` and asks :meth:`KeyRegistry.check` before trusting a signature.
Timestamps play no part, so back-dating an event gains nothing.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ledger.envelope import key_id_for

LEDGER_KEYS_NAMESPACE = uuid5(NAMESPACE_URL, "https://kiemdiem/ns/ledger-keys")
KEY_REGISTERED_TOPIC = "ledger.keys:SigningKey.KeyRegistered"
KEY_REVOKED_TOPIC = "ledger.keys:SigningKey.KeyRevoked"
KEY_TOPICS = (KEY_REGISTERED_TOPIC, KEY_REVOKED_TOPIC)
POP_PREFIX = b"kiemdiem-key-pop/v1\n"
ADMIN_ROLE = "admin"
REVOCATION_REASONS = frozenset({"rotated", "lost", "compromised", "left", "other"})
GENESIS_POSITION = 0  # trust-root admin keys are valid from the start of the log


def key_stream_id(key_id_hex: str) -> UUID:
    """Each key has its own stream, so a second registration of one key collides."""
    return uuid5(LEDGER_KEYS_NAMESPACE, key_id_hex)


def pop_message(key_id_hex: str, owner: str) -> bytes:
    """What the new key signs to prove its holder registered it for ``owner``."""
    return POP_PREFIX + key_id_hex.encode() + b"\n" + owner.encode()


class KeyValidityError(Exception):
    """A key may not sign the event at this position; ``kind`` is a verify kind."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind
        self.detail = detail


@dataclass
class KeyRecord:
    key_id: str
    public_key: Ed25519PublicKey
    public_key_raw: bytes
    owner: str
    role: str
    cosigner_name: str | None
    registered_at: int
    revoked_at: int | None = None
    revoke_reason: str | None = None


@dataclass(frozen=True)
class TrustedAdminKey:
    owner: str
    key_id: str
    public_key_raw: bytes

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> TrustedAdminKey:
        raw = base64.b64decode(obj["public_key"], validate=True)
        if len(raw) != 32 or key_id_for(raw).hex() != obj["key_id"]:
            msg = "trust-root admin key does not match its key id"
            raise ValueError(msg)
        return cls(owner=obj["owner"], key_id=obj["key_id"], public_key_raw=raw)


@dataclass
class KeyRegistry:
    """Keys known so far, in log order."""

    trusted_admins: tuple[TrustedAdminKey, ...] = ()
    log_key_ids: frozenset[str] = frozenset()
    keys: dict[str, KeyRecord] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for admin in self.trusted_admins:
            self.keys[admin.key_id] = KeyRecord(
                key_id=admin.key_id,
                public_key=Ed25519PublicKey.from_public_bytes(admin.public_key_raw),
                public_key_raw=admin.public_key_raw,
                owner=admin.owner,
                role=ADMIN_ROLE,
                cosigner_name=None,
                registered_at=GENESIS_POSITION,
            )

    def get(self, key_id_hex: str) -> KeyRecord | None:
        return self.keys.get(key_id_hex)

    def check(self, key_id_hex: str, actor: str, position: int) -> KeyRecord:
        """The key record if it may sign ``actor``'s event at ``position``."""
        if key_id_hex in self.log_key_ids:
            raise KeyValidityError(
                "log_key_misuse", "the log key signs checkpoints only"
            )
        record = self.keys.get(key_id_hex)
        if record is None:
            raise KeyValidityError("unknown_key", f"key {key_id_hex} is not registered")
        if (
            record.registered_at >= position
            and record.registered_at != GENESIS_POSITION
        ):
            raise KeyValidityError(
                "key_not_yet_valid",
                f"key {key_id_hex} is registered at {record.registered_at}",
            )
        if record.revoked_at is not None and record.revoked_at < position:
            raise KeyValidityError(
                "key_revoked", f"key {key_id_hex} was revoked at {record.revoked_at}"
            )
        if record.owner != actor:
            raise KeyValidityError(
                "key_actor_mismatch",
                f"key {key_id_hex} belongs to {record.owner}, not {actor}",
            )
        return record

    def valid_keys_of(self, owner: str) -> list[KeyRecord]:
        return [
            r for r in self.keys.values() if r.owner == owner and r.revoked_at is None
        ]

    def apply(
        self,
        topic: str,
        body: Mapping[str, Any],
        *,
        position: int,
        signer: KeyRecord,
    ) -> None:
        """Apply a key event whose signature and signer validity were checked.

        Raises ``KeyValidityError('unauthorised_key_event', …)`` when the signer
        may not make this change, or the proof of possession fails.
        """
        if topic == KEY_REGISTERED_TOPIC:
            self._apply_registered(body, position=position, signer=signer)
        elif topic == KEY_REVOKED_TOPIC:
            self._apply_revoked(body, position=position, signer=signer)

    def _apply_registered(
        self, body: Mapping[str, Any], *, position: int, signer: KeyRecord
    ) -> None:
        key_id_hex, owner = body["key_id"], body["owner"]
        raw = base64.b64decode(body["public_key"], validate=True)
        if len(raw) != 32 or key_id_for(raw).hex() != key_id_hex:
            raise KeyValidityError("unauthorised_key_event", "key id does not match")
        public_key = Ed25519PublicKey.from_public_bytes(raw)
        try:
            public_key.verify(
                base64.b64decode(body["pop"], validate=True),
                pop_message(key_id_hex, owner),
            )
        except (InvalidSignature, ValueError) as exc:
            raise KeyValidityError(
                "unauthorised_key_event", "proof of possession does not verify"
            ) from exc
        existing = self.keys.get(key_id_hex)
        genesis = (
            existing is not None
            and existing.registered_at == GENESIS_POSITION
            and signer.key_id == key_id_hex
            and existing.owner == owner
        )
        if existing is not None and not genesis:
            raise KeyValidityError("unauthorised_key_event", "key already registered")
        self_rotation = signer.owner == owner and body["role"] != ADMIN_ROLE
        if not (signer.role == ADMIN_ROLE or self_rotation or genesis):
            raise KeyValidityError(
                "unauthorised_key_event",
                f"{signer.owner} may not register a key for {owner}",
            )
        if genesis:
            return
        self.keys[key_id_hex] = KeyRecord(
            key_id=key_id_hex,
            public_key=public_key,
            public_key_raw=raw,
            owner=owner,
            role=body["role"],
            cosigner_name=body.get("cosigner_name"),
            registered_at=position,
        )

    def _apply_revoked(
        self, body: Mapping[str, Any], *, position: int, signer: KeyRecord
    ) -> None:
        record = self.keys.get(body["key_id"])
        if record is None:
            raise KeyValidityError("unauthorised_key_event", "revokes an unknown key")
        if not (signer.role == ADMIN_ROLE or signer.owner == record.owner):
            raise KeyValidityError(
                "unauthorised_key_event",
                f"{signer.owner} may not revoke a key of {record.owner}",
            )
        if record.revoked_at is None:
            record.revoked_at = position
            record.revoke_reason = body["reason"]


def registry_from_trust_root(trust_root: Mapping[str, Any]) -> KeyRegistry:
    """A registry seeded with the trust root's admin keys (valid from genesis)."""
    from ledger.trustroot import log_key_ids  # local: trustroot imports note

    admins = tuple(TrustedAdminKey.from_json(k) for k in trust_root["admin_keys"])
    return KeyRegistry(trusted_admins=admins, log_key_ids=log_key_ids(trust_root))


def iter_admins(registry: KeyRegistry) -> Iterable[KeyRecord]:
    return (r for r in registry.keys.values() if r.role == ADMIN_ROLE)


def ingest_key_event(
    registry: KeyRegistry,
    *,
    position: int,
    topic: str,
    actor: str,
    key_id_hex: str,
    signature: bytes,
    message: bytes,
    body: Mapping[str, Any],
) -> None:
    """Check a key event's signer and signature, then apply it.

    Used by every replay of the registry (append-time registry, integrator,
    verify), so a key smuggled in by SQL never becomes trusted anywhere.
    Raises ``KeyValidityError`` with the verify kind on any failure.
    """
    signer = registry.check(key_id_hex, actor, position)
    try:
        signer.public_key.verify(signature, message)
    except InvalidSignature as exc:
        raise KeyValidityError("bad_signature", "key event signature") from exc
    try:
        registry.apply(topic, body, position=position, signer=signer)
    except (KeyError, TypeError, ValueError) as exc:
        raise KeyValidityError("unauthorised_key_event", f"malformed: {exc}") from exc
