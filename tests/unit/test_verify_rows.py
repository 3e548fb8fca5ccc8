"""The pool's per-row filter (ledger/verify_rows.py) never passes a row that the
full per-row check of ``verify`` would fail: any row it returns as fine parses
with ``envelope.parse_content``, and every spelling that ``loads_canonical`` or
the structural checks refuse comes back as ``None`` (verify then looks closer).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger import canonical, envelope
from ledger.keys import public_key_raw
from ledger.verify_rows import check_row, check_rows, ed25519_valid

ORIGIN = "kiemdiem.test/x"
KEY = Ed25519PrivateKey.generate()
PUBLIC = public_key_raw(KEY)
KEY_ID = envelope.key_id_for(PUBLIC)
STREAM = uuid.UUID("6f1c2b1e-0000-4000-8000-000000000001")
TOPIC = "domain.review:Review.CommentAdded"


def _content(**changes: object) -> dict[str, object]:
    content: dict[str, object] = {
        "v": 1,
        "log": ORIGIN,
        "stream": str(STREAM),
        "ver": 2,
        "topic": TOPIC,
        "ts": "2026-11-23T08:15:02.123456Z",
        "actor": "u:7d0f",
        "key_id": KEY_ID.hex(),
        "prev": "ab" * 32,
        "body": {"text": "Đồng chí cần khắc phục", "n": 3, "tags": [{"a": 1}]},
    }
    content.update(changes)
    return content


def _state(content_bytes: bytes, signature: bytes | None = None) -> bytes:
    message = envelope.signed_message(content_bytes)
    sig = KEY.sign(message) if signature is None else signature
    return envelope.Envelope(KEY_ID, sig, content_bytes).pack()


def _row(state: bytes, **columns: object) -> tuple[int, object, object, object, bytes]:
    return (
        int(columns.get("nid", 7)),  # type: ignore[call-overload]
        columns.get("oid", STREAM.hex.encode("ascii")),
        columns.get("ver", 2),
        columns.get("topic", TOPIC.encode("ascii")),
        state,
    )


def test_a_fine_row_is_summarised_with_its_signature_verdict() -> None:
    content = canonical.dumps(_content())
    state = _state(content)
    fast = check_row(_row(state), PUBLIC, ORIGIN)
    assert fast is not None
    leaf, digest, stream, ver, actor, key_id, prev, verdict = fast
    parsed = envelope.parse_content(content)
    assert (stream, ver, actor, key_id, prev) == (
        str(parsed.stream),
        parsed.ver,
        parsed.actor,
        parsed.key_id,
        parsed.prev,
    )
    assert leaf != digest
    assert digest == envelope.event_hash(state)
    assert verdict is True
    assert check_row(_row(state), None, ORIGIN) == (*fast[:7], None)
    forged = _state(content, signature=bytes(64))
    forged_fast = check_row(_row(forged), PUBLIC, ORIGIN)
    assert forged_fast is not None
    assert forged_fast[7] is False


def test_a_postgres_uuid_column_and_text_topic_are_accepted() -> None:
    state = _state(canonical.dumps(_content()))
    assert check_row(_row(state, oid=STREAM, topic=TOPIC), PUBLIC, ORIGIN)


NOT_CANONICAL = [
    pytest.param(lambda c: c.replace(b'"ver":2', b'"ver": 2'), id="whitespace"),
    pytest.param(lambda c: c.replace(b'"ver":2', b'"ver":2.0'), id="float"),
    # The filter walks only the body for floats and non-ASCII keys: the values
    # above it must fail their own checks when they are floats.
    pytest.param(lambda c: c.replace(b'"a":1', b'"a":1.5'), id="nested-float"),
    pytest.param(lambda c: c.replace(b'"a":1', b'"a":1e3'), id="nested-exponent"),
    pytest.param(lambda c: c.replace(b'"n":3', b'"n":[2,3.0]'), id="float-in-list"),
    pytest.param(lambda c: c.replace(b'"a":1', '"ố":1'.encode()), id="nested-key"),
    pytest.param(
        lambda c: c.replace(b'"prev":"' + b"ab" * 32 + b'"', b'"prev":1.5'),
        id="float-prev",
    ),
    pytest.param(
        lambda c: c.replace(b'"actor":"u:7d0f"', b'"actor":7.5'), id="float-actor"
    ),
    pytest.param(
        lambda c: c.replace(
            b'"stream":"' + str(STREAM).encode() + b'"', b'"stream":1.0'
        ),
        id="float-stream",
    ),
    pytest.param(lambda c: c.replace(b'"ver":2', b'"ver":02'), id="leading-zero"),
    pytest.param(lambda c: c.replace(b'"n":3', b'"n":9007199254740993'), id="wide"),
    pytest.param(
        lambda c: c.replace(b'"n":3,"tags"', b'"tags":[],"n":3,"tags"'), id="dup-key"
    ),
    pytest.param(lambda c: c.replace(b"\xc4\x90", b"\\u0110"), id="escaped"),
    pytest.param(lambda c: c.replace(b'"n":3', '"nế":3'.encode()), id="non-ascii-key"),
    pytest.param(
        lambda c: c.replace(b'"n":3', '"\\nế":3'.encode()), id="non-ascii-escaped-key"
    ),
    pytest.param(lambda c: c + b" ", id="trailing-space"),
    pytest.param(lambda c: b" " + c, id="leading-space"),
    pytest.param(lambda c: c[:-1], id="truncated"),
    pytest.param(lambda c: b"[" + c + b"]", id="array"),
]


@pytest.mark.parametrize("mutate", NOT_CANONICAL)
def test_non_canonical_content_is_left_to_the_full_check(mutate: object) -> None:
    content = mutate(canonical.dumps(_content()))  # type: ignore[operator]
    assert check_row(_row(_state(content)), PUBLIC, ORIGIN) is None


STRUCTURE = [
    pytest.param({"stream": str(STREAM).upper()}, id="uppercase-stream"),
    pytest.param({"stream": STREAM.hex}, id="hex-stream"),
    pytest.param({"stream": "{" + str(STREAM) + "}"}, id="braced-stream"),
    pytest.param({"ver": 0}, id="ver-0"),
    pytest.param({"ver": True}, id="ver-bool"),
    pytest.param({"v": 2}, id="v2"),
    pytest.param({"prev": None}, id="no-prev"),
    pytest.param({"ver": 1}, id="prev-at-1"),
    pytest.param({"prev": "AB" * 32}, id="upper-prev"),
    pytest.param({"key_id": KEY_ID.hex().upper()}, id="upper-key-id"),
    pytest.param({"ts": "2026-13-23T08:15:02.123456Z"}, id="month-13"),
    pytest.param({"ts": "2026-11-23T08:15:02.123Z"}, id="ms"),
    pytest.param({"ts": "2026-11-23 08:15:02.123456Z"}, id="space"),
    pytest.param({"ts": "٢٠٢٦-11-23T08:15:02.123456Z"}, id="arabic-digits"),
    pytest.param({"body": []}, id="body-list"),
    pytest.param({"actor": 7}, id="actor-int"),
    pytest.param({"log": "other.example/x"}, id="other-origin"),
    pytest.param({"topic": "ledger.keys:SigningKey.KeyRegistered"}, id="key-event"),
    pytest.param({"topic": "ledger.x:Y.CheckpointCosigned"}, id="cosigned"),
    pytest.param({"extra": 1}, id="extra-key"),
]


@pytest.mark.parametrize("changes", STRUCTURE)
def test_rows_verify_must_judge_are_left_to_the_full_check(
    changes: dict[str, object],
) -> None:
    content = canonical.dumps(_content(**changes))
    topic = str(changes.get("topic", TOPIC)).encode()
    assert check_row(_row(_state(content), topic=topic), PUBLIC, ORIGIN) is None


COLUMNS = [
    pytest.param({"nid": 0}, id="nid-0"),
    pytest.param({"oid": uuid.uuid4().hex.encode()}, id="other-stream"),
    pytest.param({"oid": str(STREAM).encode()}, id="hyphenated-column"),
    pytest.param({"ver": 3}, id="other-version"),
    pytest.param({"ver": "2"}, id="text-version"),
    pytest.param({"topic": b"domain.review:Review.Other"}, id="other-topic"),
]


@pytest.mark.parametrize("columns", COLUMNS)
def test_columns_that_differ_are_left_to_the_full_check(
    columns: dict[str, object],
) -> None:
    state = _state(canonical.dumps(_content()))
    assert check_row(_row(state, **columns), PUBLIC, ORIGIN) is None


def test_envelopes_that_do_not_parse_are_left_to_the_full_check() -> None:
    content = canonical.dumps(_content())
    state = _state(content)
    other_key = envelope.Envelope(bytes(16), state[20:84], content).pack()
    for bad in (b"", state[:84], b"XXXX" + state[4:], other_key):
        assert check_row(_row(bad), PUBLIC, ORIGIN) is None
    assert check_rows([_row(state), _row(b"")], [PUBLIC, None], ORIGIN)[1] is None


def test_timestamps_in_the_fast_form_are_what_parse_timestamp_accepts() -> None:
    moment = datetime(2026, 2, 28, 23, 59, 59, 999999, tzinfo=UTC)
    ts = canonical.format_timestamp(moment)
    state = _state(canonical.dumps(_content(ts=ts)))
    assert check_row(_row(state), PUBLIC, ORIGIN) is not None
    bad = _state(canonical.dumps(_content(ts="2026-02-30T00:00:00.000000Z")))
    assert check_row(_row(bad), PUBLIC, ORIGIN) is None


# -- the signature verdict: libsodium first, always OpenSSL's answer -------------------


def _openssl(public_raw: bytes, signature: bytes, message: bytes) -> bool:
    key = Ed25519PublicKey.from_public_bytes(public_raw)
    try:
        key.verify(signature, message)
    except InvalidSignature:
        return False
    return True


def _verdict(public_raw: bytes, signature: bytes, message: bytes) -> bool:
    key = Ed25519PublicKey.from_public_bytes(public_raw)
    return ed25519_valid(key, public_raw, signature, message)


@settings(max_examples=200, deadline=None)
@given(
    seed=st.binary(min_size=32, max_size=32),
    message=st.binary(max_size=300),
    flip=st.one_of(st.none(), st.integers(min_value=0, max_value=64 * 8 - 1)),
)
def test_the_verdict_is_openssls_on_honest_and_edited_signatures(
    seed: bytes, message: bytes, flip: int | None
) -> None:
    private = Ed25519PrivateKey.from_private_bytes(seed)
    public = public_key_raw(private)
    signature = bytearray(private.sign(message))
    if flip is not None:
        signature[flip // 8] ^= 1 << (flip % 8)
    assert _verdict(public, bytes(signature), message) == _openssl(
        public, bytes(signature), message
    )


def test_what_libsodium_refuses_and_openssl_accepts_stays_accepted() -> None:
    """A small-order key (the identity) with R = identity and S = 0 satisfies the
    equation for every message: OpenSSL accepts it, libsodium refuses it; the
    verifier's verdict stays OpenSSL's, as before libsodium was asked first."""
    identity = b"\x01" + bytes(31)
    signature = identity + bytes(32)
    for message in (b"", b"kiemdiem-event/v1\n{}"):
        assert _openssl(identity, signature, message) is True
        assert _verdict(identity, signature, message) is True
    assert _verdict(identity, bytes(64), b"x") == _openssl(identity, bytes(64), b"x")
