"""The kiemdiem web application (Flask application factory).

    app = create_app()                       # configuration from the environment
    app = create_app({"SECRET_KEY": key})    # e.g. from `kiemdiem serve`
    app = create_app(test_config, services=kiemdiem)  # share an open Kiemdiem

The factory opens one ``Kiemdiem`` per application (``app.extensions["kiemdiem"]``)
unless one is given; ``shutdown(app)`` closes what the factory opened.
"""

from __future__ import annotations

import atexit
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app, g, request

from ledger.errors import ConfigurationError
from web import config as web_config
from web import errors, logconfig, security
from web.identity import login_manager
from web.templating import register_filters

if TYPE_CHECKING:
    from services.app import Kiemdiem

EXTENSION = "kiemdiem"
OWNED = "kiemdiem_owned"


def create_app(
    test_config: Mapping[str, Any] | None = None,
    *,
    services: Kiemdiem | None = None,
) -> Flask:
    environ = web_config.environ_default()
    app = Flask(__name__, instance_relative_config=False)
    app.config.update(web_config.defaults(environ))
    if test_config is not None:
        app.config.update(test_config)
    app.config["SECRET_KEY"] = web_config.resolve_secret_key(app.config, environ)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # Vietnamese as is
    if not (app.testing or app.debug):
        logconfig.configure(app.config["LOG_LEVEL"])

    # First of all hooks: the session checks below already read the views.
    app.before_request(_views_current)
    login_manager.init_app(app)
    login_manager.session_protection = "basic"
    security.init_app(app)
    errors.register(app)
    register_filters(app)
    _register_blueprints(app)
    _attach_services(app, services)
    return app


def _views_current() -> None:
    """No page stays stale after a failed catch-up: the views catch up before the
    request when they lag the log (embedded mode; one cheap query otherwise)."""
    if request.endpoint != "static":
        # The tip it read is the one the session check reads the account at.
        g.log_tip = current_app.extensions[EXTENSION].views_current()


def _register_blueprints(app: Flask) -> None:
    from web.admin import bp as admin_bp
    from web.api import bp as api_bp
    from web.audit import bp as audit_bp
    from web.auth import bp as auth_bp
    from web.dashboard import bp as dashboard_bp
    from web.members import bp as members_bp
    from web.organisations import bp as organisations_bp
    from web.ratings import bp as ratings_bp
    from web.remediation import bp as remediation_bp
    from web.reports import bp as reports_bp
    from web.search import bp as search_bp
    from web.votes import bp as votes_bp

    app.register_blueprint(dashboard_bp)
    app.register_blueprint(auth_bp, url_prefix="/auth")
    app.register_blueprint(organisations_bp, url_prefix="/organisations")
    app.register_blueprint(members_bp, url_prefix="/members")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(api_bp, url_prefix=security.API_PREFIX)
    app.register_blueprint(audit_bp, url_prefix="/audit")
    app.register_blueprint(votes_bp, url_prefix="/votes")
    app.register_blueprint(ratings_bp, url_prefix="/ratings")
    app.register_blueprint(remediation_bp, url_prefix="/remediation")
    app.register_blueprint(reports_bp, url_prefix="/reports")
    app.register_blueprint(search_bp, url_prefix="/tim-kiem")


def _attach_services(app: Flask, services: Kiemdiem | None) -> None:
    if services is not None:
        app.extensions[EXTENSION] = services
        app.extensions[OWNED] = False
        return
    from ledger.config import settings_from_environ
    from services.app import Kiemdiem

    settings = settings_from_environ(database_url=app.config.get("DATABASE_URL"))
    if not settings.trust_root_path.exists():
        msg = (
            f"chưa có kho dữ liệu ở đây: thiếu {settings.trust_root_path}. Hãy chạy "
            "`kiemdiem init` trước, hoặc đặt KIEMDIEM_DATABASE_URL / "
            "KIEMDIEM_INSTANCE_DIR."
        )
        raise ConfigurationError(msg)
    opened = Kiemdiem(settings)
    app.extensions[EXTENSION] = opened
    app.extensions[OWNED] = True
    atexit.register(opened.close)


def shutdown(app: Flask) -> None:
    """Close the services the factory opened (tests and orderly exits)."""
    opened = app.extensions.get(EXTENSION)
    if opened is not None and app.extensions.get(OWNED):
        atexit.unregister(opened.close)
        opened.close()
        app.extensions[OWNED] = False
