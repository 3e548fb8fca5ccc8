"""Catching up many views at once: one read of the log, one transaction.

After a command (:meth:`CatchUpTogether.catch_up_written`) and in the worker's
round (:meth:`CatchUpTogether.catch_up`) the new notifications are read once and
decoded once, and every view that handles some of them applies its own, in one
transaction on PostgreSQL. Anything unusual (a failed or rebuilding view, more
than a page to read, a handler error) rolls back and leaves the views to the
careful per-view path of :class:`projections.catch_up.CatchUp`. Each view's
events are applied as a page (:func:`projections.catch_up.apply_page`): the
ratings view refills a subject once for them all.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from contextlib import ExitStack
from typing import Any

from eventsourcing.persistence import Notification

from ledger.mapper import LedgerEvent
from projections import idle_advance, view_storage
from projections.catch_up import CatchUp, apply_page
from projections.sqlutil import Tx
from projections.view_pool import OpenViews
from projections.view_state import ViewState, meta_row
from projections.view_storage import UPSTREAM

logger = logging.getLogger("kiemdiem.projections")


class _NotReady(Exception):
    """The view is failed or rebuilding in its storage: take the careful path."""


class CatchUpTogether:
    """The quick paths over every view of :class:`OpenViews`."""

    def __init__(self, views: OpenViews, careful: CatchUp) -> None:
        self.views = views
        self.careful = careful

    def _page(self, start: int, stop: int) -> list[Notification]:
        """One page of every topic's notifications in (start, stop]."""
        return list(
            self.careful.app.recorder.select_notifications(
                start, limit=self.careful.page_size, stop=stop, inclusive_of_start=False
            )
        )

    def catch_up(self, until: int | None = None) -> dict[str, int]:
        """Bring every view to the tip of the log (the worker's round; after a
        command, :meth:`read_your_writes` does only the work the command needs).

        With ``until``, a view already at or after that notification id is left
        alone at once. Errors never propagate: a failing view is logged, marked
        stale and skipped, and the others continue.
        """
        states = list(self.views.states.values())
        together = self._catch_up_together([s for s in states if s.healthy], until)
        return {
            state.name: together[state.name]
            if state.name in together
            else self.careful.one(state, until)
            for state in states
        }

    def _catch_up_together(
        self, states: Sequence[ViewState], until: int | None
    ) -> dict[str, int]:
        """The views' round one page at a time (the worker's, after every
        command), each page in one transaction on PostgreSQL (one per view file
        on SQLite): every position is read (one statement on PostgreSQL), each
        page of the new notifications is read and decoded once for every view
        (not once per view, as the careful path does), and each view applies
        what it handles and advances to the page's end. Returns the positions of
        the views it brought to the tip; anything unusual leaves them to the
        careful path (from the last committed page)."""
        if not states:
            return {}
        try:
            stop = self.careful.app.max_notification_id()
            if self.views.shared is None:  # SQLite: a file per view
                positions = {
                    s.name: s.view.max_tracking_id(UPSTREAM) or 0 for s in states
                }
                if any(p > stop for p in positions.values()):
                    return {}  # the careful path reports a view ahead of the log
            else:
                with view_storage.statement(self.views.shared.datastore) as c:
                    tracked, _ = self.views.tracked(c, states, presence=False)
                if any(tracked[s.name][1] not in (None, "ready") for s in states):
                    return {}
                positions = {s.name: tracked[s.name][0] for s in states}
            behind = [
                s
                for s in states
                if positions[s.name] < stop
                and (until is None or positions[s.name] < until)
            ]
            read = min((positions[s.name] for s in behind), default=stop)
            while read < stop:
                read = self._together_page(behind, positions, read, stop)
            return positions
        except Exception as exc:
            # Rolled back: the careful path replays, finds and marks the culprit.
            logger.debug("views: the round in one transaction fell back: %r", exc)
            return {}

    def _together_page(
        self,
        behind: Sequence[ViewState],
        positions: dict[str, int],
        read: int,
        stop: int,
    ) -> int:
        """One page of :meth:`_catch_up_together`: the notifications after
        ``read`` (every view of ``behind`` handles none between its position
        and there), applied and committed for the views that handle some of
        them, and on the last page for every view of ``behind`` (advanced to
        ``stop``); ``positions`` (and each view's ``known``) then hold their
        new positions. Returns the page's end."""
        notifications = self._page(read, stop)
        full = len(notifications) >= self.careful.page_size
        target = notifications[-1].id if full else stop
        wanted = {
            s.name: [
                n
                for n in notifications
                if n.id > max(positions[s.name], s.known or 0)
                and n.topic in s.topic_set
            ]
            for s in behind
        }
        decoded: dict[int, LedgerEvent] = {}
        for name in wanted:
            for n in wanted[name]:
                if n.id not in decoded:
                    decoded[n.id] = self.careful.decode(n)
        # A view with nothing in a page keeps its position until the last
        # page (what it shows is the same): no statement for it meanwhile; on
        # the last page it is only advanced (:mod:`projections.idle_advance`).
        ordered = sorted((s for s in behind if wanted[s.name]), key=lambda s: s.name)
        idle = sorted(
            (s for s in behind if not wanted[s.name] and target >= stop),
            key=lambda s: s.name,
        )
        reached: dict[str, int] = {}
        shared = self.views.shared
        if shared is None:  # SQLite: each view's file commits on its own
            with ExitStack() as locks:
                for state in ordered:
                    locks.enter_context(state.lock)
                for state in ordered:
                    events = [decoded[n.id] for n in wanted[state.name]]
                    with state.view.transaction(commit=True) as c:
                        reached[state.name] = self._apply_events(
                            state, c, events, target
                        )
            for state in idle:
                if idle_advance.advance_sqlite(state, positions[state.name], stop):
                    reached[state.name] = stop
        else:
            with ExitStack() as locks:
                for state in ordered:
                    locks.enter_context(state.lock)
                if ordered:
                    with shared.datastore.transaction(commit=True) as c:
                        for state in ordered:
                            events = [decoded[n.id] for n in wanted[state.name]]
                            reached[state.name] = self._apply_events(
                                state, c, events, target
                            )
                        # The idle views in the same transaction: no round
                        # trip of their own (rows held elsewhere are skipped).
                        advanced = idle_advance.advance_postgres(
                            c, idle, positions, stop
                        )
                elif idle:
                    with view_storage.statement(shared.datastore) as c:
                        advanced = idle_advance.advance_postgres(
                            c, idle, positions, stop
                        )
                else:
                    advanced = set()
            for name in advanced:
                reached[name] = stop
        for state in ordered + idle:
            if state.name in reached:
                state.known = max(state.known or 0, reached[state.name])
                positions[state.name] = reached[state.name]
        # Not advanced (no tracking row yet, moved, reset or marked meanwhile):
        # the careful way, as every view took before (its lock, its status,
        # its position read in its transaction).
        for state in idle:
            if state.name not in reached:
                with state.lock, state.view.transaction(commit=True) as c:
                    done = self._apply_events(state, c, [], target)
                state.known = max(state.known or 0, done)
                positions[state.name] = done
        return target

    def catch_up_written(self, until: int) -> None:
        """Embedded mode, after a command: bring the views to ``until`` doing only
        the work the new notifications need (the command's, and any other
        process's written meanwhile).

        The notifications after the lowest position this process knows for a
        view are read once (one page) and decoded once; a view that handles none
        of their topics is left alone (its tracked position may then lag the tip,
        which changes nothing it shows: :meth:`catch_up` advances it); the views
        that do are committed together, in one transaction on PostgreSQL (one per
        view file on SQLite). Anything unusual (a failed or rebuilding view, more
        than a page to read, a handler error) takes the careful per-view path of
        :meth:`catch_up`, which logs and marks a failing view stale.
        """
        states = list(self.views.states.values())
        careful = [s for s in states if not s.healthy]
        quick = [s for s in states if s.healthy]
        for state in careful:
            self.careful.one(state, until)
        if not quick:
            return
        try:
            for state in quick:
                if state.known is None:
                    state.known = state.view.max_tracking_id(UPSTREAM) or 0
            start = min(s.known or 0 for s in quick)
            if start >= until:
                return
            notifications = self._page(start, until)
        except Exception:
            logger.exception("views: reading the new notifications failed")
            notifications = []
            careful, quick = quick, []
        if len(notifications) >= self.careful.page_size:
            careful, quick = quick, []
        if quick:
            careful = self._apply_written(quick, notifications, until)
        for state in careful:
            self.careful.one(state, until)

    def _apply_written(
        self,
        states: Sequence[ViewState],
        notifications: Sequence[Notification],
        until: int,
    ) -> list[ViewState]:
        """The quick path of :meth:`catch_up_written`, given every notification
        after the lowest known position up to ``until``; returns the views left
        for the careful path."""
        wanted: dict[str, list[Notification]] = {}
        for state in states:
            known = state.known or 0
            topics = state.topic_set
            mine = [n for n in notifications if n.id > known and n.topic in topics]
            if mine:
                wanted[state.name] = mine
            else:
                # Nothing it handles in (known, until]: it shows the same as if
                # it had read them.
                state.known = max(known, until)
        touched = sorted((s for s in states if s.name in wanted), key=lambda s: s.name)
        if not touched:
            return []
        try:
            decoded: dict[int, LedgerEvent] = {}
            for state in touched:
                for n in wanted[state.name]:
                    if n.id not in decoded:
                        decoded[n.id] = self.careful.decode(n)
            events = {s.name: [decoded[n.id] for n in wanted[s.name]] for s in touched}
            reached: dict[str, int] = {}
            with ExitStack() as locks:
                for state in touched:
                    locks.enter_context(state.lock)
                if self.views.shared is not None:
                    with self.views.shared.datastore.transaction(commit=True) as c:
                        for state in touched:
                            reached[state.name] = self._apply_events(
                                state, c, events[state.name], until
                            )
                    for state in touched:
                        state.known = max(state.known or 0, reached[state.name])
                else:
                    for state in touched:
                        with state.view.transaction(commit=True) as c:
                            done = self._apply_events(
                                state, c, events[state.name], until
                            )
                        state.known = max(state.known or 0, done)
        except Exception as exc:
            # Rolled back: the careful path replays, finds and marks the culprit.
            logger.debug("views: quick catch-up to %d fell back: %r", until, exc)
            return touched
        return []

    def _apply_events(
        self, state: ViewState, c: Any, events: Sequence[LedgerEvent], until: int
    ) -> int:
        """In the caller's transaction: apply the events the view has not seen and
        advance it to ``until``; returns the position it then has."""
        view = state.view
        view.serialise(c, state.name)
        row = meta_row(state, c)
        if row is None or row[3] != "ready":
            raise _NotReady(state.name)
        position = view.position(c)
        # Both are lower bounds of what the view holds (another process may have
        # gone further; this one may know that nothing it handles came since).
        start = max(position, state.known or 0)
        # A page as the careful path's (:func:`apply_page`): deferred rows, the
        # model's end-of-page work once; any error rolls every view back.
        tx = Tx(c, postgres=view.postgres, tables=state.tables, deferred=True)
        applied = [e for e in events if e.notification_id > start]
        apply_page(state.model, applied, tx)
        if applied:
            view.mark_changed(c, applied[-1].notification_id)
        if until > position:
            view.advance(c, until)
        return max(start, until)
