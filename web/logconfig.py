"""Logging with a request id (style.md §4: dictConfig, stdout, no personal data)."""

from __future__ import annotations

import logging
import logging.config
import re
import secrets

from flask import g, has_request_context, request

REQUEST_ID_HEADER = "X-Request-ID"
_SAFE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record ("-" outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        request_id = "-"
        if has_request_context():
            request_id = getattr(g, "request_id", "-")
        record.request_id = request_id
        return True


def new_request_id() -> str:
    """Reuse a well-formed id from a proxy, else make one."""
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    if _SAFE_ID.fullmatch(incoming):
        return incoming
    return secrets.token_hex(8)


def configure(level: str) -> None:
    logging.config.dictConfig(
        {
            "version": 1,
            "disable_existing_loggers": False,
            "filters": {"request_id": {"()": RequestIdFilter}},
            "formatters": {
                "plain": {
                    "format": "%(asctime)s %(levelname)s [%(request_id)s] "
                    "%(name)s: %(message)s"
                }
            },
            "handlers": {
                "stdout": {
                    "class": "logging.StreamHandler",
                    "stream": "ext://sys.stdout",
                    "formatter": "plain",
                    "filters": ["request_id"],
                }
            },
            "root": {"level": level, "handlers": ["stdout"]},
        }
    )
