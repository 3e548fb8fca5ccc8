"""ledger.keywrap: Ed25519 seeds wrapped under Argon2id + AES-256-GCM (§4.4, §11.10).

Tests use a small Argon2 memory cost so they stay fast; the record stores its own
parameters, so nothing else changes.
"""

from __future__ import annotations

import base64
import hashlib
import unicodedata

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ledger.keywrap import (
    KeyUnwrapError,
    check_password,
    hash_password,
    rewrap,
    unwrap_seed,
    wrap_seed,
)

FAST = {"t": 1, "m": 1024, "p": 1}
PASSWORD = "Mật khẩu đúng 2026"
USER = "u:7d0f3c1e-4b7a-4c55-9a55-3e1f6f0c2a11"
UNWRAP_MESSAGE = r"^wrong password or damaged key record$"


def new_key() -> tuple[bytes, str]:
    """Return a seed and its key id, SHA-256(public key)[:16] in hex (§3.1)."""
    private_key = Ed25519PrivateKey.generate()
    key_id = hashlib.sha256(private_key.public_key().public_bytes_raw()).digest()[:16]
    return private_key.private_bytes_raw(), key_id.hex()


def key_id_of(seed: bytes) -> str:
    public = Ed25519PrivateKey.from_private_bytes(seed).public_key()
    return hashlib.sha256(public.public_bytes_raw()).digest()[:16].hex()


def flip_field(record: dict[str, int | str], name: str) -> dict[str, int | str]:
    value = record[name]
    assert isinstance(value, str)
    raw = bytearray(base64.b64decode(value))
    raw[0] ^= 1
    return {**record, name: base64.b64encode(bytes(raw)).decode()}


def test_round_trip() -> None:
    seed, key_id = new_key()
    record = wrap_seed(seed, PASSWORD, USER, key_id, **FAST)
    assert unwrap_seed(record, PASSWORD, USER, key_id) == seed


def test_record_format() -> None:
    seed, key_id = new_key()
    record = wrap_seed(seed, PASSWORD, USER, key_id, t=2, m=2048, p=2)
    assert set(record) == {"v", "alg", "kdf", "t", "m", "p", "salt", "nonce", "ct"}
    assert (record["v"], record["alg"], record["kdf"]) == (1, "ed25519", "argon2id")
    assert (record["t"], record["m"], record["p"]) == (2, 2048, 2)
    sizes = {k: len(base64.b64decode(str(record[k]))) for k in ("salt", "nonce", "ct")}
    assert sizes == {"salt": 16, "nonce": 12, "ct": 48}


def test_default_parameters_are_the_policy_of_the_spec() -> None:
    seed, key_id = new_key()
    record = wrap_seed(seed, PASSWORD, USER, key_id)
    assert (record["t"], record["m"], record["p"]) == (3, 65536, 4)


def test_two_wraps_use_fresh_salt_and_nonce() -> None:
    seed, key_id = new_key()
    first = wrap_seed(seed, PASSWORD, USER, key_id, **FAST)
    second = wrap_seed(seed, PASSWORD, USER, key_id, **FAST)
    assert first["salt"] != second["salt"]
    assert first["nonce"] != second["nonce"]


def test_wrong_password_fails_cleanly() -> None:
    seed, key_id = new_key()
    record = wrap_seed(seed, PASSWORD, USER, key_id, **FAST)
    with pytest.raises(KeyUnwrapError, match=UNWRAP_MESSAGE):
        unwrap_seed(record, PASSWORD + "!", USER, key_id)


@pytest.mark.parametrize("name", ["salt", "nonce", "ct"])
def test_changed_salt_nonce_or_ciphertext_fails(name: str) -> None:
    seed, key_id = new_key()
    record = wrap_seed(seed, PASSWORD, USER, key_id, **FAST)
    with pytest.raises(KeyUnwrapError):
        unwrap_seed(flip_field(record, name), PASSWORD, USER, key_id)


@pytest.mark.parametrize(("name", "value"), [("t", 2), ("m", 2048), ("p", 2)])
def test_changed_kdf_parameters_fail(name: str, value: int) -> None:
    seed, key_id = new_key()
    record = wrap_seed(seed, PASSWORD, USER, key_id, **FAST)
    with pytest.raises(KeyUnwrapError):
        unwrap_seed({**record, name: value}, PASSWORD, USER, key_id)


def test_record_copied_to_another_user_fails() -> None:
    seed, key_id = new_key()
    record = wrap_seed(seed, PASSWORD, USER, key_id, **FAST)
    with pytest.raises(KeyUnwrapError):
        unwrap_seed(record, PASSWORD, "u:00000000-0000-4000-8000-000000000000", key_id)


def test_record_under_another_key_id_fails() -> None:
    seed, key_id = new_key()
    _, other_key_id = new_key()
    record = wrap_seed(seed, PASSWORD, USER, key_id, **FAST)
    with pytest.raises(KeyUnwrapError):
        unwrap_seed(record, PASSWORD, USER, other_key_id)


@pytest.mark.parametrize(
    "change",
    [
        {"v": 2},
        {"v": True},
        {"v": "1"},
        {"alg": "x25519"},
        {"kdf": "scrypt"},
        {"t": "1"},
        {"t": 0},
        {"m": 1 << 30},
        {"p": 0},
        {"salt": "c2FsdA=="},
        {"salt": 16},
        {"nonce": "not base64!"},
        {"ct": ""},
        {"extra": 1},
    ],
    ids=repr,
)
def test_malformed_record_fails_cleanly(change: dict[str, object]) -> None:
    seed, key_id = new_key()
    record: dict[str, object] = {**wrap_seed(seed, PASSWORD, USER, key_id, **FAST)}
    record.update(change)
    with pytest.raises(KeyUnwrapError, match=UNWRAP_MESSAGE):
        unwrap_seed(record, PASSWORD, USER, key_id)


def test_record_with_a_missing_field_fails_cleanly() -> None:
    seed, key_id = new_key()
    record = wrap_seed(seed, PASSWORD, USER, key_id, **FAST)
    del record["nonce"]
    with pytest.raises(KeyUnwrapError):
        unwrap_seed(record, PASSWORD, USER, key_id)


def test_non_canonical_base64_fails() -> None:
    seed, key_id = new_key()
    record = wrap_seed(seed, PASSWORD, USER, key_id, **FAST)
    salt = str(record["salt"])
    # Same 16 bytes, but with non-zero padding bits in the last character.
    last = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    nudged = salt[:-3] + last[last.index(salt[-3]) ^ 1] + "=="
    assert base64.b64decode(nudged) == base64.b64decode(salt)
    with pytest.raises(KeyUnwrapError):
        unwrap_seed({**record, "salt": nudged}, PASSWORD, USER, key_id)


def test_rewrap_keeps_the_seed_and_key_id() -> None:
    seed, key_id = new_key()
    record = wrap_seed(seed, PASSWORD, USER, key_id, **FAST)
    new_record = rewrap(record, PASSWORD, "mật khẩu mới", USER, key_id, **FAST)
    recovered = unwrap_seed(new_record, "mật khẩu mới", USER, key_id)
    assert recovered == seed
    assert key_id_of(recovered) == key_id
    assert new_record["ct"] != record["ct"]
    with pytest.raises(KeyUnwrapError):
        unwrap_seed(new_record, PASSWORD, USER, key_id)


def test_rewrap_can_raise_parameters() -> None:
    seed, key_id = new_key()
    record = wrap_seed(seed, PASSWORD, USER, key_id, **FAST)
    stronger = rewrap(record, PASSWORD, PASSWORD, USER, key_id, t=2, m=2048, p=2)
    assert (stronger["t"], stronger["m"], stronger["p"]) == (2, 2048, 2)
    assert unwrap_seed(stronger, PASSWORD, USER, key_id) == seed


def test_rewrap_with_wrong_old_password_fails() -> None:
    seed, key_id = new_key()
    record = wrap_seed(seed, PASSWORD, USER, key_id, **FAST)
    with pytest.raises(KeyUnwrapError):
        rewrap(record, "sai", "mới", USER, key_id, **FAST)


def test_nfc_and_nfd_passwords_are_equal() -> None:
    nfc = unicodedata.normalize("NFC", PASSWORD)
    nfd = unicodedata.normalize("NFD", PASSWORD)
    assert nfc != nfd
    seed, key_id = new_key()
    record = wrap_seed(seed, nfd, USER, key_id, **FAST)
    assert unwrap_seed(record, nfc, USER, key_id) == seed


@pytest.mark.parametrize(
    ("seed", "user", "params"),
    [
        (bytes(31), USER, FAST),
        (bytes(32), "u:a\nb", FAST),
        (bytes(32), USER, {"t": 0, "m": 1024, "p": 1}),
        (bytes(32), USER, {"t": 1, "m": 4, "p": 1}),
        (bytes(32), USER, {"t": 1, "m": 1024, "p": 0}),
    ],
)
def test_wrap_refuses_bad_input(seed: bytes, user: str, params: dict[str, int]) -> None:
    with pytest.raises(ValueError, match=r".") as info:
        wrap_seed(seed, PASSWORD, user, "k", **params)
    assert not isinstance(info.value, KeyUnwrapError)


# Login password hashes.


def test_password_hash_accepts_the_password() -> None:
    stored = hash_password(PASSWORD, **FAST)
    assert stored.startswith("argon2id$1$1024$1$")
    assert check_password(stored, PASSWORD)


def test_password_hash_rejects_another_password() -> None:
    stored = hash_password(PASSWORD, **FAST)
    assert not check_password(stored, PASSWORD + " ")


def test_password_hash_is_salted() -> None:
    assert hash_password(PASSWORD, **FAST) != hash_password(PASSWORD, **FAST)


def test_password_hash_normalises_to_nfc() -> None:
    stored = hash_password(unicodedata.normalize("NFD", PASSWORD), **FAST)
    assert check_password(stored, unicodedata.normalize("NFC", PASSWORD))


def test_tampered_password_hash_matches_nothing() -> None:
    stored = hash_password(PASSWORD, **FAST)
    head, digest = stored.rsplit("$", 1)
    raw = bytearray(base64.b64decode(digest))
    raw[0] ^= 1
    assert not check_password(
        f"{head}${base64.b64encode(bytes(raw)).decode()}", PASSWORD
    )


@pytest.mark.parametrize(
    "stored",
    [
        "",
        "argon2i$1$1024$1$AAAAAAAAAAAAAAAAAAAAAA==$" + "A" * 43 + "=",
        "argon2id$1$1024$1$AAAAAAAAAAAAAAAAAAAAAA==",
        "argon2id$x$1024$1$AAAAAAAAAAAAAAAAAAAAAA==$" + "A" * 43 + "=",
        "argon2id$1$1024$1$AAAA$" + "A" * 43 + "=",
        "argon2id$1$1024$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAA",
        "argon2id$0$1024$1$AAAAAAAAAAAAAAAAAAAAAA==$" + "A" * 43 + "=",
        "argon2id$1$99999999$1$AAAAAAAAAAAAAAAAAAAAAA==$" + "A" * 43 + "=",
    ],
)
def test_malformed_password_hash_matches_nothing(stored: str) -> None:
    assert not check_password(stored, PASSWORD)


def test_password_hash_of_another_algorithm_matches_nothing() -> None:
    stored = hash_password(PASSWORD, **FAST)
    assert not check_password(stored.replace("argon2id$", "argon2i$", 1), PASSWORD)
