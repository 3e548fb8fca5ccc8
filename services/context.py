"""What the services built on the application may use of it (ngữ cảnh).

``RatingService``, ``RemediationService``, ``AuditService`` and the others are
given the application (``services.app.Kiemdiem``) typed as :class:`AppContext`:
this module names the public surface they rely on, so none of them imports
``services.app`` (which builds them) and no import circle forms."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, Protocol
from uuid import UUID

from domain.accounts import UserAccount
from domain.cycles import ReviewCycle
from domain.remediation import Carried
from domain.subjects import OrgNode
from ledger.app import LedgerApplication
from ledger.config import Settings
from ledger.integrator import Integrator, StoredCheckpoint
from ledger.signing import Signer
from projections.runtime import ProjectionRuntime
from services.commands import Command
from services.kept_results import KeptResults
from services.queries import AccountRow, MemberRow, OrganisationRow
from services.unit_of_work import UnitOfWork
from services.vault import Vault


class OrganisationTree(Protocol):
    """The ratings service as the other services read it."""

    def tree(self) -> dict[UUID, OrgNode]: ...

    def cycle(self, ident: UUID) -> ReviewCycle: ...


class RemediationCounts(Protocol):
    """The remediation service as the other services read it."""

    def carried(self, subject_key: str, year: int) -> Carried: ...

    def carried_of(
        self, subject_keys: Sequence[str], year: int
    ) -> dict[str, Carried]: ...

    def status_counts(
        self,
        org_id: UUID,
        year: int | None = None,
        today: date | None = None,
        soon_days: int = ...,
    ) -> dict[str, int]: ...


class AppContext(Protocol):
    """The application as the services built on it see it."""

    @property
    def settings(self) -> Settings: ...

    @property
    def trust_root(self) -> dict[str, Any]: ...

    @property
    def ledger(self) -> LedgerApplication: ...

    @property
    def integrator(self) -> Integrator: ...

    @property
    def projections(self) -> ProjectionRuntime: ...

    @property
    def kept(self) -> KeptResults: ...

    @property
    def vault(self) -> Vault: ...

    @property
    def uow(self) -> UnitOfWork: ...

    @property
    def today(self) -> Callable[[], date]: ...

    @property
    def ratings(self) -> OrganisationTree: ...

    @property
    def remediation(self) -> RemediationCounts: ...

    def organisations(self) -> list[OrganisationRow]: ...

    def organisation(self, org_id: UUID) -> OrganisationRow | None: ...

    def members(self, cell_id: UUID | None = None) -> list[MemberRow]: ...

    def accounts(self) -> list[AccountRow]: ...

    def account(self, account_id: UUID) -> UserAccount: ...

    def issue_checkpoint(self) -> StoredCheckpoint: ...

    def handle(self, command: Command, signer: Signer) -> Any: ...
