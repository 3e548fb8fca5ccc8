"""The province load test (issue 14): build a province through the services,
serve it as production does (gunicorn on 127.0.0.1, a free port; on PostgreSQL
with ``kiemdiem worker`` beside it), sign in as each role and measure.

1. Every key page one request at a time: p50 / p95 / p99 and the page's size.
2. A mixed workload of those pages at concurrency 1, 8 and 32 (threads, each
   with its own keep-alive connection and a role's session): requests/s and
   p50 / p99, each level bounded by ``--duration`` seconds and ``--max-requests``.

    python -m bench.province --members 1000 [--seed S] [--duration 10]
        [--backend sqlite|postgres] [--store DIR] [--samples 20]

``--store DIR`` keeps the built province in DIR and reuses it on the next run
with the same members, seed and backend (building is the slow part). Only
127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import argparse
import http.client
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from bench.province_client import HOST, Client, sign_in
from bench.province_store import (
    build,
    drop_schema,
    environment,
)
from services.demo_province_plan import plan_province
from services.rating_ids import cycle_id, round_id

LEVELS = (1, 8, 32)
BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Page:
    name: str
    role: str
    path: str


@dataclass
class Sample:
    seconds: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    size: int = 0
    cpu: float = 0.0  # the server's CPU seconds (every process) meanwhile
    # Under load, where the two cores went meanwhile (CPU seconds): PostgreSQL's
    # backends serving the server, the load client itself, the whole machine
    # busy, and the machine's capacity (cores × wall time).
    postgres_cpu: float | None = None
    client_cpu: float = 0.0
    machine_busy: float = 0.0
    machine_capacity: float = 0.0

    @property
    def errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status != 200)

    def by_status(self) -> str:
        """The answers that were not 200, as ``503×2 0×1`` (0: no answer)."""
        wrong = sorted((s, n) for s, n in self.statuses.items() if s != 200)
        return " ".join(f"{s}×{n}" for s, n in wrong) or "0"


@dataclass(frozen=True)
class Server:
    port: int
    groups: list[int]  # process groups: gunicorn (master, workers), kiemdiem worker
    # The server's connections carry this application_name (PGAPPNAME), so the
    # PostgreSQL backends serving it can be told from others on the machine.
    postgres_name: str | None = None

    def cpu(self) -> float:
        """CPU seconds (user + system) of every process of the server so far."""
        total = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            fields = _stat_fields(stat)
            if fields is not None and int(fields[2]) in self.groups:  # pgrp
                total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / TICK

    def postgres_cpu(self) -> float | None:
        """CPU seconds of the PostgreSQL backends now connected for the server
        (a backend that ended meanwhile is not counted: the pools keep theirs)."""
        if self.postgres_name is None:
            return None
        import psycopg

        conninfo = "host=127.0.0.1 port=5432 dbname=test user=postgres"
        with psycopg.connect(conninfo, autocommit=True) as db:
            pids = db.execute(
                "SELECT pid FROM pg_stat_activity WHERE application_name = %s",
                (self.postgres_name,),
            ).fetchall()
        total = 0
        for (pid,) in pids:
            fields = _stat_fields(Path(f"/proc/{pid}/stat"))
            if fields is not None:
                total += int(fields[11]) + int(fields[12])
        return total / TICK


TICK = os.sysconf("SC_CLK_TCK")


def _stat_fields(stat: Path) -> list[str] | None:
    """A process's ``/proc/PID/stat`` after its name (None: it is gone)."""
    try:
        return stat.read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def machine_cpu() -> tuple[float, float]:
    """The machine's busy and total CPU seconds so far (``/proc/stat``)."""
    first = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    ticks = [
        int(n) for n in first[:8]
    ]  # user nice system idle iowait irq softirq steal
    idle = ticks[3] + ticks[4]
    return (sum(ticks) - idle) / TICK, sum(ticks) / TICK


def key_pages(members: int, seed: int) -> list[Page]:
    """The pages issue 14 names, addressed from the plan (ids are derived from
    codes and card numbers, so nothing needs to be looked up)."""
    plan = plan_province(members, seed)
    province = plan.province.org_id
    commune = plan.communes[0] if plan.communes else plan.province
    cell = commune.cells[-1]
    member = cell.members[0]
    surname = member.name.split()[0]
    cycle = cycle_id(province, 2025, "annual", None)
    rating_round = round_id(cycle, commune.org_id)
    pages = [
        Page(f"dashboard ({role})", role, "/")
        for role in ("thuky", "captuy", "ubkt", "dangvien", "bankiemphieu")
    ]
    return [
        *pages,
        Page("organisation tree", "thuky", "/organisations/"),
        Page("chi bộ page", "thuky", f"/organisations/{cell.org_id}"),
        Page("chi bộ members", "thuky", f"/members/?cell={cell.org_id}"),
        Page("cycle", "thuky", f"/ratings/cycles/{cycle}"),
        Page("round", "captuy", f"/ratings/rounds/{rating_round}"),
        Page("subject", "thuky", f"/ratings/cycles/{cycle}/subjects/{member.key}"),
        Page("statistics", "thuky", f"/ratings/cycles/{cycle}/statistics"),
        Page("report", "thuky", f"/reports/{province}/2025"),
        Page("audit history", "ubkt", f"/audit/subjects/{member.member_id}"),
        # A surname without diacritics: the search with the most matches.
        Page("search", "thuky", "/tim-kiem/?" + urlencode({"q": _plain(surname)})),
    ]


def _plain(text: str) -> str:
    """Without diacritics, as a user types it (đ as d)."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# -- the server ----------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving(
    env: dict[str, str],
    workers: int | None,
    threads: int | None,
    app: str = "web.wsgi:app",
    code: Path = ROOT,
) -> Iterator[Server]:
    """gunicorn as production runs it (``gunicorn.conf.py``: one gthread worker
    per core unless ``workers``), bound to 127.0.0.1; on PostgreSQL the worker
    (projections, integrator) beside it. Both stopped on the way out."""
    port = free_port()
    postgres_name = None
    env = dict(env, GUNICORN_BIND=f"{HOST}:{port}")
    if env["KIEMDIEM_DATABASE_URL"].startswith("postgresql"):
        postgres_name = f"kiemdiem-bench-{port}"
        env["PGAPPNAME"] = postgres_name  # libpq's default application_name
    if workers is not None:
        env["WEB_CONCURRENCY"] = str(workers)
    if threads is not None:
        env["GUNICORN_THREADS"] = str(threads)
    config = code / "gunicorn.conf.py"
    gunicorn = [str(BIN / "gunicorn"), f"--config={config}", app]
    log = (Path(env["KIEMDIEM_INSTANCE_DIR"]) / "bench-server.log").open("ab")
    procs = [
        subprocess.Popen(  # noqa: S603
            gunicorn, env=env, stdout=log, stderr=log, start_new_session=True
        )
    ]
    if env["KIEMDIEM_DATABASE_URL"].startswith("postgresql"):
        procs.append(
            subprocess.Popen(  # noqa: S603
                [str(BIN / "kiemdiem"), "worker"],
                env=env,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        )
    try:
        deadline = time.monotonic() + 120
        while True:
            probe = Client(port)
            try:
                status, _, _ = probe.get("/auth/login")
                if status == 200:
                    break
            except OSError:
                pass
            finally:
                probe.close()
            if time.monotonic() > deadline or procs[0].poll() is not None:
                raise RuntimeError("gunicorn did not start")
            time.sleep(0.5)
        server = Server(port, [proc.pid for proc in procs], postgres_name)
        settle(server, deadline)
        yield server
    finally:
        for proc in procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        log.close()


def settle(server: Server, deadline: float, quiet: float = 0.02) -> None:
    """Wait until the server's processes are idle (less than ``quiet`` CPU
    seconds in half a second), or the deadline: a worker still starting (imports,
    templates) when the first one answers would count its start-up as the
    requests' CPU."""
    used = server.cpu()
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = server.cpu()
        if now - used < quiet:
            return
        used = now


# -- the measurements ----------------------------------------------------------------
def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))
    return ordered[index]


def one_at_a_time(
    server: Server,
    sessions: dict[str, dict[str, str]],
    pages: list[Page],
    samples: int,
) -> dict[str, Sample]:
    results = {}
    for page in pages:
        client = Client(server.port, sessions[page.role])
        client.get(page.path)  # warm: caches, connections
        sample = Sample()
        cpu = server.cpu()
        postgres = server.postgres_cpu()
        for _ in range(samples):
            start = time.perf_counter()
            status, body, _ = client.get(page.path)
            sample.seconds.append(time.perf_counter() - start)
            sample.size = len(body)
            sample.statuses[status] += 1
        sample.cpu = server.cpu() - cpu
        after = server.postgres_cpu()
        if postgres is not None and after is not None:
            sample.postgres_cpu = after - postgres
        client.close()
        results[page.name] = sample
        print(
            f"  {page.name:<22} p50 {1000 * percentile(sample.seconds, 0.5):8.1f} ms",
            flush=True,
        )
    return results


def mixed(
    server: Server,
    sessions: dict[str, dict[str, str]],
    pages: list[Page],
    concurrency: int,
    duration: float,
    max_requests: int,
    *,
    profile: bool = False,
) -> tuple[float, Sample]:
    """Requests/s of the key pages in turn, ``concurrency`` threads at once
    (``profile``: each request asks a profiled server to profile it)."""
    sample = Sample()
    lock = threading.Lock()
    stop = time.monotonic() + duration
    count = [0]

    def work(offset: int) -> None:
        clients = {
            role: Client(server.port, cookies) for role, cookies in sessions.items()
        }
        try:
            requests(clients, offset)
        finally:
            for client in clients.values():
                client.close()

    def requests(clients: dict[str, Client], offset: int) -> None:
        turn = offset
        while time.monotonic() < stop:
            with lock:
                if count[0] >= max_requests:
                    return
                count[0] += 1
            page = pages[turn % len(pages)]
            turn += 1
            start = time.perf_counter()
            try:
                status, _, _ = clients[page.role].get(page.path)
            except (OSError, http.client.HTTPException):
                status = 0
            spent = time.perf_counter() - start
            with lock:
                sample.seconds.append(spent)
                sample.statuses[status] += 1

    cpu = server.cpu()
    postgres = server.postgres_cpu()
    client = time.process_time()
    busy, capacity = machine_cpu()
    Client.extra = {"X-Bench-Profile": "1"} if profile else {}
    began = time.perf_counter()
    threads = [
        threading.Thread(target=work, args=(n,), daemon=True)
        for n in range(concurrency)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=duration + 600)
    elapsed = time.perf_counter() - began
    Client.extra = {}
    sample.cpu = server.cpu() - cpu
    sample.client_cpu = time.process_time() - client
    after = server.postgres_cpu()
    if postgres is not None and after is not None:
        sample.postgres_cpu = after - postgres
    busy_after, capacity_after = machine_cpu()
    sample.machine_busy = busy_after - busy
    sample.machine_capacity = capacity_after - capacity
    return len(sample.seconds) / elapsed, sample


@dataclass
class Run:
    """One server's measurements: the code it ran, pages, loads."""

    backend: str
    code: str
    server: str
    single: dict[str, Sample]
    loads: list[tuple[int, float, Sample]]


def measure(
    args: argparse.Namespace, store: Path, env: dict[str, str], code: Path
) -> Run:
    """Serve the store with the code in ``code`` and measure it."""
    pages = key_pages(args.members, args.seed)
    env = dict(env, PYTHONPATH=str(code))
    app = "web.wsgi:app"
    if args.profile is not None:
        app = "bench.profiled_wsgi:app"
        env["PYTHONPATH"] = f"{code}{os.pathsep}{ROOT}"
        env["KIEMDIEM_BENCH_PROFILE_DIR"] = str(args.profile.resolve())
    label = f"{code.name or code} ({env['KIEMDIEM_DATABASE_URL'].split(':', 1)[0]})"
    print(f"serving with the code in {label}", flush=True)
    with serving(env, args.workers, args.threads, app, code) as server:
        workers = len(server_workers(server))
        sessions = sign_in(server.port, store)
        print("one request at a time:", flush=True)
        single = one_at_a_time(server, sessions, pages, args.samples)
        loads = []
        for level in (int(n) for n in args.levels.split(",")):
            rate, sample = mixed(
                server,
                sessions,
                pages,
                level,
                args.duration,
                args.max_requests,
                profile=args.profile is not None,
            )
            loads.append((level, rate, sample))
            print(f"  concurrency {level}: {rate:.1f} requests/s", flush=True)
    threads = env.get("GUNICORN_THREADS") or str(args.threads or 8)
    shape = f"gunicorn.conf.py, {workers} worker(s) × {threads} threads"
    return Run(args.backend, str(code), shape, single, loads)


def server_workers(server: Server) -> list[int]:
    """The gunicorn worker processes (children of the master)."""
    master = server.groups[0]
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:  # ppid
            found.append(int(stat.parent.name))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.province")
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--max-requests", type=int, default=5000)
    parser.add_argument(
        "--backend",
        default=os.environ.get("KIEMDIEM_BENCH_BACKEND", "sqlite"),
        help="sqlite, postgres, or both (sqlite,postgres): one table each",
    )
    parser.add_argument("--store", type=Path, default=None)
    parser.add_argument(
        "--workers", type=int, default=None, help="default: gunicorn.conf.py's"
    )
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--levels", default=",".join(map(str, LEVELS)))
    parser.add_argument(
        "--build-only", action="store_true", help="build (or keep) the store, no load"
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        default=None,
        help="a checkout of other code (e.g. main) measured first on the same store",
    )
    parser.add_argument(
        "--profile",
        type=Path,
        default=None,
        help="cProfile each gunicorn worker into DIR/worker-<pid>.prof",
    )
    args = parser.parse_args(argv)
    backends = [b.strip() for b in args.backend.split(",") if b.strip()]
    if not set(backends) <= {"sqlite", "postgres"}:
        parser.error(f"unknown backend in {args.backend!r}")
    runs = []
    for backend in backends:
        args.backend = backend
        store = args.store
        if store is not None and len(backends) > 1:
            store = store / backend
        runs += measure_backend(args, store)
    for run in runs:
        print_table(args, run)
    return 0


def measure_backend(args: argparse.Namespace, where: Path | None) -> list[Run]:
    with tempfile.TemporaryDirectory() as tmp:
        store = (where or Path(tmp)).resolve()
        store.mkdir(parents=True, exist_ok=True)
        env = environment(store, args.backend, args.members, args.seed)
        build(store, env, args.members, args.seed)
        if args.build_only:
            return []
        codes = [ROOT] if args.baseline is None else [args.baseline.resolve(), ROOT]
        try:
            return [measure(args, store, env, code) for code in codes]
        finally:
            if args.backend == "postgres" and where is None:
                drop_schema(env["KIEMDIEM_DATABASE_URL"].split("schema=", 1)[1])


def print_table(args: argparse.Namespace, run: Run) -> None:
    ms = 1000.0
    print(
        f"\nprovince of {args.members} members (seed {args.seed}), {run.backend}, "
        f"{run.server}, code {run.code}"
    )
    print(
        "| page | p50 ms | p95 ms | p99 ms | KB | server CPU ms "
        "| PostgreSQL CPU ms | errors |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, s in run.single.items():
        n = max(1, len(s.seconds))
        postgres = "–" if s.postgres_cpu is None else f"{ms * s.postgres_cpu / n:.1f}"
        print(
            f"| {name} | {ms * percentile(s.seconds, 0.5):.1f} "
            f"| {ms * percentile(s.seconds, 0.95):.1f} "
            f"| {ms * percentile(s.seconds, 0.99):.1f} "
            f"| {s.size / 1024:.0f} | {ms * s.cpu / n:.1f} | {postgres} "
            f"| {s.errors} |"
        )
    print(
        "\n| concurrency | requests/s | p50 ms | p95 ms | p99 ms | server CPU ms "
        "| PostgreSQL CPU ms | client CPU ms | machine busy | requests | errors |"
    )
    print(
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    )
    for level, rate, s in run.loads:
        n = max(1, len(s.seconds))
        postgres = "–" if s.postgres_cpu is None else f"{ms * s.postgres_cpu / n:.1f}"
        busy = s.machine_busy / s.machine_capacity if s.machine_capacity else 0.0
        print(
            f"| {level} | {rate:.1f} | {ms * percentile(s.seconds, 0.5):.0f} "
            f"| {ms * percentile(s.seconds, 0.95):.0f} "
            f"| {ms * percentile(s.seconds, 0.99):.0f} "
            f"| {ms * s.cpu / n:.1f} | {postgres} | {ms * s.client_cpu / n:.1f} "
            f"| {100 * busy:.0f} % | {len(s.seconds)} | {s.errors} |"
        )
    print(
        "(CPU ms per request: the server's processes; the PostgreSQL backends "
        "connected for it; this load client. machine busy: all cores, every "
        "process on the machine.)"
    )
    wrong = {n: s.by_status() for n, s in run.single.items() if s.errors}
    wrong |= {f"concurrency {lv}": s.by_status() for lv, _, s in run.loads if s.errors}
    if wrong:
        print("errors by status: " + "; ".join(f"{k}: {v}" for k, v in wrong.items()))


if __name__ == "__main__":
    sys.exit(main())
