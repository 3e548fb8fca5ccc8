"""Incidents the inspection committee's checkpoints reveal (issue 5): a rollback
(the log is shorter than a checkpoint it held) or a fork (another root at a held
size, or two signed checkpoints of one size). Every one found is kept in
``audit_incidents`` with both notes as evidence; the banner reads it."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from ledger.sql import Sql
from services.audit_results import HeldCheckpoint, Incident
from services.audit_values import b64

log = logging.getLogger(__name__)

INCIDENTS_TABLE = "audit_incidents"
INCIDENTS_COLUMNS = (
    "kind TEXT NOT NULL, detail TEXT NOT NULL, evidence TEXT NOT NULL, "
    "detected_at TEXT NOT NULL, PRIMARY KEY (kind, detail)"
)


class IncidentLog:
    """The ``audit_incidents`` table: every inconsistency ever found."""

    def __init__(self, sql: Sql) -> None:
        self.sql = sql
        with sql.tx(commit=True) as cur:
            cur.execute(
                f"CREATE TABLE IF NOT EXISTS {sql.table(INCIDENTS_TABLE)} "
                f"({INCIDENTS_COLUMNS})"
            )

    def record(self, found: Sequence[Incident]) -> list[Incident]:
        """Keep the incidents not known yet; return them (the new ones)."""
        table = self.sql.table(INCIDENTS_TABLE)
        known = {(i.kind, i.detail) for i in self.incidents()}
        new = [i for i in found if (i.kind, i.detail) not in known]
        if new:
            with self.sql.tx(commit=True) as cur:
                for i in new:
                    cur.execute(
                        f"INSERT INTO {table} (kind, detail, evidence, detected_at) "  # noqa: S608
                        "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                        (i.kind, i.detail, i.evidence, i.detected_at),
                    )
            for i in new:
                log.error("checkpoint incident %s: %s", i.kind, i.detail)
        return new

    def incidents(self) -> list[Incident]:
        table = self.sql.table(INCIDENTS_TABLE)
        with self.sql.read() as cur:
            found = cur.execute(
                f"SELECT kind, detail, evidence, detected_at FROM {table} "  # noqa: S608
                "ORDER BY detected_at DESC, kind"
            ).fetchall()
        return [Incident(str(r[0]), str(r[1]), str(r[2]), str(r[3])) for r in found]


def compare_held(
    h: HeldCheckpoint,
    log_size: int,
    roots: Mapping[int, bytes],
    latest: Any,
    now: str,
) -> list[Incident]:
    """What a checkpoint the committee holds says of the log as it is now."""
    out: list[Incident] = []
    observed = latest.note.decode("utf-8") if latest is not None else ""
    evidence = f"{h.note}\n---\n{observed}"
    if log_size < h.size:
        out.append(
            Incident(
                "rollback",
                f"the log has {log_size} events, fewer than the {h.size} of a "
                f"checkpoint held by the committee (log_shorter_than_checkpoint)",
                evidence,
                now,
            )
        )
    elif b64(roots[h.size]) != h.root:
        out.append(
            Incident(
                "fork",
                f"the events give another root at size {h.size} than the "
                f"checkpoint held by the committee: history was rewritten",
                evidence,
                now,
            )
        )
    if log_size < h.seen_log_size:
        out.append(
            Incident(
                "rollback",
                f"the log has {log_size} events; it had {h.seen_log_size} when "
                f"the checkpoint of size {h.size} was cosigned",
                evidence,
                now,
            )
        )
    if latest is not None:
        if latest.size == h.size and b64(latest.root) != h.root:
            out.append(
                Incident(
                    "fork",
                    f"two signed checkpoints of size {h.size} with different "
                    "roots (equivocation)",
                    evidence,
                    now,
                )
            )
        elif latest.size < h.size:
            out.append(
                Incident(
                    "rollback",
                    f"the latest stored checkpoint has size {latest.size}, "
                    f"below the {h.size} the committee holds",
                    evidence,
                    now,
                )
            )
    return out
