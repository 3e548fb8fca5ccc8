"""``make bench``: one table, each figure beside its baseline from the same run.

Targets (issue 2): signed append ≥ 0.8× plain eventsourcing; full verify ≥ 0.8×
the machine's 2-process Ed25519 verification rate; rebuild ≥ 50,000 events/s.
Issue 12 item 5: the last 100 rating commands of a 1,000-subject round at least
1/1.3 as fast as the first 100 (``bench/round_scaling.py``).
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
    rating_rounds,
    rebuilds,
    round_scaling,
    verifies,
    votes_rows,
)
from bench.workload import postgres_available


@dataclass
class Row:
    name: str
    value: float
    unit: str
    baseline: float | None
    target: float | None  # minimum value/baseline ratio (or absolute if no baseline)

    def ratio(self) -> float | None:
        return None if self.baseline is None else self.value / self.baseline

    def verdict(self) -> str:
        if self.target is None:
            return ""
        ratio = self.ratio()
        measured = self.value if ratio is None else ratio
        return "ok" if measured >= self.target else "MISSED"


def timed(work: Callable[[], int]) -> float:
    """Items per second of one call of ``work`` (which returns the item count)."""
    start = time.perf_counter()
    items = work()
    return items / (time.perf_counter() - start)


def main() -> int:
    scale = float(os.environ.get("KIEMDIEM_BENCH_SCALE") or 1)
    backends = ["sqlite"] + (["postgres"] if postgres_available() else [])
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        for backend in backends:
            rows += appends.measure(backend, tmp, scale, timed, Row)
    rows += verifies.measure(scale, timed, Row)
    rows += rebuilds.measure(scale, timed, Row)
    rows += votes_rows.measure(scale, timed, Row)
    rows += rating_rounds.measure(scale, timed, Row)
    rows += round_scaling.measure(scale, timed, Row)
    print_table(rows, backends)
    return 0


def print_table(rows: list[Row], backends: list[str]) -> None:
    out = sys.stdout
    header = (
        f"{'measure':58} {'value':>12} {'baseline':>12} {'ratio':>7} {'target':>7}  "
    )
    out.write(header + "\n" + "-" * len(header) + "\n")
    for row in rows:
        ratio = row.ratio()
        target = (
            ""
            if row.target is None
            else (
                f"≥{row.target:g}"
                if row.baseline is not None
                else f"≥{row.target:,.0f}"
            )
        )
        out.write(
            f"{row.name:58} {row.value:>12,.0f} "
            f"{'' if row.baseline is None else f'{row.baseline:,.0f}':>12} "
            f"{'' if ratio is None else f'{ratio:.2f}':>7} {target:>7}  "
            f"{row.verdict()}\n"
        )
    if "postgres" not in backends:
        out.write(
            "(PostgreSQL not reachable on 127.0.0.1:5432: its rows are missing)\n"
        )


if __name__ == "__main__":
    sys.exit(main())
