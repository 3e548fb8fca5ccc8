"""The log key: signs checkpoints only (ledger.md §4.5). It is kept wrapped in a
file, never in the database it vouches for.

The passphrase that opens it (and the ballot-box keys, votes.md) never lives
beside the key outside the demo: it comes from ``KIEMDIEM_LOG_KEY_PASSPHRASE_FILE``
(a secret file, e.g. a Docker secret under ``/run/secrets``) or
``KIEMDIEM_LOG_KEY_PASSPHRASE``. Only ``kiemdiem init --demo`` may generate one
and keep it beside the key (``instance/log.pass``), and it says so.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ledger import keywrap
from ledger.config import Settings
from ledger.errors import ConfigurationError
from ledger.note import NoteSigner
from ledger.private_files import write_private
from services.vault import KdfCost, seed_of

LOG_KEY_OWNER = "log"
PASSPHRASE_ENV = "KIEMDIEM_LOG_KEY_PASSPHRASE"  # noqa: S105 (a variable's name)
PASSPHRASE_FILE_ENV = "KIEMDIEM_LOG_KEY_PASSPHRASE_FILE"  # noqa: S105
HOW_TO_GIVE = (
    f"hãy đặt trong {PASSPHRASE_FILE_ENV} (một tệp bí mật ngoài thư mục "
    f"instance, ví dụ Docker secret) hoặc trong {PASSPHRASE_ENV}"
)


def server_passphrase(settings: Settings) -> str:
    """The passphrase of the log key and the ballot-box keys.

    ``KIEMDIEM_LOG_KEY_PASSPHRASE``, else the file ``KIEMDIEM_LOG_KEY_PASSPHRASE_FILE``,
    else (a demo store) ``log.pass`` in the instance folder.
    """
    if settings.log_key_passphrase:
        return settings.log_key_passphrase
    path = settings.log_key_passphrase_file
    try:
        text = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        msg = f"không đọc được tệp mật khẩu của khóa sổ cái {path}: {HOW_TO_GIVE}"
        raise ConfigurationError(msg) from exc
    if not text:
        msg = f"tệp mật khẩu của khóa sổ cái {path} trống"
        raise ConfigurationError(msg)
    return text


def passphrase_for_new_key(
    settings: Settings, *, demo: bool
) -> tuple[str, Path | None]:
    """The passphrase to wrap a new log key under, and the file it was written
    to when the demo generated one beside the key (None otherwise)."""
    if settings.log_key_passphrase:
        return settings.log_key_passphrase, None
    key_file, pass_file = settings.log_key_file, settings.log_key_passphrase_file
    given = PASSPHRASE_FILE_ENV in settings.paths
    beside = pass_file.absolute().parent == key_file.absolute().parent
    if given and pass_file.exists():
        if beside and not demo:
            msg = (
                f"tệp mật khẩu của khóa sổ cái {pass_file} nằm cùng thư mục với "
                f"khóa sổ cái {key_file}; hãy để riêng, xa khóa: {HOW_TO_GIVE}"
            )
            raise ConfigurationError(msg)
        return server_passphrase(settings), None
    if not demo:
        if given:
            msg = (
                f"tệp mật khẩu của khóa sổ cái {pass_file} không tồn tại: hãy tạo "
                "tệp bí mật trước (ví dụ `openssl rand -base64 32 > FILE`, quyền 0600)"
            )
        else:
            msg = f"chưa có mật khẩu cho khóa sổ cái: {HOW_TO_GIVE}"
        raise ConfigurationError(msg)
    passphrase = secrets.token_urlsafe(32)
    write_private(pass_file, passphrase + "\n", exclusive=True)
    return passphrase, pass_file


def create_log_key(settings: Settings, origin: str, passphrase: str) -> NoteSigner:
    """Generate the log key and write it wrapped under ``passphrase`` (0600)."""
    key_file = settings.log_key_file
    if key_file.exists():
        msg = f"đã có khóa sổ cái tại {key_file}; không thay thế khóa này"
        raise ConfigurationError(msg)
    private_key = Ed25519PrivateKey.generate()
    cost = KdfCost.from_environ()
    wrapped = keywrap.wrap_seed(
        seed_of(private_key), passphrase, LOG_KEY_OWNER, origin, m=cost.m
    )
    write_private(
        key_file, json.dumps({"origin": origin, "wrapped": wrapped}), exclusive=True
    )
    return NoteSigner(origin, private_key)


def load_log_key(settings: Settings) -> NoteSigner:
    key_file = settings.log_key_file
    try:
        record = json.loads(key_file.read_text(encoding="utf-8"))
        origin = record["origin"]
        wrapped = record["wrapped"]
    except (OSError, json.JSONDecodeError, KeyError, TypeError) as exc:
        msg = f"không đọc được khóa sổ cái {key_file}"
        raise ConfigurationError(msg) from exc
    passphrase = server_passphrase(settings)
    try:
        seed = keywrap.unwrap_seed(wrapped, passphrase, LOG_KEY_OWNER, origin)
    except keywrap.KeyUnwrapError as exc:
        msg = "mật khẩu không mở được khóa sổ cái"
        raise ConfigurationError(msg) from exc
    return NoteSigner(origin, Ed25519PrivateKey.from_private_bytes(seed))
