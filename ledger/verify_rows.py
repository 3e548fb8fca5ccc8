"""The per-row half of `kiemdiem verify` that does not depend on log order (§8.4).

Parsing an envelope, the canonical check of its content, the binding of the
columns to the signed content, the leaf and event hashes and the Ed25519
signature are each a function of one row alone. ``verify`` runs
:func:`check_rows` on chunks of rows, on worker processes and in the main process
(:class:`RowPool`), and keeps for the main process only what needs the order of
the log: the key registry, the stream chains, the Merkle range and the leaves
table.

:func:`check_rows` is a *filter*, never a judge of failures: a row that is fine
in every respect it can see comes back as a compact :data:`FastRow`; any other
row (malformed, non-canonical, a column that differs, another origin, a key
event, a cosignature, a key the worker was not given) comes back as ``None`` and
``verify`` runs its full per-row check on it, which names the failure exactly
as before. So a doubt here only costs time, never changes a report.
"""

from __future__ import annotations

import base64
import binascii
import ctypes
import gc
import hashlib
import json
import re
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from datetime import datetime
from typing import Any
from uuid import UUID

import orjson
import pysodium
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ledger import canonical, envelope
from ledger.keyring import KEY_REGISTERED_TOPIC, KEY_TOPICS

COSIGNED_EVENT = "CheckpointCosigned"
KEY_TOPIC_TEXTS = frozenset(KEY_TOPICS)

# One row as read: notification id, originator_id, originator_version, topic, state.
Row = tuple[int, Any, Any, Any, Any]
# What ``verify`` needs from a fine row: leaf hash, event hash, stream (canonical
# text), version, actor, key id (hex), prev (hex or None), and the signature
# verdict under the public key sent with the row (None: no key was sent).
FastRow = tuple[bytes, bytes, str, int, str, str, str | None, bool | None]

_orjson_loads = orjson.loads
_orjson_dumps = orjson.dumps
_CHECK_OPTIONS = canonical.ORJSON_CHECK_OPTIONS
_plain_object = canonical.plain_object
# stream (a canonical UUID), key id (32 hex digits), timestamp and, after
# version 1, prev (64 hex digits), joined by spaces.
_HEAD = re.compile(
    "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    " [0-9a-f]{32}"
    r" [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z"
    "(?: [0-9a-f]{64})?"
).fullmatch
_from_iso = datetime.fromisoformat
_sha256 = hashlib.sha256
_PREFIX = envelope.EVENT_SIGNING_PREFIX
_HEADER = envelope.HEADER_BYTES
_MAGIC = envelope.MAGIC
_KEY_END = len(envelope.MAGIC) + envelope.KEY_ID_BYTES
_CONTENT_KEYS = envelope.CONTENT_KEYS
_public_keys: dict[bytes, Ed25519PublicKey] = {}  # per process, by raw bytes
_shared: dict[str, str] = {}  # actors and key ids of the chunk being checked
# libsodium's detached verify, called through the ctypes handle pysodium opened
# (pysodium's wrapper re-checks lengths and raises on failure: a third of the call).
_sodium_verify = pysodium.sodium.crypto_sign_verify_detached
_ulonglong = ctypes.c_ulonglong


def ed25519_valid(
    key: Ed25519PublicKey, public_raw: bytes, signature: bytes, message: bytes
) -> bool:
    """OpenSSL's verdict on an Ed25519 signature, asked of libsodium first.

    libsodium verifies ≈ 1.5× faster here. Both check the same cofactorless
    equation [S]B = R + [h]A on the same bytes; libsodium also refuses a
    non-canonical S, R or A and a small-order R or A, cases in which OpenSSL may
    accept (OpenSSL also requires S < L). So whatever libsodium accepts OpenSSL
    accepts, and whatever libsodium refuses is put to OpenSSL: the verdict is
    always OpenSSL's, as before, and an honest log never takes the second call.
    """
    if (
        len(signature) == 64
        and len(public_raw) == 32
        and _sodium_verify(signature, message, _ulonglong(len(message)), public_raw)
        == 0
    ):
        return True
    try:
        key.verify(signature, message)
    except InvalidSignature:
        return False
    return True


def _content(content: bytes) -> dict[str, Any] | None:
    """The parsed content when it passes every check of
    :func:`envelope.parse_content`; None when any of them might fail.

    :func:`canonical.loads_canonical_fast` inline, its walk for floats and
    non-ASCII keys over the body alone: the keys above it are the envelope's
    own, and each value above it must be an int, a string or null (checked
    here), so neither can occur there once the checks below have passed."""
    try:
        obj = _orjson_loads(content)
        if (
            type(obj) is not dict
            or _orjson_dumps(obj, option=_CHECK_OPTIONS) != content
            or obj.keys() != _CONTENT_KEYS
        ):
            return None
    except (ValueError, TypeError, RecursionError):
        return None
    v, ver, prev = obj["v"], obj["ver"], obj["prev"]
    if (
        type(v) is not int
        or v != 1
        or type(ver) is not int
        or ver < 1
        or type(obj["body"]) is not dict
        or type(obj["log"]) is not str
        or type(obj["topic"]) is not str
        or type(obj["actor"]) is not str
    ):
        return None
    # stream, key_id, ts (and prev) in one match: a value that is not a string
    # cannot spell the pattern (its text has no such shape), nor can a string
    # with a space reach across a field.
    if prev is None:
        if ver != 1:
            return None
        head = f"{obj['stream']} {obj['key_id']} {obj['ts']}"
    elif ver == 1 or type(prev) is not str:
        return None
    else:
        head = f"{obj['stream']} {obj['key_id']} {obj['ts']} {prev}"
    if _HEAD(head) is None:
        return None
    try:  # the shape checked here, the calendar by datetime (as parse_timestamp)
        _from_iso(obj["ts"][:-1])
    except ValueError:
        return None
    return obj if _plain_object(obj["body"]) else None


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
        message = _PREFIX + content_bytes
        signature = state[_KEY_END:_HEADER]
        # ed25519_valid, its common case inline.
        verdict = (
            len(public_raw) == 32
            and _sodium_verify(signature, message, _ulonglong(len(message)), public_raw)
            == 0
        ) or ed25519_valid(key, public_raw, signature, message)
    actor: str = obj["actor"]
    return (
        _sha256(b"\x00" + state).digest(),
        _sha256(state).digest(),
        stream,
        ver,
        # One object per distinct actor and key id in a chunk, which pickle sends
        # once and then by reference (most rows of a log share a few signers).
        _shared.setdefault(actor, actor),
        _shared.setdefault(key_id, key_id),
        obj["prev"],
        verdict,
    )


def check_rows(
    rows: Sequence[Row], publics: Sequence[bytes | None], origin: str
) -> list[FastRow | None]:
    """:func:`check_row` over a chunk (what a pool worker runs)."""
    try:
        return [
            check_row(row, public_raw, origin)
            for row, public_raw in zip(rows, publics, strict=True)
        ]
    finally:
        _shared.clear()


# -- chunks of rows on the process pool -----------------------------------------------

# A chunk: its first ordinal, its rows, and the public key sent with each row
# (None for prefix rows, which only feed the Merkle range).
Chunk = tuple[int, list[Row], list[bytes | None] | None]


def learn_keys(page: Sequence[Any], candidates: dict[bytes, bytes]) -> None:
    """Add the public keys that the page's registrations carry, by key id.

    Only a hint for the pool: a row's verdict is used only when the key sent
    with it is the one the replayed registry holds at that row.
    """
    for _nid, _oid, _ver, topic, state in page:
        if topic != KEY_REGISTERED_TOPIC and topic != KEY_REGISTERED_BYTES:
            continue
        try:
            body = json.loads(bytes(state)[envelope.HEADER_BYTES :])["body"]
            raw = base64.b64decode(body["public_key"], validate=True)
        except (ValueError, TypeError, KeyError, binascii.Error):
            continue
        if len(raw) == 32:
            candidates.setdefault(envelope.key_id_for(raw), raw)


KEY_REGISTERED_BYTES = KEY_REGISTERED_TOPIC.encode("ascii")


def public_for(row: Any, candidates: Mapping[bytes, bytes]) -> bytes | None:
    state = row[4]
    if type(state) is not bytes:
        return None
    return candidates.get(state[4 : 4 + envelope.KEY_ID_BYTES])


class RowPool:
    """:func:`check_rows` over chunks, results in order: inline (jobs=1), or on
    ``jobs - 1`` worker processes with the main process as the ``jobs``-th
    checker. The workers keep a couple of chunks queued each; whenever they have
    enough, the main process checks the next chunk itself instead of waiting for
    theirs (no pickling, no pipes for that chunk), and takes the results in
    order as they come. The check is the same function either way."""

    def __init__(self, jobs: int, origin: str) -> None:
        self.origin = origin
        workers = jobs - 1
        # The workers only check chunks, whose objects die by reference count:
        # the cyclic collector would only walk them (≈ 1 µs a row).
        self.pool = (
            ProcessPoolExecutor(max_workers=workers, initializer=gc.disable)
            if workers
            else None
        )
        self.queued = 2 * workers  # chunks handed to the workers at a time
        self.kept = 2 * jobs + 2  # chunks in memory at most (as before)
        self.submitted = self.checked_here = 0  # chunks, for the curious

    def results(
        self, chunks: Iterable[Chunk]
    ) -> Iterator[
        tuple[int, list[Row], Sequence[bytes | None], Sequence[FastRow | None] | None]
    ]:
        pending: deque[_Pending] = deque()
        for start, rows, publics in chunks:
            result: Future[list[FastRow | None]] | list[FastRow | None] | None
            if publics is None:
                result = None
            elif self.pool is not None and _busy(pending) < self.queued:
                result = self.pool.submit(check_rows, rows, publics, self.origin)
                self.submitted += 1
            else:
                result = check_rows(rows, publics, self.origin)
                self.checked_here += 1
            pending.append((start, rows, publics or (), result))
            while pending and (
                len(pending) > self.kept
                or not isinstance(pending[0][3], Future)
                or pending[0][3].done()
            ):
                yield _done(pending.popleft())
        while pending:
            yield _done(pending.popleft())

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None


_Pending = tuple[
    int,
    list[Row],
    Sequence[bytes | None],
    Future[list[FastRow | None]] | list[FastRow | None] | None,
]


def _busy(pending: Iterable[_Pending]) -> int:
    """Chunks the workers have not finished yet."""
    return sum(
        1 for item in pending if isinstance(item[3], Future) and not item[3].done()
    )


def _done(
    item: _Pending,
) -> tuple[int, list[Row], Sequence[bytes | None], Sequence[FastRow | None] | None]:
    start, rows, publics, result = item
    if isinstance(result, Future):
        return start, rows, publics, result.result()
    return start, rows, publics, result
