"""Handlers of user accounts (tài khoản): open, change roles, disable, reset the
password; record a sign-in or a sign-out. The login (password hash, wrapped key)
is written after the events, so a refused command never touches anyone's login."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from uuid import UUID

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from eventsourcing.domain import Aggregate

from domain.accounts import Role, UserAccount, check_password_policy
from domain.errors import DomainError
from domain.members import PartyMember
from domain.organisations import Organisation
from domain.signins import SignInLog, sign_in_log_id
from ledger.cosign import cosigner_name_for
from ledger.keyring import ADMIN_ROLE, key_stream_id
from ledger.keys import SigningKey, register_key
from ledger.signing import Signer
from services import commands as c
from services import ids
from services.handlers.base import Services
from services.handlers.registry import handler


def key_role(roles: Iterable[str]) -> str:
    """Admin accounts get admin keys: only those may register others' keys."""
    return ADMIN_ROLE if Role.ADMIN.value in roles else "user"


def cosigner_name(app: Services, account: UserAccount) -> str | None:
    """Inspectors' keys carry a cosigner name, so they can cosign checkpoints
    (ledger.md §7): ``<origin>/ubkt/<user id>``."""
    if Role.INSPECTOR.value not in account.roles:
        return None
    return cosigner_name_for(app.ledger.origin, account.id)


def valid_keys(app: Services, actor: str) -> list[SigningKey]:
    registry = app.ledger.key_registry()
    return [
        app.uow.get(SigningKey, key_stream_id(r.key_id), "key.not_found")
        for r in registry.valid_keys_of(actor)
    ]


@handler(c.OpenAccount)
def open_account(app: Services, command: c.OpenAccount, signer: Signer) -> UUID:
    uow = app.uow
    username = command.username.strip().lower()
    account_id = ids.account_id(username)
    private_key = Ed25519PrivateKey.generate()

    def work() -> list[Aggregate]:
        uow.authorise(signer.actor, "account.open")
        check_password_policy(command.password)
        if uow.exists(account_id):
            raise DomainError("account.username_taken", value=username)
        if command.org_id is not None:
            uow.get(Organisation, command.org_id, "org.not_found")
        if command.member_id is not None:
            uow.get(PartyMember, command.member_id, "member.not_found")
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
            key_role(account.roles),
            cosigner_name(app, account),
        )
        return [key, account]

    uow.commit(signer, work, alone=True)
    # After the events: a refused command must not touch anyone's login. If
    # this write fails, the account exists without a login and an admin's
    # ResetPassword (new key, old one revoked) recovers it.
    app.vault.store_credentials(
        str(account_id), username, private_key, command.password
    )
    return account_id


@handler(c.ChangeRoles)
def change_roles(app: Services, command: c.ChangeRoles, signer: Signer) -> UUID:
    uow = app.uow

    def work() -> list[Aggregate]:
        uow.authorise(signer.actor, "account.change_roles")
        account = uow.get(UserAccount, command.account_id, "account.not_found")
        account.change_roles(list(command.roles), changed_by=signer.actor)
        return [account]

    uow.commit(signer, work)
    return command.account_id


@handler(c.DisableAccount)
def disable_account(app: Services, command: c.DisableAccount, signer: Signer) -> UUID:
    uow = app.uow
    revoked: list[str] = []

    def work() -> list[Aggregate]:
        uow.authorise(signer.actor, "account.disable")
        account = uow.get(UserAccount, command.account_id, "account.not_found")
        account.disable(reason=command.reason, disabled_by=signer.actor)
        keys = valid_keys(app, account.actor)
        for key in keys:
            key.revoke("left")
        revoked[:] = [account.actor]
        return [account, *keys]

    uow.commit(signer, work, alone=True)
    for actor in revoked:
        app.unlocked.drop_actor(actor)
    return command.account_id


@handler(c.ResetPassword)
def reset_password(app: Services, command: c.ResetPassword, signer: Signer) -> UUID:
    """Forgotten password: register a new key, revoke the old one as lost."""
    uow = app.uow
    private_key = Ed25519PrivateKey.generate()
    actor = ids.actor_of(command.account_id)

    def work() -> list[Aggregate]:
        uow.authorise(signer.actor, "account.reset_password")
        check_password_policy(command.new_password)
        account = uow.get(UserAccount, command.account_id, "account.not_found")
        account.ensure_active()
        old_keys = valid_keys(app, account.actor)
        for key in old_keys:
            key.revoke("lost")
        new_key = register_key(
            private_key,
            account.actor,
            key_role(account.roles),
            cosigner_name(app, account),
        )
        return [*old_keys, new_key]

    uow.commit(signer, work, alone=True)
    account = uow.get(UserAccount, command.account_id, "account.not_found")
    app.vault.store_credentials(
        str(command.account_id), account.username, private_key, command.new_password
    )
    app.unlocked.drop_actor(actor)
    return command.account_id


def sign_in_log(app: Services, account_id: UUID, at: datetime) -> SignInLog:
    """The account's sign-in log of the day of ``at`` (UTC), started if new."""
    ident = sign_in_log_id(account_id, at.astimezone(UTC).date())
    found = app.uow.find(SignInLog, ident, "audit.wrong_log")
    if found is None:
        return SignInLog.start(account_id=account_id, day=at.astimezone(UTC).date())
    return found


@handler(c.RecordSignIn)
def record_sign_in(app: Services, command: c.RecordSignIn, signer: Signer) -> UUID:
    """A sign-in, signed by the key it unlocked. No role is needed: the log
    refuses any signer but the account's own (``audit.wrong_log``)."""
    logged: list[UUID] = []

    def work() -> list[Aggregate]:
        entry = sign_in_log(app, command.account_id, command.at)
        entry.record_sign_in(
            actor=signer.actor, session_ref=command.session_ref, at=command.at
        )
        logged[:] = [entry.id]
        return [entry]

    app.uow.commit(signer, work)
    return logged[0]


@handler(c.RecordSignOut)
def record_sign_out(app: Services, command: c.RecordSignOut, signer: Signer) -> UUID:
    """A sign-out the owner's own key signs (logout, everywhere, idle, expired)."""
    logged: list[UUID] = []

    def work() -> list[Aggregate]:
        entry = sign_in_log(app, command.account_id, command.at)
        entry.record_sign_out(
            actor=signer.actor,
            session_refs=list(command.session_refs),
            reason=command.reason,
            at=command.at,
        )
        logged[:] = [entry.id]
        return [entry]

    app.uow.commit(signer, work)
    return logged[0]
