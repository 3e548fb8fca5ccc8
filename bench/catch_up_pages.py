"""Catch-up CPU, a page at a time against event by event, on a generated province.

    python -m bench.catch_up_pages [--members 1000] [--backend sqlite|postgres]
        [--page 500] [--repeats 2]

Builds a province (``services.demo_province``, batched, no worker) in a fresh
store, then catches every view up from the start of the log the way the worker
and the build's catch-ups do (``CatchUp.one``, pages of ``--page``
notifications), alternately as they do now (a page applied deferred, the ratings
view's open items refilled once per subject and page: ``catch_up.apply_page``)
and as they did before (each event written at once and refilled after each:
the path a failing page is replayed on), ``--repeats`` times each, and prints
each view's CPU microseconds per event of the log (this process's CPU; on
PostgreSQL the server's is not counted) beside the wall seconds; and, as the
worker does it, every view at once (``ProjectionRuntime.catch_up``: each page of
the log read and decoded once for all views, one transaction per page on
PostgreSQL). Every way must give the same rows (the digests are compared).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from dataclasses import replace
from typing import Any

from bench.province_store import ADMIN_PASSWORD, PG_SERVER
from bench.province_store import drop_schema as _drop_schema
from ledger.config import settings_from_environ
from projections.catch_up import CatchUp
from projections.rebuild import _build_indexes
from projections.view_state import ViewState, mark_ready, reset_for_rebuild
from services.app import Kiemdiem
from services.demo_province import generate_province
from services.setup import initialise


class EventByEvent(CatchUp):
    """The catch-up as it was: every page applied event by event."""

    def commit(self, *args: Any, **kwargs: Any) -> None:
        kwargs["deferred"] = False
        super().commit(*args, **kwargs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.catch_up_pages")
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--page", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument(
        "--backend",
        choices=("sqlite", "postgres"),
        default=os.environ.get("KIEMDIEM_BENCH_BACKEND", "sqlite"),
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("KIEMDIEM_LOG_KEY_PASSPHRASE", "bench-catch-up-pages")
    with tempfile.TemporaryDirectory() as tmp:
        schema = f"bench_pages_{uuid.uuid4().hex[:10]}"
        url = (
            f"{PG_SERVER}?schema={schema}"
            if args.backend == "postgres"
            else f"sqlite:///{tmp}/kiemdiem.db"
        )
        environ = {**os.environ, "KIEMDIEM_INSTANCE_DIR": tmp}
        environ.pop("KIEMDIEM_PROJECTIONS", None)
        settings = replace(
            settings_from_environ(environ, database_url=url), projections_mode="worker"
        )
        try:
            initialise(
                settings,
                origin="kiemdiem.bench/catch-up-pages",
                admin_username="admin",
                admin_full_name="Quản trị",
                admin_password=ADMIN_PASSWORD,
            )
            services = Kiemdiem(settings)
            try:
                run(services, args)
            finally:
                services.close()
        finally:
            if args.backend == "postgres":
                _drop_schema(schema)
    return 0


def run(services: Kiemdiem, args: argparse.Namespace) -> None:
    session = services.authenticate("admin", ADMIN_PASSWORD)
    assert session is not None
    print(f"{time.strftime('%H:%M:%S')} building {args.members} members", flush=True)
    generate_province(services, session.signer, args.members, args.seed)
    events = services.ledger.max_notification_id()
    projections = services.projections
    states = list(projections.views.states.values())
    ways: dict[str, CatchUp] = {
        "a page at a time": CatchUp(services.ledger, page_size=args.page),
        "event by event": EventByEvent(services.ledger, page_size=args.page),
    }
    cpu: dict[str, dict[str, list[float]]] = {w: {} for w in ways}
    wall: dict[str, list[float]] = {w: [] for w in ways}
    digests: dict[str, dict[str, str]] = {}
    together: list[float] = []
    for repeat in range(args.repeats):
        for way, careful in ways.items():
            print(f"{time.strftime('%H:%M:%S')} {way} ({repeat + 1})", flush=True)
            started = time.perf_counter()
            for state in states:
                cpu[way].setdefault(state.name, []).append(_catch_up(careful, state))
            wall[way].append(time.perf_counter() - started)
            digests[way] = projections.digest()
        print(f"{time.strftime('%H:%M:%S')} {TOGETHER} ({repeat + 1})", flush=True)
        together.append(_round_together(services, states))
        digests[TOGETHER] = projections.digest()
    assert digests["a page at a time"] == digests["event by event"], "rows differ"
    assert digests[TOGETHER] == digests["event by event"], "rows differ"
    print(
        f"\n{args.members} members, {args.backend}, {events} events, pages of "
        f"{args.page}: CPU µs per event of the log (least of {args.repeats})"
    )
    names = [s.name for s in states]
    print("| view | " + " | ".join(ways) + " |")
    print("| --- |" + " ---: |" * len(ways))
    for name in [*names, "every view"]:
        cells = []
        for way in ways:
            best = _whole(cpu[way]) if name == "every view" else min(cpu[way][name])
            cells.append(f"{1e6 * best / events:,.0f}")
        print(f"| {name} | " + " | ".join(cells) + " |")
    print(f"| {TOGETHER}: every view | {1e6 * min(together) / events:,.0f} |")
    for way in ways:
        seconds = _whole(cpu[way])
        print(
            f"{way}: {seconds:.1f} CPU s for every view, "
            f"{1000 * seconds / args.members:.1f} s per 1,000 members; wall "
            + ", ".join(f"{w:.1f}" for w in wall[way])
            + " s"
        )


TOGETHER = "the worker's round"


def _round_together(services: Kiemdiem, states: list[ViewState]) -> float:
    """Every view reset (and marked ready), then the worker's round
    (``ProjectionRuntime.catch_up``: each page of the log read and decoded
    once for every view); this process's CPU s."""
    for state in states:
        with state.lock:
            reset_for_rebuild(state)
            state.rebuilding = True
            state.known = None
        mark_ready(state)
    started = time.process_time()
    try:
        services.projections.catch_up()
    finally:
        spent = time.process_time() - started
        for state in states:
            _build_indexes(state)
    return spent


def _whole(per_view: dict[str, list[float]]) -> float:
    """The least CPU of a whole pass over every view."""
    return min(float(sum(run)) for run in zip(*per_view.values(), strict=True))


def _catch_up(careful: CatchUp, state: ViewState) -> float:
    """Reset the view and catch it up from the start; this process's CPU s."""
    with state.lock:
        reset_for_rebuild(state)
        state.rebuilding = True
        state.known = None
    started = time.process_time()
    try:
        careful.one(state, None, force=True)
    finally:
        spent = time.process_time() - started
        _build_indexes(state)
    return spent


if __name__ == "__main__":
    sys.exit(main())
