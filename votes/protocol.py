"""The vote protocol as plain Python: one election, start to finish, in memory.

This is the protocol layer of votes.md Appendix A without a database: it drives the
key ceremony (§5), credentials in mode A (§6.1), attendance and quorum (§6.3), casting
with the server checks (§7.2), closing (§8.1), the trustees' partial decryptions
(§8.2), combination (§8.3) and the results (§9), writing every §11 event through
:class:`votes.record.RecordWriter`.  Tests and the published vectors use it to build
complete election records; the ledger-backed aggregates will make the same calls.

The parties and the key ceremony are in ``votes.protocol_ceremony``; this module
runs the conference on top of them. It holds every secret of every party at once,
which only a simulation may do.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import timedelta

from votes.ballot import (
    AcceptedBallot,
    BallotContext,
    BallotRejected,
    check_submission,
    encrypt_ballot,
    make_submission,
)
from votes.credentials import Slip, new_slip
from votes.group import SYSTEM_RANDOMNESS, Randomness, Scalar, base_mul
from votes.protocol_ceremony import (
    ABANDON_REASONS,
    SERVICE_ACTOR,
    ElectionCeremony,
    ElectionSetup,
    ProtocolError,
    Topic,
    Trustee,
    party_signer,
    random_actor,
)
from votes.record import Envelope, Signer, date_ts
from votes.results import LeaderResult, leader_results
from votes.tally import (
    PartialDecryption,
    TallyError,
    aggregate,
    combine,
    partial_decrypt,
    verify_partial,
)


class Election(ElectionCeremony):
    """One election's full protocol run, with every party simulated in process:
    the key ceremony (``votes.protocol_ceremony``), then the conference."""

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
             party_signer(random_actor(self.rng), self.rng))
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


__all__ = [
    "ABANDON_REASONS",
    "SERVICE_ACTOR",
    "Election",
    "ElectionSetup",
    "ProtocolError",
    "Topic",
    "Trustee",
    "run_election",
]
