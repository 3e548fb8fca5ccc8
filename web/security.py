"""Request hooks: request id, CSRF policy, login by default, security headers."""

from __future__ import annotations

import logging
import time

from flask import Flask, Response, g, request
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf.csrf import CSRFProtect

from web import hygiene, idempotency
from web.identity import login_manager
from web.logconfig import REQUEST_ID_HEADER, new_request_id

log = logging.getLogger("web.request")
csrf = CSRFProtect()

API_PREFIX = "/api/v1"
# Endpoints anyone may reach; every other one needs a signed-in user.
PUBLIC_ENDPOINTS = frozenset(
    {
        "auth.login",
        "static",
        "api.openapi",
        # The booth: in mode A holding an issued slip is the authorisation (votes.md
        # §6.1); the vote pages check a login themselves for mode B.
        "votes.booth",
        "votes.booth_data",
        "votes.booth_static",
        "votes.cast",
        "votes.track",
    }
)
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def is_api_request() -> bool:
    return request.path == API_PREFIX or request.path.startswith(API_PREFIX + "/")


def csrf_exempt_request() -> bool:
    """A JSON call to the API that carries ``X-Requested-With``.

    A cross-site page cannot send either without a CORS preflight, which this
    application never answers, so the session cookie alone cannot forge one.
    """
    return (
        is_api_request()
        and request.is_json
        and bool(request.headers.get("X-Requested-With"))
    )


def init_app(app: Flask) -> None:
    """Hooks in the order they run: request id, CSRF, login (with the session's
    server-side record, ``web.identity``), input hygiene, Idempotency-Key."""
    csrf.init_app(app)
    hygiene.init_app(app)

    @app.before_request
    def start_request() -> None:
        g.request_id = new_request_id()
        g.started = time.perf_counter()

    @app.before_request
    def check_csrf() -> None:
        if request.endpoint is None:  # 404 or 405: nothing to protect
            return
        if app.config.get("WTF_CSRF_ENABLED", True) and not csrf_exempt_request():
            csrf.protect()

    @app.before_request
    def require_login() -> ResponseReturnValue | None:
        if request.endpoint is None or request.endpoint in PUBLIC_ENDPOINTS:
            return None
        if not current_user.is_authenticated:
            response: ResponseReturnValue = login_manager.unauthorized()
            return response
        return None

    @app.before_request
    def check_input() -> ResponseReturnValue | None:
        try:
            hygiene.check_request()
        except hygiene.InputRefused as exc:
            log.info("input refused: %s", exc.code)
            refused: ResponseReturnValue = hygiene.refusal_response(exc)
            return refused
        return None

    idempotency.init_app(app)

    @app.after_request
    def add_headers(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
        if request.endpoint != "static":
            # Pages show personal data: never keep them in a shared cache.
            response.headers.setdefault("Cache-Control", "no-store")
        request_id = getattr(g, "request_id", None)
        if request_id:
            response.headers[REQUEST_ID_HEADER] = request_id
        started = getattr(g, "started", None)
        elapsed = (time.perf_counter() - started) * 1000 if started else 0.0
        log.info(
            "%s %s %s %.1fms",
            request.method,
            request.path,
            response.status_code,
            elapsed,
        )
        return response
