"""What a command handler may use: the unit of work and the services that hold
state or gather facts (given by the application, ``services.app.Kiemdiem``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Protocol

from ledger.app import LedgerApplication
from ledger.integrator import Integrator
from projections.runtime import ProjectionRuntime
from services.audit import AuditService
from services.commendations import CommendationService
from services.ratings import RatingService
from services.remediation import RemediationService
from services.unit_of_work import UnitOfWork
from services.vault import UnlockedKeys, Vault
from services.votes import VoteService


class Services(Protocol):
    """The application as a handler sees it."""

    @property
    def uow(self) -> UnitOfWork: ...

    @property
    def ledger(self) -> LedgerApplication: ...

    @property
    def integrator(self) -> Integrator: ...

    @property
    def projections(self) -> ProjectionRuntime: ...

    @property
    def vault(self) -> Vault: ...

    @property
    def unlocked(self) -> UnlockedKeys: ...

    @property
    def today(self) -> Callable[[], date]: ...

    @property
    def ratings(self) -> RatingService: ...

    @property
    def remediation(self) -> RemediationService: ...

    @property
    def audit(self) -> AuditService: ...

    @property
    def votes(self) -> VoteService: ...

    @property
    def commendations(self) -> CommendationService: ...
