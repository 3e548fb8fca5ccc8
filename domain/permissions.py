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
    # Party card number and birth date: those who keep or judge the records; a
    # member sees their own (may_read_personal).
    "member.read_personal": frozenset(
        {Role.ADMIN, Role.SECRETARY, Role.DECISION_MAKER, Role.INSPECTOR}
    ),
    "account.open": frozenset({Role.ADMIN}),
    "account.change_roles": frozenset({Role.ADMIN}),
    "account.disable": frozenset({Role.ADMIN}),
    "account.reset_password": frozenset({Role.ADMIN}),
    "ledger.checkpoint": frozenset({Role.ADMIN, Role.INSPECTOR}),
    # The organiser registers the vote's ballot-box key, which needs an admin key.
    "vote.create": frozenset({Role.ADMIN}),
    # Organiser steps (attendance, open, close, abandon); the service also requires
    # the manifest signer's own key.
    "vote.manage": frozenset({Role.ADMIN}),
    # Ban kiểm phiếu: trustee messages, tally, minutes (keys checked by the vote).
    "vote.count": frozenset({Role.COUNTING}),
    # Inspection committee (issue 5): reads in its scope, writes only these.
    "audit.read": frozenset({Role.INSPECTOR}),
    "audit.cosign": frozenset({Role.INSPECTOR}),
    "audit.verify": frozenset({Role.INSPECTOR}),
    "remediation.verify": frozenset({Role.INSPECTOR, Role.DECISION_MAKER}),
    # Review and rating (issue 3): secretaries record, the authority decides.
    "member.record_fact": frozenset({Role.ADMIN, Role.SECRETARY}),
    # Facts about organisations the rating rules read (sector, conclusions, task
    # results, disciplined cases, discipline of the organisation).
    "organisation.record_fact": frozenset({Role.ADMIN, Role.SECRETARY}),
    "cycle.open": frozenset({Role.SECRETARY, Role.DECISION_MAKER}),
    "review.record": frozenset({Role.SECRETARY}),
    "rating.self_rate": frozenset({Role.SECRETARY, Role.MEMBER}),
    "rating.propose": frozenset({Role.SECRETARY, Role.DECISION_MAKER}),
    "rating.peer_group": frozenset({Role.SECRETARY, Role.DECISION_MAKER}),
    "rating.hold": frozenset({Role.DECISION_MAKER, Role.INSPECTOR}),
    "rating.decide": frozenset({Role.DECISION_MAKER}),
    # Remediation (issue 6): secretaries record and plan, the subject reports and
    # claims, the inspection committee or the higher level verifies.
    "remediation.track": frozenset(
        {Role.ADMIN, Role.SECRETARY, Role.DECISION_MAKER, Role.INSPECTOR}
    ),
    "remediation.record": frozenset({Role.SECRETARY, Role.DECISION_MAKER}),
    "remediation.plan": frozenset({Role.SECRETARY}),
    "remediation.report": frozenset({Role.SECRETARY, Role.MEMBER}),
    "remediation.claim": frozenset({Role.SECRETARY, Role.MEMBER}),
    # The higher committee orders a review and/or rating redone (§5.4).
    "review.order_redo": frozenset({Role.DECISION_MAKER}),
    # A province or unit makes the 366 criteria concrete (366 Điều 10).
    "criteria.define": frozenset({Role.ADMIN, Role.DECISION_MAKER}),
    # Commendations and reports (issue 6): the authority awards; reports are read
    # by those who prepare, decide or inspect them.
    "commendation.grant": frozenset({Role.DECISION_MAKER}),
    "report.read": frozenset(
        {Role.ADMIN, Role.SECRETARY, Role.DECISION_MAKER, Role.INSPECTOR}
    ),
}


def may(roles: Iterable[str], action: str) -> bool:
    allowed = PERMISSIONS[action]
    return any(Role(r) in allowed for r in roles)


def may_read_personal(roles: Iterable[str], *, own_record: bool) -> bool:
    """A member's personal data (card number, birth date) is shown to this user."""
    return own_record or may(roles, "member.read_personal")


def require(roles: Iterable[str], action: str) -> None:
    if not may(roles, action):
        raise DomainError("auth.forbidden", action=action)
