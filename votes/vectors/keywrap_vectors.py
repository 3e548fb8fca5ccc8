"""Vectors of the wrapped signing key (ledger/keywrap.py's format), which the
booth reproduces in the browser."""

from __future__ import annotations

import base64
import hashlib
import unicodedata
import uuid
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ledger import keywrap
from votes.credentials import (
    public_bytes,
)


def _fixed(label: str, size: int) -> bytes:
    """Fixed test bytes: SHA-512("kiemdiem/keywrap/test-vector\n" || label)[:size]."""
    return hashlib.sha512(b"kiemdiem/keywrap/test-vector\n" + label.encode()).digest()[
        :size
    ]


def _wrap_fixed(
    seed: bytes,
    password: str,
    user_id: str,
    key_id: str,
    label: str,
    *,
    t: int,
    m: int,
    p: int,
) -> dict[str, int | str]:
    """ledger.keywrap.wrap_seed with a fixed salt and nonce (vectors only)."""
    salt, nonce = _fixed(label + "/salt", 16), _fixed(label + "/nonce", 12)
    kek = keywrap._argon2id(password, salt, t, m, p)
    aad = keywrap._aad(user_id, key_id)
    ct = AESGCM(kek).encrypt(nonce, seed, aad)
    b64 = keywrap._b64encode
    return {
        "alg": "ed25519",
        "ct": b64(ct),
        "kdf": "argon2id",
        "m": m,
        "nonce": b64(nonce),
        "p": p,
        "salt": b64(salt),
        "t": t,
        "v": 1,
    }


def keywrap_vectors() -> dict[str, Any]:
    """The mode B booth opens a member's wrapped key in the browser exactly as
    ledger/keywrap.py does: Argon2id over the NFC UTF-8 password, AES-256-GCM with
    AAD "kiemdiem-keywrap/v1\n" || user id "\n" key id "\n" "ed25519"."""
    cases: list[dict[str, Any]] = []
    invalid: list[dict[str, Any]] = []
    settings = [
        (
            "production",
            "Mật khẩu bỏ phiếu 2025",
            keywrap.DEFAULT_T,
            keywrap.DEFAULT_M,
            keywrap.DEFAULT_P,
        ),
        ("small", "mat-khau", 1, 64, 1),
        # Typed in decomposed form (some Vietnamese input methods): NFC first.
        ("decomposed", unicodedata.normalize("NFD", "Tín nhiệm cao"), 2, 256, 2),
    ]
    for label, password, t, m, p in settings:
        seed = _fixed(label + "/seed", 32)
        public = public_bytes(Ed25519PrivateKey.from_private_bytes(seed))
        kid = hashlib.sha256(public).digest()[:16].hex()
        user = str(uuid.UUID(bytes=_fixed(label + "/user", 16), version=4))
        wrapped = _wrap_fixed(seed, password, user, kid, label, t=t, m=m, p=p)
        if keywrap.unwrap_seed(wrapped, password, user, kid) != seed:
            raise AssertionError(f"keywrap vector {label!r} does not open")
        cases.append(
            {
                "key_id": kid,
                "label": label,
                "password": password,
                "public_key": public.hex(),
                "seed": seed.hex(),
                "user_id": user,
                "wrapped": wrapped,
            }
        )
    base = cases[1]

    def changed(**fields: Any) -> dict[str, Any]:
        record: dict[str, Any] = dict(base["wrapped"])
        for key, value in fields.items():
            if value is None:
                record.pop(key)
            else:
                record[key] = value
        return record

    ct = base64.b64decode(str(base["wrapped"]["ct"]))
    flipped = base64.b64encode(bytes([ct[0] ^ 1]) + ct[1:]).decode()
    salt = str(base["wrapped"]["salt"])
    # 16 bytes: the 22nd character carries 2 bits and 4 zero bits; set one of
    # those: base64 still decodes to the same bytes, but not canonically.
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    loose = salt[:21] + alphabet[alphabet.index(salt[21]) ^ 1] + salt[22:]
    refusals: list[tuple[str, dict[str, Any], str | None, str | None, str | None]] = [
        ("wrong password", base["wrapped"], "mat-khau-khac", None, None),
        ("record of another user", base["wrapped"], None, str(uuid.UUID(int=1)), None),
        ("another key id", base["wrapped"], None, None, "00" * 16),
        ("changed ciphertext", changed(ct=flipped), None, None, None),
        (
            "non-canonical base64",
            changed(salt=loose),
            None,
            None,
            None,
        ),
        ("extra field", changed(x=1), None, None, None),
        ("missing field", changed(nonce=None), None, None, None),
        ("unknown version", changed(v=2), None, None, None),
        ("memory above the cap", changed(m=keywrap.MAX_M + 1), None, None, None),
        ("memory below 8·p", changed(m=7), None, None, None),
        ("parameter not an integer", changed(t="1"), None, None, None),
    ]
    for reason, record, typed, other_user, other_kid in refusals:
        case: dict[str, Any] = {
            "key_id": other_kid or base["key_id"],
            "password": typed or base["password"],
            "reason": reason,
            "user_id": other_user or base["user_id"],
            "wrapped": record,
        }
        try:
            keywrap.unwrap_seed(
                record, case["password"], case["user_id"], case["key_id"]
            )
        except keywrap.KeyUnwrapError:
            invalid.append(case)
        else:  # pragma: no cover - the generator refuses a false claim
            raise AssertionError(f"keywrap vector {reason!r} opens in Python")
    return {
        "aad_prefix": "kiemdiem-keywrap/v1\n",
        "caps": {
            "max_m": keywrap.MAX_M,
            "max_p": keywrap.MAX_P,
            "max_t": keywrap.MAX_T,
        },
        "cases": cases,
        "invalid": invalid,
    }


# -- files -------------------------------------------------------------------------
