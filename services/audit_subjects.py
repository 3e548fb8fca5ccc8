"""Subjects of the inspection committee's workspace and their scope (issue 5).

A subject is any aggregate id (member, organisation, vote, cycle, rating
round…). Its organisation is found generically (its own organisation attribute,
else the aggregate it belongs to, else the first organisation an event naming it
names), and the inspector may read it when their organisation is that
organisation or one of its ancestors (``domain.audit.require_in_scope``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import Notification

from domain.accounts import UserAccount
from domain.audit import require_in_scope
from domain.errors import DomainError
from domain.organisations import Organisation
from ledger import history
from ledger.errors import LedgerError
from ledger.history import Row as LedgerRow
from projections.directory import ancestor_path
from projections.directory_reads import account_names, entity_names, top_level_ids
from projections.ratings.subject_lists import cycle_names
from projections.subject_events import every_notification_id
from services.audit_results import Subject
from services.audit_values import (
    ORG_ATTRIBUTES,
    label_of,
    org_in_body,
    parent_ids,
    uuid_value,
)
from services.context import AppContext
from services.errors import NotFoundError

log = logging.getLogger(__name__)

MAX_SCOPE_DEPTH = 3
ORG_SEARCH = 200  # events naming a subject read to find its organisation


class AuditSubjects:
    """Names a subject, loads it (as of a version) and checks who may read it."""

    def __init__(self, app: AppContext) -> None:
        self.app = app
        self.sql = app.ledger.sql

    @property
    def origin(self) -> str:
        """The log's origin line (the trust root's)."""
        return str(self.app.trust_root["origin"])

    def actor_names(self, actors: Iterable[str]) -> dict[str, str]:
        """Actor (``u:<id>``) → the account's full name, for these actors only
        (one indexed query per 500, never every account)."""
        wanted = sorted({a[2:] for a in actors if a.startswith("u:")})
        names = account_names(self.app.projections, wanted)
        return {f"u:{ident}": name for ident, name in names.items()}

    def names_of(self, ids: Iterable[str]) -> dict[str, str]:
        """Id text → name of the members, organisations, accounts (``u:<id>``)
        and review cycles among ``ids`` only: a few indexed queries per 500 ids,
        never a scan."""
        wanted = sorted({i for i in ids if not i.startswith("u:")})
        names = self.actor_names(i for i in ids if i.startswith("u:"))
        for ident, name in entity_names(self.app.projections, wanted).items():
            names.setdefault(ident, name)
        # a cycle: its organisation (year)
        for ident, name in cycle_names(self.app.projections, wanted).items():
            names.setdefault(ident, name)
        return names

    def subject(self, subject_id: UUID) -> Subject:
        try:
            aggregate = self.load(subject_id)
        except DomainError as exc:
            if exc.code != "audit.state_unreadable":
                raise
            # The stored rows fail their checks: identify the subject from an
            # unverified replay, so its history can still show where it breaks.
            aggregate = self.load_unverified(subject_id)
        return Subject(
            subject_id=subject_id,
            kind=type(aggregate).__name__,
            label=label_of(aggregate),
            org_id=self.org_of(aggregate),
            version=aggregate.version,
        )

    def load(self, subject_id: UUID, version: int | None = None) -> Aggregate:
        try:
            aggregate: Aggregate = self.app.ledger.repository.get(
                subject_id, version=version
            )
        except AggregateNotFoundError:
            raise NotFoundError("audit.subject_not_found", id=str(subject_id)) from None
        except (LedgerError, ValueError, TypeError) as exc:
            # A stream whose stored rows no longer decode: the history still shows
            # them with their failed checks; its state cannot be rebuilt.
            raise DomainError("audit.state_unreadable", id=str(subject_id)) from exc
        return aggregate

    def load_unverified(self, subject_id: UUID) -> Aggregate:
        aggregate: Any = None
        for row in history.stream_rows(self.sql, subject_id):
            try:
                event = self.app.ledger.decode(
                    Notification(
                        id=row.notification_id,
                        originator_id=row.stream,
                        originator_version=row.version,
                        topic=row.topic,
                        state=row.state,
                    )
                )
                aggregate = event.event.mutate(aggregate)
            except Exception as exc:
                log.warning("unreadable row %s: %s", row.notification_id, exc)
        if not isinstance(aggregate, Aggregate):
            raise DomainError("audit.state_unreadable", id=str(subject_id))
        return aggregate

    def org_of(self, aggregate: Aggregate, depth: int = 0) -> UUID | None:
        """The organisation a subject belongs to, found generically: its own
        organisation attribute, else through the aggregate it belongs to (a
        review's cycle, an access log's subject, a key's owner), else the first
        organisation named by an event that names it (a vote's facts)."""
        if isinstance(aggregate, Organisation):
            return aggregate.id
        for name in ORG_ATTRIBUTES:
            value = uuid_value(getattr(aggregate, name, None))
            if value is not None:
                return value
        if depth < MAX_SCOPE_DEPTH:
            for parent in parent_ids(aggregate):
                try:
                    found = self.org_of(self.load(parent), depth + 1)
                except DomainError:
                    continue
                if found is not None:
                    return found
        # The first events naming it only: a subject named everywhere (the
        # administrator's account) must not cost a read of the whole log.
        first = next(
            every_notification_id(self.app.projections, aggregate.id, batch=ORG_SEARCH),
            [],
        )
        for row in history.rows_at(self.sql, first):
            if row.stream == aggregate.id:
                continue
            found = org_in_body(row.state)
            if found is not None:
                return found
        return None

    def event_subject(self, row: LedgerRow) -> Subject:
        """The subject whose stream holds ``row``."""
        try:
            return self.subject(row.stream)
        except DomainError:
            # a row that no longer decodes: judged by the top-level scope
            return Subject(row.stream, "?", str(row.stream), None, row.version)

    def scope_of(self, org_id: UUID | None) -> list[UUID]:
        """The organisation and its ancestors (the directory's indexed
        ``org_ancestors``); the top level for no or an unknown organisation."""
        path = () if org_id is None else ancestor_path(self.app.projections, org_id)
        if not path:
            return top_level_ids(self.app.projections)
        return list(reversed(path))

    def authorise_read(self, actor: str, subject: Subject) -> UserAccount:
        account = self.app.uow.authorise(actor, "audit.read")
        require_in_scope(
            account.org_id, self.scope_of(subject.org_id), subject=subject.subject_id
        )
        return account

    def readable_subject(self, actor: str, subject_id: UUID) -> Subject:
        subject = self.subject(subject_id)
        self.authorise_read(actor, subject)
        return subject

    def in_scope_organisations(self, actor: str) -> list[Any]:
        """The organisation rows an inspector may open, in tree order."""
        account = self.app.uow.authorise(actor, "audit.read")
        rows = self.app.organisations()
        parents = {r.org_id: r.parent_id for r in rows}
        return [r for r in rows if account.org_id in _chain(parents, r.org_id)]


def _chain(parents: dict[UUID, UUID | None], org_id: UUID) -> list[UUID]:
    """The organisation and its ancestors, up a tree already read whole."""
    chain: list[UUID] = []
    current: UUID | None = org_id
    while current is not None and current in parents and current not in chain:
        chain.append(current)
        current = parents[current]
    return chain
