"""A signing key unlocked at sign-in, kept for the session in any process
(khóa ký theo phiên).

gunicorn runs one worker per core, and a user's next request may reach another
worker than the one that checked their password. The unlocked key is sealed with
AES-256-GCM under a key derived (HKDF-SHA256) from the session's cookie token,
which the server never stores (the session row keys on the token's SHA-256). So
the row alone cannot sign (no token), the cookie alone cannot either (the row is
cleared when the session ends), and every worker that sees the cookie can.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ledger.signing import Signer

INFO = b"kiemdiem/session-key/v1"
NONCE_BYTES = 12


def _sealing_key(token: str) -> AESGCM:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=INFO).derive(
        token.encode("utf-8")
    )
    return AESGCM(derived)


def seal(token: str, signer: Signer) -> str:
    """The signer's private key sealed for this session (hex: nonce ‖ ciphertext);
    the actor is bound as associated data, so a sealed key opens only as its own."""
    nonce = os.urandom(NONCE_BYTES)
    sealed = _sealing_key(token).encrypt(
        nonce, signer.private_key.private_bytes_raw(), signer.actor.encode("utf-8")
    )
    return (nonce + sealed).hex()


def unseal(token: str, sealed: str, actor: str) -> Signer | None:
    """The signer back, or None if the token or the actor does not match."""
    try:
        raw = bytes.fromhex(sealed)
        key = _sealing_key(token).decrypt(
            raw[:NONCE_BYTES], raw[NONCE_BYTES:], actor.encode("utf-8")
        )
    except (ValueError, InvalidTag):
        return None
    return Signer(actor, Ed25519PrivateKey.from_private_bytes(key))
