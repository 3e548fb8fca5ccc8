"""Dealerless t-of-n key ceremony (votes.md §5) and the election fingerprint (§4.3).

Each trustee deals a random polynomial of degree t−1 and publishes Feldman commitments
with Schnorr proofs of knowledge of every coefficient; the proofs stop a trustee from
choosing its commitment as a function of the others' (rogue-key).  Shares travel
encrypted to each recipient's per-election X25519 key, bound to the manifest and to the
(sender, recipient) pair through the HKDF info and the AEAD associated data, so a share
ciphertext cannot be replayed into another election or redirected.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import (
    X25519PrivateKey,
    X25519PublicKey,
)
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from votes.canon import canonical
from votes.group import (
    IDENTITY,
    SYSTEM_RANDOMNESS,
    ZERO,
    L,
    Point,
    Randomness,
    Scalar,
    add,
    base_mul,
    decode_scalar,
    mul,
    scalar_add,
    scalar_from_int,
    scalar_mul,
)
from votes.proofs import SchnorrProof, prove_knowledge, verify_knowledge
from votes.transcript import int32

SHARE_INFO = b"kiemdiem/vote/v1/share"
FINGERPRINT_PREFIX = b"kiemdiem/vote/v1/fingerprint\n"


class CeremonyError(ValueError):
    """A ceremony message that fails its check; the ceremony must be aborted."""


def default_threshold(n: int) -> int:
    """t = ⌊n/2⌋ + 1 (3-of-5, 2-of-3, 4-of-7)."""
    return n // 2 + 1


@dataclass(frozen=True, slots=True)
class Dealing:
    """One trustee's polynomial and its public commitments with proofs."""

    index: int
    coefficients: tuple[Scalar, ...]
    commitments: tuple[Point, ...]
    proofs: tuple[SchnorrProof, ...]

    def share_for(self, j: int) -> Scalar:
        """s_{i,j} = f_i(j) mod L, by Horner's rule through libsodium."""
        x = scalar_from_int(j)
        acc = ZERO
        for coefficient in reversed(self.coefficients):
            acc = scalar_add(scalar_mul(acc, x), coefficient)
        return acc


def deal(
    manifest_hash: bytes,
    index: int,
    threshold: int,
    rng: Randomness = SYSTEM_RANDOMNESS,
) -> Dealing:
    """Draw a_{i,0..t−1}, then one proof nonce per coefficient, in that order."""
    coefficients = tuple(rng.scalar() for _ in range(threshold))
    commitments = tuple(base_mul(a) for a in coefficients)
    proofs = tuple(
        prove_knowledge(manifest_hash, index, kappa, a, rng)
        for kappa, a in enumerate(coefficients)
    )
    return Dealing(index, coefficients, commitments, proofs)


def check_commitments(
    manifest_hash: bytes,
    index: int,
    threshold: int,
    commitments: Sequence[Point],
    proofs: Sequence[SchnorrProof],
) -> None:
    """Count, non-identity and proof of knowledge for every coefficient (§5 step 2)."""
    if len(commitments) != threshold or len(proofs) != threshold:
        raise CeremonyError(f"trustee {index} must publish {threshold} commitments")
    for kappa, (commitment, proof) in enumerate(zip(commitments, proofs, strict=True)):
        if commitment == IDENTITY:
            raise CeremonyError(f"trustee {index} commitment {kappa} is the identity")
        if not verify_knowledge(manifest_hash, index, kappa, commitment, proof):
            raise CeremonyError(f"trustee {index} proof of knowledge {kappa} invalid")


def evaluate_commitments(commitments: Sequence[Point], j: int) -> Point:
    """Σ_κ j^κ·C_κ: the public image of f(j); j^κ is public, so plain pow is fine."""
    total = IDENTITY
    for kappa, commitment in enumerate(commitments):
        total = add(total, mul(scalar_from_int(pow(j, kappa, L)), commitment))
    return total


def check_share(commitments: Sequence[Point], j: int, share: Scalar) -> bool:
    """s_{i,j}·G = Σ_κ j^κ·C_{i,κ} (§5 step 4)."""
    return base_mul(share) == evaluate_commitments(commitments, j)


def x25519_public(private: X25519PrivateKey) -> bytes:
    return private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def _share_key(
    manifest_hash: bytes, shared: bytes, sender: int, recipient: int
) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=manifest_hash,
        info=SHARE_INFO + int32(sender) + int32(recipient),
    ).derive(shared)


@dataclass(frozen=True, slots=True)
class EncryptedShare:
    """The body of ``VoteTrusteeShareSent`` in bytes."""

    sender: int
    recipient: int
    ephemeral_pub: bytes
    nonce: bytes
    ciphertext: bytes


def encrypt_share(
    manifest_hash: bytes,
    sender: int,
    recipient: int,
    recipient_transport_pub: bytes,
    share: Scalar,
    rng: Randomness = SYSTEM_RANDOMNESS,
) -> EncryptedShare:
    """Encrypt s_{i,j}; draws the 32-byte ephemeral key, then the 12-byte nonce."""
    ephemeral = X25519PrivateKey.from_private_bytes(rng.random_bytes(32))
    nonce = rng.random_bytes(12)
    shared = ephemeral.exchange(
        X25519PublicKey.from_public_bytes(recipient_transport_pub)
    )
    key = _share_key(manifest_hash, shared, sender, recipient)
    aad = manifest_hash + int32(sender) + int32(recipient)
    ciphertext = ChaCha20Poly1305(key).encrypt(nonce, share, aad)
    return EncryptedShare(
        sender, recipient, x25519_public(ephemeral), nonce, ciphertext
    )


def decrypt_share(
    manifest_hash: bytes, transport_key: X25519PrivateKey, message: EncryptedShare
) -> Scalar:
    """Decrypt and decode a share; any failure is grounds for a complaint."""
    try:
        shared = transport_key.exchange(
            X25519PublicKey.from_public_bytes(message.ephemeral_pub)
        )
        key = _share_key(manifest_hash, shared, message.sender, message.recipient)
        aad = manifest_hash + int32(message.sender) + int32(message.recipient)
        plaintext = ChaCha20Poly1305(key).decrypt(
            message.nonce, message.ciphertext, aad
        )
        return decode_scalar(plaintext)
    except (ValueError, InvalidTag) as exc:
        raise CeremonyError(f"share from trustee {message.sender} unreadable") from exc


def combine_shares(shares: Sequence[Scalar]) -> Scalar:
    """s_j = Σ_i s_{i,j}, trustee j's key share."""
    total = ZERO
    for share in shares:
        total = scalar_add(total, share)
    return total


def election_key(all_commitments: Sequence[Sequence[Point]]) -> Point:
    """Y = Σ_i C_{i,0}."""
    total = IDENTITY
    for commitments in all_commitments:
        total = add(total, commitments[0])
    return total


def verification_key(all_commitments: Sequence[Sequence[Point]], j: int) -> Point:
    """V_j = Σ_i Σ_κ j^κ·C_{i,κ} = s_j·G."""
    total = IDENTITY
    for commitments in all_commitments:
        total = add(total, evaluate_commitments(commitments, j))
    return total


def fingerprint(
    manifest_hash: bytes,
    all_commitments: Sequence[Sequence[Point]],
    key: Point,
    verification_keys: Sequence[Point],
) -> bytes:
    """The election fingerprint of §4.3, bound into every ballot proof."""
    obj = {
        "commitments": [[c.hex() for c in row] for row in all_commitments],
        "election_key": key.hex(),
        "manifest_hash": manifest_hash.hex(),
        "verification_keys": [v.hex() for v in verification_keys],
    }
    return hashlib.sha256(FINGERPRINT_PREFIX + canonical(obj)).digest()


def short_fingerprint(digest: bytes) -> str:
    """base32 of the first 80 bits in four groups of four, read out in the room."""
    text = base64.b32encode(digest[:10]).decode("ascii")
    return "-".join(text[i : i + 4] for i in range(0, 16, 4))
