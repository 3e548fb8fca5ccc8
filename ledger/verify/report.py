"""The report of ``kiemdiem verify`` (ledger.md §8.2): the failure kinds and
checks, the exit codes, the errors that stop a run, the located failures and
their grouping under a cause."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_UNREADABLE = 3


# The stable failure identifiers of §8.2, in check order (also the order in which
# several failures at one row pick their cause: the first is the cause).
KINDS = (
    "malformed_envelope",
    "non_canonical_content",
    "position_mismatch",
    "wrong_origin",
    "unknown_key",
    "key_not_yet_valid",
    "key_revoked",
    "key_actor_mismatch",
    "log_key_misuse",
    "unauthorised_key_event",
    "bad_signature",
    "version_gap",
    "chain_break",
    "leaf_mismatch",
    "leaf_missing",
    "leaf_extra",
    "index_not_dense",
    "not_integrated",
    "checkpoint_bad_signature",
    "checkpoint_root_mismatch",
    "log_shorter_than_checkpoint",
    "checkpoint_inconsistent",
    "equivocation",
    "cosignature_invalid",
    "prefix_rewritten",
)
_KIND_ORDER = {kind: i for i, kind in enumerate(KINDS)}

CHECKS = (
    "inputs",
    "prefix",
    "genesis",
    "rows",
    "keys",
    "signatures",
    "streams",
    "global_log",
    "stored_checkpoints",
    "auditor_checkpoints",
    "cosignatures",
)
_KIND_CHECK = {
    "malformed_envelope": "rows",
    "non_canonical_content": "rows",
    "position_mismatch": "rows",
    "wrong_origin": "rows",
    "unknown_key": "keys",
    "key_not_yet_valid": "keys",
    "key_revoked": "keys",
    "key_actor_mismatch": "keys",
    "log_key_misuse": "keys",
    "unauthorised_key_event": "keys",
    "bad_signature": "signatures",
    "version_gap": "streams",
    "chain_break": "streams",
    "leaf_mismatch": "global_log",
    "leaf_missing": "global_log",
    "leaf_extra": "global_log",
    "index_not_dense": "global_log",
    "not_integrated": "global_log",
    "cosignature_invalid": "cosignatures",
    "prefix_rewritten": "prefix",
}
# Failures found at one row: the row's bytes are not what was signed or may not
# stand; later failures that follow from them are grouped under them.
_ROW_KINDS = frozenset(KINDS[:11]) | {"cosignature_invalid"}
_CHECKPOINT_FOLLOWERS = frozenset(
    {"checkpoint_root_mismatch", "log_shorter_than_checkpoint"}
)


class VerifyError(Exception):
    """Verification could not run; ``exit_code`` is 2 or 3 (§8.3)."""

    exit_code = EXIT_USAGE


class VerifyInputError(VerifyError):
    """Bad arguments or an unreadable trust root, checkpoint or state file."""

    exit_code = EXIT_USAGE


class StoreUnreadableError(VerifyError):
    """The store cannot be read: connection refused, file or tables missing."""

    exit_code = EXIT_UNREADABLE


# -- report ---------------------------------------------------------------------------


@dataclass
class Failure:
    """One located failure. ``index`` is the dense log index of the row (for a
    checkpoint: its size); ``evidence`` keeps signed notes (equivocation)."""

    kind: str
    detail: str
    index: int | None = None
    notification_id: int | None = None
    stream: str | None = None
    version: int | None = None
    check: str = ""
    evidence: list[str] = field(default_factory=list)
    consequences: list[Failure] = field(default_factory=list)
    # False for a finding that no earlier failure can explain (kept as a cause).
    groupable: bool = field(default=True, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.kind not in _KIND_ORDER:
            msg = f"unknown failure kind {self.kind!r}"
            raise ValueError(msg)
        if not self.check:
            self.check = _KIND_CHECK.get(self.kind, "stored_checkpoints")

    def sort_key(self) -> tuple[int, int, int]:
        index = self.index if self.index is not None else 2**63
        nid = self.notification_id if self.notification_id is not None else 2**63
        return (index, nid, _KIND_ORDER[self.kind])

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "index": self.index,
            "notification_id": self.notification_id,
            "stream": self.stream,
            "version": self.version,
            "kind": self.kind,
            "detail": self.detail,
            "consequences": [c.to_json() for c in self.consequences],
        }
        if self.evidence:
            out["evidence"] = list(self.evidence)
        return out

    def walk(self) -> Iterator[Failure]:
        yield self
        for consequence in self.consequences:
            yield from consequence.walk()


@dataclass
class CheckResult:
    name: str
    status: str  # "OK", "FAIL" or "WARN"
    count: int  # how many items the check covered

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "status": self.status, "count": self.count}


@dataclass
class Report:
    """The outcome of one run; :meth:`to_json` is the §8.2 JSON object."""

    ok: bool
    origin: str
    counts: dict[str, int]
    checks: list[CheckResult]
    failures: list[Failure]  # causes, sorted by position, consequences nested
    latest_verified_checkpoint: str | None
    elapsed_s: float
    max_failures: int = 100
    warnings: list[Failure] = field(default_factory=list)
    failures_total: int = 0  # causes and consequences, including any not kept
    state_saved: Path | None = None

    @property
    def first_failure(self) -> Failure | None:
        return self.failures[0] if self.failures else None

    @property
    def exit_code(self) -> int:
        return EXIT_OK if self.ok else EXIT_FAILED

    def to_json(self) -> dict[str, Any]:
        first = self.first_failure
        return {
            "ok": self.ok,
            "origin": self.origin,
            "events": self.counts.get("events", 0),  # the scripting contract
            "counts": dict(self.counts),
            "checks": [c.to_json() for c in self.checks],
            "first_failure": None if first is None else first.to_json(),
            "failures": [f.to_json() for f in self.failures[: self.max_failures]],
            "latest_verified_checkpoint": self.latest_verified_checkpoint,
            "elapsed_s": self.elapsed_s,
        }


def _group(failures: list[Failure], prefix_size: int = 0) -> list[Failure]:
    """Nest consequential failures under their cause; return the causes sorted.

    * several failures at one row: the first in check order is the cause;
    * a leaf mismatch, or a chain failure, at a row with a cause, or a chain
      failure right after a row with a cause (its hash changed);
    * leaf failures inside a rewritten ``--since`` prefix: under ``prefix_rewritten``;
    * a checkpoint root mismatch or truncation: under the earliest event failure
      inside the checkpoint, else under the inconsistency it shows.
    """
    causes: list[Failure] = []
    row_cause: dict[int, Failure] = {}
    by_position: dict[tuple[str, int], Failure] = {}
    for failure in sorted(
        (f for f in failures if f.kind in _ROW_KINDS and f.notification_id is not None),
        key=lambda f: (f.notification_id, _KIND_ORDER[f.kind]),
    ):
        nid = failure.notification_id or 0
        cause = row_cause.get(nid)
        if cause is None:
            row_cause[nid] = failure
            causes.append(failure)
            if failure.stream is not None and failure.version is not None:
                by_position[(failure.stream, failure.version)] = failure
        else:
            cause.consequences.append(failure)
    event_causes = list(causes)
    rest = [
        f
        for f in failures
        if not (f.kind in _ROW_KINDS and f.notification_id is not None)
    ]
    later: list[Failure] = []
    prefix: Failure | None = None
    for failure in rest:
        cause = None
        if failure.kind == "prefix_rewritten":
            prefix = failure
        elif failure.kind in ("leaf_mismatch", "leaf_missing"):
            cause = row_cause.get(failure.notification_id or 0)
        elif failure.kind in ("chain_break", "version_gap") and failure.stream:
            version = failure.version or 0
            cause = row_cause.get(failure.notification_id or 0) or by_position.get(
                (failure.stream, version - 1)
            )
        elif failure.groupable and failure.kind in _CHECKPOINT_FOLLOWERS:
            later.append(failure)
            continue
        if cause is not None:
            cause.consequences.append(failure)
        else:
            causes.append(failure)
            if failure.notification_id is not None or failure.kind == "leaf_extra":
                event_causes.append(failure)
    if prefix is not None:
        inside = [
            f
            for f in causes
            if f.check == "global_log" and f.index is not None and f.index < prefix_size
        ]
        for failure in inside:
            causes.remove(failure)
            prefix.consequences.append(failure)
        moved = {id(f) for f in inside}
        event_causes = [f for f in event_causes if id(f) not in moved] + [prefix]
    event_causes.sort(key=Failure.sort_key)
    inconsistent = [f for f in causes if f.kind == "checkpoint_inconsistent"]
    for failure in later:
        size = failure.index if failure.index is not None else 0
        cause = next(
            (
                f
                for f in event_causes
                if f.index is not None and f.index < size and f.kind != "not_integrated"
            ),
            None,
        )
        if cause is None and failure.kind == "checkpoint_root_mismatch":
            cause = next((f for f in inconsistent if f.index == size), None)
        if cause is not None:
            cause.consequences.append(failure)
        else:
            causes.append(failure)
    for cause in causes:
        for item in cause.walk():
            item.consequences.sort(key=Failure.sort_key)
    causes.sort(key=Failure.sort_key)
    return causes
