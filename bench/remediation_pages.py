"""The remediation pages at a generated province (issue 14): the inspection
committee's worklist, the dashboard's reminders and the tracking list, timed
in-process (wall and CPU per request) against a store built by
``kiemdiem demo --province``.

    python -m bench.remediation_pages seed [--items N]      # adds shortcomings
    python -m bench.remediation_pages measure [--samples 15]

The store is the one ``KIEMDIEM_DATABASE_URL`` / ``KIEMDIEM_INSTANCE_DIR``
name (``kiemdiem init`` then ``kiemdiem demo --province --members N``; the
role logins are read from its ``demo-accounts.txt``). ``seed`` has the
province's secretary record a shortcoming for the first ``N`` members of the
2025 cycle and adopt a plan for each, deadlines a week apart over 2026–2028
(about 40% overdue on 7 Dec 2026), and claim every tenth; run ``measure`` with
the code before and after a change on copies of the same store for a same-run
baseline. Only the local store is touched.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
PAGES = (
    ("worklist", "ubkt", "/remediation/worklist"),
    ("dashboard", "ubkt", "/"),
    ("dashboard", "thuky", "/"),
    ("tracking list", "thuky", "/remediation/"),
    ("tracking, overdue", "thuky", "/remediation/?urgency=overdue"),
)


def logins(store: Path) -> dict[str, str]:
    """Account → password, from the store's ``demo-accounts.txt``."""
    found: dict[str, str] = {}
    for line in (store / "demo-accounts.txt").read_text().splitlines():
        parts = line.split("\t")  # username, role, password
        if len(parts) >= 3 and not line.startswith("#"):
            found[parts[0]] = parts[-1].strip()
    return found


def _open() -> Any:
    from ledger.config import settings_from_environ
    from services.app import Kiemdiem

    return Kiemdiem(settings_from_environ())


def seed(items: int) -> None:
    from services import remediation_commands as mc
    from services.demo import demo_signer
    from services.rating_ids import cycle_id

    services = _open()
    store = Path(os.environ["KIEMDIEM_INSTANCE_DIR"])
    signer = demo_signer(services, "thuky", logins(store)["thuky"])
    province = services.projections.query(
        "directory", "SELECT org_id FROM {organisations} WHERE parent_id IS NULL"
    )[0]["org_id"]
    cycle = cycle_id(UUID(province), 2025, "annual", None)
    members = services.projections.query(
        "directory",
        "SELECT member_id FROM {members} ORDER BY member_id LIMIT ?",
        [items],
    )
    start, cpu = time.perf_counter(), time.process_time()
    services.today = lambda: date(2025, 12, 22)  # the plans adopted then
    first = date(2026, 1, 1)
    for n, row in enumerate(members):
        member = UUID(row["member_id"])
        actor = signer.actor
        ident = services.handle(
            mc.RecordShortcoming(
                actor, cycle, f"m:{member}", "MEMBER_COMMENT",
                "Chưa dự đủ sinh hoạt chi bộ", "SUBJECTIVE",
                recorded_on=date(2025, 12, 20),
            ),
            signer,
        )  # fmt: skip
        services.handle(
            mc.AdoptRemediationPlan(
                actor, (ident,), ("Dự đủ các buổi sinh hoạt",), member,
                first + timedelta(days=(n * 7) % 800), "INSPECTION_COMMITTEE",
                UUID(province), adopted_on=date(2025, 12, 22),
            ),
            signer,
        )  # fmt: skip
        if n % 10 == 0:
            services.handle(mc.ClaimRemediation(actor, ident, "Đã khắc phục."), signer)
        if n % 200 == 0:
            print(f"{n} / {len(members)}", flush=True)
    services.projections.catch_up()
    wall, used = time.perf_counter() - start, time.process_time() - cpu
    print(f"seeded {len(members)} shortcomings in {wall:.0f} s (CPU {used:.0f} s)")
    services.close()


def _client(app: Any, username: str, password: str) -> Any:
    client = app.test_client()
    token = CSRF.search(client.get("/auth/login").get_data(as_text=True))
    assert token is not None
    answer = client.post(
        "/auth/login",
        data={"username": username, "password": password, "csrf_token": token[1]},
    )
    assert answer.status_code == 302, answer.status_code
    return client


def measure(samples: int) -> None:
    from web import create_app

    store = Path(os.environ["KIEMDIEM_INSTANCE_DIR"])
    services = _open()
    start = time.perf_counter()
    services.projections.catch_up()  # a changed view rebuilds here, not timed below
    print(f"views ready in {time.perf_counter() - start:.1f} s")
    app = create_app({"SECRET_KEY": "bench-remediation-pages"}, services=services)
    passwords = logins(store)
    clients = {u: _client(app, u, passwords[u]) for u in {p[1] for p in PAGES}}
    print("| page | role | p50 wall ms | CPU ms / request | size KB |")
    print("| --- | --- | --- | --- | --- |")
    for name, role, path in PAGES:
        client = clients[role]
        walls, cpus, size = [], [], 0
        for _ in range(samples + 1):
            cpu, wall = time.process_time(), time.perf_counter()
            response = client.get(path)
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
            assert response.status_code == 200, (path, response.status_code)
            size = len(response.get_data())
        walls, cpus = walls[1:], cpus[1:]  # the first warms the caches
        print(
            f"| {name} | {role} | {statistics.median(walls) * 1000:.1f} | "
            f"{statistics.mean(cpus) * 1000:.1f} | {size / 1024:.0f} |"
        )
    services.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.remediation_pages")
    parser.add_argument("what", choices=("seed", "measure"))
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--samples", type=int, default=15)
    args = parser.parse_args(argv)
    if args.what == "seed":
        seed(args.items)
    else:
        measure(args.samples)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
