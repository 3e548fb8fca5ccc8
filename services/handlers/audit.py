"""Handlers of the inspection committee's workspace (issue 5): the signed record
of who read a file, and cosignatures of checkpoints."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.audit import FileAccessLog, access_log_id
from domain.errors import DomainError
from ledger import cosign, note
from ledger.signing import Signer
from services import audit_commands as ac
from services.handlers.base import Services
from services.handlers.registry import handler


@handler(ac.RecordFileAccess)
def record_file_access(
    app: Services, command: ac.RecordFileAccess, signer: Signer
) -> int:
    uow, audit = app.uow, app.audit
    reads = list(command.reads) or [
        (command.subject_id, command.view, datetime.now(UTC), False)
    ]

    def work() -> list[Aggregate]:
        uow.actor_account(signer.actor)
        logs: dict[UUID, FileAccessLog] = {}
        for subject_id, view, seen_at, late in reads:
            day = seen_at.astimezone(UTC).date()
            log_id = access_log_id(subject_id, signer.actor, day)
            if log_id not in logs:
                logs[log_id] = audit.access_log(subject_id, signer.actor, day)
            logs[log_id].record_read(
                reader=signer.actor, view=view, seen_at=seen_at, late=late
            )
        return list(logs.values())

    return uow.commit(signer, work, alone=True)


@handler(ac.CosignCheckpoint)
def cosign_checkpoint(
    app: Services, command: ac.CosignCheckpoint, signer: Signer
) -> int:
    uow = app.uow
    line = command.line.strip()

    def work() -> list[Aggregate]:
        uow.authorise(signer.actor, "audit.cosign")
        stored = app.integrator.checkpoint(command.size)
        if stored is None:
            raise DomainError("audit.checkpoint_not_found", size=command.size)
        record = app.ledger.key_registry().get(signer.key_id.hex())
        if record is None or not record.cosigner_name:
            raise DomainError("audit.no_cosigner_key")
        if uow.exists(cosign.cosignature_stream_id(record.cosigner_name, command.size)):
            raise DomainError("audit.already_cosigned", size=command.size)
        try:
            cosign.check_line(
                line,
                origin=app.audit.origin,
                size=stored.size,
                root=stored.root,
                cosigner_name=record.cosigner_name,
                public_key_raw=record.public_key_raw,
            )
        except (note.NoteError, ValueError) as exc:
            why = exc.reason if isinstance(exc, note.NoteError) else "malformed"
            raise DomainError(
                "audit.cosignature_invalid", reason=str(exc), why=why
            ) from None
        return [
            cosign.record(
                size=stored.size,
                root=stored.root,
                cosigner_name=record.cosigner_name,
                line=line,
            )
        ]

    last = uow.commit(signer, work, alone=True)
    app.audit.hold_cosigned(command.size, line, signer.actor)
    return last
