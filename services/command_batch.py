"""Many commands, one commit (lô lệnh): the unit of work's batch mode.

Inside ``with services.uow.batch():`` every command still runs its handler in
full (its rules, its permission checks, its refusals), but its events are kept
and written with the batch's other commands in one transaction of the ledger
(``LedgerApplication.save_batch``), each command's events signed by that
command's own signer and chained in their streams. A bulk build then pays one
commit, one key check per signer and one round of post-commit work per batch
instead of per command.

What a command in a batch sees:

- the aggregates the batch's earlier commands changed, as they changed them
  (``get``, ``read`` and ``exists`` answer from the batch first);
- every other aggregate as stored when the batch first loaded it, until the
  next flush (the batch holds what it loaded; the flush lets it go);
- the views as of the last catch-up: a batch's events reach the views after its
  flush;
- what :meth:`CommandBatch.remember` derived (a rating subject's facts) as
  first derived in the batch, until the flush, unless an accepted command's
  events (or a refused command's restoring) touch a stream it read: the views
  it read can't change with the batch's own events before the flush, and
  every aggregate it read is watched.

A refused command leaves the batch as it was: the aggregates it took to change
are rebuilt from the store and the batch's earlier events. A conflict at the
flush (another process wrote one of the batch's streams) re-runs the batch's
commands on fresh aggregates, up to three times; if a command is then refused,
nothing of the batch is written and the refusal is raised. A command whose
events register or revoke a key is flushed at once, so a later command signs
with the key registry current; handlers that act after their commit (storing
credentials, answering a notification id) run alone (``UnitOfWork.commit(...,
alone=True)``): the batch is flushed first.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import RecordConflictError
from eventsourcing.utils import get_topic

from ledger.app import LedgerApplication
from ledger.errors import KeyNotValidError
from ledger.keyring import KEY_TOPICS
from ledger.signing import Signer
from services.errors import ConflictError, KeyRevokedError
from services.vault import UnlockedKeys

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
DEFAULT_SIZE = 200
Work = Callable[[], Sequence[Aggregate]]
T = TypeVar("T")


@dataclass
class _Part:
    """One accepted command: its signer, its events, and its work to re-run."""

    signer: Signer
    events: list[Any]
    work: Work


@dataclass
class _Held:
    """An aggregate the batch holds: ``own`` is a private copy the batch may
    change; otherwise it is the library's cached object, only to read."""

    aggregate: Aggregate
    own: bool


@dataclass
class _Remembered:
    """A value :meth:`CommandBatch.remember` derived, and the aggregates (asked
    for, loaded or looked up) it was derived from."""

    value: Any
    reads: set[UUID] = field(default_factory=set)


class BatchHost(Protocol):
    """What a batch needs of the unit of work that opened it (the ledger and
    the keys unlocked for signing; a protocol, so the two modules import one
    way)."""

    ledger: LedgerApplication
    unlocked: UnlockedKeys


class CommandBatch:
    """The commands accepted since the last flush, and the aggregates they see."""

    def __init__(
        self,
        uow: BatchHost,
        *,
        size: int = DEFAULT_SIZE,
        after_flush: Callable[[int], None] | None = None,
    ) -> None:
        if size < 1:
            raise ValueError("a batch holds at least one command")
        self.uow = uow
        self.size = size
        self.after_flush = after_flush
        self.parts: list[_Part] = []
        self.held: dict[UUID, _Held] = {}
        self.taken: set[UUID] | None = None  # taken to change by the running command
        self.memo: dict[Hashable, _Remembered] = {}
        self.watching: list[set[UUID]] = []  # the reads of what is being derived
        self.fresh: list[Hashable] = []  # derived by the running command
        self.remembered = 0  # answers from the memo (a bench's figure)
        self.last = 0
        self.flushed_commands = 0
        self.flushes = 0

    # -- loading -----------------------------------------------------------------
    def get(self, aggregate_id: UUID) -> Aggregate:
        """The batch's own copy of the aggregate, to change."""
        self._watch(aggregate_id)
        held = self.held.get(aggregate_id)
        if held is None or not held.own:
            aggregate: Aggregate = self.uow.ledger.repository.get(aggregate_id)
            held = self.held[aggregate_id] = _Held(aggregate, own=True)
        if self.taken is not None:
            self.taken.add(aggregate_id)
        return held.aggregate

    def read(self, aggregate_id: UUID) -> Aggregate:
        """The aggregate as the batch sees it, only to read."""
        self._watch(aggregate_id)
        held = self.held.get(aggregate_id)
        if held is None:
            aggregate: Aggregate = self.uow.ledger.repository.get(
                aggregate_id, deepcopy_from_cache=False
            )
            held = self.held[aggregate_id] = _Held(aggregate, own=False)
        return held.aggregate

    def exists(self, aggregate_id: UUID) -> bool | None:
        """True when the batch holds it; None when the store must say."""
        self._watch(aggregate_id)
        return True if aggregate_id in self.held else None

    # -- derived values ----------------------------------------------------------------
    def remember(
        self,
        key: Hashable,
        derive: Callable[[], T],
        together: Callable[[], Mapping[Hashable, T]] | None = None,
    ) -> T:
        """``derive()``, once per batch: the value is kept until the flush and
        forgotten when the batch's events touch an aggregate it read (through
        :meth:`get`, :meth:`read` or :meth:`exists`). ``key`` names everything
        else it depends on; the views it reads hold still until the flush.
        ``together``: derives it with its neighbours (keyed alike, ``key`` among
        them) in one go, each remembered as if derived alone, from all it read."""
        found = self.memo.get(key)
        if found is not None:
            self.remembered += 1
            for outer in self.watching:  # an outer derivation read these too
                outer |= found.reads
            return found.value  # type: ignore[no-any-return]
        reads: set[UUID] = set()
        self.watching.append(reads)
        try:
            values = {key: derive()} if together is None else dict(together())
            if key not in values:
                values[key] = derive()
        finally:
            self.watching.pop()
        for outer in self.watching:
            outer |= reads
        for each, value in values.items():
            if each not in self.memo:
                self.memo[each] = _Remembered(value, reads)
                if self.taken is not None:
                    self.fresh.append(each)
        return values[key]

    def _watch(self, aggregate_id: UUID) -> None:
        for reads in self.watching:
            reads.add(aggregate_id)

    def _forget(self, touched: set[UUID]) -> None:
        """Forget what was derived from any of ``touched``."""
        if touched and self.memo:
            for key in [k for k, m in self.memo.items() if m.reads & touched]:
                del self.memo[key]

    # -- running a command -----------------------------------------------------------
    def run(self, signer: Signer, work: Work) -> int:
        """Run one command's work now; keep its events for the flush."""
        try:
            self.uow.ledger.mapper_.check_signer_key(signer, catch_up=False)
        except KeyNotValidError:
            self.uow.unlocked.drop_actor(signer.actor)
            raise KeyRevokedError("auth.key_not_valid") from None
        events = self._accept(signer, work)
        if events and (
            len(self.parts) >= self.size
            or any(get_topic(type(e)) in KEY_TOPICS for e in events)
        ):
            self.flush()
        return self.last

    def _accept(self, signer: Signer, work: Work) -> list[Any]:
        self.taken = set()
        self.fresh = []
        try:
            aggregates = work()
        except BaseException:
            # What the refused command derived may have read its changes.
            for key in self.fresh:
                self.memo.pop(key, None)
            self._restore(self.taken)
            raise
        finally:
            taken, self.taken = self.taken, None
        events: list[Any] = []
        for aggregate in aggregates:
            events.extend(aggregate.collect_events())
            self.held[aggregate.id] = _Held(aggregate, own=True)
        self._forget({e.originator_id for e in events})
        # Changed but not returned: dropped, as a command's own copy would be.
        returned = {a.id for a in aggregates}
        self._restore(
            {ident for ident in taken - returned if pending(self.held[ident].aggregate)}
        )
        if events:
            self.parts.append(_Part(signer, events, work))
        return events

    def _restore(self, idents: set[UUID]) -> None:
        """Rebuild the aggregates a refused command took: as stored, with the
        batch's accepted events applied."""
        for ident in idents:
            self.held.pop(ident, None)
            mine = [e for p in self.parts for e in p.events if e.originator_id == ident]
            if not mine:
                continue
            try:
                base: Any = self.uow.ledger.repository.get(ident)
            except AggregateNotFoundError:
                base = None
            for event in mine:
                base = event.mutate(base)
            self.held[ident] = _Held(base, own=True)

    # -- writing -----------------------------------------------------------------------
    def flush(self) -> int:
        """Write every accepted command in one transaction; then post-commit work."""
        if not self.parts:
            return self.last
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                recordings = self.uow.ledger.save_batch(
                    [(p.signer, p.events) for p in self.parts]
                )
            except RecordConflictError:
                log.info("batch conflict on attempt %s, re-running it", attempt)
                self._rerun()
                continue
            except KeyNotValidError:
                self._discard()
                raise KeyRevokedError("auth.key_not_valid") from None
            break
        else:
            self._discard()
            raise ConflictError("store.conflict")
        cache = self.uow.ledger.repository.cache
        changed = {e.originator_id for p in self.parts for e in p.events}
        for ident in changed:
            held = self.held.get(ident)
            if cache is not None and held is not None:
                cache.put(ident, held.aggregate)
        self.flushed_commands += len(self.parts)
        self.flushes += 1
        self._discard()
        self.last = max((r.notification.id for r in recordings), default=self.last)
        if self.after_flush is not None:
            self.after_flush(self.last)
        return self.last

    def _rerun(self) -> None:
        """After a conflict: every accepted command again, on fresh aggregates.
        A command refused now refuses the whole batch (nothing is written)."""
        parts, self.parts = self.parts, []
        self.held.clear()
        self.memo.clear()
        try:
            for part in parts:
                self._accept(part.signer, part.work)
        except BaseException:
            self._discard()
            raise

    def _discard(self) -> None:
        self.parts = []
        self.held.clear()
        self.memo.clear()


def pending(aggregate: Aggregate) -> bool:
    """Whether the aggregate holds events not yet collected (the library's
    public ``pending_events``; ``collect_events`` would take them away)."""
    return bool(aggregate.pending_events)
