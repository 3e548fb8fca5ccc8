"""The vote protocol as plain Python: one election, start to finish, in memory.

This is the protocol layer of votes.md Appendix A without a database: it drives the
key ceremony (§5), credentials in mode A (§6.1), attendance and quorum (§6.3), casting
with the server checks (§7.2), closing (§8.1), the trustees' partial decryptions
(§8.2), combination (§8.3) and the results (§9), writing every §11 event through
:class:`votes.record.RecordWriter`.  Tests and the published vectors use it to build
complete election records; the ledger-backed aggregates will make the same calls.

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

from votes.ballot import (
    AcceptedBallot,
    BallotContext,
    BallotRejected,
    check_submission,
    encrypt_ballot,
    make_submission,
)
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
from votes.credentials import Slip, new_slip
from votes.group import SYSTEM_RANDOMNESS, Point, Randomness, Scalar, base_mul
from votes.manifest import Leader, ManifestInput, build_manifest, manifest_hash
from votes.record import Envelope, RecordWriter, Signer, date_ts, minute_ts
from votes.results import LeaderResult, leader_results
from votes.tally import (
    PartialDecryption,
    Tally,
    TallyError,
    aggregate,
    combine,
    partial_decrypt,
    verify_partial,
)


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


def _signer(actor: str, rng: Randomness) -> Signer:
    return Signer(actor, Ed25519PrivateKey.from_private_bytes(rng.random_bytes(32)))


def _actor(rng: Randomness) -> str:
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


class Election:
    """One election's full protocol run, with every party simulated in process."""

    def __init__(
        self, setup: ElectionSetup, rng: Randomness = SYSTEM_RANDOMNESS
    ) -> None:
        self.setup = setup
        self.rng = rng
        self._clock = setup.start
        self.election_id = str(uuid.UUID(bytes=rng.random_bytes(16), version=4))
        self.organiser = _signer(_actor(rng), rng)
        self.service = _signer(SERVICE_ACTOR, rng)
        self.trustees = [
            Trustee(
                i,
                _signer(_actor(rng), rng),
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

    # -- credentials, attendance, opening (§6) -----------------------------------------

    def publish_credentials(self) -> list[Slip]:
        """Generate every slip and publish the sorted credential keys (no names)."""
        self._require_key()
        self.slips = [
            new_slip(self.election_id, self.rng) for _ in range(self.slip_count)
        ]
        keys = sorted(slip.credential_pub.hex() for slip in self.slips)
        self._emit(
            Topic.CREDENTIALS_PUBLISHED,
            self.chair.signer,
            {
                "count": len(keys),
                "credentials": keys,
            },
        )
        return self.slips

    def publish_eligible(self, count: int) -> list[tuple[str, Signer]]:
        """Mode B (§6.2): `count` members, each with an account key of their own,
        published sorted by key (member id beside it: participation is public)."""
        self._require_key()
        self.members = [
            (str(uuid.UUID(bytes=self.rng.random_bytes(16), version=4)),
             _signer(_actor(self.rng), self.rng))
            for _ in range(count)
        ]  # fmt: skip
        self.members.sort(key=lambda entry: entry[1].public)
        self._emit(
            Topic.ELIGIBLE_ACCOUNTS_PUBLISHED,
            self.organiser,
            {
                "entries": [
                    {"account_pub": signer.public.hex(), "member_id": member}
                    for member, signer in self.members
                ]
            },
        )
        return self.members

    def record_attendance(self) -> None:
        self._emit(
            Topic.ATTENDANCE_RECORDED,
            self.organiser,
            {
                "convened": self.setup.convened,
                "present": self.setup.present,
            },
        )

    def void_unissued(self, issued: int) -> list[Slip]:
        """Hand out the first `issued` slips and publicly void the rest."""
        self.issued_slips, unissued = self.slips[:issued], self.slips[issued:]
        self.voided = {slip.credential_pub for slip in unissued}
        if unissued:
            self._emit(
                Topic.CREDENTIALS_VOIDED,
                self.chair.signer,
                {
                    "credentials": sorted(key.hex() for key in self.voided),
                },
            )
        return self.issued_slips

    @property
    def issued(self) -> int:
        if self.setup.mode == "B":
            return len(self.members)
        return self.slip_count - len(self.voided)

    def open_voting(self) -> None:
        """Refused unless present·3 ≥ convened·2 and issued ≤ present (§6.3, V8)."""
        convened, present = self.setup.convened, self.setup.present
        if present * 3 < convened * 2 or present > convened:
            raise ProtocolError("quorum not met")
        if self.setup.mode == "A" and self.issued > present:
            raise ProtocolError("more slips issued than members present")
        self.opened_on = (self._clock + timedelta(minutes=1)).date()
        self._emit(
            Topic.VOTING_OPENED,
            self.organiser,
            {
                "issued": self.issued,
                "quorum_ok": True,
            },
        )

    # -- casting (§7) ------------------------------------------------------------------

    def ballot_context(self) -> BallotContext:
        listed = {slip.credential_pub for slip in self.slips}
        listed |= {signer.public for _, signer in self.members}
        used = {ballot.credential for ballot in self.accepted}
        seen = {
            ct.a for ballot in self.accepted for row in ballot.ciphertexts for ct in row
        }
        return BallotContext(
            fingerprint=self.fingerprint,
            election_key=self._require_key(),
            leader_count=self.leader_count,
            credential_allowed=lambda key: key in listed and key not in self.voided,
            credential_used=used.__contains__,
            a_seen=seen.__contains__,
        )

    def submit(self, data: bytes) -> AcceptedBallot:
        """The server side of casting; on BallotRejected nothing is appended."""
        if self.opened_on is None or self.closed:
            raise BallotRejected("not_open", "voting is not open")
        accepted = check_submission(data, self.ballot_context())
        self.accepted.append(accepted)
        self._emit(
            Topic.BALLOT_CAST, self.service, accepted.body, date_ts(self.opened_on)
        )
        return accepted

    def vote(self, slip: Slip, choices: Sequence[int | None]) -> AcceptedBallot:
        """The voter's side: encrypt, prove, sign and submit."""
        opening = encrypt_ballot(
            self.fingerprint,
            self._require_key(),
            slip.credential_pub,
            choices,
            self.rng,
        )
        return self.submit(make_submission(slip.private_key, opening))

    def vote_as_member(
        self, member: Signer, choices: Sequence[int | None]
    ) -> AcceptedBallot:
        """Mode B: the member's own device encrypts and signs with the account key."""
        opening = encrypt_ballot(
            self.fingerprint, self._require_key(), member.public, choices, self.rng
        )
        return self.submit(make_submission(member.key, opening))

    # -- closing, decryption, tally (§8, §9) -------------------------------------------

    def close_voting(self) -> Envelope:
        """Aggregate every accepted ballot and append the closing event."""
        self.closed = True
        self.tally = aggregate(
            [b.ciphertexts for b in self.accepted], self.leader_count
        )
        last = self.writer.envelopes[-1]
        self.closing = self._emit(
            Topic.VOTING_CLOSED,
            self.service,
            {
                "aggregate": [
                    [{"a": ct.a.hex(), "b": ct.b.hex()} for ct in row]
                    for row in self.tally
                ],
                "ballot_count": len(self.accepted),
                "ballots_head": last.event_hash.hex() if self.accepted else None,
            },
        )
        return self.closing

    def decrypt(self, j: int) -> PartialDecryption:
        """Trustee j's partial decryption of the aggregate it recomputes itself."""
        if self.closing is None or self.tally is None:
            raise ProtocolError("voting is not closed")
        if len(self.accepted) < self.manifest["min_ballots"]:
            raise ProtocolError("fewer ballots than min_ballots")
        if j in self.partials:
            raise ProtocolError(f"trustee {j} already decrypted")
        recomputed = aggregate(
            [b.ciphertexts for b in self.accepted], self.leader_count
        )
        if recomputed != self.tally:
            raise ProtocolError("aggregate differs from the recomputed one")
        trustee = self.trustees[j - 1]
        if trustee.key_share is None:
            raise ProtocolError(f"trustee {j} holds no key share")
        partial = partial_decrypt(
            self.fingerprint, j, trustee.key_share, self.tally, self.rng
        )
        self.partials[j] = partial
        self._emit(
            Topic.PARTIAL_DECRYPTION,
            trustee.signer,
            {
                "j": j,
                "shares": [
                    [{"d": s.d.hex(), "proof": s.proof.to_hex()} for s in row]
                    for row in partial
                ],
                "verified_head": self.closing.event_hash.hex(),
            },
        )
        return partial

    def publish_tally(self) -> list[LeaderResult]:
        """Combine the t lowest-indexed valid partials and publish the results."""
        if self.tally is None:
            raise ProtocolError("voting is not closed")
        valid = [
            j
            for j in sorted(self.partials)
            if verify_partial(
                self.fingerprint,
                j,
                base_mul(self._key_share(j)),
                self.tally,
                self.partials[j],
            )
        ]
        if len(valid) < self.threshold:
            raise TallyError("fewer than t valid partial decryptions")
        subset = valid[: self.threshold]
        counts = combine(self.tally, self.partials, subset, len(self.accepted))
        self.results = leader_results(self.issued, len(self.accepted), counts)
        self._emit(
            Topic.TALLY_PUBLISHED,
            self.chair.signer,
            {
                "results": [r.to_body() for r in self.results],
                "trustees_used": subset,
            },
        )
        return self.results

    def _key_share(self, j: int) -> Scalar:
        share = self.trustees[j - 1].key_share
        if share is None:
            raise ProtocolError(f"trustee {j} holds no key share")
        return share

    def abandon(self, reason: str) -> Envelope:
        """Record that the vote cannot go on (§9.3, §11 ``VoteAbandoned``)."""
        if reason not in ABANDON_REASONS:
            raise ProtocolError(f"unknown abandonment reason {reason}")
        if self.results is not None:
            raise ProtocolError("the tally is already published")
        return self._emit(Topic.ABANDONED, self.organiser, {"reason": reason})

    def export(self) -> bytes:
        """The election record as JSON Lines (§10.1)."""
        signers = [self.organiser, self.service, *(t.signer for t in self.trustees)]
        return self.writer.export(signers, members=self.members)


def run_election(
    setup: ElectionSetup,
    votes: Sequence[Sequence[int | None]],
    rng: Randomness = SYSTEM_RANDOMNESS,
    decrypting: Sequence[int] | None = None,
) -> Election:
    """A complete election: one ballot per entry of `votes`, then the tally.

    Mode A hands out slips; mode B lists one member per entry of `votes`.

    `decrypting` names the trustees who publish partial decryptions (default: all).
    """
    election = Election(setup, rng)
    election.run_ceremony()
    if setup.mode == "B":
        members = election.publish_eligible(len(votes))
        election.record_attendance()
        election.open_voting()
        for (_, member), choices in zip(members, votes, strict=True):
            election.vote_as_member(member, choices)
        election.close_voting()
        for j in decrypting if decrypting is not None else range(1, setup.trustees + 1):
            election.decrypt(j)
        election.publish_tally()
        return election
    election.publish_credentials()
    election.record_attendance()
    slips = election.void_unissued(
        setup.issued if setup.issued is not None else setup.present
    )
    election.open_voting()
    if len(votes) > len(slips):
        raise ProtocolError("more voters than issued slips")
    for slip, choices in zip(slips, votes, strict=False):
        election.vote(slip, choices)
    election.close_voting()
    for j in decrypting if decrypting is not None else range(1, setup.trustees + 1):
        election.decrypt(j)
    election.publish_tally()
    return election
