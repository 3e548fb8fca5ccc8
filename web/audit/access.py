"""Recording that the signed-in user read a member's file (issue 5): one call
from any page or endpoint that shows it. Never fails the page (services.audit)."""

from __future__ import annotations

from uuid import UUID

from web.identity import services, user


def record_read(subject_id: UUID, view: str) -> None:
    me = user()
    key = services().unlocked.get(me.session_id)  # None: kept pending, signed later
    services().audit.record_access(key, me.actor, subject_id, view)
