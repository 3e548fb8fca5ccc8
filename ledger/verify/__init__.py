"""`kiemdiem verify`: the standalone, read-only audit of a store (ledger.md §8).

Given a trust root handed over out of band, and optionally checkpoints the auditor
holds, this reads the events, ``ledger_leaves`` and ``ledger_checkpoints`` tables
with plain SQL in one consistent snapshot and checks everything §8.1 lists, in one
pass in notification order:

* rows: envelope, canonical content, columns bound to the signed content, origin;
* keys: the key registry replayed by position, key events authorised, ``pop``;
* signatures: every event signature (in a process pool, §8.4);
* streams: contiguous versions and ``prev`` links;
* the global log: leaf hashes recomputed from the rows against ``ledger_leaves``;
* checkpoints (stored and auditor-held): signatures, roots recomputed at their
  sizes from a compact range during the pass, consistency proofs between
  consecutive sizes, truncation and equivocation;
* cosignatures recorded as ``CheckpointCosigned`` events and witness lines.

It never imports ``domain/``, ``services/`` or ``web/`` and never builds the
library ``Application`` (whose table creation must not run against an audited
store). SQLite is opened with ``mode=ro``; PostgreSQL in one ``REPEATABLE READ
READ ONLY`` transaction.

Each failure is located (dense index, notification id, stream, version) and
carries a stable ``kind`` (:data:`KINDS`); failures that follow from another one
(a leaf mismatch and a broken chain after an edited row, a root mismatch after a
deleted row) are listed under their cause.

The package reads in this order, each module importing only the ones before it
(and the standard library, ``cryptography``, and the plain ``ledger`` modules
above): ``report`` (kinds, checks, exit codes, failures and their grouping),
``inputs`` (trust root, checkpoint files, database URL), ``store`` (the plain-SQL
snapshot), ``signatures`` (batches, inline or in a pool), ``tree`` (roots and
consistency proofs), ``incremental`` (the ``--save-state`` file), ``base`` (the
verifier's state and findings), ``checkpoints`` (checkpoint and cosignature
checks), ``verifier`` (the pass over the rows: its hot loop in one module), and
this entry point, :func:`verify`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ledger.errors import os_words
from ledger.verify.incremental import STATE_FORMAT, _write_state
from ledger.verify.inputs import (
    check_trust_root,
    load_trust_root,
    read_checkpoint_files,
    settings_for,
)
from ledger.verify.report import (
    CHECKS,
    EXIT_FAILED,
    EXIT_OK,
    EXIT_UNREADABLE,
    EXIT_USAGE,
    KINDS,
    CheckResult,
    Failure,
    Report,
    StoreUnreadableError,
    VerifyError,
    VerifyInputError,
    _group,
)
from ledger.verify.signatures import check_signature_batch
from ledger.verify.store import _Store
from ledger.verify.verifier import _Verifier

__all__ = [
    "CHECKS",
    "EXIT_FAILED",
    "EXIT_OK",
    "EXIT_UNREADABLE",
    "EXIT_USAGE",
    "KINDS",
    "STATE_FORMAT",
    "CheckResult",
    "Failure",
    "Report",
    "StoreUnreadableError",
    "VerifyError",
    "VerifyInputError",
    "check_signature_batch",
    "check_trust_root",
    "load_trust_root",
    "read_checkpoint_files",
    "settings_for",
    "verify",
]


# -- entry point ----------------------------------------------------------------------


def verify(
    database_url: str | None,
    trust_root: Mapping[str, Any],
    *,
    checkpoints: Sequence[tuple[str, bytes] | bytes] = (),
    since: Path | None = None,
    save_state: Path | None = None,
    jobs: int | None = None,
    max_failures: int = 100,
    strict: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> Report:
    """Audit the store at ``database_url`` against ``trust_root`` (§8).

    ``checkpoints`` are auditor-held notes, as bytes or ``(label, bytes)``.
    ``since`` resumes from a state written by an earlier run's ``save_state``
    (written only when the run is fully successful). ``progress(done, total)`` is
    called after each page of rows. Raises :class:`VerifyInputError` (exit 2) or
    :class:`StoreUnreadableError` (exit 3); integrity findings are in the report.
    """
    started = time.monotonic()
    check_trust_root(trust_root)
    origin: str = trust_root["origin"]
    if jobs is not None and jobs < 1:
        raise VerifyInputError("--jobs phải từ 1 trở lên")
    if max_failures < 0:
        raise VerifyInputError("--max-failures không được âm")
    labelled = [
        item if isinstance(item, tuple) else (f"checkpoint #{i + 1}", item)
        for i, item in enumerate(checkpoints)
    ]
    settings = settings_for(database_url)
    store = _Store(settings)
    try:
        verifier = _Verifier(store, trust_root, strict=strict, progress=progress)
        stored, tree = verifier.run(labelled, since, jobs or os.cpu_count() or 1)
        latest = verifier.checkpoints(stored, tree)
        verifier.cosignatures_check(tree)
    finally:
        store.close()
    verifier.counts["streams"] = len(verifier.heads)
    failures = _group(verifier.failures, verifier.prefix_size)
    failing_checks = {item.check for f in failures for item in f.walk()}
    warning = verifier.warning
    checks = []
    for name in CHECKS:
        if name == "prefix" and since is None:
            continue
        status = "OK"
        if name in failing_checks:
            status = "FAIL"
        elif warning is not None and warning.check == name:
            status = "WARN"
        checks.append(CheckResult(name, status, verifier.counts[name]))
    report = Report(
        ok=verifier.failures_total == 0,
        origin=origin,
        counts={
            "events": verifier.rows,
            "streams": len(verifier.heads),
            "keys": len(verifier.registry.keys),
            "checkpoints": verifier.counts["stored_checkpoints"]
            + verifier.counts["auditor_checkpoints"],
            "cosignatures": verifier.event_cosignatures + verifier.witness_cosignatures,
        },
        checks=checks,
        failures=failures,
        latest_verified_checkpoint=latest,
        elapsed_s=0.0,
        max_failures=max_failures,
        warnings=[warning] if warning is not None else [],
        failures_total=verifier.failures_total,
    )
    if save_state is not None and report.ok:
        try:
            _write_state(
                save_state,
                origin=origin,
                tree=tree.range,
                registry=verifier.registry,
                heads=verifier.heads,
                cosignatures=verifier.event_cosignatures,
            )
        except OSError as exc:
            msg = f"không ghi được tệp trạng thái {save_state}: {os_words(exc)}"
            raise VerifyInputError(msg) from exc
        report.state_saved = save_state
    report.elapsed_s = round(time.monotonic() - started, 3)
    return report
