"""Web configuration from the environment (architecture.md §7).

Required in production: ``KIEMDIEM_SECRET_KEY``. Optional: ``KIEMDIEM_DATABASE_URL``
(read by ``ledger.config``), ``KIEMDIEM_SECURE_COOKIES=1`` behind HTTPS,
``KIEMDIEM_LOG_LEVEL`` (INFO by default), ``KIEMDIEM_SESSION_IDLE_MINUTES`` (30)
and ``KIEMDIEM_SESSION_MAX_HOURS`` (8).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from ledger.errors import ConfigurationError

MIN_SECRET_LENGTH = 16


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def defaults(environ: Mapping[str, str]) -> dict[str, Any]:
    return {
        "SESSION_COOKIE_NAME": "kiemdiem_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _flag(environ.get("KIEMDIEM_SECURE_COOKIES")),
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=8),
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        # Server-side sessions (web.identity): idle timeout and absolute lifetime.
        "SESSION_IDLE_MINUTES": int(environ.get("KIEMDIEM_SESSION_IDLE_MINUTES", "30")),
        "SESSION_MAX_HOURS": int(environ.get("KIEMDIEM_SESSION_MAX_HOURS", "8")),
        # CSRF is checked by our own hook (web.security) so that JSON API calls
        # carrying X-Requested-With may skip it; every other request is checked.
        "WTF_CSRF_CHECK_DEFAULT": False,
        "WTF_CSRF_TIME_LIMIT": 4 * 3600,
        "WTF_I18N_ENABLED": False,
        "LOG_LEVEL": environ.get("KIEMDIEM_LOG_LEVEL", "INFO").upper(),
        "DATABASE_URL": environ.get("KIEMDIEM_DATABASE_URL") or None,
        "JSON_SORT_KEYS": False,
        # Failed sign-ins per account name, and per client address, before a pause.
        "LOGIN_FAILURE_LIMIT": int(environ.get("KIEMDIEM_LOGIN_FAILURE_LIMIT", "5")),
        "LOGIN_ADDRESS_FAILURE_LIMIT": int(
            environ.get("KIEMDIEM_LOGIN_ADDRESS_FAILURE_LIMIT", "30")
        ),
        "LOGIN_FAILURE_WINDOW_SECONDS": int(
            environ.get("KIEMDIEM_LOGIN_FAILURE_WINDOW_SECONDS", "900")
        ),
    }


def resolve_secret_key(config: dict[str, Any], environ: Mapping[str, str]) -> str:
    """The secret key from the config or ``KIEMDIEM_SECRET_KEY``; fail fast.

    Testing and debug runs without one get a random key for this process only:
    there is never a hard-coded fallback.
    """
    key = config.get("SECRET_KEY") or environ.get("KIEMDIEM_SECRET_KEY")
    if key:
        if len(str(key)) < MIN_SECRET_LENGTH:
            msg = (
                f"KIEMDIEM_SECRET_KEY quá ngắn: hãy dùng ít nhất {MIN_SECRET_LENGTH} "
                "ký tự ngẫu nhiên (ví dụ `python -c 'import secrets; "
                "print(secrets.token_urlsafe(32))'`)"
            )
            raise ConfigurationError(msg)
        return str(key)
    if config.get("TESTING") or config.get("DEBUG"):
        return secrets.token_urlsafe(32)
    msg = (
        "chưa đặt KIEMDIEM_SECRET_KEY: ứng dụng web cần một khóa bí mật để ký "
        "cookie phiên đăng nhập. Hãy đặt một giá trị ngẫu nhiên đủ dài (ví dụ "
        "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`)."
    )
    raise ConfigurationError(msg)


def environ_default() -> Mapping[str, str]:
    return os.environ
