"""The service layer: one entry point per command, one ``save()`` per command,
signed by the acting user's own key (architecture.md §3)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import singledispatchmethod
from typing import Any, TypeVar
from uuid import UUID

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import RecordConflictError

from domain import permissions
from domain.accounts import Role, UserAccount, check_password_policy
from domain.errors import DomainError
from domain.members import (
    MemberFacts,
    MembershipStatus,
    PartyMember,
    normalise_card,
)
from domain.organisations import Organisation
from ledger import keywrap, trustroot
from ledger.app import LedgerApplication
from ledger.config import Settings
from ledger.cosign import cosigner_name_for
from ledger.errors import KeyNotValidError
from ledger.integrator import FilePublisher, Integrator, StoredCheckpoint
from ledger.keyring import ADMIN_ROLE, key_stream_id
from ledger.keys import SigningKey, register_key
from ledger.note import NoteSigner
from ledger.signing import Signer, signing_as
from projections.catalogue import default_read_models
from projections.runtime import ProjectionRuntime
from services import commands as c
from services import ids, post_commit
from services.errors import (
    ConflictError,
    KeyRevokedError,
    NotFoundError,
    SignatureRequiredError,
)
from services.logkey import load_log_key
from services.queries import AccountRow, MemberRow, OrganisationRow
from services.vault import UnlockedKeys, Vault

log = logging.getLogger(__name__)
A = TypeVar("A", bound=Aggregate)
MAX_ATTEMPTS = 3


@dataclass(frozen=True)
class Session:
    """A signed-in user: who they are and their unlocked key."""

    account_id: UUID
    username: str
    full_name: str
    roles: tuple[str, ...]
    signer: Signer

    @property
    def actor(self) -> str:
        return self.signer.actor


def _today() -> date:
    return datetime.now(UTC).date()


class Kiemdiem:
    """The application: commands in, signed events out, views caught up."""

    def __init__(
        self,
        settings: Settings,
        trust_root: dict[str, Any] | None = None,
        *,
        today: Callable[[], date] = _today,
        log_signer: NoteSigner | None = None,
    ) -> None:
        self.settings = settings
        self.trust_root = trust_root or trustroot.load(settings.trust_root_path)
        self.ledger = LedgerApplication(settings, self.trust_root)
        self.integrator = Integrator(self.ledger)
        self.projections = ProjectionRuntime(self.ledger, default_read_models())
        self.vault = Vault(self.ledger.sql)
        self.unlocked = UnlockedKeys()
        self.today = today
        self._log_signer = log_signer
        # Imported here: the vote service builds on this class (one per process,
        # it caches each vote's state between ballots).
        from services.votes import VoteService

        self.votes = VoteService(self)
        from services.audit import AuditService

        self.audit = AuditService(self)
        from services.ratings import RatingService

        self.ratings = RatingService(self)
        from services.remediation import RemediationService

        self.remediation = RemediationService(self)
        from services.reports import ReportService

        self.reports = ReportService(self)
        from services.commendations import CommendationService

        self.commendations = CommendationService(self)

    def close(self) -> None:
        self.audit.close()
        self.projections.close()
        self.ledger.close()

    # -- plumbing ---------------------------------------------------------------
    @property
    def log_signer(self) -> NoteSigner:
        if self._log_signer is None:
            self._log_signer = load_log_key(self.settings)
        return self._log_signer

    def _get(self, cls: type[A], aggregate_id: UUID, code: str) -> A:
        try:
            aggregate: Aggregate = self.ledger.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise NotFoundError(code, id=str(aggregate_id)) from None
        if not isinstance(aggregate, cls):
            raise NotFoundError(code, id=str(aggregate_id))
        return aggregate

    def _read(self, cls: type[A], aggregate_id: UUID, code: str) -> A:
        """An aggregate to read, never to change or save: with the aggregate cache
        on, the cached object itself (fast-forwarded), without the deep copy a
        command's own aggregates get."""
        try:
            aggregate: Aggregate = self.ledger.repository.get(
                aggregate_id, deepcopy_from_cache=False
            )
        except AggregateNotFoundError:
            raise NotFoundError(code, id=str(aggregate_id)) from None
        if not isinstance(aggregate, cls):
            raise NotFoundError(code, id=str(aggregate_id))
        return aggregate

    def _exists(self, aggregate_id: UUID) -> bool:
        return bool(self.ledger.recorder.select_events(aggregate_id, limit=1))

    def _actor_account(self, actor: str) -> UserAccount:
        if not actor.startswith("u:"):
            raise DomainError("auth.forbidden", action="person_only")
        account = self._read(UserAccount, UUID(actor[2:]), "account.not_found")
        if account.disabled:
            raise DomainError("account.disabled")
        return account

    def _authorise(self, actor: str, action: str) -> UserAccount:
        account = self._actor_account(actor)
        permissions.require(account.roles, action)
        return account

    def _commit(self, signer: Signer, work: Callable[[], Sequence[Aggregate]]) -> int:
        """Run ``work`` and save what it returns in one transaction, signed.

        A concurrent write to the same stream re-runs the whole command (which
        re-checks every rule) up to three times before giving up with 409.
        """
        for attempt in range(1, MAX_ATTEMPTS + 1):
            with signing_as(signer):
                aggregates = work()
                try:
                    recordings = self.ledger.save(*aggregates)
                except RecordConflictError:
                    log.info("conflict on attempt %s, retrying", attempt)
                    continue
                except KeyNotValidError:
                    self.unlocked.drop_actor(signer.actor)
                    raise KeyRevokedError("auth.key_not_valid") from None
            last = max((r.notification.id for r in recordings), default=0)
            self.after_write(last)
            return last
        raise ConflictError("store.conflict")

    def after_write(self, last_notification_id: int) -> None:
        """Embedded mode: integrate and project before answering, so the user sees
        their own write; issue a checkpoint when the policy says one is due.
        Never raises: the write is committed (services.post_commit)."""
        if self.settings.projections_mode != "inline":
            return
        post_commit.catch_up(self, last_notification_id)

    def work_once(self) -> None:
        """One round of the worker: integrate, project, checkpoint when due."""
        with self.integrator_lease() as leader:
            if leader:
                self.integrator.catch_up()
                post_commit.checkpoint_if_due(self)  # warns; never stops the worker
        self.projections.catch_up()

    def integrator_lease(self) -> AbstractContextManager[bool]:
        """Only one integrator may run: a PostgreSQL advisory lock (§6.2)."""
        return self.ledger.advisory_lock("kiemdiem-integrator")

    def issue_checkpoint(self) -> StoredCheckpoint:
        return self.integrator.issue_checkpoint(
            [self.log_signer], FilePublisher(self.settings.checkpoint_dir)
        )

    def signer_for(self, session_id: str) -> Signer:
        signer = self.unlocked.get(session_id)
        if signer is None:
            raise SignatureRequiredError("auth.signature_required")
        return signer

    # -- authentication ------------------------------------------------------------
    def authenticate(self, username: str, password: str) -> Session | None:
        """Check the password and unlock the user's signing key, or None."""
        user_id = self.vault.check_password(username.strip().lower(), password)
        if user_id is None:
            return None
        account = self._get(UserAccount, UUID(user_id), "account.not_found")
        if account.disabled:
            return None
        try:
            signer = self.vault.unlock(user_id, account.actor, password)
        except keywrap.KeyUnwrapError:
            log.warning("password accepted but key did not unwrap for %s", user_id)
            return None
        return Session(
            account_id=account.id,
            username=account.username,
            full_name=account.full_name,
            roles=tuple(account.roles),
            signer=signer,
        )

    def account(self, account_id: UUID) -> UserAccount:
        return self._get(UserAccount, account_id, "account.not_found")

    # -- read side (projections) ----------------------------------------------------
    def organisations(self) -> list[OrganisationRow]:
        """Every organisation in tree order (parents before children)."""
        rows = self.projections.query(
            "directory",
            "SELECT o.org_id, o.code, o.name, o.kind, o.parent_id, o.dissolved, "
            "(SELECT COUNT(*) FROM {members} m WHERE m.cell_id = o.org_id) AS n "
            "FROM {organisations} o",
        )
        children: dict[str | None, list[dict[str, Any]]] = {}
        for row in rows:
            children.setdefault(row["parent_id"], []).append(row)
        ordered: list[OrganisationRow] = []

        def walk(parent: str | None, depth: int) -> None:
            for row in sorted(
                children.get(parent, []),
                key=lambda r: (KIND_ORDER.get(r["kind"], 9), r["name"]),
            ):
                ordered.append(_organisation_row(row, depth))
                walk(row["org_id"], depth + 1)

        walk(None, 0)
        return ordered

    def organisation(self, org_id: UUID) -> OrganisationRow | None:
        """One organisation; ``depth`` counted up its chain of parents."""
        rows = self.projections.query(
            "directory",
            "SELECT o.org_id, o.code, o.name, o.kind, o.parent_id, o.dissolved, "
            "(SELECT COUNT(*) FROM {members} m WHERE m.cell_id = o.org_id) AS n "
            "FROM {organisations} o WHERE o.org_id = ?",
            [str(org_id)],
        )
        if not rows:
            return None
        row, depth, parent = rows[0], 0, rows[0]["parent_id"]
        while parent is not None and depth < MAX_TREE_DEPTH:
            found = self.projections.query(
                "directory",
                "SELECT parent_id FROM {organisations} WHERE org_id = ?",
                [parent],
            )
            parent = found[0]["parent_id"] if found else None
            depth += 1
        return _organisation_row(row, depth)

    def members(self, cell_id: UUID | None = None) -> list[MemberRow]:
        rows = self.projections.query(
            "directory",
            "SELECT m.*, o.name AS cell_name FROM {members} m "
            "JOIN {organisations} o ON o.org_id = m.cell_id "
            "WHERE CAST(? AS TEXT) IS NULL OR m.cell_id = CAST(? AS TEXT) "
            "ORDER BY o.name, m.full_name, m.member_id",
            [str(cell_id) if cell_id else None] * 2,
        )
        return [_member_row(r) for r in rows]

    def member(self, member_id: UUID) -> MemberRow | None:
        rows = self.projections.query(
            "directory",
            "SELECT m.*, o.name AS cell_name FROM {members} m "
            "JOIN {organisations} o ON o.org_id = m.cell_id WHERE m.member_id = ?",
            [str(member_id)],
        )
        return _member_row(rows[0]) if rows else None

    def accounts(self) -> list[AccountRow]:
        rows = self.projections.query(
            "directory",
            "SELECT a.*, (SELECT k.key_id FROM {keys} k "
            "WHERE k.owner = 'u:' || a.account_id AND k.revoked_at IS NULL "
            "ORDER BY k.registered_at DESC LIMIT 1) AS key_id "
            "FROM {accounts} a ORDER BY a.username",
        )
        return [_account_row(r) for r in rows]

    def account_row(self, account_id: UUID) -> AccountRow | None:
        return next((a for a in self.accounts() if a.account_id == account_id), None)

    # -- commands ------------------------------------------------------------------
    @singledispatchmethod
    def handle(self, command: c.Command, signer: Signer) -> Any:
        msg = f"no handler for {type(command).__name__}"
        raise TypeError(msg)

    def _check_actor(self, command: c.Command, signer: Signer) -> None:
        if command.actor_id != signer.actor:
            raise DomainError("auth.actor_mismatch")

    @handle.register
    def _(self, command: c.FoundOrganisation, signer: Signer) -> UUID:
        self._check_actor(command, signer)
        org_id = ids.organisation_id(command.code)

        def work() -> list[Aggregate]:
            self._authorise(signer.actor, "organisation.found")
            parent = None
            if command.parent_id is not None:
                parent = self._get(
                    Organisation, command.parent_id, "org.parent_not_found"
                ).facts()
            if self._exists(org_id):
                raise DomainError("org.code_taken", value=command.code)
            return [
                Organisation.found(
                    org_id=org_id,
                    code=command.code,
                    name=command.name,
                    kind=command.kind,
                    parent=parent,
                    founded_by=signer.actor,
                )
            ]

        self._commit(signer, work)
        return org_id

    @handle.register
    def _(self, command: c.RenameOrganisation, signer: Signer) -> UUID:
        self._check_actor(command, signer)

        def work() -> list[Aggregate]:
            self._authorise(signer.actor, "organisation.rename")
            org = self._get(Organisation, command.org_id, "org.not_found")
            org.rename(command.name, renamed_by=signer.actor)
            return [org]

        self._commit(signer, work)
        return command.org_id

    @handle.register
    def _(self, command: c.DissolveOrganisation, signer: Signer) -> UUID:
        self._check_actor(command, signer)

        def work() -> list[Aggregate]:
            self._authorise(signer.actor, "organisation.dissolve")
            org = self._get(Organisation, command.org_id, "org.not_found")
            org.dissolve(reason=command.reason, dissolved_by=signer.actor)
            return [org]

        self._commit(signer, work)
        return command.org_id

    @handle.register
    def _(self, command: c.EnrolMember, signer: Signer) -> UUID:
        self._check_actor(command, signer)
        member_id = ids.member_id(normalise_card(command.party_card_no))

        def work() -> list[Aggregate]:
            self._authorise(signer.actor, "member.enrol")
            cell = self._get(Organisation, command.cell_id, "org.not_found").facts()
            if self._exists(member_id):
                raise DomainError("member.card_taken", value=command.party_card_no)
            try:
                status = MembershipStatus(command.status)
            except ValueError:
                raise DomainError("member.status_unknown") from None
            facts = MemberFacts(
                full_name=command.full_name,
                party_card_no=command.party_card_no,
                birth_date=command.birth_date,
                admission_date=command.admission_date,
                status=status,
            )
            return [
                PartyMember.enrol(
                    member_id=member_id,
                    facts=facts,
                    cell=cell,
                    today=self.today(),
                    enrolled_by=signer.actor,
                )
            ]

        self._commit(signer, work)
        return member_id

    @handle.register
    def _(self, command: c.TransferMember, signer: Signer) -> UUID:
        self._check_actor(command, signer)

        def work() -> list[Aggregate]:
            self._authorise(signer.actor, "member.transfer")
            member = self._get(PartyMember, command.member_id, "member.not_found")
            cell = self._get(Organisation, command.cell_id, "org.not_found").facts()
            member.transfer(cell=cell, transferred_by=signer.actor)
            return [member]

        self._commit(signer, work)
        return command.member_id

    @handle.register
    def _(self, command: c.OpenAccount, signer: Signer) -> UUID:
        self._check_actor(command, signer)
        username = command.username.strip().lower()
        account_id = ids.account_id(username)
        private_key = Ed25519PrivateKey.generate()

        def work() -> list[Aggregate]:
            self._authorise(signer.actor, "account.open")
            check_password_policy(command.password)
            if self._exists(account_id):
                raise DomainError("account.username_taken", value=username)
            self._check_links(command.org_id, command.member_id)
            account = UserAccount.open(
                account_id=account_id,
                username=username,
                full_name=command.full_name,
                roles=list(command.roles),
                org_id=command.org_id,
                member_id=command.member_id,
                opened_by=signer.actor,
            )
            key = register_key(
                private_key,
                account.actor,
                _key_role(account.roles),
                self._cosigner_name(account),
            )
            return [key, account]

        self._commit(signer, work)
        # After the events: a refused command must not touch anyone's login. If
        # this write fails, the account exists without a login and an admin's
        # ResetPassword (new key, old one revoked) recovers it.
        self.vault.store_credentials(
            str(account_id), username, private_key, command.password
        )
        return account_id

    def _check_links(self, org_id: UUID | None, member_id: UUID | None) -> None:
        if org_id is not None:
            self._get(Organisation, org_id, "org.not_found")
        if member_id is not None:
            self._get(PartyMember, member_id, "member.not_found")

    @handle.register
    def _(self, command: c.ChangeRoles, signer: Signer) -> UUID:
        self._check_actor(command, signer)

        def work() -> list[Aggregate]:
            self._authorise(signer.actor, "account.change_roles")
            account = self.account(command.account_id)
            account.change_roles(list(command.roles), changed_by=signer.actor)
            return [account]

        self._commit(signer, work)
        return command.account_id

    @handle.register
    def _(self, command: c.DisableAccount, signer: Signer) -> UUID:
        self._check_actor(command, signer)
        revoked: list[str] = []

        def work() -> list[Aggregate]:
            self._authorise(signer.actor, "account.disable")
            account = self.account(command.account_id)
            account.disable(reason=command.reason, disabled_by=signer.actor)
            keys = self._valid_keys(account.actor)
            for key in keys:
                key.revoke("left")
            revoked[:] = [account.actor]
            return [account, *keys]

        self._commit(signer, work)
        for actor in revoked:
            self.unlocked.drop_actor(actor)
        return command.account_id

    @handle.register
    def _(self, command: c.ResetPassword, signer: Signer) -> UUID:
        """Forgotten password: register a new key, revoke the old one as lost."""
        self._check_actor(command, signer)
        private_key = Ed25519PrivateKey.generate()
        actor = ids.actor_of(command.account_id)

        def work() -> list[Aggregate]:
            self._authorise(signer.actor, "account.reset_password")
            check_password_policy(command.new_password)
            account = self.account(command.account_id)
            account.ensure_active()
            old_keys = self._valid_keys(account.actor)
            for key in old_keys:
                key.revoke("lost")
            new_key = register_key(
                private_key,
                account.actor,
                _key_role(account.roles),
                self._cosigner_name(account),
            )
            return [*old_keys, new_key]

        self._commit(signer, work)
        account = self.account(command.account_id)
        self.vault.store_credentials(
            str(command.account_id), account.username, private_key, command.new_password
        )
        self.unlocked.drop_actor(actor)
        return command.account_id

    def _cosigner_name(self, account: UserAccount) -> str | None:
        """Inspectors' keys carry a cosigner name, so they can cosign checkpoints
        (ledger.md §7): ``<origin>/ubkt/<user id>``."""
        if Role.INSPECTOR.value not in account.roles:
            return None
        return cosigner_name_for(self.ledger.origin, account.id)

    def _valid_keys(self, actor: str) -> list[SigningKey]:
        registry = self.ledger.key_registry()
        return [
            self._get(SigningKey, key_stream_id(r.key_id), "key.not_found")
            for r in registry.valid_keys_of(actor)
        ]


def _key_role(roles: Iterable[str]) -> str:
    """Admin accounts get admin keys: only those may register others' keys."""
    return ADMIN_ROLE if Role.ADMIN.value in roles else "user"


KIND_ORDER = {
    "provincial_committee": 0,
    "district_committee": 1,
    "grassroots_committee": 2,
    "partial_committee": 3,
    "leadership_collective": 4,
    "cell": 5,
}


MAX_TREE_DEPTH = 16


def _organisation_row(row: dict[str, Any], depth: int) -> OrganisationRow:
    return OrganisationRow(
        org_id=UUID(row["org_id"]),
        code=row["code"],
        name=row["name"],
        kind=row["kind"],
        parent_id=UUID(row["parent_id"]) if row["parent_id"] else None,
        dissolved=bool(row["dissolved"]),
        depth=depth,
        members=int(row["n"]),
    )


def _member_row(row: dict[str, Any]) -> MemberRow:
    return MemberRow(
        member_id=UUID(row["member_id"]),
        full_name=row["full_name"],
        party_card_no=row["party_card_no"],
        birth_date=date.fromisoformat(row["birth_date"]),
        admission_date=date.fromisoformat(row["admission_date"]),
        status=row["status"],
        cell_id=UUID(row["cell_id"]),
        cell_name=row["cell_name"],
    )


def _account_row(row: dict[str, Any]) -> AccountRow:
    return AccountRow(
        account_id=UUID(row["account_id"]),
        username=row["username"],
        full_name=row["full_name"],
        roles=tuple(json.loads(row["roles"])),
        org_id=UUID(row["org_id"]) if row["org_id"] else None,
        member_id=UUID(row["member_id"]) if row["member_id"] else None,
        disabled=bool(row["disabled"]),
        key_id=row["key_id"],
    )
