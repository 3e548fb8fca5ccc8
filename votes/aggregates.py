"""The confidence vote as signed events of the project ledger (votes.md §5–§9, §11).

One :class:`Vote` aggregate per vote, id ``uuid5(org id, election code)``; its stream
is the election record. The vote is read in four modules: its events
(``votes.vote_events``), its inputs and their checks (``votes.vote_spec``), its state
rebuilt from events (``votes.vote_state``), the key ceremony (``votes.vote_ceremony``),
and the other commands here. The stream must read exactly like the record the
standalone verifier checks, so the events are not the library's generated dataclasses:

* every stored topic is the §11 name (``VoteElectionCreated`` …), set once through the
  class ``TOPIC`` (signed content: never rename one);
* every body holds exactly the §11 fields (no ``originator_topic``; ``from`` is a field
  name, which a dataclass cannot have), so events keep their body in ``__dict__``;
* times are at minute precision, and ``VoteBallotCast`` carries only the date of
  ``VoteVotingOpened`` (§10.1), so the record cannot order ballots finer than their
  position.

Every rule of the protocol is checked here, before an event exists: the phase order
V4 expects, the ceremony steps (all registered before any commitment, all committed
before any share, all shares before any confirmation), eligibility, one ballot per
credential and the full server checks of §7.2, quorum ``present·3 ≥ convened·2``,
closing before decryption, decryption proofs against V_j, and combination only with
t partial decryptions.  A refusal is a :class:`~domain.errors.DomainError` with a
stable ``vote.*`` code, and nothing is appended.

The aggregate never sees a private key.  Who signs is the service layer's business;
methods that a trustee or the chair may call take the signer's *public* account key
(``by_key``) and compare it with the manifest, the key the verifier will require.
Event hashes (``ballots_head``, ``verified_head``) are envelope hashes, which only the
store knows, so the service passes them in.

:class:`ConfidenceVote` is the companion aggregate the rest of the system reads: who
is voted on (member ids, which the manifest does not carry), who organises, and the
facts the rating rules use — ``Held`` per leader and ``ConsequenceFlagged`` when more
than half of the ballots returned were low confidence (votes.md §9.3, domain.md §11).
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Sequence
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import DomainError
from votes.ballot import BallotContext, BallotRejected, check_submission
from votes.canon import CanonicalError
from votes.credentials import CredentialError, load_ed25519_public
from votes.group import GroupError
from votes.manifest import (
    ManifestError,
    ManifestInput,
    build_manifest,
    manifest_hash,
)
from votes.results import Band, LeaderResult, leader_results
from votes.tally import (
    TallyError,
    combine,
    verify_partial,
)
from votes.vote_ceremony import VoteCeremony
from votes.vote_events import (
    Abandoned,
    AttendanceRecorded,
    BallotCast,
    CredentialsPublished,
    CredentialsVoided,
    ElectionCreated,
    EligibleAccountsPublished,
    MinutesSigned,
    PartialDecryptionRecorded,
    Phase,
    TallyPublished,
    VoteEvent,
    VotingClosed,
    VotingOpened,
    minute_now,
)
from votes.vote_spec import (
    ABANDON_REASONS,
    ShareMessage,
    VoteSpec,
    ballot_box_actor,
    check_spec,
    confidence_vote_id,
    hex_field,
    partial_from_body,
    vote_id,
)

# What the service layer and the tests name through this module (the vote's events
# and inputs live in votes.vote_events and votes.vote_spec).
__all__ = [
    "BallotCast",
    "ConfidenceVote",
    "MinutesSigned",
    "Phase",
    "ShareMessage",
    "Vote",
    "VoteEvent",
    "VoteSpec",
    "ballot_box_actor",
    "confidence_vote_id",
    "vote_id",
]


# ---------------------------------------------------------------------------
# The vote
# ---------------------------------------------------------------------------
class Vote(VoteCeremony):
    """One confidence vote: its manifest, ceremony, credentials, ballots and tally."""

    # -- construction -----------------------------------------------------------
    @classmethod
    def create(cls, vote: UUID, spec: VoteSpec) -> Vote:
        """Check the leader list and the parameters, then record the manifest."""
        check_spec(spec)
        try:
            manifest = build_manifest(
                ManifestInput(
                    election_id=str(vote),
                    title=spec.title,
                    organisation=spec.organisation,
                    vote_year=spec.vote_year,
                    conference_date=spec.conference_date,
                    mode=spec.mode,
                    leaders=spec.leaders,
                    convened=spec.convened,
                    slip_count=spec.slip_count or 0,
                    trustee_keys=spec.trustee_keys,
                    threshold=spec.threshold,
                    service_pub=spec.service_pub,
                    chair_index=spec.chair_index,
                    booth_sha256=spec.booth_sha256,
                    min_ballots=spec.min_ballots,
                )
            )
        except ManifestError as exc:
            raise DomainError("vote.manifest_invalid", detail=str(exc)) from None
        created = ElectionCreated(
            originator_id=vote,
            originator_version=cls.INITIAL_VERSION,
            timestamp=minute_now(),
            manifest=manifest,
            manifest_hash=manifest_hash(manifest).hex(),
        )
        aggregate = created.mutate(None)
        if not isinstance(aggregate, Vote):  # pragma: no cover - _created_mutate
            raise TypeError(aggregate)
        aggregate.pending_events.append(created)
        return aggregate

    # -- credentials and attendance (§6) --------------------------------------------
    def publish_credentials(self, credentials: Sequence[str], *, by_key: bytes) -> None:
        """Mode A: the chair's sorted list of slip public keys; no names."""
        self._require_phase("publish_credentials", Phase.KEY_PUBLISHED)
        if self.mode != "A":
            raise DomainError("vote.wrong_mode", mode=self.mode)
        self._require_chair(by_key)
        keys = [hex_field(c, 32, "vote.credentials_invalid") for c in credentials]
        if len(keys) != self.slip_count:
            raise DomainError(
                "vote.credentials_count", expected=self.slip_count, got=len(keys)
            )
        if any(a >= b for a, b in itertools.pairwise(keys)):
            raise DomainError("vote.credentials_not_sorted")
        for key in keys:
            try:
                load_ed25519_public(key)
            except CredentialError:
                raise DomainError("vote.credentials_invalid") from None
            if key in self.trustee_keys.values() or key.hex() == self.service_pub:
                raise DomainError("vote.credentials_invalid")
        self._trigger(
            CredentialsPublished, count=len(keys), credentials=[k.hex() for k in keys]
        )

    def publish_eligible(self, entries: Sequence[tuple[str, bytes]]) -> None:
        """Mode B: (member id, account key) of every eligible member (§6.2)."""
        self._require_phase("publish_eligible", Phase.KEY_PUBLISHED)
        if self.mode != "B":
            raise DomainError("vote.wrong_mode", mode=self.mode)
        if not entries:
            raise DomainError("vote.eligible_empty")
        members = [m for m, _ in entries]
        keys = [k for _, k in entries]
        if len(set(members)) != len(members) or len(set(keys)) != len(keys):
            raise DomainError("vote.eligible_duplicate")
        rows = sorted(
            ({"account_pub": k.hex(), "member_id": m} for m, k in entries),
            key=lambda row: row["account_pub"],
        )
        self._trigger(EligibleAccountsPublished, entries=rows)

    def record_attendance(self, present: int) -> None:
        """The organiser's count of members present; convened is the manifest's."""
        self._require_phase("record_attendance", Phase.CREDENTIALS_PUBLISHED)
        if present < 0 or present > self.convened:
            raise DomainError(
                "vote.present_invalid", present=present, convened=self.convened
            )
        self._trigger(AttendanceRecorded, convened=self.convened, present=present)

    def void_credentials(self, credentials: Sequence[str], *, by_key: bytes) -> None:
        """Mode A: publicly void the slips that were not handed out (§6.1 step 4)."""
        self._require_phase("void_credentials", Phase.ATTENDANCE_RECORDED)
        if self.mode != "A":
            raise DomainError("vote.wrong_mode", mode=self.mode)
        self._require_chair(by_key)
        keys = sorted(
            {hex_field(c, 32, "vote.credentials_invalid") for c in credentials}
        )
        if not keys or len(keys) != len(credentials):
            raise DomainError("vote.void_invalid")
        for key in keys:
            if key not in self.credentials or key in self.voided:
                raise DomainError("vote.void_invalid")
        self._trigger(CredentialsVoided, credentials=[k.hex() for k in keys])

    def open_voting(self) -> None:
        """Refused unless present·3 ≥ convened·2, and (mode A) issued ≤ present."""
        self._require_phase("open_voting", Phase.ATTENDANCE_RECORDED)
        if not self.quorum_met:
            raise DomainError(
                "vote.quorum_not_met", present=self.present, convened=self.convened
            )
        if self.mode == "A" and self.present is not None and self.issued > self.present:
            raise DomainError(
                "vote.issued_exceeds_present", issued=self.issued, present=self.present
            )
        self._trigger(VotingOpened, issued=self.issued, quorum_ok=True)

    # -- casting (§7.2) ----------------------------------------------------------------
    def cast_ballot(self, submission: bytes, *, member_key: bytes | None = None) -> str:
        """Every server check of §7.2, then the ballot; returns its ballot_hash.

        Mode A takes no identity at all.  Mode B takes the authenticated member's
        account key, which must be the ballot's credential.
        """
        if self.phase is not Phase.OPEN or self.opened_on is None:
            raise DomainError("vote.not_open", phase=self.phase.value)
        if self.election_key is None:  # pragma: no cover - opened implies a key
            raise DomainError("vote.not_open")
        if self.mode == "A":

            def allowed(key: bytes) -> bool:
                return key in self.credentials and key not in self.voided

        else:
            if member_key is None:
                raise DomainError("vote.login_required")

            def allowed(key: bytes) -> bool:
                return key == member_key and key in self.eligible

        context = BallotContext(
            fingerprint=self.fingerprint,
            election_key=self.election_key,
            leader_count=self.leader_count,
            credential_allowed=allowed,
            credential_used=self.used.__contains__,
            a_seen=self.seen_a.__contains__,
        )
        try:
            accepted = check_submission(submission, context)
        except BallotRejected as exc:
            if exc.code == "double_vote":
                raise DomainError("vote.double_ballot") from None
            raise DomainError("vote.ballot_rejected", reason=exc.code) from None
        opened = datetime(
            self.opened_on.year, self.opened_on.month, self.opened_on.day, tzinfo=UTC
        )
        self.trigger_event(BallotCast, timestamp=opened, **accepted.body)
        return accepted.ballot_hash.hex()

    # -- closing, decryption, tally (§8, §9) -------------------------------------------
    def close_voting(self, ballots_head: bytes | None) -> None:
        """The aggregate of every accepted ballot; ballots_head is the store's hash
        of the last ``VoteBallotCast`` envelope (None when there is none)."""
        self._require_phase("close_voting", Phase.OPEN)
        if (ballots_head is None) != (self.ballot_count == 0):
            raise DomainError("vote.ballots_head_invalid")
        self._trigger(
            VotingClosed,
            aggregate=[
                [{"a": ct.a.hex(), "b": ct.b.hex()} for ct in row]
                for row in self.totals
            ],
            ballot_count=self.ballot_count,
            ballots_head=ballots_head.hex() if ballots_head is not None else None,
        )

    def record_partial(
        self,
        j: int,
        shares: Sequence[Sequence[dict[str, Any]]],
        verified_head: str,
        *,
        closing_head: bytes,
        by_key: bytes,
    ) -> None:
        """Trustee j's D_j over the closing aggregate, checked against V_j (V12)."""
        self._require_phase("record_partial", Phase.CLOSED)
        self._require_trustee(j, by_key)
        if self.tally is None or self.election_key is None:  # pragma: no cover
            raise DomainError("vote.not_closed")
        if self.ballot_count < self.min_ballots:
            raise DomainError(
                "vote.too_few_ballots",
                ballots=self.ballot_count,
                minimum=self.min_ballots,
            )
        if j in self.partials:
            raise DomainError("vote.partial_duplicate", index=j)
        if hex_field(verified_head, 32, "vote.partial_head_mismatch") != closing_head:
            raise DomainError("vote.partial_head_mismatch")
        try:
            partial = partial_from_body(shares, checked=True)
        except (CanonicalError, GroupError, KeyError, TypeError, ValueError):
            raise DomainError("vote.partial_invalid", index=j) from None
        if not verify_partial(
            self.fingerprint, j, self.verification_keys[j - 1], self.tally, partial
        ):
            raise DomainError("vote.partial_invalid", index=j)
        self._trigger(
            PartialDecryptionRecorded,
            j=j,
            shares=[
                [{"d": s.d.hex(), "proof": s.proof.to_hex()} for s in row]
                for row in partial
            ],
            verified_head=closing_head.hex(),
        )

    def publish_tally(self, *, by_key: bytes) -> list[LeaderResult]:
        """Combine the t lowest-indexed partial decryptions and publish results."""
        self._require_phase("publish_tally", Phase.CLOSED)
        self._require_chair(by_key)
        if self.tally is None:  # pragma: no cover - closed implies a tally
            raise DomainError("vote.not_closed")
        if len(self.partials) < self.t:
            raise DomainError(
                "vote.below_threshold", partials=len(self.partials), threshold=self.t
            )
        subset = sorted(self.partials)[: self.t]
        try:
            counts = combine(self.tally, self.partials, subset, self.ballot_count)
            results = leader_results(self.issued, self.ballot_count, counts)
        except (TallyError, ValueError):
            raise DomainError("vote.tally_failed") from None
        self._trigger(
            TallyPublished,
            results=[r.to_body() for r in results],
            trustees_used=subset,
        )
        return results

    def sign_minutes(
        self,
        tally_event_hash: bytes,
        head: bytes,
        *,
        by_key: bytes,
        signed_by: Collection[bytes],
    ) -> None:
        """A member of the ban kiểm phiếu signs the minutes: tally and chain head.

        The body names no signer (the envelope does), so the service passes the
        keys that already signed, read from the stored envelopes.
        """
        self._require_phase("sign_minutes", Phase.TALLIED)
        index = self.trustee_index(by_key)
        if by_key in signed_by:
            raise DomainError("vote.minutes_already_signed", index=index)
        self._trigger(
            MinutesSigned, head=head.hex(), tally_event_hash=tally_event_hash.hex()
        )

    def abandon(self, reason: str) -> None:
        """The vote cannot go on (§2.2, §9.3); below quorum only QUORUM_NOT_MET."""
        if reason not in ABANDON_REASONS:
            raise DomainError("vote.abandon_reason_unknown", reason=reason)
        if self.phase in (Phase.TALLIED, Phase.ABANDONED):
            raise DomainError(
                "vote.wrong_phase", phase=self.phase.value, action="abandon"
            )
        below_quorum = self.phase is Phase.ATTENDANCE_RECORDED and not self.quorum_met
        if below_quorum and reason != "QUORUM_NOT_MET":
            raise DomainError("vote.abandon_reason_quorum")
        if reason == "QUORUM_NOT_MET" and not below_quorum:
            raise DomainError("vote.abandon_reason_quorum")
        self._trigger(Abandoned, reason=reason)


# ---------------------------------------------------------------------------
# What the rest of the system reads: leaders by member id, organiser, results
# ---------------------------------------------------------------------------
class ConfidenceVote(Aggregate):
    """The vote as the domain sees it (domain.md §7, §11).

    Prepared with the vote: the member behind each manifest leader (the ballot
    shows only name and post) and the organiser whose key signed the manifest.
    Once the tally is published: one ``Held`` per leader and, for more than half
    of the ballots returned low (``GT_HALF`` or ``GTE_TWO_THIRDS``), one
    ``ConsequenceFlagged`` — the fact the rating rules read (366-QĐ/TW Điều 11:
    > 1/2 low in a vote that year makes the rating KHTNV).
    """

    @classmethod
    def prepare(
        cls,
        *,
        vote: UUID,
        org_id: UUID,
        code: str,
        title: str,
        vote_year: int,
        conference_date: date,
        mode: str,
        organiser: str,
        organiser_key_id: str,
        leaders: Sequence[dict[str, Any]],
    ) -> ConfidenceVote:
        # One person is voted on once, whatever posts they hold (the manifest
        # names people, so its own check compares name and post).
        seen: set[str] = set()
        for index, leader in enumerate(leaders):
            if leader["member_id"] in seen:
                raise DomainError("vote.leader_duplicate", index=index)
            seen.add(leader["member_id"])
        return cls._create(
            cls.Prepared,  # type: ignore[attr-defined]
            id=confidence_vote_id(vote),
            vote_id=vote,
            org_id=org_id,
            code=code,
            title=title,
            vote_year=vote_year,
            conference_date=conference_date,
            mode=mode,
            organiser=organiser,
            organiser_key_id=organiser_key_id,
            leaders=[dict(leader) for leader in leaders],
        )

    @event("Prepared")
    def __init__(
        self,
        vote_id: UUID,
        org_id: UUID,
        code: str,
        title: str,
        vote_year: int,
        conference_date: date,
        mode: str,
        organiser: str,
        organiser_key_id: str,
        leaders: list[dict[str, Any]],
    ) -> None:
        self.vote_id = vote_id
        self.org_id = org_id
        self.code = code
        self.title = title
        self.vote_year = vote_year
        self.conference_date = conference_date
        self.mode = mode
        self.organiser = organiser
        self.organiser_key_id = organiser_key_id
        self.leaders = [dict(leader) for leader in leaders]
        self.recorded = False

    def record_results(
        self, *, convened: int, present: int, results: Sequence[LeaderResult]
    ) -> None:
        """The published tally as facts about each leader (§9.3 hand-off)."""
        if self.recorded:
            raise DomainError("vote.results_already_recorded")
        if len(results) != len(self.leaders):
            raise DomainError("vote.results_shape")
        for leader, result in zip(self.leaders, results, strict=True):
            member = UUID(leader["member_id"])
            self._held(
                vote_id=self.vote_id,
                leader_index=result.index,
                member_id=member,
                vote_year=self.vote_year,
                convened=convened,
                present=present,
                issued=result.issued,
                returned=result.returned,
                valid=result.valid,
                invalid=result.invalid,
                high=result.high,
                normal=result.normal,
                low=result.low,
                band=result.band.value,
            )
            if result.band is not Band.NONE:
                self._flagged(
                    vote_id=self.vote_id,
                    leader_index=result.index,
                    member_id=member,
                    vote_year=self.vote_year,
                    band=result.band.value,
                    low=result.low,
                    returned=result.returned,
                )

    @event("Held")
    def _held(
        self,
        vote_id: UUID,
        leader_index: int,
        member_id: UUID,
        vote_year: int,
        convened: int,
        present: int,
        issued: int,
        returned: int,
        valid: int,
        invalid: int,
        high: int,
        normal: int,
        low: int,
        band: str,
    ) -> None:
        self.recorded = True

    @event("ConsequenceFlagged")
    def _flagged(
        self,
        vote_id: UUID,
        leader_index: int,
        member_id: UUID,
        vote_year: int,
        band: str,
        low: int,
        returned: int,
    ) -> None:
        """More than half of the ballots returned were low confidence."""
