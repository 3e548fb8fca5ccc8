"""The per-row half of `kiemdiem verify` that does not depend on log order (§8.4).

Parsing an envelope, the canonical check of its content, the binding of the
columns to the signed content, the leaf and event hashes and the Ed25519
signature are each a function of one row alone. ``verify`` ships rows in chunks
to a process pool, which runs :func:`check_rows` on them, and keeps for itself
only what needs the order of the log: the key registry, the stream chains, the
Merkle range and the leaves table.

:func:`check_rows` is a *filter*, never a judge of failures: a row that is fine
in every respect it can see comes back as a compact :data:`FastRow`; any other
row (malformed, non-canonical, a column that differs, another origin, a key
event, a cosignature, a key the worker was not given) comes back as ``None`` and
``verify`` runs its full per-row check on it, which names the failure exactly
as before. So a doubt here only costs time, never changes a report.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ledger import canonical, envelope
from ledger.keyring import KEY_TOPICS

COSIGNED_EVENT = "CheckpointCosigned"
KEY_TOPIC_TEXTS = frozenset(KEY_TOPICS)

# One row as read: notification id, originator_id, originator_version, topic, state.
Row = tuple[int, Any, Any, Any, Any]
# What ``verify`` needs from a fine row: leaf hash, event hash, stream (canonical
# text), version, actor, key id (hex), prev (hex or None), and the signature
# verdict under the public key sent with the row (None: no key was sent).
FastRow = tuple[bytes, bytes, str, int, str, str, str | None, bool | None]

_DECODER = json.JSONDecoder(
    parse_float=canonical._reject_float,
    parse_int=canonical._checked_int,
    parse_constant=canonical._reject_constant,
)
# The decoder's scanner, made once (json.loads makes a decoder on every call).
_scan = _DECODER.scan_once  # type: ignore[attr-defined]
_encode = canonical._encode
_TIMESTAMP = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z"
).fullmatch
_from_iso = datetime.fromisoformat
_UUID_TEXT = re.compile(
    "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
).fullmatch
_HEX32 = re.compile("[0-9a-f]{32}").fullmatch
_HEX64 = re.compile("[0-9a-f]{64}").fullmatch
_sha256 = hashlib.sha256
_PREFIX = envelope.EVENT_SIGNING_PREFIX
_HEADER = envelope.HEADER_BYTES
_MAGIC = envelope.MAGIC
_KEY_END = len(envelope.MAGIC) + envelope.KEY_ID_BYTES
_CONTENT_KEYS = envelope.CONTENT_KEYS
_public_keys: dict[bytes, Ed25519PublicKey] = {}  # per process, by raw bytes


def _ascii_keys(value: Any) -> bool:
    """Every object key in ``value`` is ASCII (stricter than the regex of
    :func:`canonical.loads_canonical`, so a row passing here passes there)."""
    kind = type(value)
    if kind is dict:
        for key, item in value.items():
            if not key.isascii():
                return False
            if type(item) in (dict, list) and not _ascii_keys(item):
                return False
    elif kind is list:
        for item in value:
            if type(item) in (dict, list) and not _ascii_keys(item):
                return False
    return True


def _content(content: bytes) -> dict[str, Any] | None:
    """The parsed content when it passes every check of
    :func:`envelope.parse_content`; None when any of them might fail."""
    try:
        text = content.decode("utf-8")
        obj, end = _scan(text, 0)
        if (
            end != len(text)
            or type(obj) is not dict
            or _encode(obj).encode("utf-8") != content
        ):
            return None
    except (ValueError, TypeError, RecursionError, StopIteration):
        return None
    if obj.keys() != _CONTENT_KEYS:  # ASCII keys at the top
        return None
    if not content.isascii() and not _ascii_keys(obj["body"]):
        return None
    ver, prev, key_id = obj["ver"], obj["prev"], obj["key_id"]
    stream, ts = obj["stream"], obj["ts"]
    if (
        type(obj["v"]) is not int
        or obj["v"] != 1
        or type(stream) is not str
        or _UUID_TEXT(stream) is None
        or type(ver) is not int
        or ver < 1
        or type(obj["body"]) is not dict
        or type(obj["log"]) is not str
        or type(obj["topic"]) is not str
        or type(ts) is not str
        or type(obj["actor"]) is not str
        or type(key_id) is not str
        or _HEX32(key_id) is None
    ):
        return None
    if ver == 1:
        if prev is not None:
            return None
    elif type(prev) is not str or _HEX64(prev) is None:
        return None
    if _TIMESTAMP(ts) is None:
        return None
    try:  # the shape checked here, the calendar by datetime (as parse_timestamp)
        _from_iso(ts[:-1])
    except ValueError:
        return None
    return obj


def _same_column(column: Any, text: str) -> bool:
    return bool(column == text or column == text.encode("utf-8"))


def check_row(row: Row, public_raw: bytes | None, origin: str) -> FastRow | None:
    """The compact result of one row, or None when ``verify`` must look closer."""
    nid, oid, ver_column, topic_column, state = row
    if type(state) is not bytes or len(state) <= _HEADER or state[:4] != _MAGIC:
        return None
    content_bytes = state[_HEADER:]
    obj = _content(content_bytes)
    if obj is None:
        return None
    stream, ver, topic = obj["stream"], obj["ver"], obj["topic"]
    key_id: str = obj["key_id"]
    if (
        type(nid) is not int
        or nid <= 0
        or state[4:_KEY_END].hex() != key_id
        or type(ver_column) is not int
        or ver_column != ver
        or obj["log"] != origin
        or topic in KEY_TOPIC_TEXTS
        or topic.rpartition(".")[2] == COSIGNED_EVENT
        or not _same_column(topic_column, topic)
    ):
        return None
    if not (
        oid == stream.replace("-", "").encode("ascii")
        or (isinstance(oid, UUID) and str(oid) == stream)
    ):
        return None
    verdict: bool | None = None
    if public_raw is not None:
        key = _public_keys.get(public_raw)
        if key is None:
            try:
                key = _public_keys[public_raw] = Ed25519PublicKey.from_public_bytes(
                    public_raw
                )
            except ValueError:
                return None
        try:
            key.verify(state[_KEY_END:_HEADER], _PREFIX + content_bytes)
            verdict = True
        except InvalidSignature:
            verdict = False
    return (
        _sha256(b"\x00" + state).digest(),
        _sha256(state).digest(),
        stream,
        ver,
        obj["actor"],
        key_id,
        obj["prev"],
        verdict,
    )


def check_rows(
    rows: Sequence[Row], publics: Sequence[bytes | None], origin: str
) -> list[FastRow | None]:
    """:func:`check_row` over a chunk (what a pool worker runs)."""
    return [
        check_row(row, public_raw, origin)
        for row, public_raw in zip(rows, publics, strict=True)
    ]
