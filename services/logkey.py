"""The log key: signs checkpoints only (ledger.md §4.5). It is kept wrapped under
a passphrase file beside the store, never in the database it vouches for."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ledger import keywrap
from ledger.config import Settings
from ledger.errors import ConfigurationError
from ledger.note import NoteSigner
from services.vault import KdfCost, seed_of

LOG_KEY_OWNER = "log"


def create_log_key(settings: Settings, origin: str) -> NoteSigner:
    """Generate the log key, write it wrapped and its passphrase (mode 0600)."""
    key_file, pass_file = settings.log_key_file, settings.log_key_passphrase_file
    if key_file.exists():
        msg = f"a log key already exists at {key_file}; refusing to replace it"
        raise ConfigurationError(msg)
    key_file.parent.mkdir(parents=True, exist_ok=True)
    pass_file.parent.mkdir(parents=True, exist_ok=True)
    if pass_file.exists():
        passphrase = pass_file.read_text(encoding="utf-8").strip()
    else:
        passphrase = secrets.token_urlsafe(32)
        _write_private(pass_file, passphrase + "\n")
    private_key = Ed25519PrivateKey.generate()
    cost = KdfCost.from_environ()
    wrapped = keywrap.wrap_seed(
        seed_of(private_key), passphrase, LOG_KEY_OWNER, origin, m=cost.m
    )
    _write_private(key_file, json.dumps({"origin": origin, "wrapped": wrapped}))
    return NoteSigner(origin, private_key)


def load_log_key(settings: Settings) -> NoteSigner:
    key_file, pass_file = settings.log_key_file, settings.log_key_passphrase_file
    try:
        record = json.loads(key_file.read_text(encoding="utf-8"))
        passphrase = pass_file.read_text(encoding="utf-8").strip()
    except (OSError, json.JSONDecodeError) as exc:
        msg = f"cannot read the log key ({key_file}) or its passphrase ({pass_file})"
        raise ConfigurationError(msg) from exc
    origin = record["origin"]
    try:
        seed = keywrap.unwrap_seed(record["wrapped"], passphrase, LOG_KEY_OWNER, origin)
    except keywrap.KeyUnwrapError as exc:
        msg = "the log key passphrase does not open the log key"
        raise ConfigurationError(msg) from exc
    return NoteSigner(origin, Ed25519PrivateKey.from_private_bytes(seed))


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
