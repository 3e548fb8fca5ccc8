"""A rating round of 1,000 subjects (issue 12 item 5, issue 14 §3): the cost of
one rating command must not grow with the round.

One commune (đảng ủy xã) with 40 chi bộ of 25 members is built through the
services on SQLite, a cycle is opened on the district above it, and the
commune's round rates every member through the command bus: self-rating,
proposal and decision, in that order, one subject after another. Each command
is timed on its own; the bench prints the mean of the first 100 and of the last
100 commands and their ratio (target: the last within 1.3× of the first), and
how long opening the cycle took.

``python -m bench.round_scaling`` prints the figures (``--profile`` adds a
cProfile of the first and of the last 100 commands); ``make bench`` includes
them in its table.
``--open-cycle N`` times only opening a cycle of N members.
``KIEMDIEM_BENCH_SCALE`` scales the number of subjects (at least 120).
"""

from __future__ import annotations

import cProfile
import os
import pstats
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from bench.rating_rounds import PASSWORD, POINTS, _services
from services import commands as c
from services import rating_commands as rc
from services.app import Kiemdiem

SUBJECTS = 1000
PER_CELL = 25
WINDOW = 100
TARGET = 1.3
PROJECT_CODE = r"/(services|domain|projections|ledger)/"


@dataclass
class Scaling:
    subjects: int
    open_cycle_seconds: float
    first_ms: float
    last_ms: float
    total_seconds: float
    first_cpu_ms: float  # this process's CPU time: less moved by other load
    last_cpu_ms: float

    @property
    def ratio(self) -> float:
        return self.last_ms / self.first_ms

    @property
    def cpu_ratio(self) -> float:
        return self.last_cpu_ms / self.first_cpu_ms


def _build(services: Kiemdiem, subjects: int) -> tuple[Any, Any, list[str]]:
    """The commune, its members and the two role accounts (not timed)."""
    admin = services.authenticate("admin", PASSWORD)
    assert admin is not None

    def found(code: str, name: str, kind: str, parent: Any = None) -> Any:
        command = c.FoundOrganisation(admin.actor, code, name, kind, parent)
        return services.handle(command, admin.signer)

    province = found("tinh", "Tỉnh ủy", "provincial_committee")
    district = found("huyen", "Huyện ủy", "district_committee", province)
    commune = found("xa", "Đảng ủy xã", "grassroots_committee", district)
    cells: list[Any] = []
    members: list[Any] = []
    for i in range(subjects):
        if i % PER_CELL == 0:
            n = len(cells) + 1
            cells.append(found(f"cb{n:03d}", f"Chi bộ {n:03d}", "cell", commune))
        members.append(
            services.handle(
                c.EnrolMember(
                    admin.actor,
                    f"Đảng viên {i:04d}",
                    f"DV{i:06d}",
                    date(1980, 1, 1),
                    date(2010, 1, 1),
                    "full",
                    cells[-1],
                ),
                admin.signer,
            )
        )
    for username, role in (("thuky", "secretary"), ("captuy", "decision_maker")):
        services.handle(
            c.OpenAccount(
                admin.actor, username, username, (role,), PASSWORD, org_id=province
            ),
            admin.signer,
        )
    return district, commune, [f"m:{m}" for m in members]


def scaling(
    subjects: int, profile: Callable[[], cProfile.Profile] | None = None
) -> Scaling:
    """Build the round on SQLite and time every rating command of it;
    ``profile`` gives a profiler for the first and for the last 100 commands."""
    with (
        tempfile.TemporaryDirectory() as tmp,
        _services("sqlite", Path(tmp), cache=True) as services,
    ):
        district, commune, keys = _build(services, subjects)
        sec = services.authenticate("thuky", PASSWORD)
        dm = services.authenticate("captuy", PASSWORD)
        assert sec is not None
        assert dm is not None
        run = services.handle
        start = time.perf_counter()
        cycle = run(rc.OpenCycle(sec.actor, district, 2025), sec.signer)
        opened = time.perf_counter() - start
        rnd = run(rc.OpenRound(dm.actor, cycle, commune), dm.signer)
        run(
            rc.DefinePeerGroup(sec.actor, rnd, "dv", "Đảng viên", tuple(keys)),
            sec.signer,
        )
        commands: list[tuple[Any, Any]] = []
        for key in keys:
            commands += [
                (rc.SelfRate(sec.actor, rnd, key, "HTTNV", 10, 10, points=POINTS), sec),
                (rc.ProposeRating(sec.actor, rnd, key, "HTTNV"), sec),
                (
                    rc.DecideRating(
                        dm.actor, rnd, key, "HTTNV", "15-QĐ", date(2025, 12, 20)
                    ),
                    dm,
                ),
            ]
        times: list[float] = []
        cpu: list[float] = []
        windows = {0: WINDOW, len(commands) - WINDOW: len(commands)}
        profiler = None
        began = time.perf_counter()
        for n, (command, who) in enumerate(commands):
            if profile is not None and n in windows:
                profiler = profile()
                profiler.enable()
            t0, c0 = time.perf_counter(), time.process_time()
            run(command, who.signer)
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
            if profiler is not None and n + 1 in windows.values():
                profiler.disable()
        total = time.perf_counter() - began

        def mean_ms(values: list[float]) -> float:
            return sum(values) / WINDOW * 1000

        return Scaling(
            subjects,
            opened,
            mean_ms(times[:WINDOW]),
            mean_ms(times[-WINDOW:]),
            total,
            mean_ms(cpu[:WINDOW]),
            mean_ms(cpu[-WINDOW:]),
        )


def open_cycle(members: int, profile: cProfile.Profile | None = None) -> float:
    """Seconds to open a cycle over ``members`` members (40 chi bộ of 25 per
    commune's worth), on SQLite; ``profile`` profiles the command."""
    with (
        tempfile.TemporaryDirectory() as tmp,
        _services("sqlite", Path(tmp), cache=True) as services,
    ):
        district, _commune, _keys = _build(services, members)
        sec = services.authenticate("thuky", PASSWORD)
        assert sec is not None
        if profile is not None:
            profile.enable()
        start = time.perf_counter()
        services.handle(rc.OpenCycle(sec.actor, district, 2025), sec.signer)
        took = time.perf_counter() - start
        if profile is not None:
            profile.disable()
        return took


def subjects_for(scale: float) -> int:
    return max(WINDOW + 20, int(SUBJECTS * scale))


def measure(scale: float, timed: Any, row: Any) -> list[Any]:
    """Rows for ``make bench``: the last 100 commands' rate against the first
    100's (target ≥ 1/1.3, i.e. the last at most 1.3× slower)."""
    del timed  # each command is timed on its own
    found = scaling(subjects_for(scale))
    name = f"sqlite: {found.subjects}-subject round, last/first 100 (cmd/s)"
    floor = round(1 / TARGET, 2)
    return [
        row(name, 1000 / found.last_ms, "cmd/s", 1000 / found.first_ms, floor),
        row(
            f"sqlite: {found.subjects}-subject round, CPU last/first 100 (cmd/s)",
            1000 / found.last_cpu_ms,
            "cmd/s",
            1000 / found.first_cpu_ms,
            floor,
        ),
        row(
            f"sqlite: open a cycle of {found.subjects} members (ms)",
            found.open_cycle_seconds * 1000,
            "ms",
            None,
            None,
        ),
    ]


def main(argv: list[str]) -> int:
    scale = float(os.environ.get("KIEMDIEM_BENCH_SCALE") or 1)
    if "--open-cycle" in argv:  # --open-cycle N: only opening a cycle of N members
        members = int(argv[argv.index("--open-cycle") + 1])
        profile = cProfile.Profile() if "--profile" in argv else None
        took = open_cycle(members, profile)
        sys.stdout.write(f"opening a cycle of {members} members: {took:.2f} s\n")
        if profile is not None:
            stats = pstats.Stats(profile, stream=sys.stdout)
            stats.sort_stats("cumulative").print_stats(PROJECT_CODE, 30)
        return 0
    profiler: list[cProfile.Profile] = []

    def make() -> cProfile.Profile:
        profiler.append(cProfile.Profile())
        return profiler[-1]

    found = scaling(subjects_for(scale), make if "--profile" in argv else None)
    verdict = "ok" if found.ratio <= TARGET else "MISSED"
    sys.stdout.write(
        f"{found.subjects}-subject round on SQLite, {found.subjects * 3} commands "
        f"in {found.total_seconds:.1f} s\n"
        f"  opening the cycle: {found.open_cycle_seconds * 1000:.0f} ms\n"
        f"  first {WINDOW} commands: {found.first_ms:.1f} ms each\n"
        f"  last {WINDOW} commands:  {found.last_ms:.1f} ms each\n"
        f"  ratio {found.ratio:.2f}x (target ≤ {TARGET}x): {verdict}\n"
        f"  CPU time of this process: {found.first_cpu_ms:.1f} → "
        f"{found.last_cpu_ms:.1f} ms ({found.cpu_ratio:.2f}x)\n"
    )
    for title, found_profile in zip(("first", "last"), profiler, strict=False):
        sys.stdout.write(f"\n--- profile of the {title} {WINDOW} commands ---\n")
        stats = pstats.Stats(found_profile, stream=sys.stdout)
        stats.sort_stats("tottime").print_stats(12)
        stats.sort_stats("cumulative").print_stats(PROJECT_CODE, 30)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
