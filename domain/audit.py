"""The inspection committee's rules: whose files an inspector may read, and the
record that someone read a member's file (issue 5).

Reading a file is itself recorded: one ``FileAccessLog`` stream per subject, with a
``FileAccessed`` event per read, signed by the reader. ``seen_at`` is the moment of
the read as the server saw it: a read recorded late (the reader's key was not
unlocked at the time) keeps its own moment, and ``late`` says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import DomainError

ACCESS_LOG_NAMESPACE = uuid5(NAMESPACE_URL, "https://kiemdiem/ns/file-access-log")
VIEWS = frozenset({"member", "history", "as_of", "diff", "proof", "bundle", "api"})


def access_log_id(subject_id: UUID) -> UUID:
    return uuid5(ACCESS_LOG_NAMESPACE, str(subject_id))


def require_in_scope(
    reader_org: UUID | None, subject_scope: Sequence[UUID], *, subject: UUID
) -> None:
    """An inspector reads what belongs to their organisation or below.

    ``subject_scope`` is the subject's organisation followed by its ancestors (the
    organisation as it stands now); a subject that belongs to no organisation is
    given the top-level organisations. An inspector attached to no organisation
    reads nothing.
    """
    if reader_org is None or reader_org not in subject_scope:
        raise DomainError("audit.out_of_scope", subject=str(subject))


class FileAccessLog(Aggregate):
    """Who read one subject's file, and when."""

    @classmethod
    def start(cls, *, subject_id: UUID) -> FileAccessLog:
        return cls._create(
            cls.Started,  # type: ignore[attr-defined]
            id=access_log_id(subject_id),
            subject_id=subject_id,
        )

    @event("Started")
    def __init__(self, subject_id: UUID) -> None:
        self.subject_id = subject_id
        self.reads = 0

    def record_read(
        self, *, reader: str, view: str, seen_at: datetime, late: bool
    ) -> None:
        if view not in VIEWS:
            raise DomainError("audit.view_unknown", view=view)
        if seen_at.tzinfo is None:
            raise DomainError("audit.naive_time")
        self._accessed(
            subject_id=self.subject_id,
            reader=reader,
            view=view,
            seen_at=seen_at.isoformat(),
            late=late,
        )

    @event("FileAccessed")
    def _accessed(
        self, subject_id: UUID, reader: str, view: str, seen_at: str, late: bool
    ) -> None:
        self.reads += 1
