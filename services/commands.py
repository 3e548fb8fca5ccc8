"""Commands: what a user asks the system to do. Only routes and CLI commands
build them; each has exactly one handler in ``services.handlers``, run by
``kiemdiem.handle`` (the bus, ``services.bus``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID


@dataclass(frozen=True)
class Command:
    actor_id: str


@dataclass(frozen=True)
class FoundOrganisation(Command):
    code: str
    name: str
    kind: str
    parent_id: UUID | None


@dataclass(frozen=True)
class RenameOrganisation(Command):
    org_id: UUID
    name: str


@dataclass(frozen=True)
class DissolveOrganisation(Command):
    org_id: UUID
    reason: str


@dataclass(frozen=True)
class EnrolMember(Command):
    full_name: str
    party_card_no: str
    birth_date: date
    admission_date: date
    status: str
    cell_id: UUID


@dataclass(frozen=True)
class TransferMember(Command):
    member_id: UUID
    cell_id: UUID


@dataclass(frozen=True)
class OpenAccount(Command):
    username: str
    full_name: str
    roles: tuple[str, ...]
    password: str = field(repr=False)
    org_id: UUID | None = None
    member_id: UUID | None = None


@dataclass(frozen=True)
class ChangeRoles(Command):
    account_id: UUID
    roles: tuple[str, ...]


@dataclass(frozen=True)
class DisableAccount(Command):
    account_id: UUID
    reason: str


@dataclass(frozen=True)
class ResetPassword(Command):
    """Forgotten password: a new key is registered and the old one revoked (lost)."""

    account_id: UUID
    new_password: str = field(repr=False)


@dataclass(frozen=True)
class RecordSignIn(Command):
    """Đăng nhập: the account opened session ``session_ref`` at ``at``; signed by
    the account's own key, just unlocked (``domain.signins``)."""

    account_id: UUID
    session_ref: str
    at: datetime


@dataclass(frozen=True)
class RecordSignOut(Command):
    """Đăng xuất: the account's sessions ``session_refs`` ended at ``at`` for
    ``reason`` (logout, everywhere, idle, expired); signed by the owner's key."""

    account_id: UUID
    session_refs: tuple[str, ...]
    reason: str
    at: datetime
