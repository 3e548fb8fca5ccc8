"""A subject's file through time (issue 5): its history with each event's
signature status, its state as of a moment (an organisation's with everything
under it then), and what changed between two of its versions."""

from __future__ import annotations

import logging
from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.errors import DomainError
from domain.organisations import Organisation
from ledger import history
from services.audit_results import AsOf, Change, History, HistoryItem, StateAt, Subject
from services.audit_subjects import AuditSubjects
from services.audit_values import (
    actor_fallback,
    explanation,
    matches,
    row_time,
    state_of,
    subtree,
    utc,
)
from services.context import AppContext

log = logging.getLogger(__name__)


class AuditHistory:
    """History, as-of and diff of one readable subject."""

    def __init__(self, app: AppContext, subjects: AuditSubjects) -> None:
        self.app = app
        self.sql = app.ledger.sql
        self.subjects = subjects

    def history(
        self,
        actor: str,
        subject_id: UUID,
        *,
        by: str | None = None,
        kind: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> History:
        subject = self.subjects.readable_subject(actor, subject_id)
        rows = history.rows_mentioning(self.sql, subject_id)
        entries = history.check(
            rows, self.app.ledger.key_registry(), self.subjects.origin
        )
        names = self.subjects.actor_names()
        items = [
            HistoryItem(
                entry=e,
                actor_name=names.get(e.actor, actor_fallback(e.actor)),
                own=e.row.stream == subject_id,
                explanation=explanation(e.body),
            )
            for e in entries
        ]
        actors = sorted({(i.entry.actor, i.actor_name) for i in items if i.entry.actor})
        kinds = sorted({i.kind for i in items})
        versions = [i.entry.row.version for i in items if i.own]
        failures = sum(1 for i in items if not i.entry.ok)
        shown = [i for i in items if matches(i, by, kind, since, until)]
        return History(subject, shown, actors, kinds, versions, failures)

    # -- as of a moment ----------
    def state_at(self, actor: str, subject_id: UUID, moment: datetime) -> StateAt:
        """The subject's own aggregate as it stood at ``moment``, rebuilt from its
        stored events up to the last one with ``ts`` ≤ ``moment``."""
        subject = self.subjects.readable_subject(actor, subject_id)
        return self._state_at(subject, utc(moment))

    def _state_at(self, subject: Subject, moment: datetime) -> StateAt:
        version = 0
        for row in history.stream_rows(self.sql, subject.subject_id):
            if row_time(row) <= moment:
                version = max(version, row.version)
        if version == 0:
            return StateAt(subject.subject_id, subject.kind, subject.label, 0, {})
        aggregate = self.subjects.load(subject.subject_id, version)
        return state_of(aggregate)

    def as_of(self, actor: str, subject_id: UUID, moment: datetime) -> AsOf:
        """The subject's state at ``moment``; for an organisation, also everything
        that belonged to it or below at that moment (members, votes, ratings…),
        replayed from every event up to the last one with ``ts`` ≤ ``moment``."""
        subject = self.subjects.readable_subject(actor, subject_id)
        moment = utc(moment)
        position, aggregates = self.replay_until(moment)
        main = aggregates.get(subject_id)
        related: list[StateAt] = []
        if subject.kind == Organisation.__name__ and main is not None:
            related = subtree(aggregates, subject_id)
        own = [
            r
            for r in history.stream_rows(self.sql, subject_id)
            if r.notification_id <= position
        ]
        checked = history.check(
            own, self.app.ledger.key_registry(), self.subjects.origin
        )
        return AsOf(
            subject=subject,
            moment=moment,
            position=position,
            failures=[e for e in checked if not e.ok],
            main=state_of(main)
            if main is not None
            else StateAt(subject_id, subject.kind, subject.label, 0, {}),
            related=related,
        )

    def replay_until(self, moment: datetime) -> tuple[int, dict[UUID, Aggregate]]:
        """Every aggregate rebuilt from the events up to the last notification whose
        ``ts`` ≤ ``moment`` (today's views are never read)."""
        moment = utc(moment)
        decoded = []
        position = 0
        after = 0
        recorder = self.app.ledger.recorder
        while True:
            page = recorder.select_notifications(
                start=after, limit=1000, inclusive_of_start=False
            )
            if not page:
                break
            for notification in page:
                event = self.app.ledger.decode(notification)
                decoded.append(event)
                if event.timestamp <= moment:
                    position = notification.id
            after = page[-1].id
        aggregates: dict[UUID, Aggregate] = {}
        for event in decoded:
            if event.notification_id > position:
                break
            try:
                aggregates[event.stream] = event.event.mutate(
                    aggregates.get(event.stream)
                )
            except Exception:
                log.warning(
                    "as-of replay skipped notification %s", event.notification_id
                )
        return position, aggregates

    def diff(
        self, actor: str, subject_id: UUID, before: int, after: int
    ) -> list[Change]:
        """What changed in the subject's own state between two versions."""
        subject = self.subjects.readable_subject(actor, subject_id)
        if not (1 <= before <= subject.version and 1 <= after <= subject.version):
            raise DomainError("audit.version_unknown", last=subject.version)
        old = state_of(self.subjects.load(subject_id, before)).state
        new = state_of(self.subjects.load(subject_id, after)).state
        return [
            Change(name, old.get(name), new.get(name))
            for name in sorted(set(old) | set(new))
            if old.get(name) != new.get(name)
        ]
