"""The stored envelope and signed content of one event (ledger.md §3).

``state`` column layout: magic (4) ‖ key id (16) ‖ Ed25519 signature (64) ‖ content.
The content is canonical JSON and is stored exactly as signed, so the verifier
never has to re-serialise anything to check a signature.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from ledger import canonical

MAGIC = b"KDL\x01"
EVENT_SIGNING_PREFIX = b"kiemdiem-event/v1\n"
KEY_ID_BYTES = 16
SIGNATURE_BYTES = 64
HEADER_BYTES = len(MAGIC) + KEY_ID_BYTES + SIGNATURE_BYTES
CONTENT_VERSION = 1
CONTENT_KEYS = frozenset(
    {"v", "log", "stream", "ver", "topic", "ts", "actor", "key_id", "prev", "body"}
)


class MalformedEnvelopeError(ValueError):
    """The stored bytes are not an envelope of a known format."""


def key_id_for(public_key_raw: bytes) -> bytes:
    """Key id = SHA-256(raw 32-byte Ed25519 public key)[:16]."""
    return hashlib.sha256(public_key_raw).digest()[:KEY_ID_BYTES]


def event_hash(envelope: bytes) -> bytes:
    """The hash used by the per-stream ``prev`` links."""
    return hashlib.sha256(envelope).digest()


def signed_message(content: bytes) -> bytes:
    """Domain-separated message so an event signature can never be reused as a
    checkpoint cosignature or a proof of possession."""
    return EVENT_SIGNING_PREFIX + content


@dataclass(frozen=True, slots=True)
class Envelope:
    key_id: bytes
    signature: bytes
    content: bytes

    def pack(self) -> bytes:
        return MAGIC + self.key_id + self.signature + self.content


def unpack(state: bytes) -> Envelope:
    if len(state) <= HEADER_BYTES or state[:4] != MAGIC:
        raise MalformedEnvelopeError("missing magic or truncated envelope")
    return Envelope(
        key_id=state[4 : 4 + KEY_ID_BYTES],
        signature=state[4 + KEY_ID_BYTES : HEADER_BYTES],
        content=state[HEADER_BYTES:],
    )


@dataclass(frozen=True, slots=True)
class Content:
    """The parsed signed content (§3.2)."""

    log: str
    stream: UUID
    ver: int
    topic: str
    ts: str
    actor: str
    key_id: str
    prev: str | None
    body: dict[str, Any]


def build_content(
    *,
    log: str,
    stream: UUID,
    ver: int,
    topic: str,
    ts: datetime,
    actor: str,
    key_id: bytes,
    prev: bytes | None,
    body_jsonable: dict[str, Any],
) -> bytes:
    """Canonical content bytes; ``body_jsonable`` is already tagged plain JSON
    (what :func:`canonical.to_jsonable` returns), and so is every other field."""
    return canonical.dumps_plain(
        {
            "v": CONTENT_VERSION,
            "log": log,
            "stream": str(stream),
            "ver": ver,
            "topic": topic,
            "ts": canonical.format_timestamp(ts),
            "actor": actor,
            "key_id": key_id.hex(),
            "prev": prev.hex() if prev is not None else None,
            "body": body_jsonable,
        }
    )


def parse_content(content: bytes) -> Content:
    """Parse and structurally check content; raises ``CanonicalEncodingError`` or
    ``MalformedEnvelopeError``."""
    obj = canonical.loads_canonical(content)
    if set(obj) != CONTENT_KEYS or type(obj["v"]) is not int or obj["v"] != 1:
        raise MalformedEnvelopeError("content keys or version are not v1")
    try:
        stream = UUID(obj["stream"])
    except (TypeError, ValueError) as exc:
        raise MalformedEnvelopeError("stream is not a UUID") from exc
    if str(stream) != obj["stream"]:
        raise MalformedEnvelopeError("stream is not a canonical UUID")
    ver, prev, body = obj["ver"], obj["prev"], obj["body"]
    if type(ver) is not int or ver < 1:
        raise MalformedEnvelopeError("ver is not a positive integer")
    if not isinstance(body, dict):
        raise MalformedEnvelopeError("body is not an object")
    for name in ("log", "topic", "ts", "actor", "key_id"):
        if not isinstance(obj[name], str):
            raise MalformedEnvelopeError(f"{name} is not a string")
    if (ver == 1) != (prev is None) or (prev is not None and not _is_hex(prev, 64)):
        raise MalformedEnvelopeError("prev does not match the version")
    if not _is_hex(obj["key_id"], 32):
        raise MalformedEnvelopeError("key_id is not 32 hex digits")
    canonical.parse_timestamp(obj["ts"])
    return Content(
        log=obj["log"],
        stream=stream,
        ver=ver,
        topic=obj["topic"],
        ts=obj["ts"],
        actor=obj["actor"],
        key_id=obj["key_id"],
        prev=prev,
        body=body,
    )


def parse_content_unchecked(content: bytes, stream: UUID) -> Content:
    """Parse content with type tags resolved in ``body``, skipping the canonical
    and structural checks (which the integrator and ``verify`` perform).

    ``stream`` is the row's own originator id; it must equal the content's.
    """
    obj = canonical.loads_tagged(content)
    if not isinstance(obj, dict) or obj.get("v") != CONTENT_VERSION:
        raise MalformedEnvelopeError("content is not a v1 object")
    if obj.get("stream") != str(stream):
        raise MalformedEnvelopeError("content stream differs from the row")
    try:
        return Content(
            log=obj["log"],
            stream=stream,
            ver=obj["ver"],
            topic=obj["topic"],
            ts=obj["ts"],
            actor=obj["actor"],
            key_id=obj["key_id"],
            prev=obj["prev"],
            body=obj["body"],
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise MalformedEnvelopeError(f"content is incomplete: {exc}") from exc


_HEX = {32: re.compile("[0-9a-f]{32}"), 64: re.compile("[0-9a-f]{64}")}


def _is_hex(value: object, length: int) -> bool:
    return isinstance(value, str) and _HEX[length].fullmatch(value) is not None
