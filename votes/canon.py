"""Canonical JSON for hashed and signed vote objects (votes.md §4.2, ledger.md §3.3).

Hashes, signatures and the ballot-hash tracking code are all computed over these bytes,
so the server must refuse any received text that is not already in this form:
otherwise two different byte strings could carry one ballot and one signature.
"""

from __future__ import annotations

import json
from typing import Any

MAX_INT = 2**53 - 1


class CanonicalError(ValueError):
    """Input that is not canonical JSON in the project subset."""


def _check_value(value: Any) -> None:
    if value is None or isinstance(value, bool | str):
        if isinstance(value, str):
            _check_string(value)
        return
    if isinstance(value, int):
        if not -MAX_INT <= value <= MAX_INT:
            raise CanonicalError("integer out of the interoperable range")
        return
    if isinstance(value, list):
        for item in value:
            _check_value(item)
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise CanonicalError("object keys must be strings")
            _check_string(key)
            _check_value(item)
        return
    raise CanonicalError(f"type {type(value).__name__} is not allowed")


def _check_string(value: str) -> None:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise CanonicalError("lone surrogate in string") from exc


def canonical(obj: Any) -> bytes:
    """The canonical UTF-8 bytes of obj; floats and other non-JSON types raise."""
    _check_value(obj)
    text = json.dumps(
        obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    return text.encode("utf-8")


def _reject_float(text: str) -> Any:
    raise CanonicalError(f"number {text} is not an integer")


def _reject_constant(text: str) -> Any:
    raise CanonicalError(f"{text} is not JSON")


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise CanonicalError(f"duplicate key {key!r}")
        result[key] = value
    return result


def parse_canonical(data: bytes) -> Any:
    """Parse bytes and require that they equal the canonical re-serialisation."""
    try:
        text = data.decode("utf-8")
        obj = json.loads(
            text,
            object_pairs_hook=_pairs,
            parse_float=_reject_float,
            parse_constant=_reject_constant,
        )
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CanonicalError(f"not JSON: {exc}") from exc
    if canonical(obj) != data:
        raise CanonicalError("bytes differ from the canonical serialisation")
    return obj


_HEX = frozenset("0123456789abcdef")


def parse_hex(value: object, nbytes: int) -> bytes:
    """Decode a lowercase hex string of exactly nbytes bytes (§4.1).

    ``bytes.fromhex`` alone would accept uppercase and embedded spaces, which would let
    two different JSON texts encode the same value.
    """
    if not isinstance(value, str) or len(value) != 2 * nbytes:
        raise CanonicalError(f"expected {2 * nbytes} lowercase hex characters")
    if not _HEX.issuperset(value):
        raise CanonicalError("hex must be lowercase 0-9a-f")
    return bytes.fromhex(value)
