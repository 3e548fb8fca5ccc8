"""Rebuild rate: every view rebuilt from scratch, on member enrolments and on the
demo province's mix; and the rebuild's peak memory at N and at N/4 events (flat:
the log is read in pages, each applied and committed before the next)."""

from __future__ import annotations

import os
import secrets
import tempfile
import tracemalloc
from collections.abc import Callable
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
                small = peak_mib(lambda: runtime.rebuild(page_size=page))
                populate(ledger, s.signer, n - quarter)
                rate = timed(lambda: _rebuild(runtime, ledger))
                large = peak_mib(lambda: runtime.rebuild(page_size=page))
            finally:
                runtime.close()
        finally:
            ledger.close()
    demo_events, demo_rate = _demo_rebuild(timed)
    return [
        row(
            f"sqlite: rebuild every view, {n:,} member enrolments (ev/s)",
            rate,
            "ev/s",
            None,
            50_000,
        ),
        row(
            f"sqlite: rebuild every view, demo province mix ({demo_events} ev) (ev/s)",
            demo_rate,
            "ev/s",
            None,
            50_000,
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


def _rebuild(runtime: ProjectionRuntime, ledger: LedgerApplication) -> int:
    runtime.rebuild()
    return ledger.max_notification_id()


def _demo_rebuild(timed: Any) -> tuple[int, float]:
    """The demo province (every event kind: organisations, members, accounts, a
    cycle, reviews, ratings, remediation, a confidence vote), built through the
    services, then every view rebuilt five times."""
    from services.app import Kiemdiem
    from services.demo import load_demo
    from services.setup import initialise

    os.environ.setdefault("KIEMDIEM_ARGON2_MEMORY_KIB", "1024")
    with tempfile.TemporaryDirectory() as tmp:
        environ = {
            **{k: v for k, v in os.environ.items() if k.startswith("KIEMDIEM_")},
            "KIEMDIEM_INSTANCE_DIR": str(Path(tmp) / "instance"),
            "KIEMDIEM_PROJECTIONS": "inline",
        }
        environ.pop("KIEMDIEM_TRUST_ROOT", None)
        environ.pop("KIEMDIEM_LOG_KEY_FILE", None)
        settings = settings_from_environ(environ, f"sqlite:///{tmp}/demo.db")
        initialise(
            settings,
            origin="kiemdiem.bench/demo",
            admin_username="admin",
            admin_full_name="Quản trị hệ thống",
            admin_password=DEMO_PASSWORD,
        )
        services = Kiemdiem(settings)
        try:
            admin = services.authenticate("admin", DEMO_PASSWORD)
            if admin is None:
                raise RuntimeError("the bench's demo administrator cannot sign in")
            load_demo(services, admin.signer)
            events = services.ledger.max_notification_id()

            def five() -> int:
                for _ in range(5):
                    services.projections.rebuild()
                return 5 * events

            return events, timed(five)
        finally:
            services.close()
