"""Errors of the application layer, coded like domain errors so the web maps
them with the same table (``web/catalogue/__init__.py``)."""

from __future__ import annotations

from domain.errors import DomainError


class NotFoundError(DomainError):
    """The named aggregate does not exist (``*.not_found``)."""


class ConflictError(DomainError):
    """Someone else changed the record at the same time (``store.conflict``)."""


class SignatureRequiredError(DomainError):
    """The acting user's key is not unlocked in this process
    (``auth.signature_required``)."""


class KeyRevokedError(DomainError):
    """The acting user's key is no longer valid (revoked or replaced):
    ``auth.key_not_valid``; the user must sign in again."""
