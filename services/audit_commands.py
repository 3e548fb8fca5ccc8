"""Commands of the inspection committee's workspace (issue 5). Each has one
handler in ``services.handlers.audit``, signed by the acting member's own key."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from services.commands import Command


@dataclass(frozen=True)
class CosignCheckpoint(Command):
    """Record a ``tlog-cosignature/v1`` line the member made on their own machine
    (``kiemdiem cosign``) for the stored checkpoint of ``size``."""

    size: int
    line: str


@dataclass(frozen=True)
class RecordFileAccess(Command):
    """Someone read ``subject_id``'s file through ``view`` (a page or a download).

    ``reads``: when given, every read to sign now as (subject, view, seen at,
    late), the reads kept pending before this one included; else this read now."""

    subject_id: UUID
    view: str
    reads: tuple[tuple[UUID, str, datetime, bool], ...] = ()
