"""The incremental state (``--save-state``, ``--since``): its file format."""

from __future__ import annotations

import base64
import binascii
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ledger import merkle
from ledger.errors import os_words
from ledger.keyring import KeyRecord, KeyRegistry
from ledger.verify.inputs import _not_json
from ledger.verify.report import VerifyInputError

STATE_FORMAT = "kiemdiem-verify-state/v1"


# -- incremental state ----------------------------------------------------------------


@dataclass
class _SavedState:
    size: int
    root: bytes
    range: merkle.CompactRange
    keys: dict[str, KeyRecord]
    heads: dict[str, tuple[int, bytes]]  # by canonical stream text
    cosignatures: int


def _load_state(path: Path, origin: str) -> _SavedState:
    try:
        obj = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        msg = f"không đọc được tệp trạng thái {path}: {os_words(exc)}"
        raise VerifyInputError(msg) from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise VerifyInputError(f"tệp trạng thái {path} {_not_json(exc)}") from exc
    try:
        if obj["format"] != STATE_FORMAT:
            raise ValueError(f"not a {STATE_FORMAT} file")
        if obj["origin"] != origin:
            msg = f"the state is for {obj['origin']}, not {origin}"
            raise ValueError(msg)
        compact = merkle.CompactRange.from_json(obj["range"])
        root = base64.b64decode(obj["root"], validate=True)
        size = obj["size"]
        if type(size) is not int or size != compact.size or compact.root() != root:
            raise ValueError("size, root and compact range disagree")
        keys = {}
        for item in obj["keys"]:
            raw = base64.b64decode(item["public_key"], validate=True)
            keys[item["key_id"]] = KeyRecord(
                key_id=item["key_id"],
                public_key=Ed25519PublicKey.from_public_bytes(raw),
                public_key_raw=raw,
                owner=item["owner"],
                role=item["role"],
                cosigner_name=item["cosigner_name"],
                registered_at=int(item["registered_at"]),
                revoked_at=item["revoked_at"],
                revoke_reason=item["revoke_reason"],
            )
        heads = {
            str(UUID(stream)): (int(ver), bytes.fromhex(digest))
            for stream, (ver, digest) in obj["streams"].items()
        }
        cosignatures = int(obj.get("cosignatures", 0))
    except (KeyError, TypeError, ValueError, binascii.Error, merkle.ProofError) as exc:
        msg = f"tệp trạng thái {path} không dùng được (chi tiết kỹ thuật: {exc})"
        raise VerifyInputError(msg) from exc
    return _SavedState(size, root, compact, keys, heads, cosignatures)


def _write_state(
    path: Path,
    *,
    origin: str,
    tree: merkle.CompactRange,
    registry: KeyRegistry,
    heads: Mapping[str, tuple[int, bytes]],
    cosignatures: int,
) -> None:
    obj = {
        "format": STATE_FORMAT,
        "origin": origin,
        "size": tree.size,
        "root": base64.b64encode(tree.root()).decode("ascii"),
        "range": tree.to_json(),
        "keys": [
            {
                "key_id": r.key_id,
                "public_key": base64.b64encode(r.public_key_raw).decode("ascii"),
                "owner": r.owner,
                "role": r.role,
                "cosigner_name": r.cosigner_name,
                "registered_at": r.registered_at,
                "revoked_at": r.revoked_at,
                "revoke_reason": r.revoke_reason,
            }
            for r in registry.keys.values()
        ],
        "streams": {str(s): [v, h.hex()] for s, (v, h) in heads.items()},
        "cosignatures": cosignatures,
    }
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(obj, separators=(",", ":")), encoding="utf-8")
    os.replace(temporary, path)
