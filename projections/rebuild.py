"""Rebuilding views from the start of the log (ledger.md §9.3).

Per view, in one transaction, its tables are dropped and re-created and its
tracking row deleted; then every view being rebuilt is fed from one read of the
log, and finally each catches up on its own to the tip (a view the shared pass
left, on a handler error, is replayed page by page and stops just before the bad
event). A rebuild must give the same rows as the incremental build
(``tests/store/test_rebuild.py``; the digests of :mod:`projections.reading`).

On a long log the views are shared out among processes (one per core, at most
:data:`MAX_PROCESSES`), by :attr:`ReadModel.rebuild_weight`: the views are
independent, so each process reads and decodes the log once for its share and
applies it page by page (memory stays one page's worth in each). The other
processes are :mod:`projections.rebuild_process`; this one waits for them, then
catches every view up to the tip as before, which also finishes a view another
process left (it never loses more than its uncommitted page).
"""

from __future__ import annotations

import logging
import os
import pickle
import subprocess
import sys
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path

from ledger.mapper import LedgerEvent
from projections.catch_up import CatchUp, ProgressCallback, apply_page
from projections.sqlutil import Tx
from projections.view_state import (
    ViewState,
    create_indexes,
    reset_for_rebuild,
    sql,
)
from projections.view_storage import META_TABLE

logger = logging.getLogger("kiemdiem.projections")

REBUILD_PAGE = 5_000  # notifications per page of a rebuild (one read for all views)
# From this many notifications in the log, the views are rebuilt in several
# processes (starting one costs about half a second of CPU).
PARALLEL_FROM = 20_000
MAX_PROCESSES = 2


def rebuild(
    careful: CatchUp,
    selected: Sequence[ViewState],
    progress: ProgressCallback | None = None,
    *,
    page_size: int | None = None,
    processes: int | None = None,
) -> dict[str, int]:
    """Rebuild these views; their positions after. Each view's lock is held
    throughout, so an inline catch-up waits; an interrupted rebuild resumes with
    the next catch-up (the view reports ``rebuilding`` until the tip).

    ``processes``: how many processes share the views out (None: one per core,
    at most :data:`MAX_PROCESSES`, on a log of :data:`PARALLEL_FROM` or more)."""
    page = page_size or REBUILD_PAGE
    with ExitStack() as locks:
        for state in selected:
            locks.enter_context(state.lock)
            locks.callback(_build_indexes, state)
            reset_for_rebuild(state)
            logger.info("view %s: tables reset, rebuilding", state.name)
            if progress is not None:
                progress(state.name, 0, careful.app.max_notification_id())
        shares = shared_out(selected, _processes(careful, selected, processes))
        others = [_start(careful, share, page) for share in shares[1:]]
        try:
            rebuild_pass(careful, shares[0] if shares else [], progress, page)
        except BaseException:
            for other in others:
                if other is not None:
                    other.kill()
            raise
        finally:
            for other in others:
                if other is not None and other.wait() != 0:
                    # Its views are caught up below, from where it stopped.
                    logger.warning("rebuild: a process ended with %s", other.returncode)
        # The tip as it is now, and a view the pass left (a handler error)
        # with the page-by-page replay that stops just before the bad event.
        return {
            state.name: careful.one(
                state, None, force=True, progress=progress, page_size=page
            )
            for state in selected
        }


def _processes(
    careful: CatchUp, selected: Sequence[ViewState], asked: int | None
) -> int:
    """How many processes rebuild these views."""
    if careful.app.settings.memory:  # a memory database is this process's own
        return 1
    if asked is not None:
        return max(1, asked)
    if careful.app.max_notification_id() < PARALLEL_FROM:
        return 1
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_PROCESSES))


def shared_out(states: Sequence[ViewState], processes: int) -> list[list[ViewState]]:
    """The views with topics in at most ``processes`` shares of about equal
    :attr:`ReadModel.rebuild_weight` (the heaviest first, each to the lightest
    share), in their given order within a share."""
    active = [s for s in states if s.topics]
    shares: list[list[ViewState]] = [[] for _ in range(max(1, processes))]
    weights = [0] * len(shares)
    for state in sorted(active, key=lambda s: -s.model.rebuild_weight):
        lightest = weights.index(min(weights))
        shares[lightest].append(state)
        weights[lightest] += state.model.rebuild_weight
    order = {s.name: i for i, s in enumerate(active)}
    return [sorted(share, key=lambda s: order[s.name]) for share in shares if share]


def _start(
    careful: CatchUp, share: Sequence[ViewState], page: int
) -> subprocess.Popen[bytes] | None:
    """Another process rebuilding ``share`` (:mod:`projections.rebuild_process`),
    or None when it cannot be started (its views are then caught up here)."""
    app = careful.app
    try:
        job = pickle.dumps(
            {
                "settings": app.settings,
                "trust_root": app.trust_root,
                "models": [s.model for s in share],
                "page": page,
                "verify": careful.verify,
            }
        )
    except Exception:  # a model defined where pickle cannot find it
        names = [s.name for s in share]
        logger.warning("rebuild: views %s stay in this process", names)
        return None
    # It imports what this process can: the event classes and the read models.
    root = str(Path(__file__).resolve().parent.parent)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys([root, *filter(None, sys.path)]))
    try:
        child = subprocess.Popen(  # this interpreter, a module of ours
            [sys.executable, "-m", "projections.rebuild_process"],
            stdin=subprocess.PIPE,
            env=env,
        )
    except OSError:
        logger.exception("rebuild: could not start a process")
        return None
    try:
        with child.stdin:  # type: ignore[union-attr]
            child.stdin.write(job)  # type: ignore[union-attr]
    except OSError:  # it ended at once; its views are caught up here
        logger.exception("rebuild: could not hand a process its views")
    return child


def _build_indexes(state: ViewState) -> None:
    """The indexes left out during the rebuild, however it ended (the pass's
    last page built them already unless the view left the pass; a failing
    view's pages still read them). A storage error here is the view's own
    catch-up's to meet; the next start builds them too (``prepare``)."""
    try:
        with state.view.transaction(commit=True) as c:
            state.view.serialise(c, state.name)
            create_indexes(state, c, state.model.built_after_rebuild)
    except Exception:
        logger.exception("view %s: building its indexes failed", state.name)


def rebuild_pass(
    careful: CatchUp,
    states: Sequence[ViewState],
    progress: ProgressCallback | None,
    page: int,
) -> None:
    """One read of the log for every view being rebuilt (all at position 0).

    Each page of notifications is read and decoded once, then every view gets
    the events of its topics in one transaction of its own, advancing to the
    page's end; positions and rows are those of separate catch-ups. A view
    whose handler fails leaves the pass (its page rolled back); the caller's
    catch-up then replays it event by event as :meth:`CatchUp.one` does.
    """
    active = [s for s in states if s.topics]
    stop = careful.app.max_notification_id()
    topics = sorted({t for s in active for t in s.topics})
    wanted = {s.name: frozenset(s.topics) for s in active}
    start = 0
    while active and start < stop:
        try:
            notifications = careful.app.recorder.select_notifications(
                start,
                limit=page,
                stop=stop,
                topics=topics,
                inclusive_of_start=False,
            )
        except Exception:  # each view's catch-up below meets and records it
            return
        target = notifications[-1].id if len(notifications) == page else stop
        events: list[LedgerEvent] = []
        for notification in notifications:
            try:
                events.append(careful.decode(notification))
            except Exception:  # the catch-up after the pass reports it per view
                target = notification.id - 1
                active_after: list[ViewState] = []
                break
        else:
            active_after = active
        for state in list(active):
            mine = wanted[state.name]
            try:
                _commit_page(
                    state, start, [e for e in events if e.topic in mine], target, stop
                )
            except Exception:
                # A handler error, a moved position or a storage error: the
                # view's own catch-up below replays or records it, as before.
                active.remove(state)
                continue
            if target >= stop:
                state.rebuilding = False
            if progress is not None:
                progress(state.name, target, stop)
        active = [s for s in active if s in active_after]
        start = target


class _PositionMoved(Exception):
    """Another writer advanced the view since the pass began (it leaves the pass)."""


def _commit_page(
    state: ViewState,
    start: int,
    events: Sequence[LedgerEvent],
    target: int,
    reached: int,
) -> None:
    """Apply a page's events to one view and advance it to ``target``, in one
    transaction, as :meth:`CatchUp.commit` does (:func:`apply_page`: the
    plain inserts deferred and written per table, the model's ``finish`` once),
    building the indexes on the last page. Any error rolls the page back; the
    view's own catch-up then replays it."""
    view = state.view
    with view.transaction(commit=True) as c:
        view.serialise(c, state.name)
        if view.position(c) != start:
            raise _PositionMoved(state.name)
        tx = Tx(c, postgres=view.postgres, tables=state.tables, deferred=True)
        apply_page(state.model, events, tx)
        if events:
            view.mark_changed(c, events[-1].notification_id)
        if target > start:
            view.advance(c, target)
        if target >= reached:  # the last page: the view is ready with its indexes
            create_indexes(state, c, state.model.built_after_rebuild)
        c.execute(
            sql(
                state,
                f"UPDATE {view.qualify(META_TABLE)} SET status = 'ready', "  # noqa: S608 - name from code
                "failed_at = NULL, error = NULL "
                "WHERE name = ? AND status = 'rebuilding' AND ? >= ?",
            ),
            (state.name, target, reached),
        )
