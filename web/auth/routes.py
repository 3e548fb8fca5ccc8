"""Sessions: the password unlocks the user's signing key for this session only."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import (
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import login_user, logout_user

from web.auth import bp
from web.auth.forms import LoginForm, UnlockForm
from web.auth.throttle import SignInGuard
from web.catalogue.flashes import done
from web.identity import (
    SESSION_KEY,
    CurrentUser,
    services,
    session_id,
    sessions,
    user,
)

log = logging.getLogger(__name__)
THROTTLE = "kiemdiem_login_throttle"


def throttle() -> SignInGuard:
    """This application's counts of failed sign-ins (one per app, in memory)."""
    found = current_app.extensions.get(THROTTLE)
    if found is None:
        config = current_app.config
        found = current_app.extensions.setdefault(
            THROTTLE,
            SignInGuard(
                account_limit=config["LOGIN_FAILURE_LIMIT"],
                address_limit=config["LOGIN_ADDRESS_FAILURE_LIMIT"],
                window=config["LOGIN_FAILURE_WINDOW_SECONDS"],
            ),
        )
    return found  # type: ignore[no-any-return]


def _refused_for(form: LoginForm | UnlockForm, username: str) -> bool:
    """Too many failures for this name or address: say when, check nothing."""
    wait = throttle().retry_after(username, request.remote_addr)
    if wait:
        log.warning("sign-in paused after repeated failures")
        form.add_error("auth.too_many_attempts", {"minutes": -(-wait // 60)})
    return bool(wait)


def safe_next(default: str) -> str:
    """Only a local path: never send a user off-site after login."""
    target = request.args.get("next", "")
    parts = urlsplit(target)
    if (
        not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
        or parts.scheme
        or parts.netloc
    ):
        return default
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        if _refused_for(form, form.username.data):
            return render_template("auth/login.html", form=form), 429
        signed_in = services().authenticate(form.username.data, form.password.data)
        if signed_in is None:
            log.info("login refused")
            throttle().failed(form.username.data, request.remote_addr)
            form.add_error("auth.invalid_credentials")
        else:
            throttle().succeeded(form.username.data)
            old = session_id()
            if old:
                sessions().close(old, services().unlocked.get(old))
                services().unlocked.drop(old)
            session.clear()  # a fresh session: no fixation
            sid, _ = sessions().open(signed_in.account_id, signed_in.signer)
            services().unlocked.put(sid, signed_in.signer)
            session[SESSION_KEY] = sid
            login_user(
                CurrentUser(
                    account_id=signed_in.account_id,
                    username=signed_in.username,
                    full_name=signed_in.full_name,
                    roles=signed_in.roles,
                    session_id=sid,
                )
            )
            log.info("login for account %s", signed_in.account_id)
            flash(done("auth.signed_in"), "success")
            return redirect(safe_next(url_for("dashboard.index")))
    return render_template("auth/login.html", form=form), _status(form)


@bp.post("/logout")
def logout():
    """End this session server-side: its cookie opens nothing afterwards."""
    sid = session_id()
    if sid:
        sessions().close(sid, services().unlocked.get(sid))
        services().unlocked.drop(sid)
    logout_user()
    session.clear()
    flash(done("auth.signed_out"), "info")
    return redirect(url_for("auth.login"))


@bp.post("/logout-everywhere")
def logout_everywhere():
    """Đăng xuất mọi nơi: end every session of this account, on every device."""
    me = user()
    ended = sessions().close_all(me.account_id, services().unlocked.get(me.session_id))
    services().unlocked.drop_actor(me.actor)
    logout_user()
    session.clear()
    log.info("account %s signed out everywhere (%s sessions)", me.account_id, ended)
    flash(done("auth.signed_out_everywhere", sessions=ended), "info")
    return redirect(url_for("auth.login"))


@bp.route("/unlock", methods=["GET", "POST"])
def unlock():
    """Re-enter the password to sign (after a restart or on another worker)."""
    form = UnlockForm()
    me = user()
    if form.validate_on_submit():
        if _refused_for(form, me.username):
            return render_template("auth/unlock.html", form=form), 429
        signed_in = services().authenticate(me.username, form.password.data)
        if signed_in is None or signed_in.account_id != me.account_id:
            log.info("unlock refused for account %s", me.account_id)
            throttle().failed(me.username, request.remote_addr)
            form.add_error("auth.wrong_password")
        else:
            throttle().succeeded(me.username)
            services().unlocked.put(me.session_id, signed_in.signer)
            sessions().keep_key(me.session_id, signed_in.signer)
            flash(done("auth.unlocked"), "success")
            return redirect(safe_next(url_for("dashboard.index")))
    return render_template("auth/unlock.html", form=form), _status(form)


def _status(form: LoginForm | UnlockForm) -> int:
    """400 for a malformed form; a wrong password is an ordinary answer (200)."""
    return 400 if any(field.errors for field in form) else 200
