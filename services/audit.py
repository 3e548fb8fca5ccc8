"""The inspection committee's workspace (issue 5): history with signature status,
state as of any moment, proof bundles, checkpoint cosigning and consistency, the
full verification as a background job, and the record of every read of a file.

``AuditService(kiemdiem)`` is created once per process as ``kiemdiem.audit``; it
is the one door of the workspace and hands each question to the part that
answers it:

============================  ==========================================
``services.audit_subjects``   what a subject is, its organisation, scope
``services.audit_history``    history, state as of a moment, diff
``services.audit_proofs``     proof bundles of a file or of one event
``services.audit_checkpoints`` checkpoints, cosigning, comparisons
``services.audit_incidents``  rollbacks and forks found, with evidence
``services.audit_access``     the signed record of every read of a file
``services.audit_jobs``       the full verification as a background job
============================  ==========================================

Everything is generic over streams: a subject is any aggregate id (member,
organisation, vote, cycle, rating round…); its *file* is its own stream plus
every event elsewhere whose signed content names it, so aggregates added later
show up without a change here.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from domain.accounts import UserAccount
from domain.audit import FileAccessLog
from ledger.signing import Signer
from projections.subject_events import PAGE_SIZE
from services.audit_access import FileReads
from services.audit_checkpoints import CheckpointViews
from services.audit_history import AuditHistory
from services.audit_incidents import IncidentLog
from services.audit_jobs import VerificationJobs
from services.audit_proofs import ProofBundles
from services.audit_results import (
    AsOf,
    Change,
    CheckpointStatus,
    Comparison,
    EventDetail,
    HeldCheckpoint,
    History,
    Incident,
    StateAt,
    Subject,
    VerificationJob,
)
from services.audit_subjects import AuditSubjects
from services.context import AppContext


class AuditService:
    """The workspace's one door (``kiemdiem.audit``); see the module doc."""

    def __init__(self, app: AppContext) -> None:
        self.app = app
        self.sql = app.ledger.sql
        self.subjects = AuditSubjects(app)
        self.histories = AuditHistory(app, self.subjects)
        self.proofs = ProofBundles(app, self.subjects)
        self.incident_log = IncidentLog(self.sql)
        self.checkpoints = CheckpointViews(app, self.subjects, self.incident_log)
        self.file_reads = FileReads(app)
        self.jobs = VerificationJobs(app, self.checkpoints.held_notes)

    def close(self) -> None:
        self.jobs.close()

    @property
    def origin(self) -> str:
        """The log's origin line (the trust root's)."""
        return self.subjects.origin

    # -- subjects and scope ----------
    def subject(self, subject_id: UUID) -> Subject:
        return self.subjects.subject(subject_id)

    def scope_of(self, org_id: UUID | None) -> list[UUID]:
        return self.subjects.scope_of(org_id)

    def authorise_read(self, actor: str, subject: Subject) -> UserAccount:
        return self.subjects.authorise_read(actor, subject)

    def readable_subject(self, actor: str, subject_id: UUID) -> Subject:
        return self.subjects.readable_subject(actor, subject_id)

    def in_scope_organisations(self, actor: str) -> list[Any]:
        return self.subjects.in_scope_organisations(actor)

    # -- history, as of, diff ----------
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
        return self.histories.history(
            actor,
            subject_id,
            by=by,
            kind=kind,
            since=since,
            until=until,
            after=after,
            limit=limit,
        )

    def event_detail(self, actor: str, notification_id: int) -> EventDetail:
        return self.histories.event_detail(actor, notification_id)

    def state_at(self, actor: str, subject_id: UUID, moment: datetime) -> StateAt:
        return self.histories.state_at(actor, subject_id, moment)

    def as_of(self, actor: str, subject_id: UUID, moment: datetime) -> AsOf:
        return self.histories.as_of(actor, subject_id, moment)

    def replay_until(self, moment: datetime) -> tuple[int, dict[UUID, Any]]:
        return self.histories.replay_until(moment)

    def diff(
        self, actor: str, subject_id: UUID, before: int, after: int
    ) -> list[Change]:
        return self.histories.diff(actor, subject_id, before, after)

    # -- proofs ----------
    def proof_bundle(self, actor: str | None, subject_id: UUID) -> dict[str, Any]:
        return self.proofs.proof_bundle(actor, subject_id)

    def event_proof(self, actor: str, notification_id: int) -> dict[str, Any]:
        return self.proofs.event_proof(actor, notification_id)

    def event_subject(self, actor: str, notification_id: int) -> Subject:
        return self.proofs.event_subject(actor, notification_id)

    # -- reads of a file ----------
    def record_access(
        self, signer: Signer | None, actor: str, subject_id: UUID, view: str
    ) -> bool:
        return self.file_reads.record_access(signer, actor, subject_id, view)

    def pending_reads(self, subject_id: UUID) -> list[tuple[str, str, str]]:
        return self.file_reads.pending_reads(subject_id)

    def access_log(self, subject_id: UUID, reader: str, day: date) -> FileAccessLog:
        return self.file_reads.access_log(subject_id, reader, day)

    # -- checkpoints and cosigning ----------
    def hold_cosigned(self, size: int, line: str, holder: str) -> None:
        self.checkpoints.hold_cosigned(size, line, holder)

    def cosigner_name(self, actor: str) -> str | None:
        return self.checkpoints.cosigner_name(actor)

    def export_key(self, username: str, password: str) -> dict[str, Any]:
        return self.checkpoints.export_key(username, password)

    def latest_checkpoint(self, actor: str) -> Any:
        return self.checkpoints.latest_checkpoint(actor)

    def issue_checkpoint(self, actor: str) -> Any:
        return self.checkpoints.issue_checkpoint(actor)

    def cosigned_note(self, actor: str, size: int) -> bytes:
        return self.checkpoints.cosigned_note(actor, size)

    def held_checkpoints(self) -> list[HeldCheckpoint]:
        return self.checkpoints.held_checkpoints()

    def checkpoint_status(self, actor: str) -> CheckpointStatus:
        return self.checkpoints.checkpoint_status(actor)

    def compare_checkpoint(self, actor: str, note_bytes: bytes) -> Comparison:
        return self.checkpoints.compare_checkpoint(actor, note_bytes)

    def incidents(self) -> list[Incident]:
        return self.incident_log.incidents()

    # -- verification jobs ----------
    def start_verification(self, actor: str) -> str:
        return self.jobs.start_verification(actor)

    def job(self, actor: str, job_id: str) -> VerificationJob:
        return self.jobs.job(actor, job_id)

    def wait(self, job_id: str, timeout: float = 60.0) -> VerificationJob:
        return self.jobs.wait(job_id, timeout)
