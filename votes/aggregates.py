"""The confidence vote as signed events of the project ledger (votes.md §5–§9, §11).

One :class:`Vote` aggregate per vote, id ``uuid5(org id, election code)``; its stream
is the election record.  The stream must read exactly like the record the standalone
verifier checks, so the events here are not the library's generated dataclasses:

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
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any, ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, CanMutateAggregate, event
from eventsourcing.utils import register_topic

from domain.errors import DomainError
from votes.ballot import BallotContext, BallotRejected, check_submission
from votes.canon import CanonicalError, parse_hex
from votes.ceremony import (
    CeremonyError,
    check_commitments,
    election_key,
    fingerprint,
    short_fingerprint,
    verification_key,
)
from votes.credentials import CredentialError, load_ed25519_public
from votes.elgamal import ZERO_CIPHERTEXT, Ciphertext
from votes.group import GroupError, Point, decode_point
from votes.manifest import (
    DEFAULT_MIN_BALLOTS,
    Leader,
    ManifestError,
    ManifestInput,
    build_manifest,
    manifest_hash,
)
from votes.proofs import SchnorrProof
from votes.results import Band, LeaderResult, leader_results
from votes.tally import (
    DecryptionShare,
    PartialDecryption,
    Tally,
    TallyError,
    combine,
    verify_partial,
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


def minute_now() -> datetime:
    """Event times of the vote stream are at minute precision (§11)."""
    return datetime.now(UTC).replace(second=0, microsecond=0)


class Phase(StrEnum):
    """Where a vote stands; the order is the order of §10.3 V4."""

    CEREMONY = "ceremony"
    KEY_PUBLISHED = "key_published"
    CREDENTIALS_PUBLISHED = "credentials_published"
    ATTENDANCE_RECORDED = "attendance_recorded"
    OPEN = "open"
    CLOSED = "closed"
    TALLIED = "tallied"
    ABANDONED = "abandoned"


# ---------------------------------------------------------------------------
# Events of the vote stream (§11)
# ---------------------------------------------------------------------------
class VoteEvent(CanMutateAggregate[UUID]):
    """An event whose stored body is exactly its §11 fields, in ``__dict__``."""

    TOPIC: ClassVar[str] = ""
    FIELDS: ClassVar[frozenset[str]] = frozenset()

    originator_id: UUID
    originator_version: int
    timestamp: datetime

    def __init__(
        self,
        *,
        originator_id: UUID,
        originator_version: int,
        timestamp: datetime,
        **body: Any,
    ) -> None:
        if set(body) != self.FIELDS:
            msg = f"{self.TOPIC} takes exactly {sorted(self.FIELDS)}"
            raise TypeError(msg)
        state = dict(body)
        state.update(
            originator_id=originator_id,
            originator_version=originator_version,
            timestamp=timestamp,
        )
        object.__setattr__(self, "__dict__", state)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("vote events are immutable")

    @staticmethod
    def create_timestamp() -> datetime:
        return minute_now()

    @property
    def body(self) -> dict[str, Any]:
        state: dict[str, Any] = self.__dict__
        return {name: state[name] for name in self.FIELDS}

    def apply(self, aggregate: Any) -> None:
        aggregate.when(self)

    def __repr__(self) -> str:
        return f"{self.TOPIC}(v{self.originator_version})"


def _event(topic: str, *fields: str) -> type[VoteEvent]:
    cls = type(topic, (VoteEvent,), {"TOPIC": topic, "FIELDS": frozenset(fields)})
    cls.__module__ = __name__
    register_topic(topic, cls)
    return cls


class ElectionCreated(VoteEvent):
    """The manifest: the first event of the stream, which creates the vote."""

    TOPIC = "VoteElectionCreated"
    FIELDS = frozenset({"manifest", "manifest_hash"})

    def mutate(self, aggregate: Any) -> Any:
        if aggregate is not None:
            raise DomainError("vote.exists")
        vote = Vote.__new__(Vote)
        vote.__base_init__(
            originator_id=self.originator_id,
            originator_version=self.originator_version,
            timestamp=self.timestamp,
        )
        vote.when(self)
        return vote


register_topic(ElectionCreated.TOPIC, ElectionCreated)
TrusteeRegistered = _event("VoteTrusteeRegistered", "i", "transport_pub")
TrusteeCommitted = _event("VoteTrusteeCommitted", "commitments", "i", "pok")
TrusteeShareSent = _event(
    "VoteTrusteeShareSent", "ciphertext", "ephemeral_pub", "from", "nonce", "to"
)
TrusteeComplaint = _event("VoteTrusteeComplaint", "against", "j", "reason")
KeyCeremonyAborted = _event("VoteKeyCeremonyAborted", "reason", "run")
TrusteeSharesVerified = _event("VoteTrusteeSharesVerified", "j", "verification_key")
ElectionKeyPublished = _event(
    "VoteElectionKeyPublished",
    "election_key",
    "fingerprint",
    "short_fingerprint",
    "verification_keys",
)
CredentialsPublished = _event("VoteCredentialsPublished", "count", "credentials")
EligibleAccountsPublished = _event("VoteEligibleAccountsPublished", "entries")
AttendanceRecorded = _event("VoteAttendanceRecorded", "convened", "present")
CredentialsVoided = _event("VoteCredentialsVoided", "credentials")
VotingOpened = _event("VoteVotingOpened", "issued", "quorum_ok")
BallotCast = _event("VoteBallotCast", "ballot", "ballot_hash", "sig")
VotingClosed = _event("VoteVotingClosed", "aggregate", "ballot_count", "ballots_head")
PartialDecryptionRecorded = _event(
    "VotePartialDecryption", "j", "shares", "verified_head"
)
TallyPublished = _event("VoteTallyPublished", "results", "trustees_used")
MinutesSigned = _event("VoteMinutesSigned", "head", "tally_event_hash")
Abandoned = _event("VoteAbandoned", "reason")

VOTE_EVENTS: tuple[type[VoteEvent], ...] = (
    ElectionCreated,
    TrusteeRegistered,
    TrusteeCommitted,
    TrusteeShareSent,
    TrusteeComplaint,
    KeyCeremonyAborted,
    TrusteeSharesVerified,
    ElectionKeyPublished,
    CredentialsPublished,
    EligibleAccountsPublished,
    AttendanceRecorded,
    CredentialsVoided,
    VotingOpened,
    BallotCast,
    VotingClosed,
    PartialDecryptionRecorded,
    TallyPublished,
    MinutesSigned,
    Abandoned,
)
VOTE_TOPICS = tuple(cls.TOPIC for cls in VOTE_EVENTS)


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


def _hex(value: object, nbytes: int, code: str) -> bytes:
    try:
        return parse_hex(value, nbytes)
    except CanonicalError:
        raise DomainError(code) from None


def _point(value: object, code: str) -> Point:
    try:
        return decode_point(parse_hex(value, 32))
    except (CanonicalError, GroupError):
        raise DomainError(code) from None


# ---------------------------------------------------------------------------
# The vote
# ---------------------------------------------------------------------------
class Vote(Aggregate):
    """One confidence vote: its manifest, ceremony, credentials, ballots and tally."""

    # -- construction -----------------------------------------------------------
    @classmethod
    def create(cls, vote: UUID, spec: VoteSpec) -> Vote:
        """Check the leader list and the parameters, then record the manifest."""
        _check_spec(spec)
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

    # -- state ---------------------------------------------------------------------
    def when(self, e: VoteEvent) -> None:
        """Apply one event (replay and new events alike); no rule is checked here."""
        _APPLY[type(e)](self, e)

    def _on_created(self, e: VoteEvent) -> None:
        m: dict[str, Any] = e.body["manifest"]
        self.manifest = m
        self.manifest_hash = bytes.fromhex(e.body["manifest_hash"])
        self.mode: str = m["mode"]
        self.leader_count = len(m["leaders"])
        self.trustee_keys: dict[int, bytes] = {
            t["index"]: bytes.fromhex(t["account_pub"]) for t in m["trustees"]
        }
        self.n = len(self.trustee_keys)
        self.t: int = m["threshold"]
        self.chair_index: int = m["chair_index"]
        self.convened: int = m["convened"]
        self.slip_count: int | None = m.get("slip_count")
        self.min_ballots: int = m["min_ballots"]
        self.service_pub: str = m["service_pub"]
        self.phase = Phase.CEREMONY
        self.run = 1
        self._reset_ceremony()
        self.election_key: Point | None = None
        self.verification_keys: tuple[Point, ...] = ()
        self.fingerprint = b""
        self.short_fingerprint = ""
        self.credentials: frozenset[bytes] = frozenset()
        self.eligible: dict[bytes, str] = {}
        self.voided: set[bytes] = set()
        self.present: int | None = None
        self.issued = 0
        self.opened_on: date | None = None
        self.used: set[bytes] = set()
        self.seen_a: set[bytes] = set()
        self.totals = [[ZERO_CIPHERTEXT] * 3 for _ in range(self.leader_count)]
        self.ballot_count = 0
        self.last_ballot_version: int | None = None
        self.closing_version: int | None = None
        self.tally: Tally | None = None
        self.partials: dict[int, PartialDecryption] = {}
        self.results: list[dict[str, Any]] | None = None
        self.trustees_used: list[int] = []
        self.tally_version: int | None = None
        self.abandon_reason: str | None = None

    def _reset_ceremony(self) -> None:
        self.registered: dict[int, bytes] = {}
        self.committed: dict[int, tuple[Point, ...]] = {}
        self.shares_sent: set[tuple[int, int]] = set()
        self.complaints: list[tuple[int, int, str]] = []
        self.confirmed: dict[int, Point] = {}

    def _on_registered(self, e: VoteEvent) -> None:
        self.registered[e.body["i"]] = bytes.fromhex(e.body["transport_pub"])

    def _on_committed(self, e: VoteEvent) -> None:
        self.committed[e.body["i"]] = tuple(
            Point(bytes.fromhex(c)) for c in e.body["commitments"]
        )

    def _on_share_sent(self, e: VoteEvent) -> None:
        self.shares_sent.add((e.body["from"], e.body["to"]))

    def _on_complaint(self, e: VoteEvent) -> None:
        b = e.body
        self.complaints.append((b["j"], b["against"], b["reason"]))

    def _on_aborted(self, e: VoteEvent) -> None:
        self.run = e.body["run"] + 1
        self._reset_ceremony()

    def _on_confirmed(self, e: VoteEvent) -> None:
        self.confirmed[e.body["j"]] = Point(bytes.fromhex(e.body["verification_key"]))

    def _on_key_published(self, e: VoteEvent) -> None:
        b = e.body
        self.election_key = Point(bytes.fromhex(b["election_key"]))
        self.verification_keys = tuple(
            Point(bytes.fromhex(v)) for v in b["verification_keys"]
        )
        self.fingerprint = bytes.fromhex(b["fingerprint"])
        self.short_fingerprint = b["short_fingerprint"]
        self.phase = Phase.KEY_PUBLISHED

    def _on_credentials(self, e: VoteEvent) -> None:
        self.credentials = frozenset(bytes.fromhex(c) for c in e.body["credentials"])
        self.issued = len(self.credentials)
        self.phase = Phase.CREDENTIALS_PUBLISHED

    def _on_eligible(self, e: VoteEvent) -> None:
        self.eligible = {
            bytes.fromhex(entry["account_pub"]): entry["member_id"]
            for entry in e.body["entries"]
        }
        self.issued = len(self.eligible)
        self.phase = Phase.CREDENTIALS_PUBLISHED

    def _on_attendance(self, e: VoteEvent) -> None:
        self.present = e.body["present"]
        self.phase = Phase.ATTENDANCE_RECORDED

    def _on_voided(self, e: VoteEvent) -> None:
        self.voided.update(bytes.fromhex(c) for c in e.body["credentials"])
        self.issued = len(self.credentials) - len(self.voided)

    def _on_opened(self, e: VoteEvent) -> None:
        self.opened_on = e.timestamp.astimezone(UTC).date()
        self.phase = Phase.OPEN

    def _on_ballot(self, e: VoteEvent) -> None:
        ballot = e.body["ballot"]
        self.used.add(bytes.fromhex(ballot["credential"]))
        for leader, answer in enumerate(ballot["answers"]):
            row = self.totals[leader]
            for level, choice in enumerate(answer["choices"]):
                a = Point(bytes.fromhex(choice["a"]))
                self.seen_a.add(a)
                row[level] = row[level] + Ciphertext(
                    a, Point(bytes.fromhex(choice["b"]))
                )
        self.ballot_count += 1
        self.last_ballot_version = e.originator_version

    def _on_closed(self, e: VoteEvent) -> None:
        self.tally = tuple(
            tuple(
                Ciphertext(Point(bytes.fromhex(c["a"])), Point(bytes.fromhex(c["b"])))
                for c in row
            )
            for row in e.body["aggregate"]
        )
        self.closing_version = e.originator_version
        self.phase = Phase.CLOSED

    def _on_partial(self, e: VoteEvent) -> None:
        self.partials[e.body["j"]] = _partial_from_body(e.body["shares"])

    def _on_tally(self, e: VoteEvent) -> None:
        self.results = list(e.body["results"])
        self.trustees_used = list(e.body["trustees_used"])
        self.tally_version = e.originator_version
        self.phase = Phase.TALLIED

    def _on_minutes(self, e: VoteEvent) -> None:
        """Minutes carry no index: the signer is known from the envelope only."""

    def _on_abandoned(self, e: VoteEvent) -> None:
        self.abandon_reason = e.body["reason"]
        self.phase = Phase.ABANDONED

    # -- helpers -------------------------------------------------------------------
    @property
    def title(self) -> str:
        return str(self.manifest["title"])

    @property
    def quorum_met(self) -> bool:
        return self.present is not None and self.present * 3 >= self.convened * 2

    def _require_phase(self, action: str, *phases: Phase) -> None:
        if self.phase not in phases:
            raise DomainError("vote.wrong_phase", phase=self.phase.value, action=action)

    def trustee_index(self, by_key: bytes) -> int:
        """The manifest index of the trustee holding this account key, or refuse."""
        for index, key in self.trustee_keys.items():
            if key == by_key:
                return index
        raise DomainError("vote.not_trustee")

    def _require_trustee(self, index: int, by_key: bytes) -> None:
        if self.trustee_keys.get(index) != by_key:
            raise DomainError("vote.not_trustee", index=index)

    def _require_chair(self, by_key: bytes) -> None:
        if self.trustee_keys.get(self.chair_index) != by_key:
            raise DomainError("vote.not_chair")

    def _trigger(self, cls: type[VoteEvent], **body: Any) -> None:
        self.trigger_event(cls, **body)

    # -- key ceremony (§5) -----------------------------------------------------------
    def register_trustee(self, i: int, transport_pub: str, *, by_key: bytes) -> None:
        """Step 1: trustee i's per-election X25519 transport key."""
        self._require_phase("register_trustee", Phase.CEREMONY)
        self._require_trustee(i, by_key)
        if i in self.registered:
            raise DomainError("vote.trustee_already_registered", index=i)
        raw = _hex(transport_pub, 32, "vote.transport_key_invalid")
        if raw == bytes(32) or raw in self.registered.values():
            raise DomainError("vote.transport_key_invalid")
        self._trigger(TrusteeRegistered, i=i, transport_pub=raw.hex())

    def commit_trustee(
        self,
        i: int,
        commitments: Sequence[str],
        pok: Sequence[Sequence[str]],
        *,
        by_key: bytes,
    ) -> None:
        """Step 2: t Feldman commitments, each with its proof of knowledge."""
        self._require_phase("commit_trustee", Phase.CEREMONY)
        self._require_trustee(i, by_key)
        if len(self.registered) < self.n:
            raise DomainError("vote.ceremony_registration_incomplete")
        if i in self.committed:
            raise DomainError("vote.trustee_already_committed", index=i)
        if self.complaints:
            raise DomainError("vote.ceremony_complaint_pending")
        points = [_point(c, "vote.commitments_invalid") for c in commitments]
        try:
            proofs = [SchnorrProof.from_hex(list(p)) for p in pok]
            check_commitments(self.manifest_hash, i, self.t, points, proofs)
        except (CeremonyError, GroupError, ValueError, TypeError):
            raise DomainError("vote.commitments_invalid", index=i) from None
        self._trigger(
            TrusteeCommitted,
            commitments=[p.hex() for p in points],
            i=i,
            pok=[p.to_hex() for p in proofs],
        )

    def send_shares(
        self, i: int, shares: Sequence[ShareMessage], *, by_key: bytes
    ) -> None:
        """Step 3: trustee i's encrypted share for every other trustee, at once."""
        self._require_phase("send_shares", Phase.CEREMONY)
        self._require_trustee(i, by_key)
        if len(self.committed) < self.n:
            raise DomainError("vote.ceremony_commitments_incomplete")
        if self.complaints:
            raise DomainError("vote.ceremony_complaint_pending")
        if any(sender == i for sender, _ in self.shares_sent):
            raise DomainError("vote.shares_already_sent", index=i)
        recipients = sorted(s.to for s in shares)
        if recipients != [j for j in range(1, self.n + 1) if j != i]:
            raise DomainError("vote.shares_recipients", index=i)
        bodies = [
            {
                "ciphertext": _hex(share.ciphertext, 48, "vote.share_invalid").hex(),
                "ephemeral_pub": _hex(
                    share.ephemeral_pub, 32, "vote.share_invalid"
                ).hex(),
                "from": i,
                "nonce": _hex(share.nonce, 12, "vote.share_invalid").hex(),
                "to": share.to,
            }
            for share in sorted(shares, key=lambda s: s.to)
        ]
        for body in bodies:
            self._trigger(TrusteeShareSent, **body)

    def file_complaint(
        self, j: int, against: int, reason: str, *, by_key: bytes
    ) -> None:
        """Step 4 failed: trustee j's share from `against` did not check out."""
        self._require_phase("file_complaint", Phase.CEREMONY)
        self._require_trustee(j, by_key)
        if len(self.committed) < self.n:
            raise DomainError("vote.ceremony_commitments_incomplete")
        if against == j or against not in self.trustee_keys:
            raise DomainError("vote.complaint_invalid")
        if reason not in COMPLAINT_REASONS:
            raise DomainError("vote.complaint_invalid", reason=reason)
        if j in self.confirmed:
            raise DomainError("vote.trustee_already_confirmed", index=j)
        self._trigger(TrusteeComplaint, against=against, j=j, reason=reason)

    def confirm_shares(self, j: int, verification_key: str, *, by_key: bytes) -> None:
        """Step 4 passed: trustee j checked every share and states V_j = s_j·G."""
        self._require_phase("confirm_shares", Phase.CEREMONY)
        self._require_trustee(j, by_key)
        expected = {(a, b) for a in self.trustee_keys for b in self.trustee_keys}
        if self.shares_sent != {(a, b) for a, b in expected if a != b}:
            raise DomainError("vote.ceremony_shares_incomplete")
        if self.complaints:
            raise DomainError("vote.ceremony_complaint_pending")
        if j in self.confirmed:
            raise DomainError("vote.trustee_already_confirmed", index=j)
        stated = _point(verification_key, "vote.verification_key_mismatch")
        if stated != verification_key_of(self.committed, self.n, j):
            raise DomainError("vote.verification_key_mismatch", index=j)
        self._trigger(TrusteeSharesVerified, j=j, verification_key=stated.hex())

    def abort_ceremony(self, reason: str) -> None:
        """Step 5: any complaint aborts the run; trustees start again from step 1."""
        self._require_phase("abort_ceremony", Phase.CEREMONY)
        text = " ".join(reason.split())
        if not text:
            raise DomainError("vote.reason_required")
        if not self.registered:
            raise DomainError("vote.ceremony_not_started")
        self._trigger(KeyCeremonyAborted, reason=text, run=self.run)

    def publish_key(self) -> None:
        """Step 6: Y, every V_j and the fingerprint, computed here from the record."""
        self._require_phase("publish_key", Phase.CEREMONY)
        if len(self.confirmed) < self.n or self.complaints:
            raise DomainError("vote.ceremony_confirmations_incomplete")
        commitments = [self.committed[i] for i in range(1, self.n + 1)]
        key = election_key(commitments)
        keys = [self.confirmed[j] for j in range(1, self.n + 1)]
        digest = fingerprint(self.manifest_hash, commitments, key, keys)
        self._trigger(
            ElectionKeyPublished,
            election_key=key.hex(),
            fingerprint=digest.hex(),
            short_fingerprint=short_fingerprint(digest),
            verification_keys=[v.hex() for v in keys],
        )

    # -- credentials and attendance (§6) --------------------------------------------
    def publish_credentials(self, credentials: Sequence[str], *, by_key: bytes) -> None:
        """Mode A: the chair's sorted list of slip public keys; no names."""
        self._require_phase("publish_credentials", Phase.KEY_PUBLISHED)
        if self.mode != "A":
            raise DomainError("vote.wrong_mode", mode=self.mode)
        self._require_chair(by_key)
        keys = [_hex(c, 32, "vote.credentials_invalid") for c in credentials]
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
        keys = sorted({_hex(c, 32, "vote.credentials_invalid") for c in credentials})
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
        if _hex(verified_head, 32, "vote.partial_head_mismatch") != closing_head:
            raise DomainError("vote.partial_head_mismatch")
        try:
            partial = _partial_from_body(shares, checked=True)
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


_APPLY: dict[type[VoteEvent], Callable[[Vote, VoteEvent], None]] = {
    ElectionCreated: Vote._on_created,
    TrusteeRegistered: Vote._on_registered,
    TrusteeCommitted: Vote._on_committed,
    TrusteeShareSent: Vote._on_share_sent,
    TrusteeComplaint: Vote._on_complaint,
    KeyCeremonyAborted: Vote._on_aborted,
    TrusteeSharesVerified: Vote._on_confirmed,
    ElectionKeyPublished: Vote._on_key_published,
    CredentialsPublished: Vote._on_credentials,
    EligibleAccountsPublished: Vote._on_eligible,
    AttendanceRecorded: Vote._on_attendance,
    CredentialsVoided: Vote._on_voided,
    VotingOpened: Vote._on_opened,
    BallotCast: Vote._on_ballot,
    VotingClosed: Vote._on_closed,
    PartialDecryptionRecorded: Vote._on_partial,
    TallyPublished: Vote._on_tally,
    MinutesSigned: Vote._on_minutes,
    Abandoned: Vote._on_abandoned,
}


def verification_key_of(
    committed: dict[int, tuple[Point, ...]], n: int, j: int
) -> Point:
    """V_j from the recorded commitments of all n trustees."""
    return verification_key([committed[i] for i in range(1, n + 1)], j)


def _partial_from_body(
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


def _check_spec(spec: VoteSpec) -> None:
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
