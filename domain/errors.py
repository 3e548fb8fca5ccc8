"""Domain errors carry a stable dotted code; ``web/catalogue/__init__.py`` maps each code to
Vietnamese. Codes are public API: never rename or reuse one."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A rule of the domain refused a command; nothing is stored."""

    def __init__(self, code: str, **details: Any) -> None:
        super().__init__(code, details)
        self.code = code
        self.details = details

    def __str__(self) -> str:
        if not self.details:
            return self.code
        args = ", ".join(f"{k}={v!r}" for k, v in sorted(self.details.items()))
        return f"{self.code} ({args})"
