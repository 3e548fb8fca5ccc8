"""Vietnamese messages for the error codes of the ratings area (merged into
``web.messages.MESSAGES``; one module per area so areas do not edit one file)."""

from __future__ import annotations

MESSAGES: dict[str, str] = {}
