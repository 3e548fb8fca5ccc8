"""The events of a vote's stream (votes.md §11), which is the election record.

The stream must read exactly like the record the standalone verifier checks, so the
events are not the library's generated dataclasses: every stored topic is the §11
name (``VoteElectionCreated`` …, signed content: never rename one), every body holds
exactly the §11 fields, and times are at minute precision. The first event creates
the :class:`~votes.aggregates.Vote`, named by its topic so this module needs no
import of the aggregate.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.domain import CanMutateAggregate
from eventsourcing.utils import register_topic, resolve_topic

from domain.errors import DomainError

# The aggregate the first event creates (resolved when a stream is replayed).
VOTE_AGGREGATE_TOPIC = "votes.aggregates:Vote"


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


def vote_event(topic: str, *fields: str) -> type[VoteEvent]:
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
        vote_class: Any = resolve_topic(VOTE_AGGREGATE_TOPIC)
        vote = vote_class.__new__(vote_class)
        vote.__base_init__(
            originator_id=self.originator_id,
            originator_version=self.originator_version,
            timestamp=self.timestamp,
        )
        vote.when(self)
        return vote


register_topic(ElectionCreated.TOPIC, ElectionCreated)
TrusteeRegistered = vote_event("VoteTrusteeRegistered", "i", "transport_pub")
TrusteeCommitted = vote_event("VoteTrusteeCommitted", "commitments", "i", "pok")
TrusteeShareSent = vote_event(
    "VoteTrusteeShareSent", "ciphertext", "ephemeral_pub", "from", "nonce", "to"
)
TrusteeComplaint = vote_event("VoteTrusteeComplaint", "against", "j", "reason")
KeyCeremonyAborted = vote_event("VoteKeyCeremonyAborted", "reason", "run")
TrusteeSharesVerified = vote_event("VoteTrusteeSharesVerified", "j", "verification_key")
ElectionKeyPublished = vote_event(
    "VoteElectionKeyPublished",
    "election_key",
    "fingerprint",
    "short_fingerprint",
    "verification_keys",
)
CredentialsPublished = vote_event("VoteCredentialsPublished", "count", "credentials")
EligibleAccountsPublished = vote_event("VoteEligibleAccountsPublished", "entries")
AttendanceRecorded = vote_event("VoteAttendanceRecorded", "convened", "present")
CredentialsVoided = vote_event("VoteCredentialsVoided", "credentials")
VotingOpened = vote_event("VoteVotingOpened", "issued", "quorum_ok")
BallotCast = vote_event("VoteBallotCast", "ballot", "ballot_hash", "sig")
VotingClosed = vote_event(
    "VoteVotingClosed", "aggregate", "ballot_count", "ballots_head"
)
PartialDecryptionRecorded = vote_event(
    "VotePartialDecryption", "j", "shares", "verified_head"
)
TallyPublished = vote_event("VoteTallyPublished", "results", "trustees_used")
MinutesSigned = vote_event("VoteMinutesSigned", "head", "tally_event_hash")
Abandoned = vote_event("VoteAbandoned", "reason")

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
