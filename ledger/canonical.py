"""Canonical JSON for signed event content (ledger.md §3.3).

The bytes produced here are the bytes that get signed, hashed into the stream chain
and the Merkle log, so they must be reproducible by anyone: sorted keys, no
whitespace, UTF-8, and only the JSON types for which Python's encoder and RFC 8785
(JCS) agree. Floats are refused outright because their textual form is not stable
across implementations; amounts use integers, ``Decimal`` or ``Fraction`` tags.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any
from uuid import UUID

import orjson

MAX_SAFE_INTEGER = 2**53 - 1
# A key with a non-ASCII byte. The first run stops at the first such byte, so a
# long Vietnamese value is scanned once, not once per non-ASCII byte in it (the
# same strings match as with one ``[^"\\]*`` before the byte: 35× faster on a
# 130 KB chunk of a cycle's subjects).
_NON_ASCII_KEY = re.compile(rb'"[^"\\\x80-\xff]*[\x80-\xff][^"\\]*":')
TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
TIMESTAMP_LENGTH = len("2026-11-23T08:15:02.123456Z")


class CanonicalEncodingError(ValueError):
    """The value cannot be represented in canonical content, or the bytes are not
    canonical."""


def format_timestamp(moment: datetime) -> str:
    """The fixed UTC form ``YYYY-MM-DDTHH:MM:SS.ffffffZ``; naive datetimes are bugs."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        msg = "naive datetime: an audit trail needs an explicit time zone"
        raise CanonicalEncodingError(msg)
    utc = moment.astimezone(UTC)
    if utc.year < 1000:  # isoformat pads the year, strftime("%Y") does not
        return utc.strftime(TIMESTAMP_FORMAT)
    # "…+00:00" → "…Z": the same text as strftime(TIMESTAMP_FORMAT), 4× faster.
    return utc.isoformat(timespec="microseconds")[:-6] + "Z"


def parse_timestamp(text: str) -> datetime:
    """Inverse of :func:`format_timestamp`, strict about the form.

    Checked by shape, then parsed by ``fromisoformat`` (ten times faster than
    ``strptime``, and this runs for every event a projection reads).
    """
    if (
        type(text) is not str
        or len(text) != TIMESTAMP_LENGTH
        or text[-1] != "Z"
        or text[4] != "-"
        or text[7] != "-"
        or text[10] != "T"
        or text[13] != ":"
        or text[16] != ":"
        or text[19] != "."
        or not text[20:26].isdigit()
        or not text[:4].isdigit()
    ):
        raise CanonicalEncodingError(f"bad timestamp {text!r}")
    try:
        return datetime.fromisoformat(text[:-1]).replace(tzinfo=UTC)
    except ValueError as exc:
        raise CanonicalEncodingError(f"bad timestamp {text!r}") from exc


# Tagged non-JSON values, with the library's tag names where it has one, so the
# stored bodies read like the library's own transcoding.
_ENCODERS: list[tuple[type, str, Callable[[Any], Any]]] = [
    (UUID, "uuid_hex", lambda v: v.hex),
    (Decimal, "decimal_str", str),
    (datetime, "datetime_iso", format_timestamp),
    (date, "date_iso", lambda v: v.isoformat()),
    (Fraction, "fraction", lambda v: f"{v.numerator}/{v.denominator}"),
    (frozenset, "frozenset", lambda v: sorted(v)),
    (tuple, "tuple", list),
]


def _decode_datetime(text: str) -> datetime:
    return parse_timestamp(text)


_DECODERS: dict[str, Callable[[Any], Any]] = {
    "uuid_hex": UUID,
    "decimal_str": Decimal,
    "datetime_iso": _decode_datetime,
    "date_iso": date.fromisoformat,
    "fraction": Fraction,
    "frozenset": frozenset,
    "tuple": tuple,
}


def to_jsonable(value: Any) -> Any:
    """Turn an event body into plain JSON values, tagging the registered types."""
    # bool is an int subclass; test exact types first for speed and correctness.
    kind = type(value)
    if kind is str or value is None or kind is bool:
        return value
    if kind is int:
        if not -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
            raise CanonicalEncodingError(f"integer out of the safe range: {value}")
        return value
    if kind is dict:
        out = {}
        for key, item in value.items():
            if type(key) is not str or not key.isascii():
                # ASCII keys sort the same by code point and by UTF-16 (RFC 8785).
                raise CanonicalEncodingError(f"key {key!r} is not an ASCII string")
            out[key] = to_jsonable(item)
        return out
    if kind is list:
        return [to_jsonable(item) for item in value]
    if kind is float:
        raise CanonicalEncodingError("floats are not allowed in signed content")
    for tagged_type, name, encode in _ENCODERS:
        if isinstance(value, tagged_type):
            return {"_type_": name, "_data_": to_jsonable(encode(value))}
    if isinstance(value, str):  # str subclasses such as StrEnum members
        return str(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return to_jsonable(int(value))
    raise CanonicalEncodingError(f"no canonical form for {kind.__name__}")


def _object_hook(obj: dict[str, Any]) -> Any:
    if len(obj) == 2 and "_type_" in obj and "_data_" in obj:
        decoder = _DECODERS.get(obj["_type_"])
        if decoder is None:
            raise CanonicalEncodingError(f"unknown type tag {obj['_type_']!r}")
        return decoder(obj["_data_"])
    return obj


# Built once: json.loads(..., object_hook=...) builds a decoder on every call.
_TAGGED_DECODER = json.JSONDecoder(object_hook=_object_hook)


def loads_tagged(content: bytes) -> Any:
    """Parse JSON and resolve type tags in one pass, without the canonical check.

    For readers that trust what the integrator and ``verify`` already checked
    (the projections runtime); everyone else uses :func:`loads_canonical`.
    """
    return _TAGGED_DECODER.decode(content.decode("utf-8"))


def from_jsonable(value: Any) -> Any:
    """Inverse of :func:`to_jsonable` on an already parsed structure."""
    if isinstance(value, dict):
        return _object_hook({k: from_jsonable(v) for k, v in value.items()})
    if isinstance(value, list):
        return [from_jsonable(v) for v in value]
    return value


def _not_json(value: Any) -> Any:
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _make_encoder() -> Callable[[Any], str]:
    """``json.dumps(value, sort_keys=True, separators=(",", ":"),
    ensure_ascii=False, allow_nan=False)``, with the C encoder built once:
    json.dumps builds a JSONEncoder and a C encoder on every call, which was a
    third of the cost of encoding an event."""
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # pragma: no cover - CPython always has the C accelerator
        encoder = json.JSONEncoder(
            sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        )
        return encoder.encode
    encode_once = make(
        None,  # no circularity markers; a cycle ends in RecursionError instead
        _not_json,
        json.encoder.encode_basestring,
        None,  # indent
        ":",
        ",",
        True,  # sort_keys
        False,  # skipkeys
        False,  # allow_nan
    )

    def encode(value: Any) -> str:
        return "".join(encode_once(value, 0))

    return encode


_encode = _make_encoder()


def dumps(value: Any) -> bytes:
    """Canonical bytes of a plain JSON value that came out of :func:`to_jsonable`
    (which refuses floats, wide integers and non-ASCII keys); :func:`encode` is the
    entry point for anything else."""
    try:
        return _encode(value).encode("utf-8")
    except (UnicodeEncodeError, ValueError, TypeError, RecursionError) as exc:
        raise CanonicalEncodingError(str(exc)) from exc


# Sorted keys, and integers outside ±(2**53 - 1) refused; str, int, dict and list
# subclasses are not orjson's to spell (they go to ``_not_json``).
_ORJSON_OPTIONS = (
    orjson.OPT_SORT_KEYS
    | orjson.OPT_STRICT_INTEGER
    | orjson.OPT_PASSTHROUGH_SUBCLASS
    | orjson.OPT_PASSTHROUGH_DATACLASS
    | orjson.OPT_PASSTHROUGH_DATETIME
)
_orjson_dumps = orjson.dumps


def dumps_plain(value: Any) -> bytes:
    """:func:`dumps` of a value made only of exact ``str`` (ASCII keys), ``int``,
    ``bool``, ``None``, ``dict`` and ``list``, no float: what :func:`to_jsonable`
    returns. orjson writes the very same bytes for such values, 4× faster (proven
    in tests/ledger/test_orjson_canonical.py: every code point's escape, key
    order, integers); whatever it refuses (a lone surrogate, nesting deeper than
    its limit, a type outside that set) goes to :func:`dumps`, which gives the
    canonical bytes or the canonical error as before."""
    try:
        return _orjson_dumps(value, default=_not_json, option=_ORJSON_OPTIONS)
    except TypeError:  # orjson.JSONEncodeError
        return dumps(value)


def encode(value: Any) -> bytes:
    """Canonical bytes of any supported value."""
    return dumps_plain(to_jsonable(value))


def _reject_float(text: str) -> float:
    raise CanonicalEncodingError(f"float {text} in content")


def _checked_int(text: str) -> int:
    value = int(text)
    if not -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
        raise CanonicalEncodingError(f"integer out of the safe range: {text}")
    return value


def _reject_constant(text: str) -> float:
    raise CanonicalEncodingError(f"{text} in content")


def plain_object(value: dict[str, Any]) -> bool:
    """No float and no non-ASCII key anywhere in ``value``: what the canonical
    check refuses and orjson's sorted re-encoding would let through."""
    for key, item in value.items():
        if not key.isascii() or not _plain_item(item):
            return False
    return True


def _plain_item(item: Any) -> bool:
    kind = type(item)
    if kind is dict:
        return plain_object(item)
    if kind is list:
        return all(map(_plain_item, item))
    return kind is not float


# Sorted keys; an integer outside ±(2**53 - 1) raises, as the canonical form
# refuses it.
ORJSON_CHECK_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_STRICT_INTEGER
_orjson_loads = orjson.loads


def loads_canonical_fast(content: bytes) -> dict[str, Any] | None:
    """:func:`loads_canonical`'s result for content that passes it, by orjson's
    parse and sorted re-encoding (≈ 4× faster); None when that cannot tell.

    Equal bytes after orjson's re-encoding are the canonical encoder's bytes
    when the value has no float, no integer outside the safe range and no
    non-ASCII key (tests/ledger/test_orjson_canonical.py); the options refuse the
    integers and :func:`plain_object` the rest. The parsed values are the same
    ``dict``, ``list``, ``str``, ``int``, ``bool`` and ``None`` as ``json``'s.
    """
    if type(content) is not bytes:
        return None
    try:
        obj = _orjson_loads(content)
        if (
            type(obj) is not dict
            or _orjson_dumps(obj, option=ORJSON_CHECK_OPTIONS) != content
        ):
            return None
    except (ValueError, TypeError, RecursionError):
        return None
    return obj if plain_object(obj) else None


def loads_canonical(content: bytes) -> Mapping[str, Any]:
    """Parse content and require that re-encoding gives the very same bytes.

    This is what rejects floats, duplicate keys, whitespace and key-order variants
    that a bug or an attacker might introduce into stored rows.
    """
    fast = loads_canonical_fast(content)
    if fast is not None:
        return fast
    # Anything in doubt: the reference check, which also names the refusal.
    try:
        parsed = json.loads(
            content.decode("utf-8"),
            parse_float=_reject_float,
            parse_int=_checked_int,
            parse_constant=_reject_constant,
        )
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CanonicalEncodingError(f"not JSON: {exc}") from exc
    if not isinstance(parsed, dict):
        raise CanonicalEncodingError("content is not a JSON object")
    # The spec's definition of validity: re-encoding gives the very same bytes.
    # It also rejects duplicate keys (the re-encoding keeps one of them).
    if dumps(parsed) != content:
        raise CanonicalEncodingError("content is not in canonical form")
    # Keys must be ASCII so code-point and UTF-16 orders agree (RFC 8785). In
    # canonical content (no white space) only a key is a string followed by ':'.
    if not content.isascii() and _NON_ASCII_KEY.search(content):
        raise CanonicalEncodingError("non-ASCII key in content")
    return parsed
