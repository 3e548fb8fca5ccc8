"""Catching up one view, the careful way: the pull loop of ledger.md §9.2.

A page of the notifications the view handles is read and decoded, applied, and
committed together with the view's tracking position (exactly once). A page is
applied as a rebuild's page is (:func:`apply_page`): its plain inserts deferred
and written per table, and what the model keeps for the end (``Tx.later``: the
ratings view's open-item refills) written once at the page's end by
``ReadModel.finish``. Any error in that rolls the page back and replays it event
by event, each written at once (no deferred row), so a handler error names its
event: the page is then replayed up to it (that prefix finished too), the view
stops just before it and is marked stale (``failed``); a transient error is kept
in memory and retried after ``stale_retry_seconds``. Nothing propagates: the
other views go on.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from eventsourcing.persistence import Notification

from ledger.mapper import LedgerEvent
from projections.read_model import ReadModel
from projections.sqlutil import Tx
from projections.view_state import ViewState, mark_ready, sql
from projections.view_storage import META_TABLE, UPSTREAM

if TYPE_CHECKING:
    from ledger.app import LedgerApplication

logger = logging.getLogger("kiemdiem.projections")

DEFAULT_PAGE = 500

ProgressCallback = Callable[[str, int, int], None]
"""``progress(model_name, position, stop)`` after each committed page."""


class _HandlerError(Exception):
    def __init__(self, index: int, cause: BaseException) -> None:
        super().__init__(index, cause)
        self.index = index
        self.cause = cause


class _PageFailed(Exception):
    """A page applied deferred failed somewhere (a deferred row's error surfaces
    at a later statement or the flush): replay it event by event."""


class _PositionMoved(Exception):
    """Another writer advanced the view since the page was read; re-read it."""


def apply_page(model: ReadModel, events: Sequence[LedgerEvent], tx: Tx) -> None:
    """Apply a page's events in the caller's transaction and write what the
    model left for the page's end (``finish``), then, on a deferred ``Tx``,
    the deferred rows: the rows of applying each event at once. With a deferred
    ``Tx`` an error may surface after its event; the caller then rolls back and
    replays the page without deferring (:meth:`CatchUp.commit`)."""
    apply = model.apply
    for event in events:
        apply(event, tx)
    model.finish(tx)
    tx.flush()


@dataclass(frozen=True)
class _Failure:
    notification: Notification
    error: BaseException
    stage: str  # "decode" or "handler"


class CatchUp:
    """Brings one view at a time to the tip of the log, page by page."""

    def __init__(
        self,
        app: LedgerApplication,
        *,
        page_size: int = DEFAULT_PAGE,
        stale_retry_seconds: float = 30.0,
        verify: bool = False,
    ) -> None:
        if page_size < 1:
            raise ValueError("page_size must be positive")
        self.app = app
        self.page_size = page_size
        self.stale_retry_seconds = stale_retry_seconds
        # Check every event's signature under its registered key (§9.3 --verify).
        self.verify = verify

    def one(
        self,
        state: ViewState,
        until: int | None,
        *,
        force: bool = False,
        progress: ProgressCallback | None = None,
        page_size: int | None = None,
    ) -> int:
        try:
            if until is not None:
                position = state.view.max_tracking_id(UPSTREAM) or 0
                if position >= until:
                    return position
            with state.lock:
                if (
                    not force
                    and (state.failed_at is not None or state.error is not None)
                    and time.monotonic() < state.retry_at
                ):
                    return state.view.max_tracking_id(UPSTREAM) or 0
                position = self._advance(state, until, progress, page_size)
                state.error = None
                state.known = max(state.known or 0, position)
                return position
        except Exception as exc:
            if _view_file_busy(exc):
                # Another process catches this view up at the same moment (the
                # build's worker beside a command's inline catch-up): it does
                # the work; nothing is lost, this one tries again later.
                logger.warning(
                    "view %s: another process holds its file's write lock; "
                    "caught up by that process or retried in %.0f s",
                    state.name,
                    self.stale_retry_seconds,
                )
            else:
                logger.exception("view %s: catch-up failed", state.name)
            state.error = f"{type(exc).__name__}: {exc}"
            state.retry_at = time.monotonic() + self.stale_retry_seconds
            try:
                return state.view.max_tracking_id(UPSTREAM) or 0
            except Exception:
                return 0

    def _advance(
        self,
        state: ViewState,
        until: int | None,
        progress: ProgressCallback | None,
        page_size: int | None,
    ) -> int:
        """The pull loop (§9.2); the caller holds the model's lock."""
        page = page_size or self.page_size
        while True:
            stop = self.app.max_notification_id()
            start = state.view.max_tracking_id(UPSTREAM) or 0
            if start > stop and not state.warned_ahead:
                state.warned_ahead = True
                logger.error(
                    "view %s is at position %d but the log ends at %d: the log was "
                    "truncated or restored from a backup; run `kiemdiem verify` "
                    "against a held checkpoint, then `kiemdiem rebuild`",
                    state.name,
                    start,
                    stop,
                )
            if start >= stop:
                if state.rebuilding:
                    mark_ready(state)
                return start
            try:
                position, failed = self._page(state, start, stop, page)
            except _PositionMoved:
                continue
            if progress is not None:
                progress(state.name, position, stop)
            if failed:
                return position

    def _page(
        self, state: ViewState, start: int, stop: int, page: int
    ) -> tuple[int, bool]:
        """Process the notifications in (start, stop], up to one page of handled
        ones; returns the new position and whether the view stopped on a failure."""
        if state.topics:
            notifications = list(
                self.app.recorder.select_notifications(
                    start,
                    limit=page,
                    stop=stop,
                    topics=state.topics,
                    inclusive_of_start=False,
                )
            )
            last = notifications[-1].id if len(notifications) == page else stop
        else:
            notifications, last = [], stop
        events: list[LedgerEvent] = []
        failure: _Failure | None = None
        for notification in notifications:
            try:
                events.append(self.decode(notification))
            except Exception as exc:
                failure = _Failure(notification, exc, "decode")
                break
        deferred = True
        while True:
            target = last if failure is None else failure.notification.id - 1
            try:
                self.commit(
                    state,
                    start,
                    events,
                    target,
                    failure,
                    reached=stop,
                    deferred=deferred,
                )
            except _PageFailed:
                logger.debug(
                    "view %s: page after %d rolled back; replaying it event by event",
                    state.name,
                    start,
                )
                deferred = False
                continue
            except _HandlerError as err:
                failed_event = events[err.index]
                failure = _Failure(notifications[err.index], err.cause, "handler")
                events = events[: err.index]
                logger.debug(
                    "view %s: page rolled back at %d; replaying up to it",
                    state.name,
                    failed_event.notification_id,
                )
                continue
            break
        position = max(start, target)
        if failure is not None:
            self._log_failure(state, failure, position)
            state.failed_at = failure.notification.id
            state.retry_at = time.monotonic() + self.stale_retry_seconds
            return position, True
        if state.failed_at is not None and position >= state.failed_at:
            logger.info("view %s: recovered past %d", state.name, state.failed_at)
            state.failed_at = None
        if state.rebuilding and position >= stop:
            state.rebuilding = False
        return position, False

    def decode(self, notification: Notification) -> LedgerEvent:
        if self.verify:
            # Checks the signature under the registered key (§9.3 --verify).
            self.app.mapper.to_domain_event(notification)
        return self.app.decode(notification)

    def commit(
        self,
        state: ViewState,
        start: int,
        events: Sequence[LedgerEvent],
        target: int,
        failure: _Failure | None,
        *,
        reached: int,
        deferred: bool = False,
    ) -> None:
        """Apply events and advance to ``target`` in one view transaction.

        ``deferred``: as :func:`apply_page` (any error: :class:`_PageFailed`);
        otherwise each event is written at once and a handler error is a
        :class:`_HandlerError` naming it. Either way the model's ``finish``
        runs once, after the events."""
        view = state.view
        with view.transaction(commit=True) as c:
            view.serialise(c, state.name)
            if view.position(c) != start:
                raise _PositionMoved
            tx = Tx(c, postgres=view.postgres, tables=state.tables, deferred=deferred)
            if deferred:
                try:
                    apply_page(state.model, events, tx)
                except Exception as exc:
                    raise _PageFailed from exc
            else:
                _apply_each(state.model, events, tx)
            if events:
                view.mark_changed(c, events[-1].notification_id)
            if target > start:
                view.advance(c, target)
            meta = view.qualify(META_TABLE)
            if failure is not None:
                c.execute(
                    sql(
                        state,
                        f"UPDATE {meta} SET status = 'failed', failed_at = ?, "  # noqa: S608 - name from code
                        "error = ? WHERE name = ?",
                    ),
                    (
                        failure.notification.id,
                        _describe(failure)[:2000],
                        state.name,
                    ),
                )
            else:
                c.execute(
                    sql(
                        state,
                        f"UPDATE {meta} SET status = 'ready', failed_at = NULL, "  # noqa: S608 - name from code
                        "error = NULL WHERE name = ? AND ("
                        "(status = 'failed' AND failed_at <= ?) OR "
                        "(status = 'rebuilding' AND ? >= ?))",
                    ),
                    (state.name, target, target, reached),
                )

    def _log_failure(self, state: ViewState, failure: _Failure, position: int) -> None:
        n = failure.notification
        logger.error(
            "view %s stopped before notification %d (stream %s version %d, %s): "
            "%s; the view stays at position %d and is marked stale",
            state.name,
            n.id,
            n.originator_id,
            n.originator_version,
            n.topic,
            _describe(failure),
            position,
            exc_info=failure.error,
        )


def _apply_each(model: ReadModel, events: Sequence[LedgerEvent], tx: Tx) -> None:
    """Apply each event at once, then finish the page (after each event nothing
    should be left for it, but a model may keep something for the page's end);
    a handler's error is a :class:`_HandlerError` naming its event (finish's,
    the page's last event: the page is then replayed without it)."""
    for index, event in enumerate(events):
        try:
            model.apply(event, tx)
        except Exception as exc:
            raise _HandlerError(index, exc) from exc
    try:
        model.finish(tx)
    except Exception as exc:
        if not events:
            raise
        raise _HandlerError(len(events) - 1, exc) from exc


def _describe(failure: _Failure) -> str:
    return f"{failure.stage} error: {type(failure.error).__name__}: {failure.error}"


def _view_file_busy(exc: BaseException) -> bool:
    """Whether a catch-up failed only because another process held the view's
    SQLite file ("database is locked" after the lock timeout)."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, sqlite3.OperationalError) and "database is locked" in str(
            seen
        ):
            return True
        seen = seen.__cause__
    return False
