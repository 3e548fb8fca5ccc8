"""Commands of remediation (issue 6). Each has one handler in
``services.handlers.remediation``; the bus checks that ``actor_id`` is the
signer. A date left out is today's (the service's clock)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from services.commands import Command


@dataclass(frozen=True)
class RecordShortcoming(Command):
    """A shortcoming pointed out at the subject's review of ``cycle_id``.
    ``persons`` names each member's responsibility (collectives: head and
    members) as (member id, text)."""

    cycle_id: UUID
    subject_key: str
    source: str
    description: str
    cause: str
    collective_responsibility: str = ""
    persons: tuple[tuple[UUID, str], ...] = ()
    review_id: UUID | None = None
    recurrence_of: UUID | None = None
    recorded_on: date | None = None


@dataclass(frozen=True)
class AdoptRemediationPlan(Command):
    """Kế hoạch khắc phục for shortcomings of one subject and cycle."""

    shortcoming_ids: tuple[UUID, ...]
    measures: tuple[str, ...]
    responsible_member_id: UUID
    deadline: date
    supervisor: str
    supervisor_org_id: UUID
    adopted_on: date | None = None


@dataclass(frozen=True)
class ReportRemediationProgress(Command):
    shortcoming_id: UUID
    text: str
    document_reference: str = ""
    document_sha256: str = ""
    reported_on: date | None = None


@dataclass(frozen=True)
class ClaimRemediation(Command):
    shortcoming_id: UUID
    summary: str
    claimed_on: date | None = None


@dataclass(frozen=True)
class VerifyRemediation(Command):
    shortcoming_id: UUID
    note: str = ""
    verified_on: date | None = None


@dataclass(frozen=True)
class RefuseRemediation(Command):
    shortcoming_id: UUID
    reason: str
    refused_on: date | None = None
