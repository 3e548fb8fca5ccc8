"""Who may ask for what (a rule, so it lives here, once)."""

from __future__ import annotations

from collections.abc import Iterable

from domain.accounts import Role
from domain.errors import DomainError

PERMISSIONS: dict[str, frozenset[Role]] = {
    "organisation.found": frozenset({Role.ADMIN}),
    "organisation.rename": frozenset({Role.ADMIN}),
    "organisation.dissolve": frozenset({Role.ADMIN}),
    "member.enrol": frozenset({Role.ADMIN, Role.SECRETARY}),
    "member.transfer": frozenset({Role.ADMIN, Role.SECRETARY}),
    "account.open": frozenset({Role.ADMIN}),
    "account.change_roles": frozenset({Role.ADMIN}),
    "account.disable": frozenset({Role.ADMIN}),
    "account.reset_password": frozenset({Role.ADMIN}),
    "ledger.checkpoint": frozenset({Role.ADMIN, Role.INSPECTOR}),
    # The organiser registers the vote's ballot-box key, which needs an admin key.
    "vote.create": frozenset({Role.ADMIN}),
    # Inspection committee (issue 5): reads in its scope, writes only these.
    "audit.read": frozenset({Role.INSPECTOR}),
    "audit.cosign": frozenset({Role.INSPECTOR}),
    "audit.verify": frozenset({Role.INSPECTOR}),
    "remediation.verify": frozenset({Role.INSPECTOR}),
    # Organiser steps (attendance, open, close, abandon); the service also requires
    # the manifest signer's own key.
    "vote.manage": frozenset({Role.ADMIN}),
    # Ban kiểm phiếu: trustee messages, tally, minutes (keys checked by the vote).
    "vote.count": frozenset({Role.COUNTING}),
}


def may(roles: Iterable[str], action: str) -> bool:
    allowed = PERMISSIONS[action]
    return any(Role(r) in allowed for r in roles)


def require(roles: Iterable[str], action: str) -> None:
    if not may(roles, action):
        raise DomainError("auth.forbidden", action=action)
