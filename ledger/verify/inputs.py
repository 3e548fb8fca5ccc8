"""The inputs handed over out of band: the trust root (its witness keys too), the
auditor's checkpoint files, the database URL."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ledger import note, trustroot
from ledger.config import Settings, settings_from_environ
from ledger.errors import ConfigurationError, json_words, os_words
from ledger.verify.report import VerifyInputError

# -- inputs ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Witness:
    name: str
    public_key: Ed25519PublicKey
    cosigner: bool  # True: tlog-cosignature (0x04); False: plain note signature


def _not_json(exc: UnicodeDecodeError | json.JSONDecodeError) -> str:
    """The end of "<the file> is not JSON", in Vietnamese."""
    if isinstance(exc, json.JSONDecodeError):
        return json_words(exc)
    return "không phải văn bản UTF-8"


def load_trust_root(path: Path) -> dict[str, Any]:
    """Read and check a trust-root file; raise :class:`VerifyInputError` if bad."""
    try:
        obj = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        msg = f"không đọc được gốc tin cậy {path}: {os_words(exc)}"
        raise VerifyInputError(msg) from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise VerifyInputError(f"gốc tin cậy {path} {_not_json(exc)}") from exc
    check_trust_root(obj)
    return dict(obj)


def check_trust_root(obj: Any) -> None:
    """Validate a parsed trust root (witness keys may be of type 0x01 or 0x04)."""
    if not isinstance(obj, Mapping):
        raise VerifyInputError("gốc tin cậy không phải một đối tượng JSON")
    _witnesses(obj)
    try:
        trustroot.validate({**obj, "witness_keys": []})
    except ConfigurationError as exc:
        raise VerifyInputError(f"gốc tin cậy không hợp lệ: {exc}") from exc


def _witnesses(trust_root: Mapping[str, Any]) -> list[_Witness]:
    out = []
    keys = trust_root.get("witness_keys", [])
    if not isinstance(keys, list):
        raise VerifyInputError("witness_keys của gốc tin cậy không phải một danh sách")
    for text in keys:
        if not isinstance(text, str):
            raise VerifyInputError(
                "một khóa nhân chứng của gốc tin cậy không phải chuỗi"
            )
        try:
            name, public_key = note.parse_cosigner_key(text)
            out.append(_Witness(name, public_key, cosigner=True))
        except note.NoteError:
            try:
                verifier = note.parse_verifier_key(text)
            except (note.NoteError, ValueError) as exc:
                msg = "gốc tin cậy có một khóa nhân chứng sai dạng"
                msg += f" (chi tiết kỹ thuật: {exc})"
                raise VerifyInputError(msg) from exc
            out.append(_Witness(verifier.name, verifier.public_key, cosigner=False))
    return out


def read_checkpoint_files(paths: Iterable[Path]) -> list[tuple[str, bytes]]:
    """Read auditor-held checkpoint notes as ``(label, bytes)`` pairs."""
    out = []
    for path in paths:
        try:
            out.append((str(path), path.read_bytes()))
        except OSError as exc:
            msg = f"không đọc được điểm chốt {path}: {os_words(exc)}"
            raise VerifyInputError(msg) from exc
    return out


def settings_for(database_url: str | None) -> Settings:
    """Parse the database URL with :mod:`ledger.config` (no library settings)."""
    environ = {k: v for k, v in os.environ.items() if k.startswith("KIEMDIEM_")}
    try:
        settings = settings_from_environ(environ, database_url)
    except ConfigurationError as exc:
        raise VerifyInputError(str(exc)) from exc
    if settings.memory:
        msg = "không kiểm tra được sqlite:///:memory: (bộ nhớ của tiến trình khác)"
        raise VerifyInputError(msg)
    return settings
