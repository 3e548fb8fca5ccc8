"""The vote protocol's parties and key ceremony, in memory (votes.md §5).

The first half of :class:`votes.protocol.Election`: the event topics of the
vote stream (§11), the organiser's choices, the simulated parties (organiser,
ballot box, ban kiểm phiếu) and the manifest, then the key ceremony: every
trustee registers, commits, sends and checks shares, and the election key and
the verification keys are published. ``votes.protocol`` runs the conference
on top of it (credentials, casting, tally).

It holds every secret of every party at once, which only a simulation may do.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from votes.ballot import AcceptedBallot
from votes.ceremony import (
    Dealing,
    check_commitments,
    check_share,
    combine_shares,
    deal,
    decrypt_share,
    default_threshold,
    election_key,
    encrypt_share,
    fingerprint,
    short_fingerprint,
    verification_key,
    x25519_public,
)
from votes.credentials import Slip
from votes.group import SYSTEM_RANDOMNESS, Point, Randomness, Scalar, base_mul
from votes.manifest import Leader, ManifestInput, build_manifest, manifest_hash
from votes.record import Envelope, RecordWriter, Signer, minute_ts
from votes.results import LeaderResult
from votes.tally import PartialDecryption, Tally


class Topic(StrEnum):
    """Event topics of the vote stream (§11)."""

    ELECTION_CREATED = "VoteElectionCreated"
    TRUSTEE_REGISTERED = "VoteTrusteeRegistered"
    TRUSTEE_COMMITTED = "VoteTrusteeCommitted"
    TRUSTEE_SHARE_SENT = "VoteTrusteeShareSent"
    TRUSTEE_COMPLAINT = "VoteTrusteeComplaint"
    KEY_CEREMONY_ABORTED = "VoteKeyCeremonyAborted"
    TRUSTEE_SHARES_VERIFIED = "VoteTrusteeSharesVerified"
    ELECTION_KEY_PUBLISHED = "VoteElectionKeyPublished"
    CREDENTIALS_PUBLISHED = "VoteCredentialsPublished"
    ELIGIBLE_ACCOUNTS_PUBLISHED = "VoteEligibleAccountsPublished"
    ATTENDANCE_RECORDED = "VoteAttendanceRecorded"
    CREDENTIALS_VOIDED = "VoteCredentialsVoided"
    VOTING_OPENED = "VoteVotingOpened"
    BALLOT_CAST = "VoteBallotCast"
    VOTING_CLOSED = "VoteVotingClosed"
    PARTIAL_DECRYPTION = "VotePartialDecryption"
    TALLY_PUBLISHED = "VoteTallyPublished"
    MINUTES_SIGNED = "VoteMinutesSigned"
    ABANDONED = "VoteAbandoned"


SERVICE_ACTOR = "svc:votes"
ABANDON_REASONS = frozenset(
    {
        "QUORUM_NOT_MET",
        "CEREMONY_FAILED",
        "TOO_FEW_BALLOTS",
        "TOO_FEW_TRUSTEES",
        "OTHER",
    }
)


class ProtocolError(ValueError):
    """A step refused by the protocol rules (wrong phase, quorum, threshold...)."""


def party_signer(actor: str, rng: Randomness) -> Signer:
    """A simulated party's signing key, drawn from ``rng``."""
    return Signer(actor, Ed25519PrivateKey.from_private_bytes(rng.random_bytes(32)))


def random_actor(rng: Randomness) -> str:
    """A simulated person's actor name (``u:<uuid4>``), drawn from ``rng``."""
    return f"u:{uuid.UUID(bytes=rng.random_bytes(16), version=4)}"


@dataclass(slots=True)
class Trustee:
    """One member of the ban kiểm phiếu with their ceremony state."""

    index: int
    signer: Signer
    transport: X25519PrivateKey
    dealing: Dealing | None = None
    key_share: Scalar | None = None
    received: dict[int, Scalar] = field(default_factory=dict)

    @property
    def transport_pub(self) -> bytes:
        return x25519_public(self.transport)


@dataclass(frozen=True, slots=True)
class ElectionSetup:
    """The organiser's choices for a simulated election."""

    leaders: Sequence[Leader]
    trustees: int = 3
    threshold: int | None = None
    convened: int = 5
    present: int = 5
    slip_count: int | None = None
    issued: int | None = None
    min_ballots: int = 2
    vote_year: int = 2025
    title: str = "Lấy phiếu tín nhiệm năm 2025"
    organisation: str = "Đảng bộ thử nghiệm"
    log: str = "kiemdiem.test/dang-bo"
    start: datetime = datetime(2025, 12, 10, 8, 0, tzinfo=UTC)
    mode: str = "A"
    """A: slips at the conference; B: members sign with their own account key."""


class ElectionCeremony:
    """An election's parties and its key ceremony, simulated in process."""

    def __init__(
        self, setup: ElectionSetup, rng: Randomness = SYSTEM_RANDOMNESS
    ) -> None:
        self.setup = setup
        self.rng = rng
        self._clock = setup.start
        self.election_id = str(uuid.UUID(bytes=rng.random_bytes(16), version=4))
        self.organiser = party_signer(random_actor(rng), rng)
        self.service = party_signer(SERVICE_ACTOR, rng)
        self.trustees = [
            Trustee(
                i,
                party_signer(random_actor(rng), rng),
                X25519PrivateKey.from_private_bytes(rng.random_bytes(32)),
            )
            for i in range(1, setup.trustees + 1)
        ]
        self.threshold = setup.threshold or default_threshold(setup.trustees)
        self.slip_count = setup.slip_count or setup.convened
        self.manifest = build_manifest(
            ManifestInput(
                election_id=self.election_id,
                title=setup.title,
                organisation=setup.organisation,
                vote_year=setup.vote_year,
                conference_date=setup.start.date(),
                mode=setup.mode,
                leaders=setup.leaders,
                convened=setup.convened,
                slip_count=self.slip_count,
                trustee_keys=[t.signer.public for t in self.trustees],
                threshold=self.threshold,
                service_pub=self.service.public,
                chair_index=1,
                booth_sha256=bytes(32),
                min_ballots=setup.min_ballots,
            )
        )
        self.manifest_hash = manifest_hash(self.manifest)
        self.writer = RecordWriter(setup.log, self.election_id)
        self.election_key: Point | None = None
        self.fingerprint = b""
        self.slips: list[Slip] = []
        self.issued_slips: list[Slip] = []
        self.voided: set[bytes] = set()
        self.members: list[tuple[str, Signer]] = []
        """Mode B: (member id, account signer) of every eligible member."""
        self.opened_on: date | None = None
        self.closed = False
        self.accepted: list[AcceptedBallot] = []
        self.tally: Tally | None = None
        self.closing: Envelope | None = None
        self.partials: dict[int, PartialDecryption] = {}
        self.results: list[LeaderResult] | None = None
        self._emit(
            Topic.ELECTION_CREATED,
            self.organiser,
            {
                "manifest": self.manifest,
                "manifest_hash": self.manifest_hash.hex(),
            },
        )

    # -- helpers -----------------------------------------------------------------------

    @property
    def chair(self) -> Trustee:
        index: int = self.manifest["chair_index"]
        return self.trustees[index - 1]

    @property
    def leader_count(self) -> int:
        return len(self.manifest["leaders"])

    def _emit(
        self, topic: Topic, signer: Signer, body: dict[str, Any], ts: str | None = None
    ) -> Envelope:
        self._clock += timedelta(minutes=1)
        return self.writer.append(
            topic.value, body, signer, ts or minute_ts(self._clock)
        )

    def _require_key(self) -> Point:
        if self.election_key is None:
            raise ProtocolError("the key ceremony has not finished")
        return self.election_key

    # -- key ceremony (§5) -------------------------------------------------------------

    def run_ceremony(self) -> None:
        """Register, commit, send and check shares, then publish Y and every V_j."""
        for trustee in self.trustees:
            self._emit(
                Topic.TRUSTEE_REGISTERED,
                trustee.signer,
                {
                    "i": trustee.index,
                    "transport_pub": trustee.transport_pub.hex(),
                },
            )
        for trustee in self.trustees:
            trustee.dealing = deal(
                self.manifest_hash, trustee.index, self.threshold, self.rng
            )
            self._emit(
                Topic.TRUSTEE_COMMITTED,
                trustee.signer,
                {
                    "commitments": [c.hex() for c in trustee.dealing.commitments],
                    "i": trustee.index,
                    "pok": [p.to_hex() for p in trustee.dealing.proofs],
                },
            )
        dealings = [self._dealing(t) for t in self.trustees]
        for d in dealings:
            check_commitments(
                self.manifest_hash, d.index, self.threshold, d.commitments, d.proofs
            )
        for sender in self.trustees:
            for recipient in self.trustees:
                if recipient.index != sender.index:
                    self._send_share(sender, recipient)
        for trustee in self.trustees:
            trustee.received[trustee.index] = self._dealing(trustee).share_for(
                trustee.index
            )
            trustee.key_share = combine_shares(
                [trustee.received[i] for i in sorted(trustee.received)]
            )
            v_j = verification_key([d.commitments for d in dealings], trustee.index)
            if base_mul(trustee.key_share) != v_j:
                raise ProtocolError(
                    f"trustee {trustee.index}: share does not match V_j"
                )
            self._emit(
                Topic.TRUSTEE_SHARES_VERIFIED,
                trustee.signer,
                {
                    "j": trustee.index,
                    "verification_key": v_j.hex(),
                },
            )
        commitments = [d.commitments for d in dealings]
        key = election_key(commitments)
        vks = [verification_key(commitments, t.index) for t in self.trustees]
        self.fingerprint = fingerprint(self.manifest_hash, commitments, key, vks)
        self.election_key = key
        self._emit(
            Topic.ELECTION_KEY_PUBLISHED,
            self.organiser,
            {
                "election_key": key.hex(),
                "fingerprint": self.fingerprint.hex(),
                "short_fingerprint": short_fingerprint(self.fingerprint),
                "verification_keys": [v.hex() for v in vks],
            },
        )

    def _dealing(self, trustee: Trustee) -> Dealing:
        if trustee.dealing is None:
            raise ProtocolError(f"trustee {trustee.index} has not committed")
        return trustee.dealing

    def _send_share(self, sender: Trustee, recipient: Trustee) -> None:
        dealing = self._dealing(sender)
        message = encrypt_share(
            self.manifest_hash,
            sender.index,
            recipient.index,
            recipient.transport_pub,
            dealing.share_for(recipient.index),
            self.rng,
        )
        self._emit(
            Topic.TRUSTEE_SHARE_SENT,
            sender.signer,
            {
                "ciphertext": message.ciphertext.hex(),
                "ephemeral_pub": message.ephemeral_pub.hex(),
                "from": message.sender,
                "nonce": message.nonce.hex(),
                "to": message.recipient,
            },
        )
        share = decrypt_share(self.manifest_hash, recipient.transport, message)
        if not check_share(dealing.commitments, recipient.index, share):
            raise ProtocolError(
                f"share {sender.index}->{recipient.index} fails its check"
            )
        recipient.received[sender.index] = share
