"""Strict JSON reading for the verifier: canonical bytes only (votes.md §4.2).

Independent of ``votes.canon``: a record must be byte-for-byte the canonical
serialisation of what it parses to, so a second encoding of the same content (with
whitespace, escapes, duplicate keys or floats) is a failure, not a variant.
"""

from __future__ import annotations

import json
from typing import Any

LIMIT = (1 << 53) - 1


class NotCanonical(Exception):
    """Bytes that are not canonical JSON of the project subset."""


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        raise NotCanonical("duplicate object key")
    return dict(pairs)


def _no_float(token: str) -> Any:
    raise NotCanonical(f"non-integer number {token}")


def _no_constant(token: str) -> Any:
    raise NotCanonical(f"{token} is not allowed")


def _walk(value: Any) -> None:
    if isinstance(value, dict):
        for item in value.values():
            _walk(item)
    elif isinstance(value, list):
        for item in value:
            _walk(item)
    elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > LIMIT:
        raise NotCanonical("integer outside ±(2^53−1)")


def encode(value: Any) -> bytes:
    text = json.dumps(
        value,
        ensure_ascii=False,
        separators=(",", ":"),
        sort_keys=True,
        allow_nan=False,
    )
    return text.encode("utf-8")


def decode(raw: bytes) -> Any:
    """Parse and insist that re-encoding gives back exactly raw."""
    try:
        value = json.loads(
            raw.decode("utf-8"),
            object_pairs_hook=_no_duplicates,
            parse_float=_no_float,
            parse_constant=_no_constant,
        )
        _walk(value)
        again = encode(value)
    except (UnicodeError, ValueError) as exc:
        raise NotCanonical(str(exc)) from exc
    if again != raw:
        raise NotCanonical("bytes are not the canonical serialisation")
    return value
