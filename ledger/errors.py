"""Ledger errors that callers may need to tell apart."""

from __future__ import annotations

from uuid import UUID


class LedgerError(Exception):
    """Base class of ledger failures."""


class TamperedEventError(LedgerError):
    """A stored event failed a check while being read; ``kind`` is a verify kind."""

    def __init__(self, stream: UUID | str, version: int, kind: str, detail: str = ""):
        super().__init__(f"{kind} at stream {stream} version {version}: {detail}")
        self.stream = stream
        self.version = version
        self.kind = kind
        self.detail = detail


class KeyNotValidError(LedgerError):
    """The signer's key may not sign now (unknown, revoked, or not the actor's)."""


class LedgerCorruptionError(LedgerError):
    """The previous event of a stream is missing or does not verify: refuse to
    append on top of it."""


class ConfigurationError(LedgerError):
    """A setting is missing, malformed or forbidden."""
