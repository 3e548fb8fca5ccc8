"""A rating round of 1,000 subjects (issue 12 item 5, issue 14 §3): the cost of
one rating command must not grow with the round.

Two communes (đảng ủy xã) of 40 chi bộ × 25 members are built through the
services on SQLite and a cycle is opened on the district above them. Each
commune's round rates every member through the command bus: self-rating,
proposal and decision, in that order, one subject after another. Round A is
taken up to its last 100 commands (untimed); then the first 100 commands of
round B and the last 100 of round A are run **interleaved**, one of each in
turn, each timed on its own. The bench prints the mean of both windows and
their ratio (target: the last within 1.3× of the first), and how long opening
the cycle took.

Why interleaved: on this VM the very same command's CPU time drifts by up to
±40 % over seconds (other tenants), so two windows measured 10 s apart gave
ratios from 0.64 to 1.35 on unchanged code; side by side, the drift falls on
both windows alike. Both windows run against the same store, so only the
round's progress differs between them.

``python -m bench.round_scaling`` prints the figures (``--profile`` adds a
cProfile of each window); ``make bench`` includes them in its table.
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


def _build(
    services: Kiemdiem, subjects: int, communes: int = 1
) -> tuple[Any, list[tuple[Any, list[str]]]]:
    """The district, its ``communes`` communes of ``subjects`` members each
    (with each commune's subject keys), and the two role accounts (not timed)."""
    admin = services.authenticate("admin", PASSWORD)
    assert admin is not None

    def found(code: str, name: str, kind: str, parent: Any = None) -> Any:
        command = c.FoundOrganisation(admin.actor, code, name, kind, parent)
        return services.handle(command, admin.signer)

    province = found("tinh", "Tỉnh ủy", "provincial_committee")
    district = found("huyen", "Huyện ủy", "district_committee", province)
    built: list[tuple[Any, list[str]]] = []
    for x in range(communes):
        commune = found(f"xa{x}", f"Đảng ủy xã {x}", "grassroots_committee", district)
        cell: Any = None
        keys: list[str] = []
        for i in range(subjects):
            if i % PER_CELL == 0:
                n = i // PER_CELL + 1
                cell = found(f"cb{x}-{n:03d}", f"Chi bộ {x}-{n:03d}", "cell", commune)
            member = services.handle(
                c.EnrolMember(
                    admin.actor,
                    f"Đảng viên {x}-{i:04d}",
                    f"DV{x}{i:06d}",
                    date(1980, 1, 1),
                    date(2010, 1, 1),
                    "full",
                    cell,
                ),
                admin.signer,
            )
            keys.append(f"m:{member}")
        built.append((commune, keys))
    for username, role in (("thuky", "secretary"), ("captuy", "decision_maker")):
        services.handle(
            c.OpenAccount(
                admin.actor, username, username, (role,), PASSWORD, org_id=province
            ),
            admin.signer,
        )
    return district, built


def _round_commands(
    services: Kiemdiem, cycle: Any, commune: Any, keys: list[str], sec: Any, dm: Any
) -> list[tuple[Any, Any]]:
    """Open the commune's round and define its peer group; the round's rating
    commands, three per subject, one subject after another, each with its
    signer's session."""
    run = services.handle
    rnd = run(rc.OpenRound(dm.actor, cycle, commune), dm.signer)
    run(rc.DefinePeerGroup(sec.actor, rnd, "dv", "Đảng viên", tuple(keys)), sec.signer)
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
    return commands


def scaling(
    subjects: int, profile: Callable[[], cProfile.Profile] | None = None
) -> Scaling:
    """Build the two rounds on SQLite, take round A to its last 100 commands,
    then time round B's first 100 and round A's last 100 interleaved;
    ``profile`` gives a profiler for each window."""
    with (
        tempfile.TemporaryDirectory() as tmp,
        _services("sqlite", Path(tmp), cache=True) as services,
    ):
        district, built = _build(services, subjects, communes=2)
        sec = services.authenticate("thuky", PASSWORD)
        dm = services.authenticate("captuy", PASSWORD)
        assert sec is not None
        assert dm is not None
        run = services.handle
        start = time.perf_counter()
        cycle = run(rc.OpenCycle(sec.actor, district, 2025), sec.signer)
        opened = time.perf_counter() - start
        (commune_a, keys_a), (commune_b, keys_b) = built
        round_a = _round_commands(services, cycle, commune_a, keys_a, sec, dm)
        round_b = _round_commands(services, cycle, commune_b, keys_b, sec, dm)
        began = time.perf_counter()
        for command, who in round_a[:-WINDOW]:
            run(command, who.signer)
        windows = {"first": round_b[:WINDOW], "last": round_a[-WINDOW:]}
        times: dict[str, list[float]] = {"first": [], "last": []}
        cpu: dict[str, list[float]] = {"first": [], "last": []}
        profilers = {name: profile() if profile else None for name in windows}
        for n in range(WINDOW):
            for name, commands in windows.items():
                command, who = commands[n]
                profiler = profilers[name]
                if profiler is not None:
                    profiler.enable()
                t0, c0 = time.perf_counter(), time.process_time()
                run(command, who.signer)
                times[name].append(time.perf_counter() - t0)
                cpu[name].append(time.process_time() - c0)
                if profiler is not None:
                    profiler.disable()
        total = time.perf_counter() - began

        def mean_ms(values: list[float]) -> float:
            return sum(values) / len(values) * 1000

        return Scaling(
            subjects,
            opened,
            mean_ms(times["first"]),
            mean_ms(times["last"]),
            total,
            mean_ms(cpu["first"]),
            mean_ms(cpu["last"]),
        )


def open_cycle(members: int, profile: cProfile.Profile | None = None) -> float:
    """Seconds to open a cycle over ``members`` members (40 chi bộ of 25 per
    commune's worth), on SQLite; ``profile`` profiles the command."""
    with (
        tempfile.TemporaryDirectory() as tmp,
        _services("sqlite", Path(tmp), cache=True) as services,
    ):
        district, _built = _build(services, members)
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
            f"sqlite: open a cycle of {2 * found.subjects} members (ms)",
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
        f"in {found.total_seconds:.1f} s (the two windows interleaved)\n"
        f"  opening the cycle ({2 * found.subjects} members): "
        f"{found.open_cycle_seconds * 1000:.0f} ms\n"
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
