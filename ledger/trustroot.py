"""The verifier's trust root (ledger.md §4.6): handed over out of band, never read
from the database it audits."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from ledger import note
from ledger.envelope import key_id_for
from ledger.errors import ConfigurationError
from ledger.keyring import TrustedAdminKey

FORMAT = "kiemdiem-trust-root/v1"


def make_trust_root(
    origin: str,
    log_public_keys: Sequence[Ed25519PublicKey],
    admin_keys: Sequence[TrustedAdminKey],
) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "origin": origin,
        "log_keys": [note.verifier_key_string(origin, k) for k in log_public_keys],
        "admin_keys": [
            {
                "owner": a.owner,
                "key_id": a.key_id,
                "public_key": base64.b64encode(a.public_key_raw).decode(),
            }
            for a in admin_keys
        ],
        "witness_keys": [],
    }


def validate(obj: Any) -> dict[str, Any]:
    """Check the shape of a parsed trust root; raise ConfigurationError if wrong."""
    if not isinstance(obj, dict) or obj.get("format") != FORMAT:
        raise ConfigurationError(f"không phải tài liệu {FORMAT}")
    if not isinstance(obj.get("origin"), str) or not obj["origin"]:
        raise ConfigurationError("gốc tin cậy thiếu nguồn nhật ký (origin)")
    try:
        for key in obj["log_keys"]:
            note.parse_verifier_key(key)
        for key in obj.get("witness_keys", []):
            note.parse_cosigner_key(key)  # witnesses cosign (type 0x04 keys)
        for admin in obj["admin_keys"]:
            TrustedAdminKey.from_json(admin)
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigurationError(f"gốc tin cậy sai cấu trúc: {exc}") from exc
    if not obj["log_keys"]:
        raise ConfigurationError("gốc tin cậy không có khóa sổ cái nào")
    return obj


def load(path: Path) -> dict[str, Any]:
    try:
        return validate(json.loads(path.read_text(encoding="utf-8")))
    except OSError as exc:
        raise ConfigurationError(f"không đọc được gốc tin cậy {path}: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise ConfigurationError(f"gốc tin cậy {path} không phải JSON: {exc}") from exc


def log_verifiers(trust_root: Mapping[str, Any]) -> list[note.NoteVerifier]:
    return [note.parse_verifier_key(k) for k in trust_root["log_keys"]]


def log_key_ids(trust_root: Mapping[str, Any]) -> frozenset[str]:
    """Event-style key ids of the log keys, so an event signed by one is refused."""
    ids = set()
    for verifier in log_verifiers(trust_root):
        raw = verifier.public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
        ids.add(key_id_for(raw).hex())
    return frozenset(ids)
