"""The confidence vote's application service (votes.md; architecture.md §3).

The vote commands are handled in ``services.handlers.votes`` through the one bus
(``kiemdiem.handle``); ``VoteService(kiemdiem)`` keeps each vote's state between
ballots, the ballot-box keys, the casting and the reads. Every command commits
through the unit of work: one transaction, signed by the acting user's own key,
re-run on a concurrent write.  Who may sign what follows the
roles the verifier enforces (§10.3 V3):

* the organiser — the administrator who created the vote, with the same key — signs
  the manifest, ``abort``, the election key, attendance, opening, closing, abandon;
* trustee i signs its own ceremony steps and partial decryption with the account key
  named in the manifest; the chair also signs credentials, voiding and the tally;
* ballots are signed by the vote's **ballot box**: a non-person key
  (``sys:ballot-box:<vote id>``) registered by the organiser when the vote is created,
  named ``service_pub`` in the manifest, and kept by the server wrapped under the
  log-key passphrase file, like the log key (ledger.md §4.1, §4.5).  A mode A
  ballot therefore carries no voter key and no voter identity; in mode B the
  ballot's inner signature is the member's own account key (§6.2).

Trustee operations are computed by the trustee's own tool (``votes.trustee``); this
service only checks and records their messages.  The election record is never kept
twice: :meth:`VoteService.export_record` rebuilds it from the vote's stored events.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from uuid import UUID

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from domain.accounts import Role, UserAccount
from domain.errors import DomainError
from domain.members import PartyMember
from domain.text import clean_text
from domain.vote_lists import leader_appointment, recorded_appointment
from ledger import envelope
from ledger.signing import Signer
from services import vote_commands as vc
from services.errors import NotFoundError
from services.vote_booth import VoteBooth
from services.vote_record_export import election_record
from services.vote_rows import TrusteeRow, VoteResultReads
from votes.aggregates import MinutesSigned
from votes.manifest import Leader

CODE_ALPHABET = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")


class VoteService(VoteBooth, VoteResultReads):
    """Vote commands and reads on top of one :class:`Kiemdiem`: the state and
    the ballot boxes (``services.vote_state``), casting and the booth
    (``services.vote_booth``), the view's queries (``services.vote_rows``), the
    election record (``services.vote_record_export``); here what the command
    handlers ask and the trustee list."""

    # -- what the vote command handlers use ----------------------------------------
    def require_organiser(self, vote: UUID, signer: Signer) -> None:
        """The verifier requires the manifest signer's key on organiser events."""
        facts = self.confidence_vote(vote)
        if (
            signer.actor != facts.organiser
            or signer.key_id.hex() != facts.organiser_key_id
        ):
            raise DomainError("vote.not_organiser")

    def leader(
        self, entry: vc.LeaderInput, command: vc.CreateVote, index: int
    ) -> Leader:
        """A leader on the list, dated by the posts recorded in the ledger (96-QĐ/TW
        Điều 3); the date the organiser typed is only a cross-check."""
        member = self.app.uow.get(PartyMember, entry.member_id, "member.not_found")
        appointed = leader_appointment(
            index=index,
            name=member.full_name,
            typed=entry.appointed_or_elected_on,
            recorded=recorded_appointment(
                member.posts,
                lambda org: self.app.uow.in_scope(command.org_id, UUID(org)),
                command.conference_date,
            ),
            vote_year=command.vote_year,
        )
        return Leader(
            name=member.full_name,
            post=clean_text(entry.post),
            appointed_or_elected_on=appointed.on,
            pending_retirement_notice=entry.pending_retirement_notice,
        )

    def trustee_key(self, account_id: UUID) -> bytes:
        """A member of the ban kiểm phiếu: an enabled ``counting`` account's key."""
        account = self.app.uow.get(UserAccount, account_id, "account.not_found")
        if account.disabled:
            raise DomainError("account.disabled", id=str(account_id))
        if Role.COUNTING.value not in account.roles:
            raise DomainError("vote.trustee_not_counting", id=str(account_id))
        keys = self.app.ledger.key_registry().valid_keys_of(account.actor)
        if not keys:
            raise DomainError("vote.trustee_without_key", id=str(account_id))
        newest = max(keys, key=lambda record: record.registered_at)
        return newest.public_key_raw

    def minutes_signers(self, vote: UUID, tally_version: int) -> set[bytes]:
        """Public keys that signed ``VoteMinutesSigned`` (after the tally)."""
        registry = self.app.ledger.key_registry()
        keys = set()
        for row in self.app.ledger.recorder.select_events(vote, gt=tally_version):
            if row.topic == MinutesSigned.TOPIC:
                record = registry.get(envelope.unpack(row.state).key_id.hex())
                if record is not None:
                    keys.add(record.public_key_raw)
        return keys

    def roster_with_accounts(self, vote: UUID) -> list[UUID]:
        """Mode B (§6.2): the members of the vote's organisation and every
        organisation below it who have an enabled account with a registered key
        (the list ``PublishEligibleAccounts`` is built from)."""
        row = self.vote_row(vote)
        if row is None or row.org_id is None:
            raise NotFoundError("vote.not_found", id=str(vote))
        below = {row.org_id}
        organisations = self.app.organisations()
        grew = True
        while grew:
            found = {o.org_id for o in organisations if o.parent_id in below}
            grew = not found <= below
            below |= found
        registry = self.app.ledger.key_registry()
        with_key = {
            a.member_id
            for a in self.app.accounts()
            if a.member_id is not None
            and not a.disabled
            and registry.valid_keys_of(f"u:{a.account_id}")
        }
        return [
            m.member_id
            for m in self.app.members()
            if m.cell_id in below and m.member_id in with_key
        ]

    def member_account_key(self, member_id: UUID) -> bytes:
        """Mode B: the registered key of the account linked to this member."""
        self.app.uow.get(PartyMember, member_id, "member.not_found")
        for row in self.app.accounts():
            if row.member_id == member_id and not row.disabled:
                keys = self.app.ledger.key_registry().valid_keys_of(
                    f"u:{row.account_id}"
                )
                if keys:
                    return max(keys, key=lambda r: r.registered_at).public_key_raw
        raise DomainError("vote.member_without_account", id=str(member_id))

    # -- ballot box key -------------------------------------------------------------
    def store_ballot_box(self, vote: UUID, key: Ed25519PrivateKey) -> Path:
        """Wrap the ballot-box key under the server passphrase (like the log key)."""
        return self.boxes.store(vote, key)

    def remember_ballot_box(self, vote: UUID, signer: Signer) -> None:
        """Keep a new vote's ballot-box signer (its key was stored before)."""
        self.boxes.remember(vote, signer)

    # -- trustee tool messages ------------------------------------------------------
    @staticmethod
    def command_from_message(actor: str, message: dict[str, Any]) -> Any:
        """The command for a message written by ``kiemdiem votes trustee``."""
        return vc.command_from_message(actor, message)

    def closing_head(self, vote: UUID) -> bytes:
        """The chain head written in the minutes: the ``VoteVotingClosed`` hash."""
        closing = self.vote(vote).closing_version
        if closing is None:
            raise DomainError("vote.not_closed")
        return self.event_hash(vote, closing)

    # -- the election record (§10.1) ------------------------------------------------
    def export_record(self, vote: UUID) -> bytes:
        """The vote stream as JSON Lines, rebuilt from the stored envelopes, then
        the signers' public keys from the key registry (the verifier's input)."""
        return election_record(self.app.ledger, vote, self.vote(vote))

    # -- read side ------------------------------------------------------------------
    def trustee_rows(self, vote: UUID) -> list[TrusteeRow]:
        """The ban kiểm phiếu in manifest order, each with the account whose key
        the manifest names: the index a trustee gives ``kiemdiem votes trustee``."""
        current = self.vote(vote)
        registry = self.app.ledger.key_registry()
        owners: dict[str, str] = {}
        for entry in current.manifest["trustees"]:
            key_id = envelope.key_id_for(bytes.fromhex(entry["account_pub"])).hex()
            record = registry.get(key_id)
            if record is not None:
                owners[entry["account_pub"]] = record.owner
        accounts = {row.account_id: row for row in self.app.accounts()}
        rows = []
        for entry in current.manifest["trustees"]:
            owner = owners.get(entry["account_pub"], "")
            account = None
            if owner.startswith("u:"):
                try:
                    account = accounts.get(UUID(owner[2:]))
                except ValueError:
                    account = None
            rows.append(
                TrusteeRow(
                    index=int(entry["index"]),
                    username=account.username if account else None,
                    full_name=account.full_name if account else None,
                    chair=int(entry["index"]) == int(current.manifest["chair_index"]),
                )
            )
        return rows
