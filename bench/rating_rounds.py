"""A rating round of 38 subjects (issue 3 remainder): every self-rating, proposal
and decision replays the round, the cycle and the facts it reads.

The same workload runs twice on each backend in the same process: with the
library's aggregate cache off (``KIEMDIEM_AGGREGATE_CACHE=0``: every load replays
and re-checks the whole stream, the baseline) and on (the default: a cached
aggregate is fast-forwarded with its newer events only). Both stores are built
the same way; only the rating commands are timed.

``python -m bench.rating_rounds`` prints the two figures per backend;
``make bench`` includes them in its table.
"""

from __future__ import annotations

import os
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from bench.workload import PG, postgres_available
from ledger.config import settings_from_environ
from services import commands as c
from services import rating_commands as rc
from services.app import Kiemdiem
from services.setup import initialise

PASSWORD = "mat-khau-bench-0123"  # noqa: S105 - a throwaway bench store
SUBJECTS = 38
POINTS = {"c1": "9", "c2": "9", "c3": "9", "t1": "35", "t2": "20"}


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@contextmanager
def _services(backend: str, root: Path, cache: bool) -> Iterator[Kiemdiem]:
    env = {
        "KIEMDIEM_ARGON2_MEMORY_KIB": "1024",
        "KIEMDIEM_INSTANCE_DIR": str(root),
        "KIEMDIEM_AGGREGATE_CACHE": "1000" if cache else "0",
        "KIEMDIEM_PROJECTIONS": "inline",
    }
    schema = None
    if backend == "sqlite":
        url = f"sqlite:///{root}/k.db"
    else:
        schema = f"bench_{uuid.uuid4().hex[:12]}"
        url = f"postgresql://postgres@127.0.0.1:5432/test?schema={schema}"
    with _environment(env):
        settings = settings_from_environ(database_url=url)
        initialise(
            settings,
            origin="kiemdiem.bench/rounds",
            admin_username="admin",
            admin_full_name="Quản trị",
            admin_password=PASSWORD,
            demo=True,  # the generated log key passphrase beside the key
        )
        services = Kiemdiem(settings)
        try:
            yield services
        finally:
            services.close()
            if schema is not None:
                import psycopg

                with psycopg.connect(PG, autocommit=True) as conn:
                    conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def _round(services: Kiemdiem, subjects: int) -> tuple[int, float]:
    """Build the round, then time rating every subject: (commands, seconds)."""
    admin = services.authenticate("admin", PASSWORD)
    assert admin is not None

    def found(code: str, name: str, kind: str, parent: Any = None) -> Any:
        command = c.FoundOrganisation(admin.actor, code, name, kind, parent)
        return services.handle(command, admin.signer)

    province = found("tinh", "Tỉnh ủy", "provincial_committee")
    district = found("huyen", "Huyện ủy", "district_committee", province)
    commune = found("xa", "Đảng ủy xã", "grassroots_committee", district)
    cell = found("thon", "Chi bộ thôn", "cell", commune)
    members = [
        services.handle(
            c.EnrolMember(
                admin.actor,
                f"Đảng viên {i:02d}",
                f"DV{i:06d}",
                date(1980, 1, 1),
                date(2010, 1, 1),
                "full",
                cell,
            ),
            admin.signer,
        )
        for i in range(subjects)
    ]
    for username, role in (("thuky", "secretary"), ("captuy", "decision_maker")):
        services.handle(
            c.OpenAccount(
                admin.actor, username, username, (role,), PASSWORD, org_id=province
            ),
            admin.signer,
        )
    sec = services.authenticate("thuky", PASSWORD)
    dm = services.authenticate("captuy", PASSWORD)
    assert sec is not None
    assert dm is not None
    run = services.handle
    cycle = run(rc.OpenCycle(sec.actor, district, 2025), sec.signer)
    rnd = run(rc.OpenRound(dm.actor, cycle, commune), dm.signer)
    keys = [f"m:{m}" for m in members]
    run(rc.DefinePeerGroup(sec.actor, rnd, "dv", "Đảng viên", tuple(keys)), sec.signer)
    commands = 0
    start = time.perf_counter()
    for key in keys:
        run(
            rc.SelfRate(sec.actor, rnd, key, "HTTNV", 10, 10, points=POINTS),
            sec.signer,
        )
        run(rc.ProposeRating(sec.actor, rnd, key, "HTTNV"), sec.signer)
        run(
            rc.DecideRating(dm.actor, rnd, key, "HTTNV", "15-QĐ", date(2025, 12, 20)),
            dm.signer,
        )
        commands += 3
    return commands, time.perf_counter() - start


def rates(backend: str, scale: float) -> tuple[float, float]:
    """Commands per second of the round without and with the aggregate cache."""
    subjects = max(4, int(SUBJECTS * scale))
    found: dict[bool, float] = {}
    for cache in (False, True):
        with (
            tempfile.TemporaryDirectory() as tmp,
            _services(backend, Path(tmp), cache) as services,
        ):
            commands, seconds = _round(services, subjects)
            found[cache] = commands / seconds
    return found[False], found[True]


def measure(scale: float, timed: Any, row: Any) -> list[Any]:
    del timed  # the round times its own commands (the set-up is not timed)
    rows = []
    backends = ["sqlite"] + (["postgres"] if postgres_available() else [])
    for backend in backends:
        uncached, cached = rates(backend, scale)
        rows.append(
            row(
                f"{backend}: rating round, {SUBJECTS} subjects, cached (cmd/s)",
                cached,
                "cmd/s",
                uncached,
                None,
            )
        )
    return rows


if __name__ == "__main__":
    import sys

    scale = float(os.environ.get("KIEMDIEM_BENCH_SCALE") or 1)
    for backend in ["sqlite"] + (["postgres"] if postgres_available() else []):
        uncached, cached = rates(backend, scale)
        sys.stdout.write(
            f"{backend}: {uncached:.1f} cmd/s without the aggregate cache, "
            f"{cached:.1f} cmd/s with it ({cached / uncached:.2f}x)\n"
        )
