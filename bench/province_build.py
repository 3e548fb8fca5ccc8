"""Time (and profile) the province generator phase by phase, in-process.

    python -m bench.province_build --members 1000 [--seed S] [--profile ratings]
        [--backend sqlite|postgres] [--top 30] [--compare] [--unbatched]

Builds in a fresh temporary store (SQLite file, or a fresh PostgreSQL schema
that is dropped afterwards), prints each phase's seconds, commands, events,
commands/s and members/s, extrapolates linearly to 100,000 members (a lower
bound where a command's cost still grows with the province), and with
``--profile PHASE`` prints the cProfile top entries (cumulative) of that phase:
where the write side spends its time.

``--compare`` adds, in the same run and on the same backend, the baselines:
the generator as it was before batches (``--unbatched``: one command per
transaction, the views caught up after each) and plain ``eventsourcing``
appending as many events, unsigned, one per transaction and in transactions
of the batch's size (``make bench-province-build``).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import resource
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from bench.province_store import ADMIN_PASSWORD, PG_SERVER
from bench.province_store import drop_schema as _drop_schema
from bench.workload import TEXT, Note, drop_schema, plain_application
from ledger.config import settings_from_environ
from ledger.signing import Signer
from services.app import Kiemdiem
from services.demo_province import (
    PHASES,
    WRITE_BATCH,
    ProvinceResult,
    _Builder,
    generate_province,
)
from services.demo_province_plan import plan_province
from services.setup import initialise


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.province_build")
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument(
        "--backend",
        choices=("sqlite", "postgres"),
        default=os.environ.get("KIEMDIEM_BENCH_BACKEND", "sqlite"),
    )
    parser.add_argument("--profile", choices=PHASES, default=None)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument(
        "--profile-file", default=None, help="also dump the profile (pstats) here"
    )
    parser.add_argument(
        "--inline", action="store_true", help="views after each command"
    )
    parser.add_argument(
        "--unbatched",
        action="store_true",
        help="one command per transaction (the generator before batches)",
    )
    parser.add_argument(
        "--worker",
        action="store_true",
        help="a worker process beside the build integrates and projects",
    )
    parser.add_argument(
        "--compare",
        action="store_true",
        help="also the unbatched generator and plain eventsourcing, same run",
    )
    parser.add_argument(
        "--sample-communes",
        type=int,
        default=0,
        help="review and rate only the first K đảng ủy xã (at full province size) "
        "and scale those two phases to the whole province",
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("KIEMDIEM_LOG_KEY_PASSPHRASE", "bench-province-build")
    result = build(args, batched=not args.unbatched)
    if not args.compare:
        return 0
    print("\nsame run, the baselines:", flush=True)
    before = build(argparse.Namespace(**{**vars(args), "profile": None}), batched=False)
    events = sum(result.events.values())
    plain_one, plain_batched = plain_appends(args.backend, events)
    print(f"\n{args.members} members, {args.backend}: the build against its baselines")
    print("| | seconds | events/s | commands/s | members/s |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, res in (("this build (batched)", result), ("before (unbatched)", before)):
        seconds = sum(res.seconds.values())
        print(
            f"| {name} | {seconds:.1f} | {sum(res.events.values()) / seconds:,.0f} "
            f"| {sum(res.commands.values()) / seconds:,.0f} "
            f"| {res.members / seconds:,.1f} |"
        )
    print(f"| plain eventsourcing, {events} events, 1 per transaction "
          f"| {events / plain_one:.1f} | {plain_one:,.0f} | | |")  # fmt: skip
    print(f"| plain eventsourcing, {events} events, {WRITE_BATCH} per transaction "
          f"| {events / plain_batched:.1f} | {plain_batched:,.0f} | | |")  # fmt: skip
    whole = sum(result.seconds.values())
    print(
        f"\nthis build is {sum(before.seconds.values()) / whole:.1f}× the unbatched "
        f"one; its events/s are {events / whole / plain_one:.2f}× plain "
        "eventsourcing one event per transaction"
    )
    return 0


def plain_appends(backend: str, events: int) -> tuple[float, float]:
    """Plain eventsourcing (no signing, no chain, no views) writing ``events``
    events of review-comment size, one per transaction and ``WRITE_BATCH`` per
    transaction: events/s."""
    with tempfile.TemporaryDirectory() as tmp:
        plain, schema = plain_application(backend, tmp)
        try:
            start = time.perf_counter()
            for _ in range(events):
                plain.save(Note("u:bench", TEXT))
            one = events / (time.perf_counter() - start)
            start = time.perf_counter()
            for first in range(0, events, WRITE_BATCH):
                count = min(WRITE_BATCH, events - first)
                plain.save(*[Note("u:bench", TEXT) for _ in range(count)])
            batched = events / (time.perf_counter() - start)
        finally:
            plain.close()
            drop_schema(schema)
    return one, batched


def build(args: argparse.Namespace, *, batched: bool) -> ProvinceResult:
    """One build in a fresh store, its table printed."""
    with tempfile.TemporaryDirectory() as tmp:
        schema = f"bench_build_{uuid.uuid4().hex[:10]}"
        url = (
            f"{PG_SERVER}?schema={schema}"
            if args.backend == "postgres"
            else f"sqlite:///{tmp}/kiemdiem.db"
        )
        environ = {**os.environ, "KIEMDIEM_INSTANCE_DIR": tmp}
        environ.pop("KIEMDIEM_PROJECTIONS", None)
        settings = settings_from_environ(environ, database_url=url)
        settings = replace(
            settings, projections_mode="inline" if args.inline else "worker"
        )
        try:
            initialise(
                settings,
                origin="kiemdiem.bench/province",
                admin_username="admin",
                admin_full_name="Quản trị",
                admin_password=ADMIN_PASSWORD,
            )
            services = Kiemdiem(settings)
            try:
                return run(services, args, batched=batched)
            finally:
                services.close()
        finally:
            if args.backend == "postgres":
                _drop_schema(schema)


def run(
    services: Kiemdiem, args: argparse.Namespace, *, batched: bool = True
) -> ProvinceResult:
    session = services.authenticate("admin", ADMIN_PASSWORD)
    assert session is not None
    profiler = cProfile.Profile()
    state: dict[str, Any] = {"phase": "", "mark": time.perf_counter()}

    def progress(phase: str, done: int, total: int) -> None:
        if phase != state["phase"]:
            if state["phase"] == args.profile:
                profiler.disable()
            state["phase"] = phase
            print(f"{time.strftime('%H:%M:%S')} {phase} ({total})", flush=True)
            if phase == args.profile:
                profiler.enable()
        elif time.perf_counter() - state["mark"] > 60:
            state["mark"] = time.perf_counter()
            print(f"{time.strftime('%H:%M:%S')}   {done}/{total}", flush=True)

    totals: dict[str, int] = {}
    children = _children_cpu()
    if args.sample_communes:
        result, totals = sampled(services, session.signer, args, progress, batched)
    else:
        result = generate_province(
            services,
            session.signer,
            args.members,
            args.seed,
            progress=progress,
            batched=batched,
            with_worker=args.worker and batched,
        )
    profiler.disable()
    worker_cpu = _children_cpu() - children
    scale = 100_000 / args.members
    if args.sample_communes:
        print(
            f"\nreviews and ratings of {result.reviews} reviews and "
            f"{result.decisions} decisions only (the first {args.sample_communes} "
            "đảng ủy xã), scaled to the whole province below"
        )
        for phase in ("reviews", "ratings"):
            done = result.reviews if phase == "reviews" else result.decisions
            factor = totals[phase] / max(done, 1)
            result.seconds[phase] *= factor
            result.cpu_seconds[phase] *= factor
            result.catch_up_cpu_seconds[phase] *= factor
            result.commands[phase] = round(result.commands[phase] * factor)
            result.events[phase] = round(result.events[phase] * factor)
    how = "batched" if batched else "unbatched (one command per transaction)"
    if args.worker and batched and not args.sample_communes:
        how += ", a worker process beside it"
    print(f"\n{args.members} members, {args.backend}, seed {args.seed}, {how}")
    print(
        "| phase | seconds | CPU s | of it catching up | commands | events "
        "| commands/s | members/s | ms/command | ×100k (linear) |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for phase in PHASES:
        seconds = result.seconds[phase]
        commands = result.commands[phase]
        per = 1000 * seconds / max(commands, 1)
        print(
            f"| {phase} | {seconds:.1f} | {result.cpu_seconds[phase]:.1f} "
            f"| {result.catch_up_cpu_seconds.get(phase, 0.0):.1f} | {commands} "
            f"| {result.events.get(phase, 0)} "
            f"| {commands / max(seconds, 1e-9):,.0f} "
            f"| {result.members / max(seconds, 1e-9):,.0f} | {per:.1f} "
            f"| {seconds * (1 if phase == 'accounts' else scale) / 60:.1f} min |"
        )
    total = sum(result.seconds.values())
    cpu = sum(result.cpu_seconds.values())
    commands = sum(result.commands.values())
    once = result.seconds["accounts"]  # the same at any size
    projected = (total - once) * scale + once
    caught = sum(result.catch_up_cpu_seconds.values())
    print(
        f"| total | {total:.1f} | {cpu:.1f} | {caught:.1f} | {commands} "
        f"| {sum(result.events.values())} | {commands / total:,.0f} "
        f"| {result.members / total:,.1f} | | {projected / 60:.0f} min |"
    )
    if worker_cpu > 0.05:
        print(f"the worker process beside it: {worker_cpu:.1f} CPU s")
    if args.profile and args.profile_file:
        profiler.dump_stats(args.profile_file)
    if args.profile:
        print(f"\nprofile of {args.profile} (cumulative):")
        stats = pstats.Stats(profiler, stream=sys.stdout)
        stats.strip_dirs().sort_stats("cumulative").print_stats(args.top)
        stats.sort_stats("tottime").print_stats(args.top)
    return result


def _children_cpu() -> float:
    """CPU seconds of this process's ended children (the worker beside a build)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def sampled(
    services: Kiemdiem,
    admin: Signer,
    args: argparse.Namespace,
    progress: Callable[[str, int, int], None],
    batched: bool = True,
) -> tuple[ProvinceResult, dict[str, int]]:
    """The generator's own phases, with reviews and ratings cut to the first
    ``--sample-communes`` đảng ủy xã: the cost per command at the full size of the
    cycle, in minutes instead of hours."""
    plan = plan_province(args.members, args.seed)
    builder = _Builder(services, admin, plan, progress, services.work_once, batched)
    with builder.timed("org_tree", plan.organisations):
        builder.found_tree()
    with builder.timed("members", len(plan.members)):
        builder.enrol_members()
        builder.assign_posts()
    with builder.timed("accounts", 1):
        accounts = builder.open_accounts()
        builder.step()
    with builder.timed("cycle_open", 1):
        builder.open_cycle()
    subjects = [s for s in builder.subjects.values() if not s.exempt]
    communes = plan.communes[: args.sample_communes]
    with builder.timed("reviews", 0):
        for level in communes:
            builder.review_level(level)
    with builder.timed("ratings", 0):
        for level in communes:
            builder.rate_level(level)
    result = ProvinceResult(
        organisations=plan.organisations,
        members=len(plan.members),
        cycle_id=builder.cycle,
        rounds=len(builder.numbers),
        reviews=builder.reviews,
        decisions=builder.decisions,
        exempt=len(builder.subjects) - len(subjects),
        accounts=accounts,
        seconds=builder.seconds,
        cpu_seconds=builder.cpu_seconds,
        catch_up_cpu_seconds=builder.catch_up_cpu_seconds,
        commands=builder.commands,
        events=builder.events,
    )
    totals = {
        "reviews": sum(len(s.venues) for s in subjects),
        "ratings": sum(1 for s in subjects if s.decides not in (None, "outside")),
    }
    return result, totals


if __name__ == "__main__":
    sys.exit(main())
