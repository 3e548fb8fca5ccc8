"""Checkpoints as the inspection committee sees them (issue 5, ledger.md §6.3):
the latest one, issuing one on demand, cosigning (the member's line kept with the
checkpoint, the wrapped key exported for ``kiemdiem cosign``), the checkpoints
the committee holds, and a checkpoint a member holds compared with the log.

**Held checkpoints**: each cosigned or uploaded checkpoint is also kept in
``audit_held_checkpoints`` with the log size seen at that moment, so a rollback is
noticed even when the cosignature event itself is what was deleted. The external
anchor remains the copy each member downloads.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from domain.errors import DomainError
from ledger import cosign, history, keywrap, merkle, note, trustroot
from ledger.errors import ConfigurationError, LedgerError
from ledger.history import Entry as LedgerEntry
from services.audit_incidents import IncidentLog, compare_held
from services.audit_results import (
    CheckpointStatus,
    Comparison,
    HeldCheckpoint,
    Incident,
)
from services.audit_subjects import AuditSubjects
from services.audit_values import b64
from services.context import AppContext
from services.errors import NotFoundError

log = logging.getLogger(__name__)

HELD_TABLE = "audit_held_checkpoints"
HELD_COLUMNS = (
    "size BIGINT NOT NULL, root TEXT NOT NULL, note TEXT NOT NULL, "
    "holder TEXT NOT NULL, seen_log_size BIGINT NOT NULL, held_at TEXT NOT NULL, "
    "PRIMARY KEY (size, holder)"
)


class CheckpointViews:
    """The committee's checkpoints, cosignatures and comparisons."""

    def __init__(
        self, app: AppContext, subjects: AuditSubjects, incidents: IncidentLog
    ) -> None:
        self.app = app
        self.sql = app.ledger.sql
        self.subjects = subjects
        self.incident_log = incidents
        with self.sql.tx(commit=True) as cur:
            cur.execute(
                f"CREATE TABLE IF NOT EXISTS {self.sql.table(HELD_TABLE)} "
                f"({HELD_COLUMNS})"
            )

    # -- the latest, issued, cosigned ----------
    def latest_checkpoint(self, actor: str) -> Any:
        self.app.uow.authorise(actor, "audit.read")
        if self.app.settings.projections_mode == "inline":
            self.app.integrator.catch_up()
        return self.app.integrator.latest_checkpoint()

    def issue_checkpoint(self, actor: str) -> Any:
        """The committee's "Tạo checkpoint" (ledger.md §6.3: on demand)."""
        self.app.uow.authorise(actor, "ledger.checkpoint")
        try:
            return self.app.issue_checkpoint()
        except (ConfigurationError, OSError) as exc:
            log.warning("checkpoint not issued: %s", exc)
            raise DomainError("audit.no_log_key") from None

    def cosigned_note(self, actor: str, size: int) -> bytes:
        """The stored checkpoint of ``size`` with every recorded cosignature line."""
        self.app.uow.authorise(actor, "audit.read")
        stored = self.app.integrator.checkpoint(size)
        if stored is None:
            raise NotFoundError("audit.checkpoint_not_found", size=size)
        lines = [
            e.body.get("line", "")
            for e in self._cosignature_entries()
            if e.body.get("size") == size and e.ok
        ]
        text = stored.note + "".join(str(x) for x in lines).encode("utf-8")
        return text

    def _cosignature_entries(self) -> list[LedgerEntry]:
        rows = history.rows_with_topic(self.sql, cosign.COSIGNED_TOPIC)
        return history.check(rows, self.app.ledger.key_registry(), self.subjects.origin)

    def cosigner_name(self, actor: str) -> str | None:
        registry = self.app.ledger.key_registry()
        for record in registry.valid_keys_of(actor):
            if record.cosigner_name:
                return record.cosigner_name
        return None

    def hold_cosigned(self, size: int, line: str, holder: str) -> None:
        """Keep the stored checkpoint of ``size`` with ``holder``'s cosignature."""
        stored = self.app.integrator.checkpoint(size)
        if stored is None:
            raise DomainError("audit.checkpoint_not_found", size=size)
        cosigned = stored.note + (line + "\n").encode("utf-8")
        self._hold(stored.size, stored.root, cosigned, holder, self._log_size())

    def export_key(self, username: str, password: str) -> dict[str, Any]:
        """The account's wrapped key as a file for ``kiemdiem cosign`` (the
        password is checked first; the key stays wrapped under it)."""
        user_id = self.app.vault.check_password(username.strip().lower(), password)
        if user_id is None:
            raise DomainError("auth.invalid_credentials")
        table = self.sql.table("ledger_key_vault")
        with self.sql.read() as cur:
            row = cur.execute(
                f"SELECT key_id, wrapped FROM {table} WHERE user_id = ?",  # noqa: S608
                (user_id,),
            ).fetchone()
        if row is None:
            raise DomainError("audit.no_key")
        key_id, wrapped = str(row[0]), json.loads(str(row[1]))
        try:
            keywrap.unwrap_seed(wrapped, password, user_id, key_id)
        except keywrap.KeyUnwrapError:
            raise DomainError("auth.invalid_credentials") from None
        registered = self.app.ledger.key_registry().get(key_id)
        return cosign.export_key(
            origin=self.subjects.origin,
            user_id=user_id,
            key_id=key_id,
            cosigner_name=registered.cosigner_name if registered else None,
            wrapped=wrapped,
        )

    # -- held by the committee ----------
    def _log_size(self) -> int:
        size, _ = history.log_roots(self.sql, [])
        return size

    def _hold(
        self, size: int, root: bytes, note_bytes: bytes, holder: str, seen: int
    ) -> None:
        table = self.sql.table(HELD_TABLE)
        with self.sql.tx(commit=True) as cur:
            cur.execute(
                f"INSERT INTO {table} (size, root, note, holder, seen_log_size, "  # noqa: S608
                "held_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (
                    size,
                    b64(root),
                    note_bytes.decode("utf-8"),
                    holder,
                    seen,
                    datetime.now(UTC).isoformat(),
                ),
            )

    def held_checkpoints(self) -> list[HeldCheckpoint]:
        """Checkpoints the committee holds: kept at cosigning or upload, and every
        cosignature still in the log."""
        table = self.sql.table(HELD_TABLE)
        with self.sql.read() as cur:
            found = cur.execute(
                f"SELECT size, root, note, holder, seen_log_size, held_at "  # noqa: S608
                f"FROM {table} ORDER BY size, holder"
            ).fetchall()
        return [
            HeldCheckpoint(
                int(r[0]), str(r[1]), str(r[2]), str(r[3]), int(r[4]), str(r[5])
            )
            for r in found
        ]

    def held_notes(self) -> list[tuple[str, bytes]]:
        """The held checkpoints as auditor checkpoints for ``ledger.verify``."""
        return [
            (f"held {h.size} ({h.holder})", h.note.encode("utf-8"))
            for h in self.held_checkpoints()
        ]

    def checkpoint_status(self, actor: str) -> CheckpointStatus:
        """The latest checkpoint against everything the committee holds: any
        rollback or fork is recorded as an incident, with its evidence."""
        account = self.app.uow.authorise(actor, "audit.read")
        latest = self.latest_checkpoint(actor)
        held = self.held_checkpoints()
        log_size, roots = history.log_roots(self.sql, [h.size for h in held])
        found: list[Incident] = []
        now = datetime.now(UTC).isoformat()
        for h in held:
            found.extend(compare_held(h, log_size, roots, latest, now))
        present = {
            (e.body.get("size"), e.body.get("cosigner_name"))
            for e in self._cosignature_entries()
        }
        for h in held:
            if h.holder.startswith("u:") and h.seen_log_size > 0:
                name = cosign.cosigner_name_for(self.subjects.origin, h.holder[2:])
                if name is not None and (h.size, name) not in present:
                    found.append(
                        Incident(
                            "cosignature_missing",
                            f"the cosignature of the checkpoint of size {h.size} by "
                            f"{name} is no longer in the log",
                            h.note,
                            now,
                        )
                    )
        new = self.incident_log.record(found)
        return CheckpointStatus(
            latest=latest,
            log_size=log_size,
            held=held,
            incidents=self.incident_log.incidents(),
            new_incidents=new,
            alerts=self.app.integrator.alerts(),
            cosigner_name=self.cosigner_name(account.actor),
            names=self.subjects.actor_names(h.holder for h in held),
        )

    # -- a member's checkpoint ----------
    def compare_checkpoint(self, actor: str, note_bytes: bytes) -> Comparison:
        """Check a checkpoint the member holds against the log as it is now."""
        self.app.uow.authorise(actor, "audit.read")
        try:
            opened = note.open_note(
                note_bytes, trustroot.log_verifiers(self.app.trust_root)
            )
            held = note.parse_checkpoint(opened.text)
        except note.NoteError as exc:
            raise DomainError(
                "audit.checkpoint_invalid", reason=str(exc), why=exc.reason
            ) from None
        if held.origin != self.subjects.origin:
            raise DomainError(
                "audit.checkpoint_invalid", reason="another log", why="another_log"
            )
        latest = self.latest_checkpoint(actor)
        log_size, roots = history.log_roots(self.sql, [held.size])
        root = b64(held.root)
        now = datetime.now(UTC).isoformat()
        evidence = note_bytes.decode("utf-8") + "\n---\n"
        evidence += latest.note.decode("utf-8") if latest is not None else ""
        if log_size < held.size:
            outcome, detail = (
                "rollback",
                f"the log has {log_size} events, fewer than the {held.size} of "
                "your checkpoint",
            )
        elif b64(roots[held.size]) != root:
            outcome, detail = (
                "fork",
                f"the events give another root at size {held.size}",
            )
        elif latest is None or latest.size < held.size:
            outcome, detail = ("ahead", "no newer checkpoint has been issued yet")
        else:
            proof: list[bytes] = []
            try:
                if latest.size > held.size and held.size > 0:
                    proof = self.app.integrator.consistency_proof(
                        held.size, latest.size
                    )
                if held.size > 0:
                    merkle.verify_consistency(
                        held.size, latest.size, held.root, latest.root, proof
                    )
            except (merkle.ProofError, LedgerError) as exc:
                outcome, detail = ("fork", f"no consistency proof: {exc}")
            else:
                outcome, detail = (
                    "consistent",
                    f"the checkpoint of size {latest.size} extends yours",
                )
                self._hold(held.size, held.root, note_bytes, "uploaded", 0)
                return Comparison(
                    held.size, root, outcome, detail, [b64(p) for p in proof]
                )
        if outcome in ("rollback", "fork"):
            self.incident_log.record([Incident(outcome, detail, evidence, now)])
        self._hold(held.size, held.root, note_bytes, "uploaded", 0)
        return Comparison(held.size, root, outcome, detail, [])
