"""The election record of a vote (hồ sơ cuộc bỏ phiếu; votes.md §10.1), rebuilt
from the vote's stored envelopes: never kept twice."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from ledger import envelope
from ledger.app import LedgerApplication
from services.errors import NotFoundError
from votes.aggregates import Vote
from votes.canon import canonical
from votes.record import RECORD_FORMAT


def election_record(ledger: LedgerApplication, vote: UUID, current: Vote) -> bytes:
    """The vote stream as JSON Lines, rebuilt from the stored envelopes, then
    the signers' public keys from the key registry (the verifier's input)."""
    stored = ledger.recorder.select_events(vote)
    if not stored:
        raise NotFoundError("vote.not_found", id=str(vote))
    registry = ledger.key_registry()
    lines: list[bytes] = []
    signers: dict[str, tuple[str, bytes]] = {}
    for row in stored:
        env = envelope.unpack(row.state)
        key_id = env.key_id.hex()
        lines.append(
            b'{"content":'
            + env.content
            + b',"key_id":"'
            + key_id.encode()
            + b'","sig":"'
            + env.signature.hex().encode()
            + b'"}'
        )
        if key_id not in signers:
            record = registry.get(key_id)
            if record is None:
                raise NotFoundError("vote.signer_unknown", key_id=key_id)
            signers[key_id] = (record.owner, record.public_key_raw)
    keys = [
        {"actor": actor, "key_id": key_id, "public_key": public.hex()}
        for key_id, (actor, public) in sorted(signers.items())
    ]
    trailer: dict[str, Any] = {"keys": keys, "record": RECORD_FORMAT}
    if current.mode == "B" and current.eligible:
        # The registry entries of the eligible account keys (check V7).
        members = []
        for public, member in sorted(current.eligible.items()):
            key_id = envelope.key_id_for(public).hex()
            record = registry.get(key_id)
            if record is None:
                raise NotFoundError("vote.signer_unknown", key_id=key_id)
            members.append(
                {
                    "actor": record.owner,
                    "key_id": key_id,
                    "member_id": member,
                    "public_key": public.hex(),
                }
            )
        trailer["members"] = members
    lines.append(canonical(trailer))
    return b"".join(line + b"\n" for line in lines)
