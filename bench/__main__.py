"""``make bench``: one table, each figure beside its target and the baseline
measured in the same run, with PASS or MISS and the ratio.

Targets (issue 14, deliverable 5): signed append through the service layer in
worker mode ≥ 0.8× plain eventsourcing; full verify ≥ 0.8× the machine's
2-process Ed25519 verification rate (the faster of libsodium and OpenSSL, verifying
the store's own signatures and messages); rebuild ≥ 50,000 events/s with memory flat in
the number of events; a 500-voter × 15-leader vote verified and tallied in ≤ 10 s.
Issue 12 item 5: the last 100 rating commands of a 1,000-subject round at most
1.3× the time of the first 100 (``bench/round_scaling.py``).
Issue 14 item 2: a member's audit history page read through the subject index at
least 10× the first release's byte search of the events table, same store, same
run (``bench/audit_history.py``).
The views' SQLite files commit with ``synchronous = NORMAL``: inline commands
at least as fast as with the library's full sync, same store, same run
(``bench/view_sync.py``).
Issue 14 item 3: opening a province's cycle records O(organisations) events of at
most ~1 MB, at no more CPU than the first release's one-event shape, same store,
same run (``bench/cycle_open.py``).
Where a target is missed, the README's benchmark section says by how much and why.
Sizes can be scaled with KIEMDIEM_BENCH_SCALE (default 1).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass

from bench import (
    appends,
    audit_history,
    cycle_open,
    rating_rounds,
    rebuilds,
    round_scaling,
    verifies,
    view_sync,
    votes_rows,
)
from bench.workload import postgres_available


@dataclass
class Row:
    """One figure. With a ``baseline`` the target is a minimum ratio to it;
    without one the target is an absolute minimum, or a maximum (``at_most``)."""

    name: str
    value: float
    unit: str
    baseline: float | None
    target: float | None
    at_most: bool = False

    def ratio(self) -> float | None:
        """value/baseline, or value/target for an absolute target."""
        if self.baseline is not None:
            return self.value / self.baseline
        if self.target:
            return self.value / self.target
        return None

    def passed(self) -> bool | None:
        if self.target is None:
            return None
        ratio = self.ratio()
        if self.baseline is not None and ratio is not None:
            return ratio <= self.target if self.at_most else ratio >= self.target
        return self.value <= self.target if self.at_most else self.value >= self.target

    def verdict(self) -> str:
        passed = self.passed()
        return "" if passed is None else ("PASS" if passed else "MISS")

    def target_text(self) -> str:
        if self.target is None:
            return ""
        if self.baseline is not None:
            return f"{'≤' if self.at_most else '≥'}{self.target:g}×"
        return f"{'≤' if self.at_most else '≥'}{self.target:,.0f}"


def timed(work: Callable[[], int]) -> float:
    """Items per second of one call of ``work`` (which returns the item count)."""
    start = time.perf_counter()
    items = work()
    return items / (time.perf_counter() - start)


def main() -> int:
    scale = float(os.environ.get("KIEMDIEM_BENCH_SCALE") or 1)
    backends = ["sqlite"] + (["postgres"] if postgres_available() else [])
    rows: list[Row] = []
    failed: list[str] = []

    def section(name: str, measure: Callable[[], list[Row]]) -> None:
        """One group of rows; a group that cannot run (a PostgreSQL server out of
        connections, no Chromium…) is named under the table, the others print."""
        try:
            rows.extend(measure())
        except Exception as exc:  # reported under the table, never hidden
            failed.append(f"{name}: {type(exc).__name__}: {exc}")

    with tempfile.TemporaryDirectory() as tmp:
        for backend in backends:

            def append_rows(backend: str = backend) -> list[Row]:
                return appends.measure(backend, tmp, scale, timed, Row)

            section(f"append ({backend})", append_rows)
    section("view sync", lambda: view_sync.measure(scale, timed, Row))
    section("verify", lambda: verifies.measure(scale, timed, Row))
    section("rebuild", lambda: rebuilds.measure(scale, timed, Row))
    section("votes", lambda: votes_rows.measure(scale, timed, Row))
    section("rating rounds", lambda: rating_rounds.measure(scale, timed, Row))
    section("round scaling", lambda: round_scaling.measure(scale, timed, Row))
    section("audit history", lambda: audit_history.measure(scale, timed, Row))
    section("cycle open", lambda: cycle_open.measure(scale, timed, Row))
    print_table(rows, backends)
    for problem in failed:
        sys.stdout.write(f"NOT MEASURED: {problem}\n")
    return 1 if failed else 0


def print_table(rows: list[Row], backends: list[str]) -> None:
    out = sys.stdout
    header = (
        f"{'measure':62} {'value':>11} {'baseline':>11} {'target':>9} "
        f"{'ratio':>6}  verdict"
    )
    out.write(header + "\n" + "-" * len(header) + "\n")
    for row in rows:
        ratio = row.ratio()
        out.write(
            f"{row.name:62} {row.value:>11,.0f} "
            f"{'' if row.baseline is None else f'{row.baseline:,.0f}':>11} "
            f"{row.target_text():>9} "
            f"{'' if ratio is None else f'{ratio:.2f}':>6}  {row.verdict()}\n"
        )
    missed = [row.name for row in rows if row.passed() is False]
    out.write(
        f"\n{len(missed)} target(s) missed"
        + (": see the README's benchmark section for why" if missed else "")
        + "\n"
    )
    if "postgres" not in backends:
        out.write(
            "(PostgreSQL not reachable on 127.0.0.1:5432: its rows are missing)\n"
        )


if __name__ == "__main__":
    sys.exit(main())
