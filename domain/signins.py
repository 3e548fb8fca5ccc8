"""The record that someone signed in and out (đăng nhập, đăng xuất; issue 11).

One ``SignInLog`` stream per account and day (UTC), like the file-access log
(``domain.audit``): each ``SignedIn`` / ``SignedOut`` event is signed by the
account's own key, just unlocked at sign-in and still held at sign-out. The
session is named by a random reference (``session_ref``), never by the secret
its cookie carries. A session that ends without its owner (an administrator's
change to the account, a restart) has no ``SignedOut``: the administrator's own
signed event says why.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import DomainError

SIGN_IN_LOG_NAMESPACE = uuid5(NAMESPACE_URL, "https://kiemdiem/ns/sign-in-log")
# Why a session ended, as the owner's own key can say it.
SIGN_OUT_REASONS = frozenset({"logout", "everywhere", "idle", "expired"})


def sign_in_log_id(account_id: UUID, day: date) -> UUID:
    return uuid5(SIGN_IN_LOG_NAMESPACE, f"{account_id}/{day.isoformat()}")


class SignInLog(Aggregate):
    """When one account signed in and out on one day (UTC)."""

    @classmethod
    def start(cls, *, account_id: UUID, day: date) -> SignInLog:
        return cls._create(
            cls.Started,  # type: ignore[attr-defined]
            id=sign_in_log_id(account_id, day),
            account_id=account_id,
            day=day,
        )

    @event("Started")
    def __init__(self, account_id: UUID, day: date) -> None:
        self.account_id = account_id
        self.day = day
        self.sign_ins = 0
        self.sign_outs = 0

    @property
    def subject_id(self) -> UUID:
        """The account this log is about (the audit area scopes it by the account)."""
        return self.account_id

    def _check(self, actor: str, at: datetime) -> None:
        if at.tzinfo is None:
            raise DomainError("audit.naive_time")
        if actor != f"u:{self.account_id}" or at.astimezone(UTC).date() != self.day:
            raise DomainError("audit.wrong_log")

    def record_sign_in(self, *, actor: str, session_ref: str, at: datetime) -> None:
        self._check(actor, at)
        self._signed_in(
            account_id=self.account_id, session_ref=session_ref, at=at.isoformat()
        )

    def record_sign_out(
        self, *, actor: str, session_refs: list[str], reason: str, at: datetime
    ) -> None:
        self._check(actor, at)
        if reason not in SIGN_OUT_REASONS:
            raise DomainError("auth.sign_out_reason_unknown", reason=reason)
        self._signed_out(
            account_id=self.account_id,
            session_refs=list(session_refs),
            reason=reason,
            at=at.isoformat(),
        )

    # Each event names the account, so the account's own audit history shows it.
    @event("SignedIn")
    def _signed_in(self, account_id: UUID, session_ref: str, at: str) -> None:
        self.sign_ins += 1

    @event("SignedOut")
    def _signed_out(
        self, account_id: UUID, session_refs: list[str], reason: str, at: str
    ) -> None:
        self.sign_outs += 1
