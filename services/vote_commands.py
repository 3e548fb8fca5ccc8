"""Commands of the confidence vote (votes.md §5–§9). Each has one handler in
``services.handlers.votes``; all but :class:`CastBallot` (``VoteService.cast_ballot``)
are signed by the acting user's own key, and the bus checks that ``actor_id`` is
that signer."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from domain.errors import DomainError
from services.commands import Command


@dataclass(frozen=True)
class LeaderInput:
    """One person voted on: a member, their post and the facts of §9.1."""

    member_id: UUID
    post: str
    appointed_or_elected_on: date
    pending_retirement_notice: bool = False


@dataclass(frozen=True)
class CreateVote(Command):
    """Organiser (an administrator): the manifest, fixed before the ceremony.

    ``trustees`` are the accounts of the ban kiểm phiếu (role ``counting``) in
    manifest order; ``chair_index`` is 1-based among them. ``threshold`` defaults
    to ⌊n/2⌋ + 1 and ``slip_count`` (mode A) to ``convened``.
    """

    org_id: UUID
    code: str
    title: str
    vote_year: int
    conference_date: date
    leaders: tuple[LeaderInput, ...]
    trustees: tuple[UUID, ...]
    convened: int
    threshold: int | None = None
    slip_count: int | None = None
    mode: str = "A"
    chair_index: int = 1
    min_ballots: int = 2
    booth_sha256: str | None = None


@dataclass(frozen=True)
class RegisterTrustee(Command):
    vote_id: UUID
    index: int
    transport_pub: str


@dataclass(frozen=True)
class CommitTrustee(Command):
    vote_id: UUID
    index: int
    commitments: tuple[str, ...]
    pok: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class TrusteeShare:
    to: int
    ephemeral_pub: str
    nonce: str
    ciphertext: str


@dataclass(frozen=True)
class SendTrusteeShares(Command):
    vote_id: UUID
    index: int
    shares: tuple[TrusteeShare, ...]


@dataclass(frozen=True)
class ConfirmTrusteeShares(Command):
    vote_id: UUID
    index: int
    verification_key: str


@dataclass(frozen=True)
class FileTrusteeComplaint(Command):
    vote_id: UUID
    index: int
    against: int
    reason: str


@dataclass(frozen=True)
class AbortKeyCeremony(Command):
    vote_id: UUID
    reason: str


@dataclass(frozen=True)
class PublishElectionKey(Command):
    vote_id: UUID


@dataclass(frozen=True)
class PublishCredentials(Command):
    """Mode A, the chair: the sorted public keys of the printed slips."""

    vote_id: UUID
    credentials: tuple[str, ...]


@dataclass(frozen=True)
class PublishEligibleAccounts(Command):
    """Mode B, the organiser: the members who may vote with their own account."""

    vote_id: UUID
    member_ids: tuple[UUID, ...]


@dataclass(frozen=True)
class RecordAttendance(Command):
    vote_id: UUID
    present: int


@dataclass(frozen=True)
class VoidCredentials(Command):
    """Mode A, the chair: slips that were not handed out."""

    vote_id: UUID
    credentials: tuple[str, ...]


@dataclass(frozen=True)
class OpenVoting(Command):
    vote_id: UUID


@dataclass(frozen=True)
class CastBallot:
    """A submission ``{"ballot", "sig"}`` as the booth POSTs it (canonical bytes).

    No actor: in mode A the ballot box signs and nobody is named; in mode B the
    handler is given the logged-in member's session to check the credential.
    """

    vote_id: UUID
    submission: bytes = field(repr=False)


@dataclass(frozen=True)
class CloseVoting(Command):
    vote_id: UUID


@dataclass(frozen=True)
class SubmitPartialDecryption(Command):
    """A trustee's D_j with proofs: shares[leader][level] = (d, c, u)."""

    vote_id: UUID
    index: int
    verified_head: str
    shares: tuple[tuple[tuple[str, str, str], ...], ...]


@dataclass(frozen=True)
class PublishTally(Command):
    """The chair: combine t partial decryptions, publish results and the facts."""

    vote_id: UUID


@dataclass(frozen=True)
class SignMinutes(Command):
    vote_id: UUID


@dataclass(frozen=True)
class AbandonVote(Command):
    vote_id: UUID
    reason: str


def command_from_message(actor: str, message: dict[str, Any]) -> Command:
    """The command for a message written by ``kiemdiem votes trustee``."""
    try:
        vote = UUID(message["vote"])
        index = int(message["i"])
        body = message["body"]
        step = message["step"]
        if step == "register":
            return RegisterTrustee(actor, vote, index, body["transport_pub"])
        if step == "commit":
            return CommitTrustee(
                actor,
                vote,
                index,
                tuple(body["commitments"]),
                tuple((c, u) for c, u in body["pok"]),
            )
        if step == "shares":
            return SendTrusteeShares(
                actor,
                vote,
                index,
                tuple(
                    TrusteeShare(
                        s["to"], s["ephemeral_pub"], s["nonce"], s["ciphertext"]
                    )
                    for s in body["shares"]
                ),
            )
        if step == "confirm":
            return ConfirmTrusteeShares(actor, vote, index, body["verification_key"])
        if step == "complaint":
            return FileTrusteeComplaint(
                actor, vote, index, body["against"], body["reason"]
            )
        if step == "credentials":
            return PublishCredentials(actor, vote, tuple(body["credentials"]))
        if step == "void":
            return VoidCredentials(actor, vote, tuple(body["credentials"]))
        if step == "decrypt":
            return SubmitPartialDecryption(
                actor,
                vote,
                index,
                body["verified_head"],
                tuple(
                    tuple((s["d"], s["proof"][0], s["proof"][1]) for s in row)
                    for row in body["shares"]
                ),
            )
    except (KeyError, TypeError, ValueError, IndexError):
        raise DomainError("vote.message_invalid") from None
    raise DomainError("vote.message_invalid", step=str(message.get("step")))
