"""Casting and the booth (bỏ phiếu; votes.md §7): a ballot checked and recorded,
signed by the vote's ballot box, and its receipt; the mode B voter's eligible key
and wrapped key; what the booth reads to check the election and build a ballot;
the booth hash a manifest pins."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.errors import DomainError
from ledger import envelope
from services import booth
from services import vote_commands as vc
from services.vote_state import VoteState
from votes.aggregates import Phase, Vote
from votes.ballot import tracking_code
from votes.canon import canonical

RECEIPT_PREFIX = b"kiemdiem/vote/v1/receipt\n"


@dataclass(frozen=True)
class Receipt:
    """§7.3: what the voter keeps; no time and no identity."""

    body: dict[str, Any]
    sig: str

    @property
    def tracking_code(self) -> str:
        return str(self.body["tracking_code"])

    def to_json(self) -> dict[str, Any]:
        return {"body": self.body, "sig": self.sig}


class VoteBooth(VoteState):
    """Casting, the mode B voter's keys and the booth's public reads."""

    def cast_ballot(
        self, command: vc.CastBallot, session: str | None = None
    ) -> Receipt:
        """Check and record one ballot, signed by the ballot box; return the receipt.

        Mode A: ``session`` is ignored, nothing about the voter is stored.
        Mode B: ``session`` is the logged-in account's actor; the ballot's
        credential must be that member's eligible account key (§7.2 step 5).  The
        ballot itself is signed on the member's device: the server needs only the
        public key, never the member's unlocked private key.
        """
        box = self.boxes.signer(command.vote_id)
        outcome: dict[str, Any] = {}

        def work() -> list[Aggregate]:
            vote = self.vote(command.vote_id)
            member_key = None
            if vote.mode == "B" and session is not None:
                member_key = self._session_key(vote, session)
            outcome["hash"] = vote.cast_ballot(
                command.submission, member_key=member_key
            )
            outcome["position"] = vote.version
            outcome["election"] = vote.fingerprint.hex()
            return [vote]

        self.app.uow.commit(box, work, alone=True)
        position: int = outcome["position"]
        digest = bytes.fromhex(outcome["hash"])
        body = {
            "ballot_hash": digest.hex(),
            "election": outcome["election"],
            "event_hash": self.event_hash(command.vote_id, position).hex(),
            "position": position,
            "tracking_code": tracking_code(digest),
            "v": 1,
        }
        sig = box.private_key.sign(RECEIPT_PREFIX + canonical(body))
        return Receipt(body, sig.hex())

    def _session_key(self, vote: Vote, actor: str) -> bytes:
        """Mode B: the eligible key of the member whose account is signed in
        (empty when there is none, which the credential check then refuses)."""
        entry = self.eligible_entry(vote.id, actor, current=vote)
        return entry[1] if entry is not None else b""

    def eligible_entry(
        self, vote: UUID, actor: str, *, current: Vote | None = None
    ) -> tuple[str, bytes] | None:
        """Mode B: (member id, account key) of the signed-in account in the
        published eligible list, when its key is still a valid key of the account."""
        state = current if current is not None else self.vote(vote)
        if state.mode != "B" or not actor.startswith("u:"):
            return None
        try:
            account = self.app.account(UUID(actor[2:]))
        except (ValueError, DomainError):
            return None
        if account.disabled or account.member_id is None:
            return None
        valid = {
            r.public_key_raw
            for r in self.app.ledger.key_registry().valid_keys_of(actor)
        }
        for key, member in state.eligible.items():
            if member == str(account.member_id) and key in valid:
                return member, key
        return None

    def wrapped_key(self, vote: UUID, actor: str) -> dict[str, Any]:
        """Mode B booth: the signed-in member's own wrapped key record (ledger.md
        §4.4), opened in the browser with the password, which never leaves it for
        this step.  Only for an eligible member of a mode B vote, and only while
        it is open: the record is otherwise never sent to a browser."""
        current = self.vote(vote)
        entry = self.eligible_entry(vote, actor, current=current)
        if entry is None:
            raise DomainError("vote.not_eligible")
        if current.phase is not Phase.OPEN:
            raise DomainError("vote.not_open", phase=current.phase.value)
        member, public = entry
        stored = self.app.vault.wrapped_record(actor[2:])
        if stored is None:
            raise DomainError("vote.key_not_wrapped")
        key_id, wrapped = stored
        if key_id != envelope.key_id_for(public).hex():
            raise DomainError("vote.key_not_wrapped")
        return {
            "account_pub": public.hex(),
            "key_id": key_id,
            "member_id": member,
            "user_id": actor[2:],
            "wrapped": wrapped,
        }

    def booth_data(self, vote: UUID) -> dict[str, Any]:
        """What the booth needs to check the election and build a ballot (§7.1
        step 1): the manifest, the current run's commitments, the published key and
        the credential list.  The booth recomputes the hashes itself."""
        current = self.vote(vote)
        data: dict[str, Any] = {
            "manifest": current.manifest,
            "manifest_hash": current.manifest_hash.hex(),
            "phase": current.phase.value,
            "ballots": current.ballot_count,
            "issued": current.issued,
        }
        if current.election_key is not None:
            data["commitments"] = [
                [c.hex() for c in current.committed[i]]
                for i in sorted(current.committed)
            ]
            data["key"] = {
                "election_key": current.election_key.hex(),
                "fingerprint": current.fingerprint.hex(),
                "short_fingerprint": current.short_fingerprint,
                "verification_keys": [v.hex() for v in current.verification_keys],
            }
        if current.mode == "A":
            data["credentials"] = sorted(c.hex() for c in current.credentials)
            data["voided"] = sorted(c.hex() for c in current.voided)
        else:
            data["credentials"] = sorted(k.hex() for k in current.eligible)
            data["voided"] = []
        return data

    def slip_status(self, vote: UUID, credential: bytes) -> str:
        """Whether a slip's credential key may still cast, asked at code entry
        (§7.1 step 2): ``usable``, ``used``, ``voided`` or ``unknown``.

        Only the credential's own state, which the published list and the record
        already show; never which ballot it cast.  Only while voting is open."""
        current = self.vote(vote)
        if current.phase is not Phase.OPEN:
            raise DomainError("vote.not_open", phase=current.phase.value)
        listed = current.credentials if current.mode == "A" else current.eligible
        if credential not in listed:
            return "unknown"
        if credential in current.voided:
            return "voided"
        return "used" if credential in current.used else "usable"


def booth_hash(value: str | None) -> bytes:
    """The booth hash the manifest pins (votes.md §7.1): the bundle this server
    serves, or the one given. A vote is refused while the booth files are
    missing (no ``npm ci``): a manifest never pins a hash of nothing."""
    if value is None:
        served = booth.booth_sha256()
        if served is None:
            raise DomainError("vote.booth_missing")
        return served
    try:
        raw = bytes.fromhex(value)
    except ValueError:
        raw = b""
    if len(raw) != 32 or raw.hex() != value or raw == bytes(32):
        raise DomainError("vote.booth_hash_invalid")
    return raw
