"""A vote's state, rebuilt from its events (votes.md §11): the manifest, the
ceremony's progress, credentials, ballots and the tally, and the checks every
command of :class:`~votes.aggregates.Vote` shares. Applying an event checks no
rule: the rules are checked by the commands, before an event exists."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date
from typing import Any

from eventsourcing.domain import Aggregate

from domain.errors import DomainError
from votes.elgamal import ZERO_CIPHERTEXT, Ciphertext
from votes.group import Point
from votes.tally import (
    PartialDecryption,
    Tally,
)
from votes.vote_events import (
    Abandoned,
    AttendanceRecorded,
    BallotCast,
    CredentialsPublished,
    CredentialsVoided,
    ElectionCreated,
    ElectionKeyPublished,
    EligibleAccountsPublished,
    KeyCeremonyAborted,
    MinutesSigned,
    PartialDecryptionRecorded,
    Phase,
    TallyPublished,
    TrusteeCommitted,
    TrusteeComplaint,
    TrusteeRegistered,
    TrusteeShareSent,
    TrusteeSharesVerified,
    VoteEvent,
    VotingClosed,
    VotingOpened,
)
from votes.vote_spec import (
    partial_from_body,
)


class VoteState(Aggregate):
    """One confidence vote as its events left it."""

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
        self.partials[e.body["j"]] = partial_from_body(e.body["shares"])

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


_APPLY: dict[type[VoteEvent], Callable[[VoteState, VoteEvent], None]] = {
    ElectionCreated: VoteState._on_created,
    TrusteeRegistered: VoteState._on_registered,
    TrusteeCommitted: VoteState._on_committed,
    TrusteeShareSent: VoteState._on_share_sent,
    TrusteeComplaint: VoteState._on_complaint,
    KeyCeremonyAborted: VoteState._on_aborted,
    TrusteeSharesVerified: VoteState._on_confirmed,
    ElectionKeyPublished: VoteState._on_key_published,
    CredentialsPublished: VoteState._on_credentials,
    EligibleAccountsPublished: VoteState._on_eligible,
    AttendanceRecorded: VoteState._on_attendance,
    CredentialsVoided: VoteState._on_voided,
    VotingOpened: VoteState._on_opened,
    BallotCast: VoteState._on_ballot,
    VotingClosed: VoteState._on_closed,
    PartialDecryptionRecorded: VoteState._on_partial,
    TallyPublished: VoteState._on_tally,
    MinutesSigned: VoteState._on_minutes,
    Abandoned: VoteState._on_abandoned,
}
