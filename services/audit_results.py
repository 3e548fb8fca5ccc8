"""What the inspection committee's workspace returns (issue 5): subjects, their
history, states as of a moment, held checkpoints, incidents and verification jobs.
Plain frozen values; the services in ``services.audit_*`` build them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from ledger.history import Entry as LedgerEntry

# -- results ------------------------------------------------------------------------


@dataclass(frozen=True)
class Subject:
    subject_id: UUID
    kind: str
    label: str
    org_id: UUID | None
    version: int


@dataclass(frozen=True)
class HistoryItem:
    entry: LedgerEntry
    actor_name: str
    own: bool  # an event of the subject's own stream (a version of it)
    explanation: list[tuple[str, str]]  # why: rule, rulebook, basis… (may be empty)

    @property
    def kind(self) -> str:
        return self.entry.event_name


@dataclass(frozen=True)
class History:
    """One page of a subject's file, in log order (a keyset page)."""

    subject: Subject
    items: list[HistoryItem]
    actors: list[tuple[str, str]]  # (actor, name) for the filter
    kinds: list[str]
    versions: list[int]  # the subject's own versions (for the diff)
    failures: int  # rows of this page that fail their checks
    after: int = 0  # the page starts after this notification id
    next_after: int | None = None  # the next page starts after it; None: last
    total: int = 0  # events in the whole file (the index's counter, unfiltered)
    # The people, organisations and accounts the page's events name: id text (and
    # "u:<account id>") → name, for those ids only (the readable form, issue 13).
    names: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class EventDetail:
    """One stored event of a subject's file, its signed body included."""

    subject: Subject  # the subject whose stream holds it
    item: HistoryItem
    names: Mapping[str, str] = field(default_factory=dict)  # as History.names


@dataclass(frozen=True)
class StateAt:
    """One aggregate as it stood: ``version`` 0 means it did not exist yet."""

    subject_id: UUID
    kind: str
    label: str
    version: int
    state: dict[str, str]


@dataclass(frozen=True)
class AsOf:
    subject: Subject
    moment: datetime
    position: int  # the last notification id with ts ≤ moment (0: none)
    main: StateAt
    related: list[StateAt]  # organisations: everything in the subtree then
    failures: list[LedgerEntry]  # the subject's own rows up to then that fail


@dataclass(frozen=True)
class Change:
    field: str
    before: str | None
    after: str | None


@dataclass(frozen=True)
class HeldCheckpoint:
    size: int
    root: str
    note: str
    holder: str
    seen_log_size: int
    held_at: str


@dataclass(frozen=True)
class Incident:
    kind: str  # rollback | fork | cosignature_missing
    detail: str
    evidence: str
    detected_at: str


@dataclass(frozen=True)
class CheckpointStatus:
    latest: Any  # ledger.integrator.StoredCheckpoint | None
    log_size: int
    held: list[HeldCheckpoint]
    incidents: list[Incident]  # every one ever found, newest first
    new_incidents: list[Incident]  # found by this look
    alerts: list[Any]
    cosigner_name: str | None
    names: dict[str, str]  # actor -> full name, for the holders


@dataclass(frozen=True)
class Comparison:
    size: int
    root: str
    outcome: str  # consistent | ahead | rollback | fork
    detail: str
    proof: list[str]


@dataclass
class VerificationJob:
    job_id: str
    requested_by: str
    started_at: str
    done: int = 0
    total: int = 0
    finished: bool = False
    report: dict[str, Any] | None = None
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "job_id": self.job_id,
            "started_at": self.started_at,
            "done": self.done,
            "total": self.total,
            "finished": self.finished,
            "report": self.report,
            "error": self.error,
        }
