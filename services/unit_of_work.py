"""The unit of work (đơn vị công việc): how every command handler loads
aggregates, checks who may act and where, and saves what it changed in one
signed transaction (architecture.md §3).

Handlers and services use only this public surface; nobody reaches into another
object's private helpers to load or save."""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from typing import TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import RecordConflictError

from domain import permissions
from domain.accounts import UserAccount
from domain.errors import DomainError
from domain.organisations import Organisation
from ledger.app import LedgerApplication
from ledger.errors import KeyNotValidError
from ledger.signing import Signer, signing_as
from services.command_batch import DEFAULT_SIZE, CommandBatch
from services.errors import ConflictError, KeyRevokedError, NotFoundError
from services.vault import UnlockedKeys

log = logging.getLogger(__name__)
A = TypeVar("A", bound=Aggregate)
T = TypeVar("T")
MAX_ATTEMPTS = 3
MAX_TREE_DEPTH = 32
# The batch a thread (or task) is running, if any: a batch is its opener's alone.
_running: ContextVar[CommandBatch | None] = ContextVar("kiemdiem_batch", default=None)


class UnitOfWork:
    """Load, authorise and commit on one ledger, signed by the acting user."""

    def __init__(
        self,
        ledger: LedgerApplication,
        unlocked: UnlockedKeys,
        *,
        clock: Callable[[], date],
        after_write: Callable[[int], None],
    ) -> None:
        self.ledger = ledger
        self.unlocked = unlocked
        self._clock = clock
        self._after_write = after_write

    def today(self) -> date:
        """The service's clock (a test may set the application's ``today``)."""
        return self._clock()

    # -- many commands, one commit ---------------------------------------------------
    @contextmanager
    def batch(
        self, *, size: int = DEFAULT_SIZE, post_commit: bool = True
    ) -> Iterator[CommandBatch]:
        """Commands sent in this block are written ``size`` at a time, each
        transaction holding many commands, every event signed by its own
        command's signer (:mod:`services.command_batch`). Leaving the block
        writes what is left; an error leaves the unwritten commands unwritten.
        ``post_commit``: after each write, the post-commit work (integration,
        views, checkpoint) as after a command; False leaves it to the caller's
        next catch-up (``Kiemdiem.work_once``) or to a running worker."""
        if self._batch() is not None:
            raise RuntimeError("a batch is already open")
        batch = CommandBatch(
            self, size=size, after_flush=self._after_write if post_commit else None
        )
        token = _running.set(batch)
        try:
            yield batch
            batch.flush()
        finally:
            _running.reset(token)

    def remembered(
        self,
        key: Hashable,
        derive: Callable[[], T],
        *,
        together: Callable[[], Mapping[Hashable, T]] | None = None,
    ) -> T:
        """``derive()``; in a batch, once per batch while nothing it read
        changes (:meth:`CommandBatch.remember`): a subject's facts are gathered
        once for its three rating steps, and with ``together`` its neighbours'
        alongside (what the views say of a chi bộ's members, in one query each).
        Alone, every command derives afresh, and only its own."""
        batch = self._batch()
        if batch is None:
            return derive()
        return batch.remember(key, derive, together)

    def _batch(self) -> CommandBatch | None:
        batch = _running.get()
        return batch if batch is not None and batch.uow is self else None

    # -- loading -------------------------------------------------------------------
    def get(self, cls: type[A], aggregate_id: UUID, code: str) -> A:
        """An aggregate to change and save (a private copy of the cached one)."""
        batch = self._batch()
        try:
            aggregate: Aggregate = (
                batch.get(aggregate_id)
                if batch is not None
                else self.ledger.repository.get(aggregate_id)
            )
        except AggregateNotFoundError:
            raise NotFoundError(code, id=str(aggregate_id)) from None
        if not isinstance(aggregate, cls):
            raise NotFoundError(code, id=str(aggregate_id))
        return aggregate

    def read(self, cls: type[A], aggregate_id: UUID, code: str) -> A:
        """An aggregate to read, never to change or save: with the aggregate cache
        on, the cached object itself (fast-forwarded), without the deep copy a
        command's own aggregates get."""
        batch = self._batch()
        try:
            aggregate: Aggregate = (
                batch.read(aggregate_id)
                if batch is not None
                else self.ledger.repository.get(aggregate_id, deepcopy_from_cache=False)
            )
        except AggregateNotFoundError:
            raise NotFoundError(code, id=str(aggregate_id)) from None
        if not isinstance(aggregate, cls):
            raise NotFoundError(code, id=str(aggregate_id))
        return aggregate

    def exists(self, aggregate_id: UUID) -> bool:
        batch = self._batch()
        if batch is not None and batch.exists(aggregate_id):
            return True
        return bool(self.ledger.recorder.select_events(aggregate_id, limit=1))

    def find(
        self, cls: type[A], aggregate_id: UUID, code: str, *, read: bool = False
    ) -> A | None:
        """The aggregate if it was ever stored, else None; ``read``: only to read."""
        if not self.exists(aggregate_id):
            return None
        if read:
            return self.read(cls, aggregate_id, code)
        return self.get(cls, aggregate_id, code)

    # -- who may act -----------------------------------------------------------------
    def actor_account(self, actor: str) -> UserAccount:
        """The enabled account of a person (``u:…``) acting."""
        if not actor.startswith("u:"):
            raise DomainError("auth.forbidden", action="person_only")
        account = self.read(UserAccount, UUID(actor[2:]), "account.not_found")
        if account.disabled:
            raise DomainError("account.disabled")
        return account

    def authorise(
        self, actor: str, action: str, org_id: UUID | str | None = None
    ) -> UserAccount:
        """The role may ``action``; with ``org_id``, that organisation is the
        account's own or below it (phạm vi). An account with no organisation has
        no scoped right; an administrator keeps everything."""
        account = self.actor_account(actor)
        permissions.require(account.roles, action)
        if org_id is not None:
            self.check_scope(account, action, org_id)
        return account

    def check_scope(
        self, account: UserAccount, action: str, org_id: UUID | str
    ) -> None:
        """Refuse ``auth.out_of_scope`` unless the domain's reach for ``action``
        (``domain.permissions.require_act``) lets the account act on ``org_id``:
        in its branch (a leadership collective works for its committee's), no
        organisation no scoped right, the administrator everywhere."""
        permissions.require_act(
            self.viewer(account), action, self.path(UUID(str(org_id)))
        )

    def viewer(self, account: UserAccount) -> permissions.Viewer:
        """The account as the scope rules see it (người thực hiện)."""
        branch: UUID | None = None
        ended = False
        if account.org_id is not None:
            try:
                org = self.read(Organisation, account.org_id, "org.not_found")
            except NotFoundError:
                branch = None
            else:
                branch = permissions.branch_root(org.id, org.kind, org.parent_id)
                ended = permissions.office_ended(
                    org.dissolved, org.last_effective_on, self.today()
                )
        return permissions.Viewer(
            roles=frozenset(account.roles),
            org_id=branch,
            member_id=account.member_id,
            office_ended=ended,
        )

    def path(self, org_id: UUID) -> tuple[UUID, ...]:
        """The organisations from the root of the tree down to ``org_id``.

        The one place the command side looks the tree up. It walks the stored
        organisations' parents (a parent never changes; each is read from the
        aggregate cache), so a cell founded a moment ago is in scope even before
        the views have caught up; an organisation never stored has no path."""
        chain: list[UUID] = []
        current: UUID | None = org_id
        for _ in range(MAX_TREE_DEPTH):
            if current is None:
                break
            try:
                parent = self.read(Organisation, current, "org.not_found").parent_id
            except NotFoundError:
                return ()
            chain.append(current)
            current = parent
        return tuple(reversed(chain))

    def in_scope(self, root: UUID, org_id: UUID) -> bool:
        """Whether ``org_id`` is ``root`` or below it."""
        return root in self.path(org_id)

    # -- saving ----------------------------------------------------------------------
    def commit(
        self,
        signer: Signer,
        work: Callable[[], Sequence[Aggregate]],
        *,
        alone: bool = False,
    ) -> int:
        """Run ``work`` and save what it returns in one transaction, signed.

        A concurrent write to the same stream re-runs the whole command (which
        re-checks every rule) up to three times before giving up with 409.
        ``work`` loads as of the log's tip when it first loads: a cached aggregate
        is fast-forwarded only if the log has moved (``ledger.app.TipRepository``).

        In a batch (:meth:`batch`) the events are kept for the batch's next write
        and the last notification id written so far is returned; ``alone``: a
        command that acts after its commit (or needs its notification id) first
        writes the batch, then commits by itself.
        """
        batch = self._batch()
        if batch is not None:
            if not alone:
                return batch.run(signer, work)
            batch.flush()
            token = _running.set(None)
            try:
                return self.commit(signer, work)
            finally:
                _running.reset(token)
        for attempt in range(1, MAX_ATTEMPTS + 1):
            with signing_as(signer):
                with self.ledger.reads_at_tip():
                    aggregates = work()
                try:
                    recordings = self.ledger.save(*aggregates)
                except RecordConflictError:
                    log.info("conflict on attempt %s, retrying", attempt)
                    continue
                except KeyNotValidError:
                    self.unlocked.drop_actor(signer.actor)
                    raise KeyRevokedError("auth.key_not_valid") from None
            last = max((r.notification.id for r in recordings), default=0)
            self._after_write(last)
            return last
        raise ConflictError("store.conflict")
