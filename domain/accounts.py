"""User accounts and roles. Keys and passwords are not domain facts: the ledger
and the service layer own them."""

from __future__ import annotations

import re
from enum import StrEnum
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import DomainError
from domain.text import clean_paragraphs, clean_text

USERNAME = re.compile(r"[a-z][a-z0-9._-]{2,31}")


class Role(StrEnum):
    ADMIN = "admin"
    """Quản trị: accounts, roles, keys, organisation tree."""
    SECRETARY = "secretary"
    """Thư ký / văn phòng cấp ủy: records cycles, meetings, decisions."""
    DECISION_MAKER = "decision_maker"
    """Cấp ủy / ban thường vụ: the competent authority."""
    INSPECTOR = "inspector"
    """Ủy ban kiểm tra: audits history, cosigns checkpoints."""
    MEMBER = "member"
    """Đảng viên: self-review, own results, confidence ballots."""
    COUNTING = "counting"
    """Ban kiểm phiếu: runs confidence votes."""


def parse_roles(roles: list[str] | tuple[str, ...]) -> list[str]:
    if not roles:
        raise DomainError("account.role_required")
    result = []
    for role in roles:
        try:
            result.append(Role(role).value)
        except ValueError:
            raise DomainError("account.role_unknown", role=role) from None
    return sorted(set(result))


class UserAccount(Aggregate):
    """A person who signs in; each account has its own signing key."""

    @classmethod
    def open(
        cls,
        *,
        account_id: UUID,
        username: str,
        full_name: str,
        roles: list[str],
        org_id: UUID | None,
        member_id: UUID | None,
        opened_by: str,
    ) -> UserAccount:
        if not USERNAME.fullmatch(username):
            raise DomainError("account.username_invalid", username=username)
        name = clean_text(full_name)
        if not name:
            raise DomainError("account.name_required")
        return cls._create(
            cls.Opened,  # type: ignore[attr-defined]
            id=account_id,
            username=username,
            full_name=name,
            roles=parse_roles(roles),
            org_id=org_id,
            member_id=member_id,
            opened_by=opened_by,
        )

    @event("Opened")
    def __init__(
        self,
        username: str,
        full_name: str,
        roles: list[str],
        org_id: UUID | None,
        member_id: UUID | None,
        opened_by: str,
    ) -> None:
        self.username = username
        self.full_name = full_name
        self.roles = list(roles)
        self.org_id = org_id
        self.member_id = member_id
        self.disabled = False

    @property
    def actor(self) -> str:
        return f"u:{self.id}"

    def ensure_active(self) -> None:
        """A disabled account gets no new key and signs nothing."""
        if self.disabled:
            raise DomainError("account.disabled")

    def change_roles(self, roles: list[str], *, changed_by: str) -> None:
        new_roles = parse_roles(roles)
        if new_roles == self.roles:
            raise DomainError("account.roles_unchanged")
        if changed_by == self.actor and Role.ADMIN.value not in new_roles:
            raise DomainError("account.cannot_drop_own_admin")
        self._roles_changed(roles=new_roles, changed_by=changed_by)

    @event("RolesChanged")
    def _roles_changed(self, roles: list[str], changed_by: str) -> None:
        self.roles = list(roles)

    def disable(self, *, reason: str, disabled_by: str) -> None:
        if self.disabled:
            raise DomainError("account.already_disabled")
        if disabled_by == self.actor:
            raise DomainError("account.cannot_disable_self")
        text = clean_paragraphs(reason)
        if not text:
            raise DomainError("account.reason_required")
        self._disabled(reason=text, disabled_by=disabled_by)

    @event("Disabled")
    def _disabled(self, reason: str, disabled_by: str) -> None:
        self.disabled = True


MIN_PASSWORD_LENGTH = 10


def check_password_policy(password: str) -> None:
    """Long enough to survive an offline guess at the wrapped key (ledger.md §2)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError("account.password_too_short", limit=MIN_PASSWORD_LENGTH)
    if password.strip() != password or not password.strip():
        raise DomainError("account.password_whitespace")
