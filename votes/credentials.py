"""Credential slips for mode A and Ed25519 key validity (votes.md §3.6, §4.6).

A slip carries 18 random bytes K plus a 2-byte checksum bound to the election id, so a
mistyped code or a slip from another election is caught in the booth before anything
is signed.  The credential key is derived from K with HKDF so that the slip is the only
secret: the chair's tool can forget everything after printing.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from votes.group import SYSTEM_RANDOMNESS, Randomness

SLIP_SECRET_BYTES = 18
CHECKSUM_PREFIX = b"kiemdiem/vote/v1/credential-check\n"
CREDENTIAL_INFO = b"kiemdiem/vote/v1/credential"
QR_PREFIX = "KDVOTE1:"

# Encodings of the Ed25519 points of small order, compared with the sign bit masked
# (the libsodium blocklist).  It covers the eight canonical small-order encodings and
# the non-canonical y = p and y = p + 1; a signature under such a key can be made to
# verify for many messages, so these keys are never accepted as credentials.
_SMALL_ORDER_Y = tuple(
    bytes.fromhex(h)
    for h in (
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0100000000000000000000000000000000000000000000000000000000000000",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    )
)


class CredentialError(ValueError):
    """A slip code or public key that must not be used."""


def is_small_order(public: bytes) -> bool:
    """True when the encoding names a point of small order (sign bit ignored)."""
    masked = public[:31] + bytes([public[31] & 0x7F])
    return masked in _SMALL_ORDER_Y


def load_ed25519_public(public: bytes) -> Ed25519PublicKey:
    """Load a public key that is valid in the sense of §3.6, or raise."""
    if len(public) != 32:
        raise CredentialError("an Ed25519 public key is 32 bytes")
    if is_small_order(public):
        raise CredentialError("small-order Ed25519 public key")
    try:
        return Ed25519PublicKey.from_public_bytes(public)
    except ValueError as exc:
        raise CredentialError("not an Ed25519 public key") from exc


def public_bytes(key: Ed25519PrivateKey) -> bytes:
    """The raw 32-byte public key."""
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def _checksum(election_id: str, secret: bytes) -> bytes:
    digest = hashlib.sha256(CHECKSUM_PREFIX + election_id.encode() + secret).digest()
    return digest[:2]


def _group(text: str, size: int = 4) -> str:
    return "-".join(text[i : i + size] for i in range(0, len(text), size))


@dataclass(frozen=True, slots=True)
class Slip:
    """What is printed on one slip, plus the key it unlocks (never stored)."""

    election_id: str
    secret: bytes

    @property
    def code(self) -> str:
        """32 base32 characters printed as 8 groups of 4."""
        raw = self.secret + _checksum(self.election_id, self.secret)
        return _group(base64.b32encode(raw).decode("ascii"))

    @property
    def qr_payload(self) -> str:
        return f"{QR_PREFIX}{self.election_id}:{self.code.replace('-', '')}"

    @property
    def seed(self) -> bytes:
        hkdf = HKDF(
            algorithm=hashes.SHA256(),
            length=32,
            salt=self.election_id.encode(),
            info=CREDENTIAL_INFO,
        )
        return hkdf.derive(self.secret)

    @property
    def private_key(self) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(self.seed)

    @property
    def credential_pub(self) -> bytes:
        return public_bytes(self.private_key)


def new_slip(election_id: str, rng: Randomness = SYSTEM_RANDOMNESS) -> Slip:
    """A fresh slip with K drawn from rng."""
    return Slip(election_id, rng.random_bytes(SLIP_SECRET_BYTES))


def parse_code(election_id: str, typed: str) -> Slip:
    """Normalise a typed code (case, spaces, hyphens) and check length and checksum."""
    text = typed.upper().replace(" ", "").replace("-", "")
    if len(text) != 32:
        raise CredentialError("a slip code has 32 characters")
    try:
        raw = base64.b32decode(text)
    except ValueError as exc:
        raise CredentialError("not a base32 slip code") from exc
    secret, check = raw[:SLIP_SECRET_BYTES], raw[SLIP_SECRET_BYTES:]
    if _checksum(election_id, secret) != check:
        raise CredentialError("checksum mismatch: mistyped code or another election")
    return Slip(election_id, secret)


def parse_qr(election_id: str, payload: str) -> Slip:
    """Parse a QR payload and refuse a slip printed for another election."""
    prefix, _, rest = payload.partition(":")
    scanned_id, _, code = rest.rpartition(":")
    if prefix + ":" != QR_PREFIX or not code:
        raise CredentialError("not a kiemdiem slip QR code")
    if scanned_id != election_id:
        raise CredentialError("the slip belongs to another election")
    return parse_code(election_id, code)
