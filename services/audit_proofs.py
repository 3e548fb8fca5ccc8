"""Proof bundles (issue 5): a subject's whole file, or one event, with inclusion
proofs against a signed checkpoint and the key events that judge every
signature, checked offline by ``ledger.bundle.verify_bundle``."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from domain.errors import DomainError
from ledger import bundle as ledger_bundle
from ledger import history
from ledger.errors import ConfigurationError, LedgerError
from ledger.history import Row as LedgerRow
from ledger.keyring import key_stream_id
from projections.subject_events import every_notification_id, streams_about
from services.audit_results import Subject
from services.audit_subjects import AuditSubjects
from services.audit_values import key_id_of
from services.context import AppContext
from services.errors import NotFoundError

log = logging.getLogger(__name__)


class ProofBundles:
    """Bundles of a subject's file and of single events."""

    def __init__(self, app: AppContext, subjects: AuditSubjects) -> None:
        self.app = app
        self.sql = app.ledger.sql
        self.subjects = subjects

    def proof_bundle(self, actor: str | None, subject_id: UUID) -> dict[str, Any]:
        """The subject's whole file with inclusion proofs (``ledger.bundle``): a
        member's includes their reviews, ratings and remediation (issue 13).

        ``actor`` None is the operator's CLI (``kiemdiem proof``), which reads the
        store directly and needs no account.
        """
        subject = (
            self.subjects.subject(subject_id)
            if actor is None
            else self.subjects.readable_subject(actor, subject_id)
        )
        rows = [
            row
            for ids in every_notification_id(self.app.projections, subject_id)
            for row in history.rows_at(self.sql, ids)
        ]
        if not rows:  # the index has not seen the subject yet: its own stream
            rows = history.stream_rows(self.sql, subject_id)
        # Its own stream and the streams opened about it (its reviews, remediation
        # plans) are in the file whole: the bundle says so, and the verifier checks
        # each from version 1 with an unbroken chain (nothing left out).
        about = streams_about(self.app.projections, subject_id)
        return self._bundle(subject.subject_id, rows, [subject.subject_id, *about])

    def event_proof(self, actor: str, notification_id: int) -> dict[str, Any]:
        """One event with its inclusion proof (and the key events judging it)."""
        row = self._row_at(notification_id)
        subject = self.subjects.event_subject(row)
        self.subjects.authorise_read(actor, subject)
        return self._bundle(row.stream, [row], [])

    def event_subject(self, actor: str, notification_id: int) -> Subject:
        subject = self.subjects.event_subject(self._row_at(notification_id))
        self.subjects.authorise_read(actor, subject)
        return subject

    def _row_at(self, notification_id: int) -> LedgerRow:
        rows = history.rows_at(self.sql, [notification_id])
        if not rows:
            raise NotFoundError("audit.event_not_found", id=notification_id)
        return rows[0]

    def _bundle(
        self, subject_id: UUID, rows: Sequence[LedgerRow], streams: Sequence[UUID]
    ) -> dict[str, Any]:
        checkpoint = self._checkpoint_covering(max(r.notification_id for r in rows))
        leaves = self._leaves(checkpoint.size)
        index_of = {nid: i for i, (nid, _) in enumerate(leaves)}
        hashes = [h for _, h in leaves]
        covered = [r for r in rows if r.notification_id in index_of]
        events = [
            ledger_bundle.entry_for(
                hashes, index_of[r.notification_id], r.notification_id, r.state
            )
            for r in covered
        ]
        keys = [
            ledger_bundle.entry_for(
                hashes, index_of[r.notification_id], r.notification_id, r.state
            )
            for r in self._key_rows(covered)
            if r.notification_id in index_of
            and r.notification_id not in {c.notification_id for c in covered}
        ]
        return ledger_bundle.build_bundle(
            origin=self.subjects.origin,
            subject=subject_id,
            created_at=datetime.now(UTC).isoformat(),
            checkpoint_note=checkpoint.note,
            size=checkpoint.size,
            root=checkpoint.root,
            streams=streams,
            events=events,
            keys=keys,
        )

    def _checkpoint_covering(self, notification_id: int) -> Any:
        """The latest checkpoint, issued anew in the embedded mode when it does not
        cover ``notification_id`` yet (the worker issues them otherwise)."""
        integrator = self.app.integrator
        if self.app.settings.projections_mode == "inline":
            integrator.catch_up()
        latest = integrator.latest_checkpoint()
        index = integrator.leaf_index(notification_id)
        if latest is None or index is None or index >= latest.size:
            if self.app.settings.projections_mode != "inline":
                if latest is None:
                    raise DomainError("audit.no_checkpoint")
                return latest
            try:
                latest = self.app.issue_checkpoint()
            except (ConfigurationError, LedgerError, OSError) as exc:
                log.warning("no checkpoint for a proof: %s", exc)
                if latest is None:
                    raise DomainError("audit.no_checkpoint") from exc
        return latest

    def _leaves(self, size: int) -> list[tuple[int, bytes]]:
        table = self.sql.table("ledger_leaves")
        with self.sql.read() as cur:
            found = cur.execute(
                f"SELECT notification_id, leaf_hash FROM {table} "  # noqa: S608
                "WHERE idx < ? ORDER BY idx",
                (size,),
            ).fetchall()
        return [(int(r[0]), bytes(r[1])) for r in found]

    def _key_rows(self, rows: Sequence[LedgerRow]) -> list[LedgerRow]:
        """Key events of every key that signed ``rows``, and of the keys that
        registered those keys, down to the trust-root admin keys."""
        trusted = {k["key_id"] for k in self.app.trust_root["admin_keys"]}
        wanted = {key_id_of(r.state) for r in rows} - {None}
        done: set[str] = set()
        found: dict[int, LedgerRow] = {}

        while wanted:
            key_id = wanted.pop()
            if key_id is None or key_id in done:
                continue
            done.add(key_id)
            for row in history.stream_rows(self.sql, key_stream_id(key_id)):
                found[row.notification_id] = row
                signer = key_id_of(row.state)
                if signer is not None and signer not in done and signer not in trusted:
                    wanted.add(signer)
        return [found[n] for n in sorted(found)]
