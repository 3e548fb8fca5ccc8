"""The inspection committee's rules: whose files an inspector may read, and the
record that someone read a member's file (issue 5).

Reading a file is itself recorded: one ``FileAccessLog`` stream per subject, reader
and day (so recording a read never replays a long stream), with a ``FileAccessed``
event per read, signed by the reader. ``seen_at`` is the moment of
the read as the server saw it: a read recorded late (the reader's key was not
unlocked at the time) keeps its own moment, and ``late`` says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import DomainError

ACCESS_LOG_NAMESPACE = uuid5(NAMESPACE_URL, "https://kiemdiem/ns/file-access-log")
VIEWS = frozenset({"member", "history", "as_of", "diff", "proof", "bundle", "api"})


def access_log_id(subject_id: UUID, reader: str, day: date) -> UUID:
    return uuid5(ACCESS_LOG_NAMESPACE, f"{subject_id}/{reader}/{day.isoformat()}")


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
    """When one reader read one subject's file on one day (UTC)."""

    @classmethod
    def start(cls, *, subject_id: UUID, reader: str, day: date) -> FileAccessLog:
        return cls._create(
            cls.Started,  # type: ignore[attr-defined]
            id=access_log_id(subject_id, reader, day),
            subject_id=subject_id,
            reader=reader,
            day=day,
        )

    @event("Started")
    def __init__(self, subject_id: UUID, reader: str, day: date) -> None:
        self.subject_id = subject_id
        self.reader = reader
        self.day = day
        self.reads = 0

    def record_read(
        self, *, reader: str, view: str, seen_at: datetime, late: bool
    ) -> None:
        if view not in VIEWS:
            raise DomainError("audit.view_unknown", view=view)
        if seen_at.tzinfo is None:
            raise DomainError("audit.naive_time")
        if reader != self.reader or seen_at.astimezone(UTC).date() != self.day:
            raise DomainError("audit.wrong_log")
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
