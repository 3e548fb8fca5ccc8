"""Checkpoint cosignatures as ledger events (ledger.md §7).

An inspection-committee member checks a checkpoint on their own machine, signs a
C2SP ``tlog-cosignature/v1`` line with their own key (``kiemdiem cosign``), and
uploads it; the server checks the line against the member's registered key and
records ``CheckpointCosigned{size, root, cosigner_name, line}``, signed by that same
member. ``ledger.verify`` re-checks every such event against the recomputed roots.

Each (cosigner, size) pair has its own stream, so a member cosigns a size once.
The stored topic is ``ledger.cosign:CheckpointCosignature.CheckpointCosigned``
(signed content: never rename it).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from eventsourcing.domain import Aggregate, event

from ledger import note

COSIGNATURES_NAMESPACE = uuid5(NAMESPACE_URL, "https://kiemdiem/ns/ledger-cosignatures")
COSIGNED_TOPIC = "ledger.cosign:CheckpointCosignature.CheckpointCosigned"
COMMITTEE_SEGMENT = "ubkt"


def cosigner_name_for(origin: str, user_id: UUID | str) -> str:
    """The signed-note key name of an inspection-committee member's key."""
    return f"{origin}/{COMMITTEE_SEGMENT}/{user_id}"


def cosignature_stream_id(cosigner_name: str, size: int) -> UUID:
    return uuid5(COSIGNATURES_NAMESPACE, f"{cosigner_name}\n{size}")


class CheckpointCosignature(Aggregate):
    """One member's cosignature of one checkpoint."""

    @staticmethod
    def create_id(cosigner_name: str, size: int, **_: Any) -> UUID:
        return cosignature_stream_id(cosigner_name, size)

    @event("CheckpointCosigned")
    def __init__(self, size: int, root: str, cosigner_name: str, line: str) -> None:
        self.size = size
        self.root = root
        self.cosigner_name = cosigner_name
        self.line = line


def check_line(
    line: str,
    *,
    origin: str,
    size: int,
    root: bytes,
    cosigner_name: str,
    public_key_raw: bytes,
) -> int:
    """Verify ``line`` cosigns the checkpoint (origin, size, root); return its time.

    Raises ``note.NoteError`` in plain words when it does not.
    """
    body = note.Checkpoint(origin, size, root).body()
    public_key = Ed25519PublicKey.from_public_bytes(public_key_raw)
    return note.verify_cosignature(line, body, cosigner_name, public_key)


def record(
    *, size: int, root: bytes, cosigner_name: str, line: str
) -> CheckpointCosignature:
    """The event to save (signed by the cosigning member, in their command)."""
    return CheckpointCosignature(
        size=size,
        root=base64.b64encode(root).decode("ascii"),
        cosigner_name=cosigner_name,
        line=line if line.endswith("\n") else line + "\n",
    )


# -- the member's own machine: exported key and the cosignature line ------------------

EXPORT_FORMAT = "kiemdiem-exported-key/v1"


class ExportedKeyError(ValueError):
    """An exported key file that cannot cosign; ``reason`` says why, as a stable
    key: ``not_exported_key``, ``no_cosigner_name`` or ``key_mismatch``."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def export_key(
    *,
    origin: str,
    user_id: str,
    key_id: str,
    cosigner_name: str | None,
    wrapped: Mapping[str, Any],
) -> dict[str, Any]:
    """The member's wrapped key as a file (ledger.md §4.4 "Local export"): the
    vault record as it is, with what is needed to unwrap and use it."""
    return {
        "format": EXPORT_FORMAT,
        "origin": origin,
        "user_id": user_id,
        "key_id": key_id,
        "cosigner_name": cosigner_name,
        "wrapped": dict(wrapped),
    }


def unlock_exported(obj: Mapping[str, Any], password: str) -> tuple[str, Any]:
    """(cosigner name, Ed25519 private key) from an exported key file.

    Raises ``ExportedKeyError`` (a ``ValueError``) for a file that is not a
    cosigner's exported key, ``keywrap.KeyUnwrapError`` for a wrong password or an
    altered file, and ``ValueError``/``KeyError``/``TypeError`` for a broken one.
    """
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from ledger import keywrap
    from ledger.envelope import key_id_for
    from ledger.keys import public_key_raw

    if not isinstance(obj, Mapping) or obj.get("format") != EXPORT_FORMAT:
        msg = f"the key file is not a {EXPORT_FORMAT} document"
        raise ExportedKeyError(msg, "not_exported_key")
    name = obj.get("cosigner_name")
    if not isinstance(name, str) or not name:
        raise ExportedKeyError(
            "this key has no cosigner name: only an inspection-committee member's "
            "key can cosign (ask the administrator to issue a new key)",
            "no_cosigner_name",
        )
    seed = keywrap.unwrap_seed(
        obj["wrapped"], password, str(obj["user_id"]), str(obj["key_id"])
    )
    private_key = Ed25519PrivateKey.from_private_bytes(seed)
    if key_id_for(public_key_raw(private_key)).hex() != obj["key_id"]:
        msg = "the key file's key id does not match its key"
        raise ExportedKeyError(msg, "key_mismatch")
    return name, private_key


def checkpoint_body_of(note_bytes: bytes) -> str:
    """The checkpoint body of a signed note (text before the signatures), checked
    to be a strict tlog checkpoint. Raises ``note.NoteError``."""
    try:
        text = note_bytes.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise note.NoteError("the note is not UTF-8") from exc
    split = text.find("\n\n")
    if split < 0:
        raise note.NoteError("the note has no signatures")
    body = text[: split + 1]
    note.parse_checkpoint(body)
    return body
