"""The signing mapper: every stored event is signed, chained and canonical
(ledger.md §3.4).

It replaces the library's mapper (installed by ``LedgerApplication``); the library's
cipher and compressor are never used, so the stored bytes are the signed bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import (
    Mapper,
    Notification,
    StoredEvent,
    Transcoder,
)
from eventsourcing.utils import get_topic, resolve_topic

from ledger import canonical, envelope
from ledger.errors import KeyNotValidError, LedgerCorruptionError, TamperedEventError
from ledger.keyring import KeyValidityError
from ledger.signing import Signer, current_scope, require_scope
from ledger.verify_rows import ed25519_valid

if TYPE_CHECKING:
    from eventsourcing.persistence import ApplicationRecorder

    from ledger.keyring import KeyRegistry

LIFTED_FIELDS = ("originator_id", "originator_version", "timestamp")


@dataclass(frozen=True, slots=True)
class LedgerEvent:
    """A decoded notification with the signed metadata a read model may need."""

    notification_id: int
    stream: UUID
    version: int
    topic: str
    timestamp: datetime
    actor: str
    key_id: str
    event: Any  # the domain event object


class SigningMapper(Mapper[UUID]):
    """Maps domain events to signed envelopes and back.

    ``registry`` and ``recorder`` are callables because the library builds the
    mapper before the recorder; they are looked up lazily, at first use.
    """

    def __init__(
        self,
        transcoder: Transcoder,
        *,
        origin: str,
        registry: Callable[[], KeyRegistry],
        registry_now: Callable[[], KeyRegistry],
        recorder: Callable[[], ApplicationRecorder],
    ) -> None:
        super().__init__(transcoder=transcoder)
        self.origin = origin
        self._registry = registry
        self._registry_now = registry_now
        self._recorder = recorder

    # -- writing ---------------------------------------------------------------
    def to_stored_event(self, domain_event: DomainEventProtocol[UUID]) -> StoredEvent:
        scope = require_scope()
        signer = scope.signer
        key_id = signer.key_id
        if not scope.key_checked:
            self.check_signer_key(signer)
        topic = get_topic(type(domain_event))
        state = dict(vars(domain_event))
        stream: UUID = state.pop("originator_id")
        version: int = state.pop("originator_version")
        timestamp: datetime = state.pop("timestamp")
        class_version = getattr(type(domain_event), "class_version", 1)
        if class_version > 1:
            state["class_version"] = class_version
        prev = self._previous_hash(stream, version) if version > 1 else None
        content = envelope.build_content(
            log=self.origin,
            stream=stream,
            ver=version,
            topic=topic,
            ts=timestamp,
            actor=signer.actor,
            key_id=key_id,
            prev=prev,
            body_jsonable=canonical.to_jsonable(state),
        )
        signature = signer.sign(envelope.signed_message(content))
        packed = envelope.Envelope(key_id, signature, content).pack()
        scope.heads[(stream, version)] = envelope.event_hash(packed)
        return StoredEvent(
            originator_id=stream,
            originator_version=version,
            topic=topic,
            state=packed,
        )

    def check_signer_key(self, signer: Signer, *, catch_up: bool = True) -> None:
        """Refuse a key that is unknown, revoked or not the actor's, at the tip.

        ``catch_up=False`` first tries the registry as it is (the common case: it
        is current, and the recorder's guard refuses the insert if it was not);
        only a refusal costs a catch-up, so a stale registry never refuses a key
        registered meanwhile.
        """
        key_id = signer.key_id.hex()
        # Position "after everything so far": the event is not in the log yet.
        position = 2**62
        if not catch_up:
            try:
                self._registry_now().check(key_id, signer.actor, position)
            except KeyValidityError:
                pass
            else:
                return
        try:
            self._registry().check(key_id, signer.actor, position)
        except KeyValidityError as exc:
            raise KeyNotValidError(exc.detail) from exc

    def _previous_hash(self, stream: UUID, version: int) -> bytes:
        scope = require_scope()
        cached = scope.heads.get((stream, version - 1))
        if cached is not None:
            return cached
        rows = self._recorder().select_events(
            stream, lte=version - 1, desc=True, limit=1
        )
        if not rows or rows[0].originator_version != version - 1:
            msg = f"stream {stream}: version {version - 1} is missing"
            raise LedgerCorruptionError(msg)
        try:
            self._open(rows[0])
        except TamperedEventError as exc:
            msg = f"stream {stream}: version {version - 1} does not verify ({exc.kind})"
            raise LedgerCorruptionError(msg) from exc
        return envelope.event_hash(rows[0].state)

    # -- reading ---------------------------------------------------------------
    def to_domain_event(self, stored_event: StoredEvent) -> DomainEventProtocol[UUID]:
        content = self._open(stored_event, verify_signature=True)
        scope = current_scope()
        if scope is not None:
            key = (content.stream, content.ver)
            scope.heads[key] = envelope.event_hash(stored_event.state)
        event: DomainEventProtocol[UUID] = self._construct(stored_event.topic, content)
        return event

    def decode_unverified(self, notification: Notification) -> LedgerEvent:
        """Decode without the signature check, for the projections runtime.

        Signatures are covered by the integrator and ``kiemdiem verify``; checking
        them again here would make rebuilds ten times slower (ledger.md §12).
        """
        fast = self._decode_fast(notification)
        if fast is not None:
            return fast
        content = self._open(notification, verify_signature=False, checked=False)
        timestamp = canonical.parse_timestamp(content.ts)
        event = self._construct(
            notification.topic, content, timestamp=timestamp, body_decoded=True
        )
        return LedgerEvent(
            notification_id=notification.id,
            stream=content.stream,
            version=content.ver,
            topic=content.topic,
            timestamp=timestamp,
            actor=content.actor,
            key_id=content.key_id,
            event=event,
        )

    def _decode_fast(self, notification: Notification) -> LedgerEvent | None:
        """:meth:`decode_unverified` of a row whose columns agree with its content,
        without the intermediate envelope and content objects (a rebuild decodes
        every event); None for anything else, which the checked path then refuses
        with the precise error."""
        state = notification.state
        if type(state) is not bytes or state[:4] != envelope.MAGIC:
            return None
        stream = notification.originator_id
        try:
            obj = canonical.loads_tagged(state[envelope.HEADER_BYTES :])
            if (
                type(obj) is not dict
                or obj.get("v") != envelope.CONTENT_VERSION
                or obj.get("ver") != notification.originator_version
                or obj.get("topic") != notification.topic
                or obj.get("log") != self.origin
                or obj.get("key_id") != state[4 : envelope.HEADER_BYTES - 64].hex()
                or type(stream) is not UUID
                or obj.get("stream") != str(stream)
                or type(obj.get("body")) is not dict
            ):
                return None
            timestamp = canonical.parse_timestamp(obj["ts"])
            actor, key_id = obj["actor"], obj["key_id"]
        except (ValueError, TypeError, KeyError, RecursionError):
            return None
        cls = resolve_topic(notification.topic)
        body: dict[str, Any] = obj["body"]  # freshly parsed: ours to keep
        body["originator_id"] = stream
        body["originator_version"] = notification.originator_version
        body["timestamp"] = timestamp
        class_version = getattr(cls, "class_version", 1)
        from_version = body.pop("class_version", 1)
        while from_version < class_version:
            getattr(cls, f"upcast_v{from_version}_v{from_version + 1}")(body)
            from_version += 1
        domain_event = object.__new__(cls)
        object.__setattr__(domain_event, "__dict__", body)
        return LedgerEvent(
            notification_id=notification.id,
            stream=stream,
            version=notification.originator_version,
            topic=notification.topic,
            timestamp=timestamp,
            actor=actor,
            key_id=key_id,
            event=domain_event,
        )

    def _open(
        self,
        stored: StoredEvent,
        *,
        verify_signature: bool = True,
        checked: bool = True,
    ) -> envelope.Content:
        stream, version = stored.originator_id, stored.originator_version
        try:
            env = envelope.unpack(stored.state)
            if checked:
                content = envelope.parse_content(env.content)
            else:
                content = envelope.parse_content_unchecked(
                    env.content, _as_uuid(stream)
                )
        except (
            envelope.MalformedEnvelopeError,
            canonical.CanonicalEncodingError,
        ) as exc:
            raise TamperedEventError(
                stream, version, "malformed_envelope", str(exc)
            ) from exc
        if (
            content.stream != _as_uuid(stream)
            or content.ver != version
            or content.topic != stored.topic
            or content.key_id != env.key_id.hex()
        ):
            raise TamperedEventError(stream, version, "position_mismatch")
        if content.log != self.origin:
            raise TamperedEventError(stream, version, "wrong_origin", content.log)
        if verify_signature:
            # A key id is the hash of its public key: a key the registry already
            # holds is the one that signed, so no catch-up (a read of the log's
            # tip) for each event decoded; an unknown key catches up first.
            record = self._registry_now().get(content.key_id)
            if record is None:
                record = self._registry().get(content.key_id)
            if record is None:
                raise TamperedEventError(stream, version, "unknown_key", content.key_id)
            # libsodium first, OpenSSL's verdict (ledger/verify_rows.py).
            if not ed25519_valid(
                record.public_key,
                record.public_key_raw,
                env.signature,
                envelope.signed_message(env.content),
            ):
                raise TamperedEventError(stream, version, "bad_signature")
        return content

    @staticmethod
    def _construct(
        topic: str,
        content: envelope.Content,
        *,
        timestamp: datetime | None = None,
        body_decoded: bool = False,
    ) -> Any:
        cls = resolve_topic(topic)
        state = (
            dict(content.body)
            if body_decoded
            else canonical.from_jsonable(content.body)
        )
        state["originator_id"] = content.stream
        state["originator_version"] = content.ver
        state["timestamp"] = timestamp or canonical.parse_timestamp(content.ts)
        class_version = getattr(cls, "class_version", 1)
        from_version = state.pop("class_version", 1)
        while from_version < class_version:
            getattr(cls, f"upcast_v{from_version}_v{from_version + 1}")(state)
            from_version += 1
        domain_event = object.__new__(cls)
        object.__setattr__(domain_event, "__dict__", state)
        return domain_event


def _as_uuid(value: UUID | str) -> UUID:
    return value if isinstance(value, UUID) else UUID(value)
