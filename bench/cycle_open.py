"""Opening a province's review cycle (issue 14 §3): O(organisations) small
events, none over ~1 MB, in seconds.

A province of N members (``services.demo_province``'s plan: communes, chi bộ
of about 25, the leaders' posts) is built through the services on SQLite up to
its role accounts (not timed); then ``OpenCycle`` on the province is timed
through the command bus, views caught up inline, and the largest stored event
of the cycle is measured. The baseline, same store shape and same run: the
first release's shape, one ``Opened`` event holding every subject, written by
the same handler code (:func:`open_in_one_event`) on a copy of the same store.
Each shape is opened twice, new, old, old, new, and its run with less CPU kept.

``python -m bench.cycle_open [N …] [--profile]`` prints the figures (a cProfile
of the new shape with ``--profile``); ``make bench`` includes 1,000 and 4,000
members (scaled by ``KIEMDIEM_BENCH_SCALE``).
"""

from __future__ import annotations

import cProfile
import pstats
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

from bench.rating_rounds import PASSWORD, _environment
from domain.cycles import ReviewCycle
from ledger.config import settings_from_environ
from services import rating_commands as rc
from services.app import Kiemdiem
from services.demo import demo_signer
from services.demo_history import deadlines_of
from services.demo_province import YEAR, _Builder
from services.demo_province_plan import plan_province
from services.handlers import cycles as cycle_handlers
from services.setup import initialise

MEMBERS = (1000, 4000)
MAX_EVENT_BYTES = 1024 * 1024
CPU_TARGET = 1.25  # × the one-event baseline
PROJECT_CODE = r"/(services|domain|projections|ledger)/"


@dataclass
class Opening:
    members: int
    subjects: int
    seconds: float
    cpu_seconds: float  # this process's: less moved by other load
    events: int
    largest_event_bytes: int


def _env(root: Path) -> dict[str, str]:
    return {
        "KIEMDIEM_ARGON2_MEMORY_KIB": "1024",
        "KIEMDIEM_INSTANCE_DIR": str(root),
        "KIEMDIEM_AGGREGATE_CACHE": "1000",
        "KIEMDIEM_PROJECTIONS": "inline",
    }


@contextmanager
def _opened(root: Path) -> Iterator[Kiemdiem]:
    with _environment(_env(root)):
        services = Kiemdiem(settings_from_environ(database_url=_url(root)))
        try:
            yield services
        finally:
            services.close()


def _url(root: Path) -> str:
    return f"sqlite:///{root}/k.db"


def build(root: Path, members: int) -> dict[str, str]:
    """A province of ``members`` members up to its role accounts, in ``root``;
    the role logins."""
    root.mkdir(parents=True, exist_ok=True)
    with _environment(_env(root)):
        initialise(
            settings_from_environ(database_url=_url(root)),
            origin="kiemdiem.bench/cycle-open",
            admin_username="admin",
            admin_full_name="Quản trị",
            admin_password=PASSWORD,
            demo=True,
        )
    with _opened(root) as services:
        admin = services.authenticate("admin", PASSWORD)
        assert admin is not None
        builder = _Builder(
            services, admin.signer, plan_province(members, 2025), None, lambda: None
        )
        builder.found_tree()
        builder.enrol_members()
        builder.assign_posts()
        accounts = builder.open_accounts()
        return {a.username: a.password for a in accounts}


def open_in_one_event(services: Kiemdiem, command: rc.OpenCycle, signer: Any) -> UUID:
    """The baseline: the same handler, recording the first release's shape (one
    ``Opened`` holding every subject)."""
    original = ReviewCycle.open

    def in_one_event(**kwargs: Any) -> ReviewCycle:
        cycle = original(**{**kwargs, "subjects": kwargs["subjects"][:1]})
        rows = [dict(s) for s in kwargs["subjects"]]
        first = cycle._pending_events[0]
        object.__setattr__(first, "subjects", rows)
        del cycle._pending_events[1:]
        return cycle

    ReviewCycle.open = in_one_event  # type: ignore[method-assign]
    try:
        ident: UUID = cycle_handlers.open_cycle(services, command, signer)
        return ident
    finally:
        ReviewCycle.open = original  # type: ignore[method-assign]


def time_open(
    root: Path,
    logins: dict[str, str],
    *,
    one_event: bool = False,
    profile: cProfile.Profile | None = None,
) -> Opening:
    """Open the province's cycle on the store in ``root`` (changed by it);
    the caller fills in ``members``."""
    with _opened(root) as services:
        sec = demo_signer(services, "thuky", logins["thuky"])
        province = services.ratings.tree()
        top = next(o for o in province.values() if o.parent_id is None)
        command = rc.OpenCycle(
            sec.actor,
            top.org_id,
            YEAR,
            reference_date=date(YEAR, 12, 1),
            deadlines=tuple(deadlines_of(YEAR)),
        )
        if profile is not None:
            profile.enable()
        start, cpu = time.perf_counter(), time.process_time()
        if one_event:
            cycle = open_in_one_event(services, command, sec)
        else:
            cycle = services.handle(command, sec)
        seconds = time.perf_counter() - start
        cpu_seconds = time.process_time() - cpu
        if profile is not None:
            profile.disable()
        subjects = len(services.ratings.cycle(cycle).subjects)
    with sqlite3.connect(root / "k.db") as conn:
        sizes = [
            len(state)
            for (state,) in conn.execute(
                "SELECT state FROM stored_events WHERE originator_id = ?",
                (cycle.hex,),
            )
        ]
    return Opening(0, subjects, seconds, cpu_seconds, len(sizes), max(sizes))


# Which shape each run opens: True for the one-event baseline.
ORDER = (False, True, True, False) * 2


def compare(
    members: int, profile: cProfile.Profile | None = None
) -> tuple[Opening, Opening]:
    """(this release's shape, the one-event baseline), each opened four times on
    its own copy of one store in the order new, old, old, new, new, old, old,
    new (the first run of a process pays its warm-up; the VM's drift, up to
    ±40 % over seconds, falls on both alike), the run with least CPU kept."""
    with tempfile.TemporaryDirectory() as tmp:
        built = Path(tmp) / "built"
        logins = build(built, members)
        best: dict[bool, Opening] = {}
        for n, one_event in enumerate(ORDER):
            root = Path(tmp) / f"run{n}"
            shutil.copytree(built, root)
            found = time_open(
                root,
                logins,
                one_event=one_event,
                profile=profile if n == len(ORDER) - 1 else None,
            )
            found.members = members
            shutil.rmtree(root)
            if one_event not in best or found.cpu_seconds < best[one_event].cpu_seconds:
                best[one_event] = found
        return best[False], best[True]


def sizes_for(scale: float) -> tuple[int, ...]:
    return tuple(max(200, int(n * scale)) for n in MEMBERS)


def measure(scale: float, timed: Any, row: Callable[..., Any]) -> list[Any]:
    """Rows for ``make bench``: per size, the command's CPU time beside the
    one-event baseline's (target: at most :data:`CPU_TARGET` × it: a few more,
    smaller events to sign and apply), its wall time, and the largest event
    (target ≤ 1 MB) beside the baseline's."""
    del timed
    rows = []
    for members in sizes_for(scale):
        new, old = compare(members)
        rows += [
            row(
                f"sqlite: open a {members}-member province cycle, CPU (ms)",
                new.cpu_seconds * 1000,
                "ms",
                old.cpu_seconds * 1000,
                CPU_TARGET,
                at_most=True,
            ),
            row(
                f"sqlite: open a {members}-member province cycle, wall (ms)",
                new.seconds * 1000,
                "ms",
                old.seconds * 1000,
                None,
            ),
            row(
                f"sqlite: {members}-member cycle, largest event (KB)",
                new.largest_event_bytes / 1024,
                "KB",
                None,
                MAX_EVENT_BYTES / 1024,
                at_most=True,
            ),
            row(
                f"sqlite: {members}-member cycle, one-event baseline's (KB)",
                old.largest_event_bytes / 1024,
                "KB",
                None,
                None,
            ),
        ]
    return rows


def main(argv: list[str]) -> int:
    sizes = [int(a) for a in argv if a.isdigit()] or list(MEMBERS)
    for members in sizes:
        profile = cProfile.Profile() if "--profile" in argv else None
        new, old = compare(members, profile)
        for title, found in (("this release", new), ("one-event baseline", old)):
            sys.stdout.write(
                f"{members} members, {found.subjects} subjects, {title}: "
                f"{found.seconds:.2f} s ({found.cpu_seconds:.2f} s CPU), "
                f"{found.events} events, "
                f"largest {found.largest_event_bytes / 1024:,.0f} KB\n"
            )
        if profile is not None:
            stats = pstats.Stats(profile, stream=sys.stdout)
            stats.sort_stats("tottime").print_stats(15)
            stats.sort_stats("cumulative").print_stats(PROJECT_CODE, 35)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
