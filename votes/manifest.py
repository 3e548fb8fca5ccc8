"""The election manifest (votes.md §9.1, §10.3 V5, §11 ``VoteElectionCreated``).

The manifest fixes everything a verifier needs to judge the record: the leader list,
the trustees and their account keys, the threshold, the voting-service key and the
chair.  It is hashed into every key-ceremony proof and, through the fingerprint, into
every ballot, so nothing in it can change once the ceremony has begun.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from votes.ballot import SUITE
from votes.canon import canonical
from votes.credentials import CredentialError, load_ed25519_public

MANIFEST_PREFIX = b"kiemdiem/vote/v1/manifest\n"
LEVELS = ("cao", "tín nhiệm", "thấp")
"""Level names in ballot order, exactly as the manifest carries them."""
DEFAULT_MIN_BALLOTS = 2


class ManifestError(ValueError):
    """A manifest that must not be used for an election."""


@dataclass(frozen=True, slots=True)
class Leader:
    """A leader on the ballot; dates are checked against the vote year."""

    name: str
    post: str
    appointed_or_elected_on: date
    pending_retirement_notice: bool = False


@dataclass(frozen=True, slots=True)
class ManifestInput:
    """Everything the organiser decides before the ceremony."""

    election_id: str
    title: str
    organisation: str
    vote_year: int
    conference_date: date
    mode: str
    leaders: Sequence[Leader]
    convened: int
    slip_count: int  # mode A; ignored in mode B
    trustee_keys: Sequence[bytes]
    threshold: int
    service_pub: bytes
    chair_index: int
    booth_sha256: bytes
    min_ballots: int = DEFAULT_MIN_BALLOTS


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise ManifestError(message)


def build_manifest(spec: ManifestInput) -> dict[str, Any]:
    """Check the 96-QĐ/TW exclusions and the protocol parameters, then build the body.

    A leader appointed or elected in the vote year, or notified of leave pending
    retirement, is not voted on (96-QĐ/TW Điều 3); listing one is refused here and the
    verifier fails such a record at V5.
    """
    _check(
        str(uuid.UUID(spec.election_id)) == spec.election_id, "election id is a UUID"
    )
    _check(spec.mode in ("A", "B"), "mode is A (slips) or B (member accounts)")
    _check(len(spec.leaders) > 0, "at least one leader")
    names = [(leader.name, leader.post) for leader in spec.leaders]
    _check(len(set(names)) == len(names), "leaders must be unique")
    for leader in spec.leaders:
        _check(
            leader.appointed_or_elected_on.year != spec.vote_year,
            f"{leader.name} was appointed or elected in the vote year",
        )
        _check(
            not leader.pending_retirement_notice, f"{leader.name} is pending retirement"
        )
    n = len(spec.trustee_keys)
    _check(1 <= spec.threshold <= n, "need 1 <= t <= n")
    _check(1 <= spec.chair_index <= n, "the chair is one of the trustees")
    _check(spec.min_ballots >= 2, "min_ballots is at least 2")
    _check(spec.convened >= 1, "convened is at least 1")
    _check(
        spec.mode == "B" or spec.slip_count >= spec.convened,
        "a slip for everyone convened",
    )
    _check(len(spec.booth_sha256) == 32, "booth hash is a SHA-256")
    try:
        for key in (*spec.trustee_keys, spec.service_pub):
            load_ed25519_public(key)
    except CredentialError as exc:
        raise ManifestError(str(exc)) from exc
    manifest: dict[str, Any] = {
        "booth_sha256": spec.booth_sha256.hex(),
        "chair_index": spec.chair_index,
        "conference_date": spec.conference_date.isoformat(),
        "convened": spec.convened,
        "election_id": spec.election_id,
        "leaders": [
            {
                "appointed_or_elected_on": leader.appointed_or_elected_on.isoformat(),
                "index": index,
                "name": leader.name,
                "pending_retirement_notice": leader.pending_retirement_notice,
                "post": leader.post,
            }
            for index, leader in enumerate(spec.leaders)
        ],
        "levels": list(LEVELS),
        "min_ballots": spec.min_ballots,
        "mode": spec.mode,
        "organisation": spec.organisation,
        "service_pub": spec.service_pub.hex(),
        "suite": SUITE,
        "threshold": spec.threshold,
        "title": spec.title,
        "trustees": [
            {"account_pub": key.hex(), "index": index}
            for index, key in enumerate(spec.trustee_keys, start=1)
        ],
        "vote_year": spec.vote_year,
    }
    if spec.mode == "A":
        manifest["slip_count"] = spec.slip_count  # mode B has no slips (§11)
    return manifest


def manifest_hash(manifest: dict[str, Any]) -> bytes:
    """SHA-256 over the prefix and the canonical manifest (§4.3)."""
    return hashlib.sha256(MANIFEST_PREFIX + canonical(manifest)).digest()
