"""Signed envelopes of the vote stream and the exported election record (§10.1, §11).

Until the vote aggregates are wired into the project ledger, the in-memory protocol
(``votes.protocol``) writes its events through this module, which produces exactly
the ledger's envelope (ledger.md §3): content keys, canonical bytes, the
``kiemdiem-event/v1`` signing prefix, the per-stream ``prev`` link and the binary
envelope whose SHA-256 is the event hash.  The exported record is one canonical JSON
line per envelope, ``{"content": …, "key_id": …, "sig": …}``, in ledger order, then
one trailer line with the role public keys from the key registry.

Times in the vote stream are at minute precision, and ``VoteBallotCast`` carries only
the date of ``VoteVotingOpened`` (midnight UTC) so the record cannot order ballots
finer than their position.  Both keep the ledger's fixed ``ts`` format.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from votes.canon import canonical
from votes.credentials import public_bytes

MAGIC = b"KDL\x01"
EVENT_PREFIX = b"kiemdiem-event/v1\n"
RECORD_FORMAT = "kiemdiem-vote-record/v1"


def key_id(public: bytes) -> bytes:
    """SHA-256(raw public key)[:16], as in ledger.md §3.1."""
    return hashlib.sha256(public).digest()[:16]


def minute_ts(moment: datetime) -> str:
    """A UTC time truncated to the minute, in the ledger's fixed format."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:00.000000Z")


def date_ts(day: date) -> str:
    """The date-only time of a ``VoteBallotCast`` envelope (§10.1)."""
    return f"{day.isoformat()}T00:00:00.000000Z"


@dataclass(frozen=True, slots=True)
class Signer:
    """An actor and the Ed25519 key it signs events with."""

    actor: str
    key: Ed25519PrivateKey

    @property
    def public(self) -> bytes:
        return public_bytes(self.key)

    @property
    def key_id(self) -> bytes:
        return key_id(self.public)


@dataclass(frozen=True, slots=True)
class Envelope:
    """One stored event: canonical content, signer key id and signature."""

    content: dict[str, Any]
    key_id: bytes
    signature: bytes

    @property
    def content_bytes(self) -> bytes:
        return canonical(self.content)

    @property
    def envelope_bytes(self) -> bytes:
        return MAGIC + self.key_id + self.signature + self.content_bytes

    @property
    def event_hash(self) -> bytes:
        return hashlib.sha256(self.envelope_bytes).digest()

    @property
    def topic(self) -> str:
        return str(self.content["topic"])

    @property
    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = self.content["body"]
        return body

    def to_line(self) -> bytes:
        return canonical(
            {
                "content": self.content,
                "key_id": self.key_id.hex(),
                "sig": self.signature.hex(),
            }
        )


def seal(content: dict[str, Any], signer: Signer) -> Envelope:
    """Sign already-complete content (its ``key_id`` must name the signer)."""
    signature = signer.key.sign(EVENT_PREFIX + canonical(content))
    return Envelope(content, signer.key_id, signature)


class RecordWriter:
    """Appends events to one vote stream and exports the record."""

    def __init__(self, log: str, stream: str) -> None:
        self.log = log
        self.stream = stream
        self.envelopes: list[Envelope] = []

    def append(
        self, topic: str, body: dict[str, Any], signer: Signer, ts: str
    ) -> Envelope:
        """Chain, sign and store one event; returns its envelope."""
        previous = self.envelopes[-1].event_hash.hex() if self.envelopes else None
        content = {
            "actor": signer.actor,
            "body": body,
            "key_id": signer.key_id.hex(),
            "log": self.log,
            "prev": previous,
            "stream": self.stream,
            "topic": topic,
            "ts": ts,
            "v": 1,
            "ver": len(self.envelopes) + 1,
        }
        envelope = seal(content, signer)
        self.envelopes.append(envelope)
        return envelope

    def export(
        self,
        signers: list[Signer],
        members: Sequence[tuple[str, Signer]] = (),
    ) -> bytes:
        """JSON Lines: every envelope, then the role keys (sorted by key id) and,
        in mode B, the eligible members' account keys (sorted by key)."""
        keys = sorted(
            (
                {
                    "actor": s.actor,
                    "key_id": s.key_id.hex(),
                    "public_key": s.public.hex(),
                }
                for s in {s.key_id: s for s in signers}.values()
            ),
            key=lambda entry: entry["key_id"],
        )
        lines = [envelope.to_line() for envelope in self.envelopes]
        trailer: dict[str, Any] = {"keys": keys, "record": RECORD_FORMAT}
        if members:
            trailer["members"] = [
                {
                    "actor": signer.actor,
                    "key_id": signer.key_id.hex(),
                    "member_id": member,
                    "public_key": signer.public.hex(),
                }
                for member, signer in sorted(members, key=lambda m: m[1].public)
            ]
        lines.append(canonical(trailer))
        return b"".join(line + b"\n" for line in lines)
