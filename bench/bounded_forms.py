"""The forms that listed every organisation or member, and the cycles and
votes lists, at a province's size (boundedforms, issue 14 deliverable 2).

    python -m bench.bounded_forms build STORE --members 5000
    python -m bench.bounded_forms measure STORE [--samples 5]

``build`` makes a SQLite store of ``services.demo_province``'s plan: its tree
and members imported through the services, a secretary of the province, and
``CYCLES`` cycles and ``VOTES`` votes written into the views as the EXPLAIN test
does (opening real ones would take the province's whole cycle). ``measure``
signs in in process (Flask's test client, no server) and reads the cycles list
with its open-cycle form (the secretary), the votes list and the create-vote
form (the administrator): bytes, and the median wall and CPU time of
``--samples`` reads after one warm-up. Run it with this tree's code and with a
baseline's (``PYTHONPATH=<other checkout>``) on copies of the same store: the
views' shapes are the same on both sides."""

from __future__ import annotations

import argparse
import csv
import io
import os
import re
import sqlite3
import statistics
import time
import uuid
from pathlib import Path
from typing import Any

ADMIN_PASSWORD = "mat-khau-quan-tri-bench"  # noqa: S105 - a bench store's
SECRETARY = ("thuky", "mat-khau-thu-ky-bench")
CYCLES = VOTES = 200
STORE_OWNER: dict[str, Any] = {
    "origin": "kiemdiem.bench/tinh-uy",
    "admin_username": "admin",
    "admin_full_name": "Quản trị hệ thống",
    "admin_password": ADMIN_PASSWORD,
    "demo": True,
}
PAGES = {
    "secretary": ["/ratings/"],
    "admin": ["/votes/", "/votes/new"],
}


def _environment(store: Path) -> None:
    os.environ["KIEMDIEM_INSTANCE_DIR"] = str(store / "instance")
    os.environ["KIEMDIEM_DATABASE_URL"] = f"sqlite:///{store / 'k.db'}"
    os.environ["KIEMDIEM_ARGON2_MEMORY_KIB"] = "1024"
    os.environ["KIEMDIEM_PROJECTIONS"] = "inline"


def build(store: Path, members: int) -> None:
    from domain.rulebooks import rulebook_for_year
    from domain.text import fold
    from ledger.config import settings_from_environ
    from services import commands as c
    from services.app import Kiemdiem
    from services.demo_province import IMPORT_COLUMNS
    from services.demo_province_plan import plan_province
    from services.member_import import MAX_ROWS, import_members
    from services.setup import initialise

    store.mkdir(parents=True)
    _environment(store)
    settings = settings_from_environ()
    initialise(settings, **STORE_OWNER)
    services = Kiemdiem(settings)
    admin = services.authenticate("admin", ADMIN_PASSWORD)
    assert admin is not None
    plan = plan_province(members, 7)

    def found(code: str, name: str, kind: str, parent: Any) -> None:
        command = c.FoundOrganisation(admin.actor, code, name, kind, parent)
        services.handle(command, admin.signer)

    found(plan.province.code, plan.province.name, plan.province.kind, None)
    for level in plan.levels:
        if level is not plan.province:
            found(level.code, level.name, level.kind, plan.province.org_id)
        found(level.btv_code, level.btv_name, "leadership_collective", level.org_id)
        for cell in level.cells:
            found(cell.code, cell.name, "cell", level.org_id)
    rows = [
        (
            m.name,
            m.card,
            m.birth.isoformat(),
            m.admitted.isoformat(),
            m.status,
            cell.code,
        )
        for cell in plan.cells
        for m in cell.members
    ]
    for start in range(0, len(rows), MAX_ROWS):  # the import's limit per file
        out = io.StringIO()
        sheet = csv.writer(out)
        sheet.writerow(IMPORT_COLUMNS)
        sheet.writerows(rows[start : start + MAX_ROWS])
        data = out.getvalue().encode()
        report = import_members(services, admin.signer, data, "p.csv", dry_run=False)
        assert not report.errors
    services.handle(
        c.OpenAccount(
            admin.actor,
            SECRETARY[0],
            "Thư ký Tỉnh ủy",
            ("secretary",),
            SECRETARY[1],
            org_id=plan.province.org_id,
        ),
        admin.signer,
    )
    services.projections.catch_up()
    services.close()
    rulebook_id = rulebook_for_year(2025).id
    cells = [str(cell.org_id) for cell in plan.cells]
    views = store / "k.views"
    with sqlite3.connect(views / "search.sqlite") as db:
        db.execute("ATTACH DATABASE ? AS ratings", (str(views / "ratings.sqlite"),))
        db.execute("ATTACH DATABASE ? AS votes", (str(views / "vote_results.sqlite"),))
        for n in range(max(CYCLES, VOTES)):
            org, name, title = cells[n % len(cells)], f"Chi bộ {n:05d}", f"Phiếu {n}"
            cycle, vote = (str(uuid.uuid5(uuid.NAMESPACE_URL, f"{k}{n}")) for k in "cv")
            for kind, ident, shown in (("cycle", cycle, name), ("vote", vote, title)):
                db.execute(
                    "INSERT INTO search_entries (kind, entity_id, display, code, "
                    "org_id, sort_key, folded, private) "
                    "VALUES (?, ?, ?, '', ?, ?, '', '')",
                    (kind, ident, shown, org, fold(shown)),
                )
            db.execute(
                "INSERT INTO ratings.ratings_cycles (cycle_id, org_id, org_name, year, "
                "period, rulebook_id, reference_date, deadlines, options, closed, "
                "opened_at) VALUES (?, ?, ?, 2025, 'annual', ?, '2025-12-31', "
                "'{}', '{}', 0, 1)",
                (cycle, org, name, rulebook_id),
            )
            db.execute(
                "INSERT INTO votes.vote_results_votes (vote_id, org_id, code, "
                "organisation, title, vote_year, conference_date, mode, state, "
                "leaders, trustees, threshold, convened, ballots, partials, "
                "ceremony_runs, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 2025, "
                "'2025-12-10', 'A', 'CREATED', 1, 3, 2, 9, 0, 0, 0, 1, 1)",
                (vote, org, f"v{n}", name, title),
            )


def measure(store: Path, samples: int) -> None:
    _environment(store)
    from web import create_app, shutdown

    app = create_app({"TESTING": True, "SECRET_KEY": "bench-" + "x" * 40})
    try:
        for role, paths in PAGES.items():
            client = app.test_client()
            page = client.get("/auth/login").get_data(as_text=True)
            token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
            assert token is not None
            user, password = (
                SECRETARY if role == "secretary" else ("admin", ADMIN_PASSWORD)
            )
            data = {"username": user, "password": password, "csrf_token": token[1]}
            assert client.post("/auth/login", data=data).status_code == 302
            for path in paths:
                client.get(path)  # warm
                walls, cpus, size = [], [], 0
                for _ in range(samples):
                    w, t = time.perf_counter(), time.process_time()
                    answer = client.get(path)
                    cpus.append(time.process_time() - t)
                    walls.append(time.perf_counter() - w)
                    assert answer.status_code == 200, (path, answer.status_code)
                    size = len(answer.get_data())
                print(
                    f"{role:10} {path:12} {size / 1024:9.1f} KB  "
                    f"wall {statistics.median(walls) * 1000:8.1f} ms  "
                    f"cpu {statistics.median(cpus) * 1000:8.1f} ms"
                )
    finally:
        shutdown(app)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.bounded_forms")
    parser.add_argument("what", choices=("build", "measure"))
    parser.add_argument("store", type=Path)
    parser.add_argument("--members", type=int, default=5_000)
    parser.add_argument("--samples", type=int, default=5)
    args = parser.parse_args()
    if args.what == "build":
        build(args.store, args.members)
    else:
        measure(args.store, args.samples)


if __name__ == "__main__":
    main()
