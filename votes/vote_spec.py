"""What a vote is made of before its events: ids, the organiser's spec and its
checks (96-QĐ/TW list rules, protocol parameters), and the decoding of recorded
fields (votes.md §5–§9)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.errors import DomainError
from votes.canon import CanonicalError, parse_hex
from votes.ceremony import (
    verification_key,
)
from votes.group import GroupError, Point, decode_point
from votes.manifest import (
    DEFAULT_MIN_BALLOTS,
    Leader,
)
from votes.proofs import SchnorrProof
from votes.tally import (
    DecryptionShare,
    PartialDecryption,
)

VOTE_NAMESPACE = uuid5(NAMESPACE_URL, "https://kiemdiem/ns/confidence-vote")
ABANDON_REASONS = frozenset(
    {
        "QUORUM_NOT_MET",
        "CEREMONY_FAILED",
        "TOO_FEW_BALLOTS",
        "TOO_FEW_TRUSTEES",
        "OTHER",
    }
)
MIN_TRUSTEES = 3
MAX_TRUSTEES = 7
COMPLAINT_REASONS = frozenset({"share_unreadable", "share_invalid", "other"})


def vote_id(org_id: UUID, code: str) -> UUID:
    """The vote's id and stream: uuid5 of the organisation and the election code."""
    return uuid5(VOTE_NAMESPACE, f"{org_id}/{code}")


def confidence_vote_id(vote: UUID) -> UUID:
    """The companion :class:`ConfidenceVote` stream of a vote."""
    return uuid5(VOTE_NAMESPACE, f"{vote}/confidence")


def ballot_box_actor(vote: UUID) -> str:
    """The non-person actor that signs the vote's ballots (ledger.md §4.1)."""
    return f"sys:ballot-box:{vote}"


# ---------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class VoteSpec:
    """What the organiser decides before the ceremony (§9.1, §11 manifest)."""

    title: str
    organisation: str
    vote_year: int
    conference_date: date
    mode: str
    leaders: Sequence[Leader]
    convened: int
    slip_count: int | None
    trustee_keys: Sequence[bytes]
    threshold: int
    chair_index: int
    service_pub: bytes
    booth_sha256: bytes = bytes(32)
    min_ballots: int = DEFAULT_MIN_BALLOTS


@dataclass(frozen=True, slots=True)
class ShareMessage:
    """One encrypted share s_{i,j}, as the trustee tool produced it (hex)."""

    to: int
    ephemeral_pub: str
    nonce: str
    ciphertext: str


def hex_field(value: object, nbytes: int, code: str) -> bytes:
    try:
        return parse_hex(value, nbytes)
    except CanonicalError:
        raise DomainError(code) from None


def point_field(value: object, code: str) -> Point:
    try:
        return decode_point(parse_hex(value, 32))
    except (CanonicalError, GroupError):
        raise DomainError(code) from None


def verification_key_of(
    committed: dict[int, tuple[Point, ...]], n: int, j: int
) -> Point:
    """V_j from the recorded commitments of all n trustees."""
    return verification_key([committed[i] for i in range(1, n + 1)], j)


def partial_from_body(
    shares: Sequence[Sequence[dict[str, Any]]], *, checked: bool = False
) -> PartialDecryption:
    if not checked:
        return tuple(
            tuple(
                DecryptionShare(
                    Point(bytes.fromhex(s["d"])), SchnorrProof.from_hex(s["proof"])
                )
                for s in row
            )
            for row in shares
        )
    rows = []
    for row in shares:
        decoded = []
        for s in row:
            if not isinstance(s, dict) or set(s) != {"d", "proof"}:
                raise ValueError("a share is {d, proof}")
            proof = s["proof"]
            if not isinstance(proof, list) or len(proof) != 2:
                raise ValueError("a decryption proof is [c, u]")
            d = decode_point(parse_hex(s["d"], 32))
            items = [parse_hex(x, 32).hex() for x in proof]
            decoded.append(DecryptionShare(d, SchnorrProof.from_hex(items)))
        rows.append(tuple(decoded))
    return tuple(rows)


def check_spec(spec: VoteSpec) -> None:
    """The 96-QĐ/TW list rules and the protocol parameters, with stable codes."""
    if not " ".join(spec.title.split()):
        raise DomainError("vote.title_required")
    if spec.mode not in ("A", "B"):
        raise DomainError("vote.mode_unknown", mode=spec.mode)
    if not spec.leaders:
        raise DomainError("vote.leaders_required")
    seen: set[tuple[str, str]] = set()
    for index, leader in enumerate(spec.leaders):
        if (leader.name, leader.post) in seen:
            raise DomainError("vote.leader_duplicate", index=index)
        seen.add((leader.name, leader.post))
        if not leader.post.strip():
            raise DomainError("vote.leader_post_required", index=index)
        if leader.appointed_or_elected_on.year == spec.vote_year:
            raise DomainError(
                "vote.leader_appointed_this_year", index=index, name=leader.name
            )
        if leader.pending_retirement_notice:
            raise DomainError(
                "vote.leader_pending_retirement", index=index, name=leader.name
            )
    n = len(spec.trustee_keys)
    if not MIN_TRUSTEES <= n <= MAX_TRUSTEES:
        raise DomainError("vote.trustees_count", n=n)
    if len(set(spec.trustee_keys)) != n:
        raise DomainError("vote.trustee_duplicate")
    if not 2 <= spec.threshold <= n:
        raise DomainError("vote.threshold_invalid", threshold=spec.threshold, n=n)
    if not 1 <= spec.chair_index <= n:
        raise DomainError("vote.chair_not_trustee")
    if spec.convened < 1:
        raise DomainError("vote.convened_invalid")
    if spec.min_ballots < 2:
        raise DomainError("vote.min_ballots_invalid")
    if spec.mode == "A" and (spec.slip_count or 0) < spec.convened:
        raise DomainError("vote.slip_count_too_small", convened=spec.convened)
