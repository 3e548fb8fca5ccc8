"""Tampered copies of an election record, for the vectors and the tests (§12.11, §13.4).

Two attacker models are covered.  A raw edit changes bytes of the exported record and
re-signs nothing, which the chain and signature checks must catch.  A rewrite models
an attacker holding every role key (and, for ballots, the voter's credential): it edits
event bodies, then re-signs and re-chains the whole stream, so only the protocol checks
further down (proofs, sums, results) can catch it.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from votes.ballot import ballot_hash, sign_ballot
from votes.canon import canonical, parse_canonical
from votes.group import L
from votes.protocol import Election
from votes.record import RecordWriter, Signer

Contents = list[dict[str, Any]]


def signers(election: Election) -> list[Signer]:
    return [
        election.organiser,
        election.service,
        *(t.signer for t in election.trustees),
    ]


def rewrite(election: Election, edit: Callable[[Contents], None]) -> bytes:
    """Apply edit to copies of every event content, then re-sign and re-chain.

    Each event is signed again by the key its (possibly edited) ``key_id`` names, so
    an edit may also move an event to another signer.
    """
    contents = copy.deepcopy([e.content for e in election.writer.envelopes])
    edit(contents)
    by_id = {s.key_id.hex(): s for s in signers(election)}
    writer = RecordWriter(election.writer.log, election.writer.stream)
    for content in contents:
        writer.append(
            content["topic"], content["body"], by_id[content["key_id"]], content["ts"]
        )
    return writer.export(signers(election))


def resign_ballot(election: Election, body: dict[str, Any]) -> None:
    """Re-sign a ``VoteBallotCast`` body with its credential and refresh ballot_hash."""
    wanted = body["ballot"]["credential"]
    slip = next(s for s in election.slips if s.credential_pub.hex() == wanted)
    body["sig"] = sign_ballot(slip.private_key, body["ballot"]).hex()
    body["ballot_hash"] = ballot_hash(body["ballot"]).hex()


def of_topic(contents: Contents, topic: str) -> list[dict[str, Any]]:
    """The bodies of every event with that topic, in order."""
    return [c["body"] for c in contents if c["topic"] == topic]


def flip_hex(value: str, position: int = 0) -> str:
    """Change one byte of a hex string (xor 0x01 at byte `position`)."""
    raw = bytearray(bytes.fromhex(value))
    raw[position] ^= 0x01
    return raw.hex()


def bump_scalar(value: str) -> str:
    """A different valid scalar: value + 1 mod L."""
    return (
        ((int.from_bytes(bytes.fromhex(value), "little") + 1) % L)
        .to_bytes(32, "little")
        .hex()
    )


def raw_line_edit(
    record: bytes, line: int, edit: Callable[[dict[str, Any]], None]
) -> bytes:
    """Edit the parsed JSON of one line (0-based) and write it back, unsigned."""
    lines = record.split(b"\n")
    value = parse_canonical(lines[line])
    edit(value)
    lines[line] = canonical(value)
    return b"\n".join(lines)


def drop_line(record: bytes, line: int) -> bytes:
    lines = record.split(b"\n")
    del lines[line]
    return b"\n".join(lines)


def swap_lines(record: bytes, first: int, second: int) -> bytes:
    lines = record.split(b"\n")
    lines[first], lines[second] = lines[second], lines[first]
    return b"\n".join(lines)
