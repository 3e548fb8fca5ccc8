"""Private keys at rest (ledger.md §4.4) and login password hashes.

A user's Ed25519 seed is stored only wrapped: AES-256-GCM under a key derived from
the user's password with Argon2id, both from ``cryptography`` with parameters we
choose and store per record (never ``BestAvailableEncryption``, whose KDF and cipher
we do not control). The associated data binds the record to one user id and one
key id, so a record copied to another user or relabelled fails to open. Passwords
are NFC-normalised first because Vietnamese input methods may send decomposed text.
"""

from __future__ import annotations

import base64
import hmac
import os
import unicodedata
from collections.abc import Mapping

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

DEFAULT_T = 3
DEFAULT_M = 65536
DEFAULT_P = 4
# A tampered record must not make the server allocate or compute without bound
# (the vault is mutable, §4.4), so stored parameters are capped.
MAX_T = 64
MAX_M = 1 << 21  # KiB, i.e. 2 GiB
MAX_P = 64

SEED_SIZE = 32
SALT_SIZE = 16
NONCE_SIZE = 12
DERIVED_SIZE = 32

_AAD_PREFIX = b"kiemdiem-keywrap/v1\n"
_FIELDS = frozenset({"v", "alg", "kdf", "t", "m", "p", "salt", "nonce", "ct"})
_UNWRAP_FAILED = "wrong password or damaged key record"


class KeyUnwrapError(ValueError):
    """The wrapped key cannot be opened: wrong password, or the record was changed."""


def _nfc_utf8(password: str) -> bytes:
    return unicodedata.normalize("NFC", password).encode("utf-8")


def _check_params(t: int, m: int, p: int) -> None:
    for value in (t, m, p):
        if type(value) is not int:
            raise ValueError("Argon2 parameters must be integers")
    if not (1 <= t <= MAX_T and 1 <= p <= MAX_P and 8 * p <= m <= MAX_M):
        raise ValueError(f"Argon2 parameters out of range: t={t}, m={m}, p={p}")


def _argon2id(password: str, salt: bytes, t: int, m: int, p: int) -> bytes:
    """Derive the KEK or the password hash from the NFC-normalised password."""
    _check_params(t, m, p)
    kdf = Argon2id(salt=salt, length=DERIVED_SIZE, iterations=t, lanes=p, memory_cost=m)
    return kdf.derive(_nfc_utf8(password))


def _aad(user_id: str, key_id: str) -> bytes:
    """Bind the record to its owner and key id; newlines would make this ambiguous."""
    if "\n" in user_id or "\n" in key_id:
        raise ValueError("user id and key id must not contain a newline")
    return _AAD_PREFIX + f"{user_id}\n{key_id}\n".encode() + b"ed25519"


def _b64encode(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _b64decode(value: object, size: int) -> bytes:
    """Decode a canonical base64 field of exactly ``size`` bytes, else ValueError."""
    if not isinstance(value, str):
        raise ValueError("not a base64 string")
    raw = base64.b64decode(value.encode("ascii"), validate=True)
    if len(raw) != size or _b64encode(raw) != value:
        raise ValueError("wrong size or non-canonical base64")
    return raw


def wrap_seed(
    seed: bytes,
    password: str,
    user_id: str,
    key_id: str,
    *,
    t: int = DEFAULT_T,
    m: int = DEFAULT_M,
    p: int = DEFAULT_P,
) -> dict[str, int | str]:
    """Wrap a 32-byte Ed25519 seed under ``password`` for ``user_id``/``key_id``."""
    if len(seed) != SEED_SIZE:
        raise ValueError("an Ed25519 seed is 32 bytes")
    aad = _aad(user_id, key_id)
    salt = os.urandom(SALT_SIZE)
    nonce = os.urandom(NONCE_SIZE)
    ct = AESGCM(_argon2id(password, salt, t, m, p)).encrypt(nonce, seed, aad)
    return {
        "v": 1,
        "alg": "ed25519",
        "kdf": "argon2id",
        "t": t,
        "m": m,
        "p": p,
        "salt": _b64encode(salt),
        "nonce": _b64encode(nonce),
        "ct": _b64encode(ct),
    }


def unwrap_seed(
    wrapped: Mapping[str, object], password: str, user_id: str, key_id: str
) -> bytes:
    """Return the seed, or raise ``KeyUnwrapError`` with one plain message.

    Every failure gives the same message, so the answer does not tell an attacker
    whether the password or the record was wrong.
    """
    aad = _aad(user_id, key_id)
    try:
        t, m, p, salt, nonce, ct = _parse_record(wrapped)
        return AESGCM(_argon2id(password, salt, t, m, p)).decrypt(nonce, ct, aad)
    except (InvalidTag, ValueError) as exc:
        raise KeyUnwrapError(_UNWRAP_FAILED) from exc


def _parse_record(
    wrapped: Mapping[str, object],
) -> tuple[int, int, int, bytes, bytes, bytes]:
    """Check the record's shape; any deviation raises ValueError."""
    if set(wrapped) != _FIELDS:
        raise ValueError("unexpected fields")
    header = (wrapped["v"], wrapped["alg"], wrapped["kdf"])
    if type(header[0]) is not int or header != (1, "ed25519", "argon2id"):
        raise ValueError("unknown record version or algorithm")
    t, m, p = wrapped["t"], wrapped["m"], wrapped["p"]
    if type(t) is not int or type(m) is not int or type(p) is not int:
        raise ValueError("Argon2 parameters must be integers")
    return (
        t,
        m,
        p,
        _b64decode(wrapped["salt"], SALT_SIZE),
        _b64decode(wrapped["nonce"], NONCE_SIZE),
        _b64decode(wrapped["ct"], SEED_SIZE + 16),
    )


def rewrap(
    wrapped: Mapping[str, object],
    old_password: str,
    new_password: str,
    user_id: str,
    key_id: str,
    *,
    t: int = DEFAULT_T,
    m: int = DEFAULT_M,
    p: int = DEFAULT_P,
) -> dict[str, int | str]:
    """Re-encrypt the same seed under a new password or new Argon2 parameters.

    The seed, hence the public key and key id, stays the same: a password change
    writes no ledger event (§4.4).
    """
    seed = unwrap_seed(wrapped, old_password, user_id, key_id)
    return wrap_seed(seed, new_password, user_id, key_id, t=t, m=m, p=p)


def hash_password(
    password: str, *, t: int = DEFAULT_T, m: int = DEFAULT_M, p: int = DEFAULT_P
) -> str:
    """Hash a login password as ``argon2id$t$m$p$<base64 salt>$<base64 hash>``."""
    salt = os.urandom(SALT_SIZE)
    digest = _argon2id(password, salt, t, m, p)
    return f"argon2id${t}${m}${p}${_b64encode(salt)}${_b64encode(digest)}"


def check_password(stored: str, password: str) -> bool:
    """Return whether ``password`` matches ``stored``.

    A malformed stored value matches nothing, so a damaged record locks the
    account rather than opening it.
    """
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] != "argon2id":
        return False
    t_text, m_text, p_text, salt_b64, digest_b64 = parts[1:]
    if not all(x.isascii() and x.isdigit() for x in (t_text, m_text, p_text)):
        return False
    try:
        salt = _b64decode(salt_b64, SALT_SIZE)
        expected = _b64decode(digest_b64, DERIVED_SIZE)
        actual = _argon2id(password, salt, int(t_text), int(m_text), int(p_text))
    except ValueError:
        return False
    return hmac.compare_digest(actual, expected)
