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
