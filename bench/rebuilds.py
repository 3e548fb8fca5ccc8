"""Rebuild rate: every view rebuilt from scratch over a store of member events."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import uuid4

from bench.workload import store
from domain.members import MemberFacts, MembershipStatus, PartyMember
from domain.organisations import OrganisationKind, ParentFacts
from ledger.app import LedgerApplication
from ledger.signing import signing_as
from projections.catalogue import default_read_models
from projections.runtime import ProjectionRuntime

BATCH = 500


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


def measure(scale: float, timed: Any, row: Any) -> list[Any]:
    n = int(50_000 * scale)
    with store("sqlite") as s:
        ledger = LedgerApplication(s.settings, s.trust_root)
        try:
            populate(ledger, s.signer, n)
            runtime = ProjectionRuntime(ledger, default_read_models())
            try:
                rate = timed(lambda: _rebuild(runtime, ledger))
            finally:
                runtime.close()
        finally:
            ledger.close()
    return [
        row(
            "sqlite: rebuild every view from scratch (ev/s)", rate, "ev/s", None, 50_000
        )
    ]


def _rebuild(runtime: ProjectionRuntime, ledger: LedgerApplication) -> int:
    runtime.rebuild()
    return ledger.max_notification_id()
