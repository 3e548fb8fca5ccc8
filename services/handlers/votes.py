"""Handlers of confidence votes (lấy phiếu tín nhiệm, votes.md): creating a vote
with its ballot-box key, the trustees' key ceremony and decryption, and the
organiser's steps. Ballots are cast through ``VoteService.cast_ballot``
(signed by the ballot box, not by a person: not a command)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from eventsourcing.domain import Aggregate

from domain.errors import DomainError
from domain.organisations import Organisation
from domain.text import clean_text
from ledger.keys import register_key
from ledger.signing import Signer
from services import vote_commands as vc
from services.ballot_box import BALLOT_BOX_ROLE
from services.handlers.base import Services
from services.handlers.registry import handler
from services.vote_booth import booth_hash
from services.votes import CODE_ALPHABET
from votes.aggregates import (
    ConfidenceVote,
    ShareMessage,
    Vote,
    VoteSpec,
    ballot_box_actor,
    vote_id,
)
from votes.ceremony import default_threshold


@handler(vc.CreateVote)
def create_vote(app: Services, command: vc.CreateVote, signer: Signer) -> UUID:
    uow, service = app.uow, app.votes
    code = command.code.strip().lower()
    if not code or not set(code) <= CODE_ALPHABET or len(code) > 64:
        raise DomainError("vote.code_invalid", value=command.code)
    if command.mode == "B" and not service.allow_remote_mode:
        raise DomainError("vote.remote_mode_disabled")
    vid = vote_id(command.org_id, code)
    box_key = Ed25519PrivateKey.generate()
    box_actor = ballot_box_actor(vid)

    def work() -> list[Aggregate]:
        uow.authorise(signer.actor, "vote.create", command.org_id)
        org = uow.get(Organisation, command.org_id, "org.not_found")
        if uow.exists(vid):
            raise DomainError("vote.code_taken", value=code)
        leaders = [
            service.leader(entry, command, index)
            for index, entry in enumerate(command.leaders)
        ]
        trustee_keys = [service.trustee_key(a) for a in command.trustees]
        n = len(trustee_keys)
        spec = VoteSpec(
            title=clean_text(command.title),
            organisation=org.name,
            vote_year=command.vote_year,
            conference_date=command.conference_date,
            mode=command.mode,
            leaders=leaders,
            convened=command.convened,
            slip_count=(
                command.convened if command.slip_count is None else command.slip_count
            )
            if command.mode == "A"
            else None,
            trustee_keys=trustee_keys,
            # Only an absent threshold takes the default: 0 is refused.
            threshold=default_threshold(max(n, 1))
            if command.threshold is None
            else command.threshold,
            chair_index=command.chair_index,
            service_pub=Signer(box_actor, box_key).public_key_raw,
            booth_sha256=booth_hash(command.booth_sha256),
            min_ballots=command.min_ballots,
        )
        vote = Vote.create(vid, spec)
        facts = ConfidenceVote.prepare(
            vote=vid,
            org_id=command.org_id,
            code=code,
            title=spec.title,
            vote_year=command.vote_year,
            conference_date=command.conference_date,
            mode=command.mode,
            organiser=signer.actor,
            organiser_key_id=signer.key_id.hex(),
            leaders=[
                {
                    "index": index,
                    "member_id": str(entry.member_id),
                    "name": leader.name,
                    "post": leader.post,
                }
                for index, (entry, leader) in enumerate(
                    zip(command.leaders, leaders, strict=True)
                )
            ],
        )
        key = register_key(box_key, box_actor, BALLOT_BOX_ROLE)
        # The key first: it must be registered before any ballot it signs.
        return [key, vote, facts]

    path = service.store_ballot_box(vid, box_key)
    try:
        uow.commit(signer, work, alone=True)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    service.remember_ballot_box(vid, Signer(box_actor, box_key))
    return vid


# -- the trustees' ceremony --------------------------------------------------------
def trustee_step(
    app: Services, command: Any, signer: Signer, step: Callable[[Vote, bytes], None]
) -> UUID:
    """A trustee's step, signed by their own key (a person, never a service)."""
    if not signer.actor.startswith("u:"):
        raise DomainError("auth.forbidden", action="person_only")

    def work() -> list[Aggregate]:
        vote = app.votes.vote(command.vote_id)
        step(vote, signer.public_key_raw)
        return [vote]

    app.uow.commit(signer, work, alone=True)
    vote_uuid: UUID = command.vote_id
    return vote_uuid


@handler(vc.RegisterTrustee)
def register_trustee(
    app: Services, command: vc.RegisterTrustee, signer: Signer
) -> UUID:
    return trustee_step(
        app,
        command,
        signer,
        lambda vote, key: vote.register_trustee(
            command.index, command.transport_pub, by_key=key
        ),
    )


@handler(vc.CommitTrustee)
def commit_trustee(app: Services, command: vc.CommitTrustee, signer: Signer) -> UUID:
    return trustee_step(
        app,
        command,
        signer,
        lambda vote, key: vote.commit_trustee(
            command.index, command.commitments, command.pok, by_key=key
        ),
    )


@handler(vc.SendTrusteeShares)
def send_trustee_shares(
    app: Services, command: vc.SendTrusteeShares, signer: Signer
) -> UUID:
    shares = [
        ShareMessage(s.to, s.ephemeral_pub, s.nonce, s.ciphertext)
        for s in command.shares
    ]
    return trustee_step(
        app,
        command,
        signer,
        lambda vote, key: vote.send_shares(command.index, shares, by_key=key),
    )


@handler(vc.ConfirmTrusteeShares)
def confirm_trustee_shares(
    app: Services, command: vc.ConfirmTrusteeShares, signer: Signer
) -> UUID:
    return trustee_step(
        app,
        command,
        signer,
        lambda vote, key: vote.confirm_shares(
            command.index, command.verification_key, by_key=key
        ),
    )


@handler(vc.FileTrusteeComplaint)
def file_trustee_complaint(
    app: Services, command: vc.FileTrusteeComplaint, signer: Signer
) -> UUID:
    return trustee_step(
        app,
        command,
        signer,
        lambda vote, key: vote.file_complaint(
            command.index, command.against, command.reason, by_key=key
        ),
    )


@handler(vc.PublishCredentials)
def publish_credentials(
    app: Services, command: vc.PublishCredentials, signer: Signer
) -> UUID:
    return trustee_step(
        app,
        command,
        signer,
        lambda vote, key: vote.publish_credentials(command.credentials, by_key=key),
    )


@handler(vc.VoidCredentials)
def void_credentials(
    app: Services, command: vc.VoidCredentials, signer: Signer
) -> UUID:
    return trustee_step(
        app,
        command,
        signer,
        lambda vote, key: vote.void_credentials(command.credentials, by_key=key),
    )


@handler(vc.SubmitPartialDecryption)
def submit_partial_decryption(
    app: Services, command: vc.SubmitPartialDecryption, signer: Signer
) -> UUID:
    shares = [[{"d": d, "proof": [c, u]} for d, c, u in row] for row in command.shares]

    def step(vote: Vote, key: bytes) -> None:
        if vote.closing_version is None:
            raise DomainError(
                "vote.wrong_phase", phase=vote.phase.value, action="record_partial"
            )
        closing = app.votes.event_hash(command.vote_id, vote.closing_version)
        vote.record_partial(
            command.index,
            shares,
            command.verified_head,
            closing_head=closing,
            by_key=key,
        )

    return trustee_step(app, command, signer, step)


@handler(vc.SignMinutes)
def sign_minutes(app: Services, command: vc.SignMinutes, signer: Signer) -> UUID:
    service = app.votes

    def step(vote: Vote, key: bytes) -> None:
        if vote.tally_version is None or vote.closing_version is None:
            raise DomainError(
                "vote.wrong_phase", phase=vote.phase.value, action="sign_minutes"
            )
        vote.sign_minutes(
            service.event_hash(command.vote_id, vote.tally_version),
            service.event_hash(command.vote_id, vote.closing_version),
            by_key=key,
            signed_by=service.minutes_signers(command.vote_id, vote.tally_version),
        )

    return trustee_step(app, command, signer, step)


@handler(vc.PublishTally)
def publish_tally(app: Services, command: vc.PublishTally, signer: Signer) -> UUID:
    service = app.votes

    def work() -> list[Aggregate]:
        vote = service.vote(command.vote_id)
        facts = service.confidence_vote(command.vote_id)
        results = vote.publish_tally(by_key=signer.public_key_raw)
        facts.record_results(
            convened=vote.convened, present=vote.present or 0, results=results
        )
        return [vote, facts]

    app.uow.commit(signer, work, alone=True)
    return command.vote_id


# -- the organiser's steps ---------------------------------------------------------
def organiser_step(
    app: Services, command: Any, signer: Signer, step: Callable[[Vote], None]
) -> UUID:
    """A step of the vote's organiser, signed with the manifest signer's key."""

    def work() -> list[Aggregate]:
        app.votes.require_organiser(command.vote_id, signer)
        vote = app.votes.vote(command.vote_id)
        step(vote)
        return [vote]

    app.uow.commit(signer, work, alone=True)
    vote_uuid: UUID = command.vote_id
    return vote_uuid


@handler(vc.AbortKeyCeremony)
def abort_key_ceremony(
    app: Services, command: vc.AbortKeyCeremony, signer: Signer
) -> UUID:
    return organiser_step(
        app, command, signer, lambda vote: vote.abort_ceremony(command.reason)
    )


@handler(vc.PublishElectionKey)
def publish_election_key(
    app: Services, command: vc.PublishElectionKey, signer: Signer
) -> UUID:
    return organiser_step(app, command, signer, lambda vote: vote.publish_key())


@handler(vc.PublishEligibleAccounts)
def publish_eligible_accounts(
    app: Services, command: vc.PublishEligibleAccounts, signer: Signer
) -> UUID:
    def step(vote: Vote) -> None:
        entries = [
            (str(m), app.votes.member_account_key(m)) for m in command.member_ids
        ]
        vote.publish_eligible(entries)

    return organiser_step(app, command, signer, step)


@handler(vc.RecordAttendance)
def record_attendance(
    app: Services, command: vc.RecordAttendance, signer: Signer
) -> UUID:
    return organiser_step(
        app, command, signer, lambda vote: vote.record_attendance(command.present)
    )


@handler(vc.OpenVoting)
def open_voting(app: Services, command: vc.OpenVoting, signer: Signer) -> UUID:
    return organiser_step(app, command, signer, lambda vote: vote.open_voting())


@handler(vc.CloseVoting)
def close_voting(app: Services, command: vc.CloseVoting, signer: Signer) -> UUID:
    def step(vote: Vote) -> None:
        head = None
        if vote.last_ballot_version is not None:
            head = app.votes.event_hash(command.vote_id, vote.last_ballot_version)
        vote.close_voting(head)

    return organiser_step(app, command, signer, step)


@handler(vc.AbandonVote)
def abandon_vote(app: Services, command: vc.AbandonVote, signer: Signer) -> UUID:
    return organiser_step(
        app, command, signer, lambda vote: vote.abandon(command.reason)
    )
