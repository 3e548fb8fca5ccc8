"""C2SP signed notes, tlog checkpoints and tlog cosignatures (Ed25519 only).

Checkpoints are what auditors carry away from the server (ledger.md §6.3, §7), so
they use the public C2SP format that Go's ``golang.org/x/mod/sumdb/note``, Trillian,
Tessera and the witness networks already read. Parsing follows the Go rules: the
note is UTF-8 with no control character but newline, the text ends at the last
blank line, signature lines are ``— <name> <base64(key hash ‖ signature)>``.
Signatures from unknown keys are ignored (so keys can rotate and cosigners can be
added), a bad signature from a known key rejects the whole note, and a note with
no verified known signature is rejected. Every failure raises ``NoteError``.
"""

from __future__ import annotations

import base64
import binascii
import re
import struct
from collections.abc import Sequence
from dataclasses import dataclass, field
from hashlib import sha256

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

ALG_ED25519 = 0x01
ALG_COSIGNATURE_V1 = 0x04
MAX_SIGNATURES = 100
MAX_TIMESTAMP = 2**63 - 1
MAX_TREE_SIZE = 2**64 - 1

_SIG_PREFIX = "— "
_HEX8 = re.compile(r"[0-9a-f]{8}")
_DECIMAL = re.compile(r"0|[1-9][0-9]*")


class NoteError(ValueError):
    """A note, key, checkpoint or cosignature is malformed or does not verify.

    ``reason`` says which, as a stable key for the words a person reads (the
    catalogue's ``NOTE_REASONS``): ``malformed`` (the default), ``untrusted``
    (no valid signature of a trusted key), ``another_log``, ``wrong_key`` (a
    cosignature by another name or key) or ``bad_signature``. The message stays
    English, for logs and the technical detail.
    """

    def __init__(self, message: str, reason: str = "malformed") -> None:
        super().__init__(message)
        self.reason = reason


def _b64decode(text: str) -> bytes:
    """Decode canonical standard base64 only, so a signature has one spelling."""
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error) as exc:
        raise NoteError("value is not valid base64") from exc
    if base64.b64encode(raw).decode("ascii") != text:
        raise NoteError("value is not canonical base64")
    return raw


def _b64encode(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _is_valid_name(name: str) -> bool:
    """Key names are non-empty, without Unicode spaces or "+" (signed-note §Format)."""
    return bool(name) and "+" not in name and not any(c.isspace() for c in name)


def _check_name(name: str) -> None:
    if not _is_valid_name(name) or _has_control(name):
        raise NoteError(f"invalid key name {name!r}")


def _has_control(text: str) -> bool:
    return any(ord(c) < 0x20 and c != "\n" for c in text)


def key_hash(name: str, alg: int, public_key: Ed25519PublicKey) -> bytes:
    """Return SHA-256(name ‖ "\\n" ‖ alg ‖ public key)[:4], the signed-note key ID.

    The algorithm byte separates a key's note signatures (0x01) from its
    cosignatures (0x04), so one kind can never be replayed as the other.
    """
    data = name.encode("utf-8") + b"\n" + bytes([alg]) + public_key.public_bytes_raw()
    return sha256(data).digest()[:4]


@dataclass(frozen=True)
class NoteSigner:
    """A named Ed25519 key that signs notes (the log key, §4.5)."""

    name: str
    private_key: Ed25519PrivateKey = field(repr=False)

    def __post_init__(self) -> None:
        _check_name(self.name)

    @property
    def key_hash(self) -> bytes:
        return key_hash(self.name, ALG_ED25519, self.private_key.public_key())

    def verifier(self) -> NoteVerifier:
        """Return the matching verifier, for trust roots and tests."""
        public_key = self.private_key.public_key()
        return NoteVerifier(self.name, self.key_hash, public_key)


@dataclass(frozen=True)
class NoteVerifier:
    """A trusted named Ed25519 public key; the key hash is checked on creation."""

    name: str
    key_hash: bytes
    public_key: Ed25519PublicKey

    def __post_init__(self) -> None:
        _check_name(self.name)
        if self.key_hash != key_hash(self.name, ALG_ED25519, self.public_key):
            raise NoteError(f"key hash does not match the key named {self.name}")

    def verify(self, message: bytes, signature: bytes) -> bool:
        try:
            self.public_key.verify(signature, message)
        except InvalidSignature:
            return False
        return True


def _vkey(name: str, alg: int, public_key: Ed25519PublicKey) -> str:
    _check_name(name)
    hash_hex = key_hash(name, alg, public_key).hex()
    return (
        f"{name}+{hash_hex}+{_b64encode(bytes([alg]) + public_key.public_bytes_raw())}"
    )


def verifier_key_string(name: str, public_key: Ed25519PublicKey) -> str:
    """Encode a verifier key as ``<name>+<8 hex>+<base64(0x01 ‖ public key)>``."""
    return _vkey(name, ALG_ED25519, public_key)


def cosigner_key_string(name: str, public_key: Ed25519PublicKey) -> str:
    """Encode a cosigner (witness) key in vkey syntax with signature type 0x04."""
    return _vkey(name, ALG_COSIGNATURE_V1, public_key)


def _parse_vkey(text: str, alg: int) -> tuple[str, bytes, Ed25519PublicKey]:
    """Parse ``name+hash+base64(alg ‖ key)`` and check the hash, as Go's NewVerifier."""
    name, _, rest = text.partition("+")
    hash_hex, _, key_b64 = rest.partition("+")
    _check_name(name)
    if not _HEX8.fullmatch(hash_hex):
        raise NoteError("verifier key has a malformed key hash")
    raw = _b64decode(key_b64)
    if len(raw) != 33 or raw[0] != alg:
        raise NoteError("verifier key is not an Ed25519 key of the expected type")
    public_key = Ed25519PublicKey.from_public_bytes(raw[1:])
    expected = bytes.fromhex(hash_hex)
    if expected != key_hash(name, alg, public_key):
        raise NoteError("verifier key hash does not match its key")
    return name, expected, public_key


def parse_verifier_key(text: str) -> NoteVerifier:
    """Parse a note verifier key (type 0x01), e.g. a trust-root log key."""
    name, hash4, public_key = _parse_vkey(text, ALG_ED25519)
    return NoteVerifier(name, hash4, public_key)


def parse_cosigner_key(text: str) -> tuple[str, Ed25519PublicKey]:
    """Parse a cosigner key (type 0x04), e.g. a trust-root witness key."""
    name, _, public_key = _parse_vkey(text, ALG_COSIGNATURE_V1)
    return name, public_key


def signer_key_string(name: str, private_key: Ed25519PrivateKey) -> str:
    """Encode a signer key as Go does: ``PRIVATE+KEY+<name>+<hash>+<base64>``."""
    _check_name(name)
    seed = private_key.private_bytes_raw()
    hash_hex = key_hash(name, ALG_ED25519, private_key.public_key()).hex()
    return f"PRIVATE+KEY+{name}+{hash_hex}+{_b64encode(bytes([ALG_ED25519]) + seed)}"


def parse_signer_key(text: str) -> NoteSigner:
    """Parse a Go-format signer key and check its hash against the derived key."""
    if not text.startswith("PRIVATE+KEY+"):
        raise NoteError("signer key must start with PRIVATE+KEY+")
    name, _, rest = text.removeprefix("PRIVATE+KEY+").partition("+")
    hash_hex, _, key_b64 = rest.partition("+")
    _check_name(name)
    if not _HEX8.fullmatch(hash_hex):
        raise NoteError("signer key has a malformed key hash")
    raw = _b64decode(key_b64)
    if len(raw) != 33 or raw[0] != ALG_ED25519:
        raise NoteError("signer key is not an Ed25519 key")
    signer = NoteSigner(name, Ed25519PrivateKey.from_private_bytes(raw[1:]))
    if signer.key_hash != bytes.fromhex(hash_hex):
        raise NoteError("signer key hash does not match its key")
    return signer


def _check_text(text: str) -> None:
    if not text.endswith("\n"):
        raise NoteError("note text must end with a newline")
    if _has_control(text):
        raise NoteError("note text contains a control character")


def sign_note(text: str, signers: Sequence[NoteSigner]) -> bytes:
    """Sign ``text`` with every signer; several signers cover a key rotation."""
    _check_text(text)
    if not signers:
        raise NoteError("a note needs at least one signer")
    ids = {(s.name, s.key_hash) for s in signers}
    if len(ids) != len(signers):
        raise NoteError("the same key is listed twice among the signers")
    message = text.encode("utf-8")
    lines = []
    for signer in signers:
        signature = signer.private_key.sign(message)
        lines.append(
            f"{_SIG_PREFIX}{signer.name} {_b64encode(signer.key_hash + signature)}\n"
        )
    return message + b"\n" + "".join(lines).encode("utf-8")


@dataclass(frozen=True)
class OpenedNote:
    """A note whose known signatures all verified.

    ``verified`` lists the names of the keys that verified, in note order;
    ``unknown`` keeps, verbatim and with their newline, the signature lines of keys
    the caller did not pass (for example cosignatures, checked separately).
    """

    text: str
    verified: list[str]
    unknown: list[str]


def _decode_note(note: bytes) -> str:
    try:
        decoded = note.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NoteError("note is not valid UTF-8") from exc
    if _has_control(decoded):
        raise NoteError("note contains a control character")
    return decoded


def _split_signature_line(line: str) -> tuple[str, bytes]:
    """Split ``— <name> <base64>`` into the name and the decoded signature."""
    if not line.startswith(_SIG_PREFIX):
        raise NoteError("note has a line after the blank line that is not a signature")
    name, _, sig_b64 = line.removeprefix(_SIG_PREFIX).partition(" ")
    if not _is_valid_name(name) or not sig_b64:
        raise NoteError("note has a malformed signature line")
    return name, _b64decode(sig_b64)


def open_note(note: bytes, verifiers: Sequence[NoteVerifier]) -> OpenedNote:
    """Parse ``note`` and verify it against the trusted ``verifiers``."""
    decoded = _decode_note(note)
    split = decoded.rfind("\n\n")
    if split < 0:
        raise NoteError("note has no blank line before its signatures")
    text, block = decoded[: split + 1], decoded[split + 2 :]
    if not block.endswith("\n"):
        raise NoteError("note does not end with a complete signature line")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise NoteError(f"note has more than {MAX_SIGNATURES} signatures")

    known: dict[tuple[str, bytes], list[NoteVerifier]] = {}
    for v in verifiers:
        same = known.setdefault((v.name, v.key_hash), [])
        if all(o.public_key != v.public_key for o in same):
            same.append(v)

    message = text.encode("utf-8")
    verified: list[str] = []
    unknown: list[str] = []
    seen: set[tuple[str, bytes]] = set()
    for line in lines:
        name, raw = _split_signature_line(line)
        if len(raw) < 5:
            raise NoteError("note has a signature that is too short")
        key_id = (name, raw[:4])
        candidates = known.get(key_id)
        if candidates is None:
            if line + "\n" not in unknown:
                unknown.append(line + "\n")
            continue
        if len(candidates) > 1:
            raise NoteError(f"two trusted keys share the name and hash of {name}")
        if key_id in seen:
            continue
        seen.add(key_id)
        if not candidates[0].verify(message, raw[4:]):
            raise NoteError(
                f"invalid signature for trusted key {name}+{raw[:4].hex()}",
                "untrusted",
            )
        verified.append(name)
    if not verified:
        raise NoteError("note has no signature from a trusted key", "untrusted")
    return OpenedNote(text=text, verified=verified, unknown=unknown)


@dataclass(frozen=True)
class Checkpoint:
    """A tlog-checkpoint body: origin, tree size and root, with no extension lines."""

    origin: str
    size: int
    root: bytes

    def __post_init__(self) -> None:
        if not self.origin or "\n" in self.origin or _has_control(self.origin):
            raise NoteError("checkpoint origin must be one non-empty line")
        if type(self.size) is not int or not 0 <= self.size <= MAX_TREE_SIZE:
            raise NoteError("checkpoint size must be an integer in [0, 2^64)")
        if len(self.root) != 32:
            raise NoteError("checkpoint root must be 32 bytes")

    def body(self) -> str:
        return f"{self.origin}\n{self.size}\n{_b64encode(self.root)}\n"


def parse_checkpoint(text: str) -> Checkpoint:
    """Parse a checkpoint body strictly, refusing any spelling but the canonical one."""
    if not text.endswith("\n"):
        raise NoteError("checkpoint must end with a newline")
    lines = text[:-1].split("\n")
    if len(lines) != 3:
        raise NoteError("checkpoint must have exactly three lines (no extensions)")
    origin, size_text, root_b64 = lines
    if not _DECIMAL.fullmatch(size_text):
        raise NoteError("checkpoint size is not a plain decimal number")
    return Checkpoint(origin, int(size_text), _b64decode(root_b64))


def _cosigned_message(checkpoint_body: str, timestamp: int) -> bytes:
    parse_checkpoint(checkpoint_body)
    if type(timestamp) is not int or not 0 <= timestamp <= MAX_TIMESTAMP:
        raise NoteError("cosignature time must be an integer in [0, 2^63)")
    return f"cosignature/v1\ntime {timestamp}\n{checkpoint_body}".encode()


def cosign(
    checkpoint_body: str, name: str, private_key: Ed25519PrivateKey, timestamp: int
) -> str:
    """Return a tlog-cosignature/v1 line (ending in a newline) for the checkpoint."""
    _check_name(name)
    signature = private_key.sign(_cosigned_message(checkpoint_body, timestamp))
    key_id = key_hash(name, ALG_COSIGNATURE_V1, private_key.public_key())
    payload = key_id + struct.pack(">Q", timestamp) + signature
    return f"{_SIG_PREFIX}{name} {_b64encode(payload)}\n"


def verify_cosignature(
    line: str, checkpoint_body: str, name: str, public_key: Ed25519PublicKey
) -> int:
    """Verify a cosignature line by ``name``/``public_key``; return its Unix time.

    One trailing newline is optional, because lines pasted into a form lose it.
    """
    _check_name(name)
    line_name, raw = _split_signature_line(line.removesuffix("\n"))
    if line_name != name:
        raise NoteError(f"cosignature is by {line_name}, not {name}", "wrong_key")
    if len(raw) != 4 + 8 + 64:
        raise NoteError("cosignature has the wrong length")
    if raw[:4] != key_hash(name, ALG_COSIGNATURE_V1, public_key):
        raise NoteError(
            f"cosignature is not by the registered key of {name}", "wrong_key"
        )
    (timestamp,) = struct.unpack(">Q", raw[4:12])
    try:
        public_key.verify(raw[12:], _cosigned_message(checkpoint_body, timestamp))
    except InvalidSignature as exc:
        raise NoteError(f"invalid cosignature by {name}", "bad_signature") from exc
    return int(timestamp)
