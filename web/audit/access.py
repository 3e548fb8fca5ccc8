"""Recording that the signed-in user read a member's file (issue 5): one call
from any page or endpoint that shows it. Never fails the page (services.audit)."""

from __future__ import annotations

from uuid import UUID

from services.errors import SignatureRequiredError
from web.identity import services, signer, user


def record_read(subject_id: UUID, view: str) -> None:
    """Signed by the reader's key: held in this process, or unsealed from the
    session (signed in through another gunicorn worker), as every command is;
    kept pending (signed later) only when neither has it. Taking the key from
    this process alone left every read of a session signed in elsewhere
    pending, and its page listing them all."""
    me = user()
    try:
        key = signer()
    except SignatureRequiredError:
        key = None  # kept pending, signed at a later read with the key
    services().audit.record_access(key, me.actor, subject_id, view)
