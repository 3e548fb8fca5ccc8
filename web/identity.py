"""Who is signed in, and the services they act through.

The Flask session (a signed cookie) holds the account id and a random session id.
The session id maps to the user's unlocked signing key in the services' in-memory
``unlocked`` table: a restart or another worker does not have it, and the user is
asked for their password again before signing (``auth.signature_required``).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from flask import current_app, session
from flask_login import LoginManager, current_user

from domain import permissions
from domain.errors import DomainError

if TYPE_CHECKING:
    from services.app import Kiemdiem

SESSION_KEY = "kd_sid"
F = TypeVar("F", bound=Callable[..., Any])

login_manager = LoginManager()


@dataclass(frozen=True)
class CurrentUser:
    """The signed-in account as the web sees it (Flask-Login's user object)."""

    account_id: UUID
    username: str
    full_name: str
    roles: tuple[str, ...]
    session_id: str

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        return str(self.account_id)

    @property
    def actor(self) -> str:
        return f"u:{self.account_id}"

    def may(self, action: str) -> bool:
        """Only to show or hide a button: the services decide."""
        return permissions.may(self.roles, action)


def services() -> Kiemdiem:
    return cast("Kiemdiem", current_app.extensions["kiemdiem"])


def user() -> CurrentUser:
    return cast(CurrentUser, current_user._get_current_object())


def new_session_id() -> str:
    return secrets.token_urlsafe(32)


def session_id() -> str | None:
    value = session.get(SESSION_KEY)
    return value if isinstance(value, str) else None


def signer() -> Any:
    """The current user's unlocked key (a ``Signer``); ``SignatureRequiredError``
    if it is not unlocked in this process."""
    return services().signer_for(user().session_id)


def load_user(user_id: str) -> CurrentUser | None:
    sid = session_id()
    if sid is None:
        return None
    try:
        account = services().account(UUID(user_id))
    except (ValueError, DomainError):
        return None
    if account.disabled:
        services().unlocked.drop(sid)
        return None
    return CurrentUser(
        account_id=account.id,
        username=account.username,
        full_name=account.full_name,
        roles=tuple(account.roles),
        session_id=sid,
    )


login_manager.user_loader(load_user)


def requires(action: str) -> Callable[[F], F]:
    """403 (``auth.forbidden``) unless the domain's table allows ``action``.

    The services check again when the command runs; this only keeps a page from
    offering a form its user could never submit.
    """

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            permissions.require(user().roles, action)
            return view(*args, **kwargs)

        return cast(F, wrapper)

    return decorate
