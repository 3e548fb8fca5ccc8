"""The service layer: one entry point for every command (the bus), one
``save()`` per command, signed by the acting user's own key (architecture.md §3)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from domain.accounts import UserAccount
from ledger import keywrap, trustroot
from ledger.app import LedgerApplication
from ledger.config import Settings
from ledger.integrator import FilePublisher, Integrator, StoredCheckpoint
from ledger.note import NoteSigner
from ledger.signing import Signer
from projections import directory_reads, presence
from projections.catalogue import default_read_models
from projections.runtime import ProjectionRuntime
from services import bus, post_commit
from services import commands as c
from services.audit import AuditService
from services.commendations import CommendationService
from services.errors import SignatureRequiredError
from services.kept_results import KeptResults
from services.logkey import load_log_key
from services.queries import AccountRow, MemberRow, OrganisationRow, account_from_row
from services.ratings import RatingService
from services.remediation import RemediationService
from services.reports import ReportService
from services.unit_of_work import UnitOfWork
from services.vault import UnlockedKeys, Vault
from services.votes import VoteService

log = logging.getLogger(__name__)

# Inside Kiemdiem.views_after: the block's writes, brought to the views at its end.
_views_later: ContextVar[list[int] | None] = ContextVar(
    "kiemdiem_views_later", default=None
)


@dataclass(frozen=True)
class Session:
    """A signed-in user: who they are and their unlocked key."""

    account_id: UUID
    username: str
    full_name: str
    roles: tuple[str, ...]
    signer: Signer

    @property
    def actor(self) -> str:
        return self.signer.actor


def _today() -> date:
    return datetime.now(UTC).date()


class Kiemdiem:
    """The application: commands in, signed events out, views caught up."""

    def __init__(
        self,
        settings: Settings,
        trust_root: dict[str, Any] | None = None,
        *,
        today: Callable[[], date] = _today,
        log_signer: NoteSigner | None = None,
    ) -> None:
        self.settings = settings
        self.trust_root = trust_root or trustroot.load(settings.trust_root_path)
        self.ledger = LedgerApplication(settings, self.trust_root)
        self.integrator = Integrator(self.ledger)
        self.projections = ProjectionRuntime(self.ledger, default_read_models())
        # The heavy pages' figures, kept while the views they read stand still.
        self.kept = KeptResults(self.projections)
        self.vault = Vault(self.ledger.sql)
        self.unlocked = UnlockedKeys()
        self.today = today
        self._log_signer = log_signer
        self.uow = UnitOfWork(
            self.ledger,
            self.unlocked,
            clock=lambda: self.today(),
            after_write=lambda last: self.after_write(last),
        )
        # One of each per process: the vote service caches each vote's state
        # between ballots, the audit service keeps the pending reads.
        self.votes = VoteService(self)
        self.audit = AuditService(self)
        self.ratings = RatingService(self)
        self.remediation = RemediationService(self)
        self.reports = ReportService(self)
        self.commendations = CommendationService(self)

    def close(self) -> None:
        self.audit.close()
        self.projections.close()
        self.ledger.close()

    # -- plumbing ---------------------------------------------------------------
    @property
    def log_signer(self) -> NoteSigner:
        if self._log_signer is None:
            self._log_signer = load_log_key(self.settings)
        return self._log_signer

    @contextmanager
    def views_after(self) -> Iterator[None]:
        """The block's writes are brought to the views (read your own writes)
        as it ends, not as each commits: a page that read what it shows before
        its write (a member's file, then the signed record of that read)
        renders while the worker projects the write, and answers once the
        views show it, as before. Also when the block raises."""
        later: list[int] = []
        token = _views_later.set(later)
        try:
            yield
        finally:
            _views_later.reset(token)
            if later:
                self.after_write(max(later))

    def after_write(self, last_notification_id: int) -> None:
        """Embedded mode: integrate and project before answering, so the user sees
        their own write; issue a checkpoint when the policy says one is due.
        Worker mode: wait (bounded) for the worker to show the write, or bring
        the views there here when no worker runs.
        Never raises: the write is committed (services.post_commit).
        Inside :meth:`views_after`, left to the block's end."""
        later = _views_later.get()
        if later is not None:
            later.append(last_notification_id)
            return
        if self._no_worker_on_sqlite():
            self._views_to(last_notification_id)
            return
        post_commit.catch_up(self, last_notification_id)

    def _no_worker_on_sqlite(self) -> bool:
        """Worker mode on SQLite with no worker running: the views are this
        process's to bring up. Asked first because it is one ``flock`` on a file,
        where the worker's progress is a transaction on each of the view files
        (about half a command's CPU); with a worker running, the wait for it
        (``projections.read_your_writes``) reads that progress as before. On
        PostgreSQL one statement answers both (the worker's presence and the
        views' positions), so asking first would add a round trip."""
        if (
            self.settings.projections_mode == "inline"
            or self.settings.backend != "sqlite"
        ):
            return False
        try:
            return not presence.worker_present(self.ledger)
        except OSError:
            log.exception("could not tell whether a worker runs")
            return False

    def _views_to(self, last_notification_id: int) -> None:
        """The views brought to the write here (read your own writes), as
        ``projections.read_your_writes`` does when it finds no worker."""
        try:
            self.projections.catch_up_written(last_notification_id)
        except Exception:
            log.exception(
                "the write is committed, but the views could not be brought to it; "
                "the worker updates them"
            )

    def views_current(self) -> int | None:
        """Before a read in the embedded mode: catch the views up if they lag the
        log (services.post_commit.catch_up_on_read); the log's tip it read.
        Never raises."""
        return post_commit.catch_up_on_read(self)

    def work_once(self) -> None:
        """One round of the worker: integrate, project, checkpoint when due."""
        with self.integrator_lease() as leader:
            if leader:
                self.integrator.catch_up()
                post_commit.checkpoint_if_due(self)  # warns; never stops the worker
        self.projections.catch_up()

    def run_worker(
        self,
        poll_seconds: float,
        stop: threading.Event,
        started: Callable[[], None] = lambda: None,
    ) -> None:
        """``kiemdiem worker``'s loop until ``stop`` is set: hold the worker
        presence (web processes then wait for this worker after a command: read
        your own writes), and at each write (PostgreSQL: a commit's notice;
        SQLite: the file's change counter) or every ``poll_seconds`` bring the
        views first (a request is waiting for them, and hears the round's
        notice), then integrate and checkpoint (:meth:`work_once`)."""
        with self.projections.worker_presence() as present:
            started()
            while not stop.is_set():
                self.projections.announce(self.projections.catch_up())
                self.work_once()
                present.wait(poll_seconds, stop)

    def integrator_lease(self) -> AbstractContextManager[bool]:
        """Only one integrator may run: a PostgreSQL advisory lock (§6.2)."""
        return self.ledger.advisory_lock("kiemdiem-integrator")

    def issue_checkpoint(self) -> StoredCheckpoint:
        return self.integrator.issue_checkpoint(
            [self.log_signer], FilePublisher(self.settings.checkpoint_dir)
        )

    def signer_for(self, session_id: str) -> Signer:
        signer = self.unlocked.get(session_id)
        if signer is None:
            raise SignatureRequiredError("auth.signature_required")
        return signer

    # -- authentication ------------------------------------------------------------
    def authenticate(self, username: str, password: str) -> Session | None:
        """Check the password and unlock the user's signing key, or None."""
        user_id = self.vault.check_password(username.strip().lower(), password)
        if user_id is None:
            return None
        account = self.uow.get(UserAccount, UUID(user_id), "account.not_found")
        if account.disabled:
            return None
        try:
            signer = self.vault.unlock(user_id, account.actor, password)
        except keywrap.KeyUnwrapError:
            log.warning("password accepted but key did not unwrap for %s", user_id)
            return None
        return Session(
            account_id=account.id,
            username=account.username,
            full_name=account.full_name,
            roles=tuple(account.roles),
            signer=signer,
        )

    def account(self, account_id: UUID) -> UserAccount:
        """An account to read (the session check runs it on every request): with
        the aggregate cache on, the cached object itself, no deep copy. Never
        change it; a command loads its own copy through the unit of work."""
        return self.uow.read(UserAccount, account_id, "account.not_found")

    # -- read side (projections) ----------------------------------------------------
    def organisations(self) -> list[OrganisationRow]:
        """Every organisation in tree order (parents before children)."""
        rows = directory_reads.organisations_with_counts(self.projections)
        children: dict[str | None, list[dict[str, Any]]] = {}
        for row in rows:
            children.setdefault(row["parent_id"], []).append(row)
        ordered: list[OrganisationRow] = []

        def walk(parent: str | None, depth: int) -> None:
            for row in sorted(
                children.get(parent, []),
                key=lambda r: (KIND_ORDER.get(r["kind"], 9), r["name"]),
            ):
                ordered.append(_organisation_row(row, depth))
                walk(row["org_id"], depth + 1)

        walk(None, 0)
        return ordered

    def organisation(self, org_id: UUID) -> OrganisationRow | None:
        """One organisation; ``depth`` counted up its chain of parents."""
        row = directory_reads.organisation_with_count(self.projections, org_id)
        if row is None:
            return None
        depth, parent = 0, row["parent_id"]
        while parent is not None and depth < MAX_TREE_DEPTH:
            parent = directory_reads.parent_of(self.projections, parent)
            depth += 1
        return _organisation_row(row, depth)

    def members(self, cell_id: UUID | None = None) -> list[MemberRow]:
        rows = directory_reads.member_rows(self.projections, cell_id)
        return [_member_row(r) for r in rows]

    def member(self, member_id: UUID) -> MemberRow | None:
        row = directory_reads.member_row(self.projections, member_id)
        return _member_row(row) if row is not None else None

    def accounts(self) -> list[AccountRow]:
        rows = directory_reads.account_rows(self.projections)
        return [_account_row(r) for r in rows]

    def account_row(self, account_id: UUID) -> AccountRow | None:
        """One account by its primary key (the dashboard reads it on every hit, so
        it must not scan every account of a province)."""
        row = directory_reads.account_row(self.projections, account_id)
        return _account_row(row) if row is not None else None

    # -- commands ------------------------------------------------------------------
    def handle(self, command: c.Command, signer: Signer) -> Any:
        """The one entry point of every command: the bus (``services.bus``)."""
        return bus.handle(self, command, signer)


KIND_ORDER = {
    "provincial_committee": 0,
    "district_committee": 1,
    "grassroots_committee": 2,
    "partial_committee": 3,
    "leadership_collective": 4,
    "cell": 5,
}


MAX_TREE_DEPTH = 16


def _organisation_row(row: dict[str, Any], depth: int) -> OrganisationRow:
    return OrganisationRow(
        org_id=UUID(row["org_id"]),
        code=row["code"],
        name=row["name"],
        kind=row["kind"],
        parent_id=UUID(row["parent_id"]) if row["parent_id"] else None,
        dissolved=bool(row["dissolved"]),
        depth=depth,
        members=int(row["n"]),
    )


def _member_row(row: dict[str, Any]) -> MemberRow:
    return MemberRow(
        member_id=UUID(row["member_id"]),
        full_name=row["full_name"],
        party_card_no=row["party_card_no"],
        birth_date=date.fromisoformat(row["birth_date"]),
        admission_date=date.fromisoformat(row["admission_date"]),
        status=row["status"],
        cell_id=UUID(row["cell_id"]),
        cell_name=row["cell_name"],
    )


def _account_row(row: dict[str, Any]) -> AccountRow:
    return account_from_row(row)
