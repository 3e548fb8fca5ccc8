"""Standalone verifier of election records (votes.md §10).

Independence is the point of this package: it imports only the standard library,
``pysodium`` and ``cryptography``, and shares no module with the casting path, so a
bug in the ballot or tally code is not silently repeated here.  A test walks the
import graph to keep it that way.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from votes.verifier.checks import (
    CHECK_TITLES_VI,
    CheckOutcome,
    Failure,
    RecordVerifier,
    Report,
)


def verify_record(
    data: bytes,
    *,
    head: bytes | None = None,
    trust_root: dict[str, Any] | None = None,
    jobs: int | None = None,
    audit_ballots: Sequence[bytes] = (),
) -> Report:
    """Run every check of §10.3 over the record bytes and return the report.

    ``jobs`` processes check the ballot proofs (default: one per CPU);
    ``audit_ballots`` are booth audit files checked by V17 against this election.
    """
    return RecordVerifier(
        data, head=head, trust_root=trust_root, jobs=jobs, audit_ballots=audit_ballots
    ).run()


__all__ = ["CHECK_TITLES_VI", "CheckOutcome", "Failure", "Report", "verify_record"]
