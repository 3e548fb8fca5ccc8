"""Rebuild rate: every view rebuilt from scratch, on member enrolments and on a
generated province's mix (organisations, members, accounts, a whole cycle of
reviews and ratings), in events per second and in CPU microseconds per event
(the stable figure on a shared machine), beside the same run's floor (reading
and decoding the log without a view); the enrolments also with the views
shared out between two processes (``projections.rebuild``; their CPU summed);
and the rebuild's peak memory at N and at N/4 events (flat: the log is read in
pages, each applied and committed before the next; measured in one process, as
each process of a shared-out rebuild reads its share the same way)."""

from __future__ import annotations

import os
import resource
import secrets
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from uuid import uuid4

from bench.workload import store
from domain.members import MemberFacts, MembershipStatus, PartyMember
from domain.organisations import OrganisationKind, ParentFacts
from ledger.app import LedgerApplication
from ledger.config import settings_from_environ
from ledger.signing import signing_as
from projections.catalogue import default_read_models
from projections.rebuild import REBUILD_PAGE
from projections.runtime import ProjectionRuntime
from services.demo_province_plan import MIN_MEMBERS

BATCH = 500
DEMO_PASSWORD = secrets.token_urlsafe(16)  # a throwaway administrator


def populate(ledger: LedgerApplication, signer: Any, n: int) -> None:
    cell = ParentFacts(uuid4(), OrganisationKind.CELL)
    facts = MemberFacts(
        full_name="Nguyễn Thị Hương",
        party_card_no="DV00000001",
        birth_date=date(1980, 1, 1),
        admission_date=date(2005, 1, 1),
        status=MembershipStatus.FULL,
    )
    with signing_as(signer):
        for start in range(0, n, BATCH):
            ledger.save(
                *[
                    PartyMember.enrol(
                        member_id=uuid4(),
                        facts=facts,
                        cell=cell,
                        today=date(2025, 1, 1),
                        enrolled_by=signer.actor,
                    )
                    for _ in range(min(BATCH, n - start))
                ]
            )


def peak_mib(work: Callable[[], object]) -> float:
    """Peak Python heap growth while ``work`` runs, in MiB (tracemalloc)."""
    tracemalloc.start()
    try:
        work()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 2**20


def measure(scale: float, timed: Any, row: Any) -> list[Any]:
    n = int(50_000 * scale)
    quarter = n // 4
    # Both sizes several pages long (the default page, 5,000, unless the bench is
    # scaled down): the peak is one page's worth, whatever the number of events.
    page = min(REBUILD_PAGE, max(50, quarter // 4))
    with store("sqlite") as s:
        ledger = LedgerApplication(s.settings, s.trust_root)
        try:
            populate(ledger, s.signer, quarter)
            runtime = ProjectionRuntime(ledger, default_read_models())
            try:
                small = peak_mib(lambda: runtime.rebuild(page_size=page, processes=1))
                populate(ledger, s.signer, n - quarter)
                alone = Rates.of(ledger, lambda: runtime.rebuild(processes=1), timed)
                shared = Rates.of(ledger, lambda: runtime.rebuild(processes=2), timed)
                large = peak_mib(lambda: runtime.rebuild(page_size=page, processes=1))
            finally:
                runtime.close()
        finally:
            ledger.close()
    members = max(MIN_MEMBERS, int(PROVINCE_MEMBERS * scale))
    province, floor = _province_rebuild(members, timed)
    return [
        row(
            f"sqlite: rebuild every view, {n:,} enrolments (ev/s)",
            alone.per_second,
            "ev/s",
            None,
            TARGET,
        ),
        row(
            f"sqlite: rebuild, {n:,} enrolments, CPU µs per event",
            alone.cpu_us,
            "µs",
            None,
            1e6 / TARGET,
            True,
        ),
        row(
            f"sqlite: rebuild, {n:,} enrolments, views in 2 processes",
            shared.per_second,
            "ev/s",
            None,
            TARGET,
        ),
        row(
            "sqlite: rebuild, 2 processes, CPU µs per event (both)",
            shared.cpu_us,
            "µs",
            None,
            1e6 / TARGET,
            True,
        ),
        row(
            f"sqlite: rebuild, province {members} ({province.events:,} ev) (ev/s)",
            province.per_second,
            "ev/s",
            None,
            TARGET,
        ),
        row(
            "sqlite: rebuild, province mix, CPU µs per event",
            province.cpu_us,
            "µs",
            None,
            1e6 / TARGET,
            True,
        ),
        row(
            "sqlite: province: rebuild vs read+decode the log (ev/s)",
            province.per_second,
            "ev/s",
            floor.per_second,
            None,
        ),
        row(
            f"sqlite: rebuild peak heap, MiB, {n:,} vs {quarter:,} ev (page {page:,})",
            large,
            "MiB",
            small,
            1.25,
            True,
        ),
    ]


TARGET = 50_000  # events per second (issue 14, deliverable 5)
PROVINCE_MEMBERS = 400  # the generated province of the realistic mix (scaled)
REPEATS = 3  # rebuilds of the province per measure


@dataclass(frozen=True)
class Rates:
    """Events per second (wall clock) and CPU microseconds per event of one
    measure: on a shared machine the CPU figure is the stable one."""

    events: int
    per_second: float
    cpu_us: float

    @classmethod
    def of(
        cls, ledger: LedgerApplication, work: Callable[[], object], timed: Any
    ) -> Rates:
        events = ledger.max_notification_id()
        cpu = _cpu_seconds()

        def run() -> int:
            work()
            return events

        per_second = timed(run)
        return cls(events, per_second, (_cpu_seconds() - cpu) / events * 1e6)


def _cpu_seconds() -> float:
    """This process's CPU time and that of its ended children (a rebuild's
    other process, ``projections.rebuild_process``)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def _province_rebuild(members: int, timed: Any) -> tuple[Rates, Rates]:
    """A generated province (``kiemdiem demo --province``: organisations,
    members, accounts, a whole cycle of reviews and three-step ratings), built
    through the services; every view rebuilt ``REPEATS`` times, and as the same
    run's floor, the log read and decoded ``REPEATS`` times without a view."""
    from services.app import Kiemdiem
    from services.demo_province import generate_province
    from services.setup import initialise

    os.environ.setdefault("KIEMDIEM_ARGON2_MEMORY_KIB", "1024")
    with tempfile.TemporaryDirectory() as tmp:
        environ = {
            **{k: v for k, v in os.environ.items() if k.startswith("KIEMDIEM_")},
            "KIEMDIEM_INSTANCE_DIR": str(Path(tmp) / "instance"),
            "KIEMDIEM_PROJECTIONS": "worker",
        }
        # A throwaway store of its own: its log key's passphrase is generated
        # beside the key (``demo``), whatever this shell's deployment uses.
        for name in (
            "KIEMDIEM_TRUST_ROOT",
            "KIEMDIEM_LOG_KEY_FILE",
            "KIEMDIEM_LOG_KEY_PASSPHRASE",
            "KIEMDIEM_LOG_KEY_PASSPHRASE_FILE",
        ):
            environ.pop(name, None)
        settings = settings_from_environ(environ, f"sqlite:///{tmp}/province.db")
        initialise(
            settings,
            origin="kiemdiem.bench/rebuild",
            admin_username="admin",
            admin_full_name="Quản trị hệ thống",
            admin_password=DEMO_PASSWORD,
            demo=True,
        )
        services = Kiemdiem(settings)
        try:
            admin = services.authenticate("admin", DEMO_PASSWORD)
            if admin is None:
                raise RuntimeError("the bench's administrator cannot sign in")
            generate_province(services, admin.signer, members)
            services.projections.catch_up()
            ledger = services.ledger

            def rebuilds() -> None:
                for _ in range(REPEATS):
                    services.projections.rebuild()

            def reads() -> None:
                for _ in range(REPEATS):
                    _read_and_decode(ledger)

            rebuilt = Rates.of(ledger, rebuilds, timed)
            floor = Rates.of(ledger, reads, timed)
            return (
                _per_pass(rebuilt, REPEATS),
                _per_pass(floor, REPEATS),
            )
        finally:
            services.close()


def _per_pass(rates: Rates, repeats: int) -> Rates:
    return Rates(rates.events, rates.per_second * repeats, rates.cpu_us / repeats)


def _read_and_decode(ledger: LedgerApplication) -> None:
    """What every rebuild pays before any view: the log read in pages and each
    event decoded once."""
    start = 0
    while True:
        page = ledger.recorder.select_notifications(
            start, limit=REBUILD_PAGE, inclusive_of_start=False
        )
        if not page:
            return
        for notification in page:
            ledger.decode(notification)
        start = page[-1].id
