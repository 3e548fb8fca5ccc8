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

import copy
import json
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from uuid import UUID

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from eventsourcing.domain import Aggregate

from domain.accounts import Role, UserAccount
from domain.errors import DomainError
from domain.members import PartyMember
from domain.text import clean_text
from domain.vote_lists import leader_appointment, recorded_appointment
from ledger import envelope, keywrap
from ledger.errors import ConfigurationError
from ledger.private_files import write_private
from ledger.signing import Signer, current_scope
from services import booth
from services import vote_commands as vc
from services.context import AppContext
from services.errors import NotFoundError
from services.logkey import server_passphrase
from services.vault import KdfCost, seed_of
from votes.aggregates import (
    ConfidenceVote,
    MinutesSigned,
    Phase,
    Vote,
    VoteEvent,
    ballot_box_actor,
    confidence_vote_id,
)
from votes.ballot import tracking_code
from votes.canon import canonical
from votes.manifest import Leader
from votes.record import RECORD_FORMAT

log = logging.getLogger(__name__)
A = TypeVar("A", bound=Aggregate)
BALLOT_BOX_ROLE = "ballot-box"
RECEIPT_PREFIX = b"kiemdiem/vote/v1/receipt\n"
REMOTE_MODE_ENV = "KIEMDIEM_VOTE_REMOTE_MODE"
REMOTE_MODE_ON = "client-unlock"
CODE_ALPHABET = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")


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


@dataclass(frozen=True)
class VoteRow:
    """One vote as ``kiemdiem votes list`` shows it (read model ``vote_results``)."""

    vote_id: UUID
    org_id: UUID | None
    code: str | None
    organisation: str
    title: str
    vote_year: int
    conference_date: str
    mode: str
    state: str
    leaders: int
    trustees: int
    threshold: int
    convened: int
    present: int | None
    issued: int | None
    ballots: int
    partials: int
    short_fingerprint: str | None
    abandon_reason: str | None


@dataclass(frozen=True)
class TrusteeRow:
    """One member of the ban kiểm phiếu as the vote page lists them."""

    index: int
    username: str | None
    full_name: str | None
    chair: bool


@dataclass(frozen=True)
class LeaderResultRow:
    """One leader's published result; fractions are exact ``count/returned``."""

    vote_id: UUID
    leader_index: int
    member_id: UUID | None
    name: str
    post: str
    issued: int
    returned: int
    valid: int
    invalid: int
    high: int
    normal: int
    low: int
    pct_high: str
    pct_normal: str
    pct_low: str
    band: str


class VoteService:
    """Vote commands and reads on top of one :class:`Kiemdiem`."""

    def __init__(
        self, kiemdiem: AppContext, *, allow_remote_mode: bool | None = None
    ) -> None:
        self.app = kiemdiem
        # votes.md §6.2: a deployment where only the server holds account keys
        # MUST NOT offer mode B.  Here the mode B booth opens the member's own
        # wrapped key in the browser (Argon2id + AES-256-GCM, the parameters of
        # ledger/keywrap.py) and signs there; the operator turns mode B on
        # explicitly (KIEMDIEM_VOTE_REMOTE_MODE=client-unlock), having read what
        # the server can still do (README, "Mode B").
        if allow_remote_mode is None:
            allow_remote_mode = os.environ.get(REMOTE_MODE_ENV) == REMOTE_MODE_ON
        self.allow_remote_mode = allow_remote_mode
        self._boxes: dict[UUID, Signer] = {}
        self._cache: dict[UUID, Vote] = {}
        self._lock = threading.Lock()

    # -- loading --------------------------------------------------------------------
    def vote(self, vote: UUID) -> Vote:
        """The vote aggregate, current with the store (a private copy to change).

        A vote stream is long (every ballot is an event of ~24 KB), so each process
        keeps the state it last read and applies only the events stored since,
        each checked by the signing mapper like any other read.
        """
        with self._lock:
            cached = self._cache.get(vote)
        if cached is None:
            current = self.app.uow.get(Vote, vote, "vote.not_found")
        else:
            current = copy.deepcopy(cached)
            for event in self.app.ledger.events.get(vote, gt=current.version):
                if not isinstance(event, VoteEvent):
                    raise NotFoundError("vote.not_found", id=str(vote))
                event.mutate(current)
        with self._lock:
            known = self._cache.get(vote)
            if known is None or known.version < current.version:
                self._cache[vote] = copy.deepcopy(current)
        return current

    def confidence_vote(self, vote: UUID) -> ConfidenceVote:
        return self.app.uow.get(
            ConfidenceVote, confidence_vote_id(vote), "vote.not_found"
        )

    def event_hash(self, vote: UUID, version: int) -> bytes:
        """The envelope hash of one stored event of the vote stream."""
        scope = current_scope()
        if scope is not None and (vote, version) in scope.heads:
            return scope.heads[(vote, version)]
        rows = self.app.ledger.recorder.select_events(
            vote, gt=version - 1, lte=version, limit=1
        )
        if not rows:
            raise NotFoundError("vote.event_not_found", version=version)
        return envelope.event_hash(rows[0].state)

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

    # -- casting --------------------------------------------------------------------
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
        box = self._ballot_box(command.vote_id)
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

        self.app.uow.commit(box, work)
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

    # -- ballot box key -------------------------------------------------------------
    def _box_path(self, vote: UUID) -> Path:
        return self.app.settings.instance_dir / "ballot-box" / f"{vote}.key"

    def _passphrase(self) -> str:
        """The server passphrase (the log key's, services.logkey)."""
        return server_passphrase(self.app.settings)

    def store_ballot_box(self, vote: UUID, key: Ed25519PrivateKey) -> Path:
        """Wrap the ballot-box key under the server passphrase (like the log key)."""
        path = self._box_path(vote)
        if path.exists():
            raise DomainError("vote.code_taken", id=str(vote))
        signer = Signer(ballot_box_actor(vote), key)
        wrapped = keywrap.wrap_seed(
            seed_of(key),
            self._passphrase(),
            signer.actor,
            signer.key_id.hex(),
            m=KdfCost.from_environ().m,
        )
        record = {
            "actor": signer.actor,
            "key_id": signer.key_id.hex(),
            "wrapped": wrapped,
        }
        # 0600 from its creation, in a 0700 folder.
        write_private(path, json.dumps(record, sort_keys=True) + "\n", exclusive=True)
        return path

    def remember_ballot_box(self, vote: UUID, signer: Signer) -> None:
        """Keep a new vote's ballot-box signer (its key was stored before)."""
        self._boxes[vote] = signer

    def _ballot_box(self, vote: UUID) -> Signer:
        cached = self._boxes.get(vote)
        if cached is not None:
            return cached
        path = self._box_path(vote)
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            raise DomainError("vote.ballot_box_missing", id=str(vote)) from None
        try:
            seed = keywrap.unwrap_seed(
                record["wrapped"], self._passphrase(), record["actor"], record["key_id"]
            )
        except (keywrap.KeyUnwrapError, KeyError) as exc:
            raise ConfigurationError("the ballot-box key does not open") from exc
        signer = Signer(
            ballot_box_actor(vote), Ed25519PrivateKey.from_private_bytes(seed)
        )
        self._boxes[vote] = signer
        return signer

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
        stored = self.app.ledger.recorder.select_events(vote)
        if not stored:
            raise NotFoundError("vote.not_found", id=str(vote))
        registry = self.app.ledger.key_registry()
        lines: list[bytes] = []
        signers: dict[str, tuple[str, bytes]] = {}
        for row in stored:
            env = envelope.unpack(row.state)
            key_id = env.key_id.hex()
            lines.append(
                b'{"content":'
                + env.content
                + b',"key_id":"'
                + key_id.encode()
                + b'","sig":"'
                + env.signature.hex().encode()
                + b'"}'
            )
            if key_id not in signers:
                record = registry.get(key_id)
                if record is None:
                    raise NotFoundError("vote.signer_unknown", key_id=key_id)
                signers[key_id] = (record.owner, record.public_key_raw)
        keys = [
            {"actor": actor, "key_id": key_id, "public_key": public.hex()}
            for key_id, (actor, public) in sorted(signers.items())
        ]
        trailer: dict[str, Any] = {"keys": keys, "record": RECORD_FORMAT}
        current = self.vote(vote)
        if current.mode == "B" and current.eligible:
            # The registry entries of the eligible account keys (check V7).
            members = []
            for public, member in sorted(current.eligible.items()):
                key_id = envelope.key_id_for(public).hex()
                record = registry.get(key_id)
                if record is None:
                    raise NotFoundError("vote.signer_unknown", key_id=key_id)
                members.append(
                    {
                        "actor": record.owner,
                        "key_id": key_id,
                        "member_id": member,
                        "public_key": public.hex(),
                    }
                )
            trailer["members"] = members
        lines.append(canonical(trailer))
        return b"".join(line + b"\n" for line in lines)

    # -- read side (projection ``vote_results``) ------------------------------------
    def votes(self) -> list[VoteRow]:
        rows = self.app.projections.query(
            "vote_results",
            "SELECT * FROM {votes} ORDER BY conference_date DESC, title, vote_id",
        )
        return [_vote_row(row) for row in rows]

    def vote_row(self, vote: UUID) -> VoteRow | None:
        rows = self.app.projections.query(
            "vote_results", "SELECT * FROM {votes} WHERE vote_id = ?", [str(vote)]
        )
        return _vote_row(rows[0]) if rows else None

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

    def find_tracking_code(self, vote: UUID, code: str) -> int | None:
        """The ledger position of the ballot with this tracking code, if recorded."""
        text = code.strip().upper().replace(" ", "")
        if len(text) == 16 and "-" not in text:
            text = "-".join(text[i : i + 4] for i in range(0, 16, 4))
        rows = self.app.projections.query(
            "vote_results",
            "SELECT position FROM {ballots} WHERE vote_id = ? AND tracking_code = ?",
            [str(vote), text],
        )
        return int(rows[0]["position"]) if rows else None

    def results(self, vote: UUID) -> list[LeaderResultRow]:
        rows = self.app.projections.query(
            "vote_results",
            "SELECT * FROM {results} WHERE vote_id = ? AND returned IS NOT NULL "
            "ORDER BY leader_index",
            [str(vote)],
        )
        return [_result_row(row) for row in rows]


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


def _uuid(value: Any) -> UUID | None:
    return UUID(value) if value else None


def _vote_row(row: dict[str, Any]) -> VoteRow:
    return VoteRow(
        vote_id=UUID(row["vote_id"]),
        org_id=_uuid(row["org_id"]),
        code=row["code"],
        organisation=row["organisation"],
        title=row["title"],
        vote_year=int(row["vote_year"]),
        conference_date=row["conference_date"],
        mode=row["mode"],
        state=row["state"],
        leaders=int(row["leaders"]),
        trustees=int(row["trustees"]),
        threshold=int(row["threshold"]),
        convened=int(row["convened"]),
        present=row["present"],
        issued=row["issued"],
        ballots=int(row["ballots"]),
        partials=int(row["partials"]),
        short_fingerprint=row["short_fingerprint"],
        abandon_reason=row["abandon_reason"],
    )


def _result_row(row: dict[str, Any]) -> LeaderResultRow:
    return LeaderResultRow(
        vote_id=UUID(row["vote_id"]),
        leader_index=int(row["leader_index"]),
        member_id=_uuid(row["member_id"]),
        name=row["name"],
        post=row["post"],
        issued=int(row["issued"]),
        returned=int(row["returned"]),
        valid=int(row["valid"]),
        invalid=int(row["invalid"]),
        high=int(row["high"]),
        normal=int(row["normal"]),
        low=int(row["low"]),
        pct_high=row["pct_high"],
        pct_normal=row["pct_normal"],
        pct_low=row["pct_low"],
        band=row["band"],
    )
