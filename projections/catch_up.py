"""Catching up one view, the careful way: the pull loop of ledger.md §9.2.

A page of the notifications the view handles is read and decoded, applied, and
committed together with the view's tracking position (exactly once). A handler
error rolls the page back and replays it up to the failing event, so the view
stops just before it and is marked stale (``failed``); a transient error is kept
in memory and retried after ``stale_retry_seconds``. Nothing propagates: the
other views go on.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from eventsourcing.persistence import Notification

from ledger.mapper import LedgerEvent
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


class _PositionMoved(Exception):
    """Another writer advanced the view since the page was read; re-read it."""


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
        while True:
            target = last if failure is None else failure.notification.id - 1
            try:
                self.commit(state, start, events, target, failure, reached=stop)
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
    ) -> None:
        """Apply events and advance to ``target`` in one view transaction."""
        view = state.view
        with view.transaction(commit=True) as c:
            view.serialise(c, state.name)
            if view.position(c) != start:
                raise _PositionMoved
            tx = Tx(c, postgres=view.postgres, tables=state.tables)
            for index, event in enumerate(events):
                try:
                    state.model.apply(event, tx)
                except Exception as exc:
                    raise _HandlerError(index, exc) from exc
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


def _describe(failure: _Failure) -> str:
    return f"{failure.stage} error: {type(failure.error).__name__}: {failure.error}"
