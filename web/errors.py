"""The one refusal mapper: error pages in Vietnamese, JSON errors under /api/v1.

A refusal (a ``DomainError`` code) has one HTTP status (``status_for``) and one
Vietnamese message (``web.catalogue``) everywhere. Refusals about the request as
a whole (``PAGE_LEVEL``: no right, out of scope, not signed) are the whole page's
answer (``refusal``); the others go on the form that was sent
(``web.dispatch.submit``). API clients get ``{"code", "message"}`` from
``json_refusal``, plus ``field`` and ``details`` when they say more.
"""

from __future__ import annotations

import logging
from typing import Any

from eventsourcing.persistence import OperationalError
from flask import (
    Flask,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from domain.errors import DomainError
from services.errors import KeyRevokedError, SignatureRequiredError
from web.catalogue import ERROR_TITLES, HTTP_CODES, http_message, message_for
from web.identity import login_manager, services, session_id
from web.security import is_api_request

log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = "5"


# Refusals about the request as a whole: never a form error.
PAGE_LEVEL = frozenset(
    {
        "auth.forbidden",
        "auth.out_of_scope",
        "auth.actor_mismatch",
        "auth.signature_required",
        "auth.key_not_valid",
        "audit.out_of_scope",
    }
)
FORBIDDEN = frozenset(
    {"auth.forbidden", "auth.actor_mismatch", "auth.out_of_scope", "audit.out_of_scope"}
)


class Refused(Exception):
    """A ready answer to a refused request (raised, answered by the handler)."""

    def __init__(self, response: Any) -> None:
        super().__init__("refused")
        self.response = response


def status_for(code: str) -> int:
    """The HTTP status of a refusal code."""
    if code in {"auth.signature_required", "auth.key_not_valid"}:
        return 401
    if code in FORBIDDEN:
        return 403
    if code.endswith("not_found"):  # org.not_found, org.parent_not_found…
        return 404
    if code == "store.conflict":
        return 409
    if code == "store.busy":
        return 503
    return 422


def json_error(code: str, status: int, message: str | None = None, **extra: Any):
    body: dict[str, Any] = {"code": code, "message": message or message_for(code)}
    body.update(extra)
    response = jsonify(body)
    response.status_code = status
    return response


def plain_details(details: dict[str, Any]) -> dict[str, Any]:
    """A refusal's details as JSON scalars."""
    return {
        k: v if isinstance(v, str | int | bool) or v is None else str(v)
        for k, v in details.items()
    }


def json_refusal(exc: DomainError, field: str | None = None, **extra: Any):
    """The JSON answer to a refused command or read: code, status, message, the
    details, and the form field it is about (if known)."""
    body: dict[str, Any] = dict(extra)
    if exc.details:
        body["details"] = plain_details(exc.details)
    if field:
        body["field"] = field
    return json_error(
        exc.code, status_for(exc.code), message_for(exc.code, exc.details), **body
    )


def is_page_level(code: str, form_fields: Any = ()) -> bool:
    """Whether a refusal answers the whole request rather than one form: a
    ``PAGE_LEVEL`` code, or a target not found that is no field of the form."""
    if code in PAGE_LEVEL:
        return True
    return code.endswith("not_found") and code not in form_fields


def error_page(status: int, message: str, code: str | None = None):
    title = ERROR_TITLES.get(status, ERROR_TITLES[500])
    context = {"status": status, "title": title, "message": message, "code": code}
    if status >= 500:
        # The store may be what failed: render without the context processors,
        # which would look the user up again for the menu.
        template = current_app.jinja_env.get_template("errors/error.html")
        return template.render(bare=True, **context), status
    return render_template("errors/error.html", bare=False, **context), status


def refusal(code: str, details: dict[str, Any] | None = None):
    """The answer to a refusal that no form can show."""
    status = status_for(code)
    message = message_for(code, details)
    if is_api_request():
        return json_error(code, status, message)
    return error_page(status, message, code)


def _ask_for_password(code: str):
    """The key is not unlocked here (or no longer valid): ask for the password."""
    if is_api_request():
        return json_error(code, 401)
    flash(message_for(code), "warning")
    return redirect(url_for("auth.unlock", next=request.path))


@login_manager.unauthorized_handler
def unauthorized():
    if is_api_request():
        return json_error("auth.login_required", 401)
    if request.method == "GET" and request.endpoint != "dashboard.index":
        flash(message_for("auth.login_required"), "info")
    target = request.full_path if request.method == "GET" else request.path
    return redirect(url_for("auth.login", next=target.rstrip("?")))


def register(app: Flask) -> None:
    @app.errorhandler(Refused)
    def refused(exc: Refused):
        return exc.response

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        status = exc.code or 500
        code = HTTP_CODES.get(status, "http.server_error")
        if is_api_request():
            response = json_error(code, status)
        else:
            response = app.make_response(error_page(status, http_message(status), code))
        allow = exc.get_response().headers.get("Allow")
        if allow:
            response.headers["Allow"] = allow
        return response

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        log.info("CSRF check failed: %s", exc.description)
        if is_api_request():
            return json_error("form.csrf", 400)
        return error_page(400, message_for("form.csrf"), "form.csrf")

    @app.errorhandler(SignatureRequiredError)
    def signature_required(exc: SignatureRequiredError):
        return _ask_for_password(exc.code)

    @app.errorhandler(KeyRevokedError)
    def key_not_valid(exc: KeyRevokedError):
        # The key held for this session was revoked (by a password reset or a
        # disablement seen by another worker): forget it, nothing was stored.
        log.warning("refused a revoked or unknown signing key")
        sid = session_id()
        if sid:
            services().unlocked.drop(sid)
        return _ask_for_password("auth.key_not_valid")

    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        log.info("refused: %s", exc.code)
        return refusal(exc.code, exc.details)

    @app.errorhandler(OperationalError)
    def database_busy(exc: OperationalError):
        log.warning("database unavailable: %s", type(exc).__name__)
        response = app.make_response(refusal("store.busy"))
        response.headers["Retry-After"] = RETRY_AFTER_SECONDS
        return response

    @app.errorhandler(InternalServerError)
    def server_error(exc: InternalServerError):
        original = getattr(exc, "original_exception", None)
        if original is not None:
            log.error("unhandled error", exc_info=original)
        if is_api_request():
            return json_error("http.server_error", 500)
        return error_page(500, http_message(500), "http.server_error")
