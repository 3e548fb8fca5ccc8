"""A subject's file through time (issue 5): its history with each event's
signature status, its state as of a moment (an organisation's with everything
under it then), and what changed between two of its versions."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.errors import DomainError
from domain.organisations import Organisation
from ledger import history
from ledger.history import Entry as LedgerEntry
from ledger.history import Problem
from ledger.history import Row as LedgerRow
from projections.subject_events import (
    PAGE_SIZE,
    HistoryFilter,
    SubjectEventRow,
    event_count,
    facets_of,
    page_of,
)
from services.audit_results import (
    AsOf,
    Change,
    EventDetail,
    History,
    HistoryItem,
    StateAt,
    Subject,
)
from services.audit_subjects import AuditSubjects
from services.audit_values import (
    actor_fallback,
    explanation,
    ids_named,
    row_time,
    state_of,
    subtree,
    utc,
)
from services.context import AppContext
from services.errors import NotFoundError

log = logging.getLogger(__name__)

NAMED_PER_EVENT = 2000  # values of one event's body looked at for ids to name


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
        after: int = 0,
        limit: int = PAGE_SIZE,
    ) -> History:
        """One page of the subject's file after notification ``after``: read
        through the ``subject_events`` index, each row of the page checked
        (signature, key, origin, chain), never a scan of the events table."""
        subject = self.subjects.readable_subject(actor, subject_id)
        only = HistoryFilter(
            by=by,
            kind=kind,
            since=utc(since) if since is not None else None,
            until=utc(until) if until is not None else None,
        )
        found = page_of(
            self.app.projections,
            subject_id,
            after=max(0, after),
            limit=max(1, limit) + 1,
            only=only,
        )
        page = found[: max(1, limit)]
        entries = self._checked(subject_id, page)
        actors, kinds = facets_of(self.app.projections, subject_id)
        names = self.subjects.actor_names([*actors, *(e.actor for e in entries)])
        items = [self._item(e, subject_id, names) for e in entries]
        named: set[str] = set()
        for e in entries:
            ids_named(dict(e.body), named, budget=[NAMED_PER_EVENT])
        return History(
            subject=subject,
            items=items,
            actors=[(a, names.get(a, actor_fallback(a))) for a in actors],
            kinds=kinds,
            versions=list(range(1, subject.version + 1)),
            failures=sum(1 for i in items if not i.entry.ok),
            after=max(0, after),
            next_after=page[-1].notification_id if len(found) > len(page) else None,
            total=event_count(self.app.projections, subject_id),
            names={**self.subjects.names_of(named), **names},
        )

    def event_detail(self, actor: str, notification_id: int) -> EventDetail:
        """One stored event with its checks and its whole signed body."""
        rows = history.rows_at(self.sql, [notification_id])
        if not rows:
            raise NotFoundError("audit.event_not_found", id=notification_id)
        subject = self.subjects.event_subject(rows[0])
        self.subjects.authorise_read(actor, subject)
        before = history.stream_versions(
            self.sql, rows[0].stream, [rows[0].version - 1]
        )
        entry = history.check(
            [*before, *rows], self.app.ledger.key_registry(), self.subjects.origin
        )[-1]
        names = self.subjects.actor_names([entry.actor])
        named: set[str] = set()
        ids_named(dict(entry.body), named)
        return EventDetail(
            subject,
            self._item(entry, rows[0].stream, names),
            names={**self.subjects.names_of(named), **names},
        )

    @staticmethod
    def _item(
        entry: LedgerEntry, subject_id: UUID, names: dict[str, str]
    ) -> HistoryItem:
        return HistoryItem(
            entry=entry,
            actor_name=names.get(entry.actor, actor_fallback(entry.actor)),
            own=entry.row.stream == subject_id,
            explanation=explanation(entry.body),
        )

    def _checked(
        self, subject_id: UUID, page: Sequence[SubjectEventRow]
    ) -> list[LedgerEntry]:
        """The page's stored rows, each checked as a page view needs
        (``history.check_page``: signature, key, origin, columns; not the
        canonical form again; a large event by its header); the chain of the
        subject's own rows against their previous version. An indexed event no
        longer in the store shows as cut off (rollback)."""
        rows = history.rows_at(self.sql, [r.notification_id for r in page])
        own = {r.version for r in rows if r.stream == subject_id}
        missing = sorted({v - 1 for v in own if v > 1} - own)
        before = history.stream_versions(self.sql, subject_id, missing)
        checked = self._check_page([*before, *rows])
        by_id = {e.row.notification_id: e for e in checked[len(before) :]}
        return [by_id.get(r.notification_id) or _cut_off(r) for r in page]

    def _check_page(self, rows: list[LedgerRow]) -> list[LedgerEntry]:
        """``history.check_page`` with a registry that holds every key event up
        to the page's last row (validity is judged by position, so the verdicts
        are a tip's): no read of the tip when the request's session check
        brought it there. A key it does not know is judged again at the tip,
        where one registered after its event reads "not yet valid"."""
        ledger = self.app.ledger
        last = max((r.notification_id for r in rows), default=0)
        checked = history.check_page(
            rows, ledger.key_registry_past(last), self.subjects.origin
        )
        if any(p.kind == "unknown_key" for e in checked for p in e.problems):
            checked = history.check_page(
                rows, ledger.key_registry(), self.subjects.origin
            )
        return checked

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


def _cut_off(row: SubjectEventRow) -> LedgerEntry:
    """An event the index knows and the store no longer holds."""
    return LedgerEntry(
        row=LedgerRow(row.notification_id, row.stream, row.version, row.topic, b""),
        ts=row.ts,
        actor=row.actor,
        key_id="",
        body={},
        key_role=None,
        problems=(Problem("rollback", "the event is no longer in the store"),),
    )
