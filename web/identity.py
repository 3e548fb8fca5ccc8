"""Who is signed in, and the services they act through.

The Flask session (a signed cookie) holds the account id and a random session
token. The token names a server-side session record (``services.sessions``):
every request checks it, so a session ends for good at logout, "sign out
everywhere", idle timeout, absolute lifetime, and any change to the account
(roles, organisation, disablement, password reset); a replayed cookie then gets
nothing. The token also maps to the user's unlocked signing key in the services'
in-memory ``unlocked`` table: a restart or another worker does not have it, and
the user is asked for their password again before signing
(``auth.signature_required``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from flask import current_app, g, session
from flask_login import LoginManager, current_user

from domain import permissions
from services.errors import SignatureRequiredError
from services.sessions import ActiveSession, SessionPolicy, SessionService

if TYPE_CHECKING:
    from services.app import Kiemdiem

SESSION_KEY = "kd_sid"
SESSIONS = "kiemdiem_sessions"
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


def sessions() -> SessionService:
    """This application's server-side sessions (one per app)."""
    found = current_app.extensions.get(SESSIONS)
    if found is None:
        config = current_app.config
        policy = SessionPolicy(
            idle=timedelta(minutes=config["SESSION_IDLE_MINUTES"]),
            absolute=timedelta(hours=config["SESSION_MAX_HOURS"]),
        )
        found = current_app.extensions.setdefault(
            SESSIONS, SessionService(services(), policy)
        )
    return cast(SessionService, found)


def session_id() -> str | None:
    """The session token the cookie carries (it also names the unlocked key)."""
    value = session.get(SESSION_KEY)
    return value if isinstance(value, str) else None


def signer() -> Any:
    """The current user's unlocked key (a ``Signer``): held in this process, or
    unsealed from the session (signed in through another worker process);
    ``SignatureRequiredError`` when neither has it."""
    me = user()
    try:
        return services().signer_for(me.session_id)
    except SignatureRequiredError:
        kept = sessions().unlocked_key(me.session_id, me.actor)
        if kept is None:
            raise
        services().unlocked.put(me.session_id, kept)
        return kept


def load_user(user_id: str) -> CurrentUser | None:
    """The signed-in user, if the cookie's session is still good server-side."""
    sid = session_id()
    if sid is None:
        return None
    # The log's tip this request has read already (web._views_current), if any.
    checked = sessions().check(sid, g.get("log_tip"))
    if not isinstance(checked, ActiveSession):
        # Ended (or unknown): the key unlocked for it goes too. An idle or expired
        # session's sign-out is signed by that key, when this process holds it.
        sessions().expired_by_owner(checked, sid, services().unlocked.get(sid))
        services().unlocked.drop(sid)
        return None
    account = checked.account
    if str(account.id) != user_id:
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
