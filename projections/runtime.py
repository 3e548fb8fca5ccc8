"""The projections runtime: read models kept up to date from the ledger (ledger.md §9).

:class:`ProjectionRuntime` is what the rest of the application holds: it opens the
deployment's views and answers for them. The work is done by the modules beside it,
one responsibility each:

- :mod:`projections.read_model`: declaring a read model (``ReadModel``, ``@handles``);
- :mod:`projections.view_storage`: a view's storage on SQLite and PostgreSQL;
- :mod:`projections.view_state`, :mod:`projections.view_pool`: the views opened,
  their pools and files, their recorded version and status;
- :mod:`projections.catch_up`: one view's pull loop, page by page (exactly once);
- :mod:`projections.catch_up_together`: many views from one read, one transaction;
- :mod:`projections.worker`: worker mode (read your writes, the worker's loop);
- :mod:`projections.rebuild`: rebuilding from the start of the log;
- :mod:`projections.reading`: read-only cursors and the digests of a rebuild.

Reading a view (the read gateway)::

    rows = runtime.query("review_list", "SELECT * FROM {reviews} ORDER BY id")
    with runtime.read("review_list", "members") as cur:   # SQLite: ATTACHed read-only
        cur.execute("SELECT ... FROM {reviews} JOIN {members.people} ...")
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, cast

import psycopg

from projections import presence, reading, view_storage, views_notice, worker
from projections.catch_up import DEFAULT_PAGE, CatchUp, ProgressCallback
from projections.catch_up_together import CatchUpTogether
from projections.read_model import ReadModel
from projections.rebuild import rebuild
from projections.sqlutil import ViewCursor, as_tuple
from projections.view_pool import OpenViews
from projections.view_state import StaleModel, meta_row
from projections.view_storage import UPSTREAM, PostgresView

if TYPE_CHECKING:
    from ledger.app import LedgerApplication

__all__ = ["ProjectionRuntime", "StaleModel"]

logger = logging.getLogger("kiemdiem.projections")


class ProjectionRuntime:
    """Keeps the read models of one deployment up to date (ledger.md §9.2).

    Construction opens every view, creates missing tables, and resets any view
    whose declared ``version`` (or table declaration) differs from the recorded
    one; such views are then rebuilt by the next :meth:`catch_up` (they report as
    stale, reason ``"rebuilding"``, until they reach the tip).
    """

    def __init__(
        self,
        app: LedgerApplication,
        models: Iterable[ReadModel],
        *,
        page_size: int = DEFAULT_PAGE,
        stale_retry_seconds: float = 30.0,
        verify: bool = False,
    ) -> None:
        self.app = app
        self.settings = app.settings
        self.inline = self.settings.projections_mode == "inline"
        # Worker mode: how long a command waits for the worker (read_your_writes).
        self.read_your_writes_seconds = 5.0
        self.careful = CatchUp(
            app,
            page_size=page_size,
            stale_retry_seconds=stale_retry_seconds,
            verify=verify,
        )
        self.views = OpenViews(self.settings, models)
        self.together = CatchUpTogether(self.views, self.careful)
        # PostgreSQL: the worker's notices that the views moved (a web process
        # listens from its first wait; the worker announces, :meth:`announce`).
        self.notices: views_notice.Notices | None = None
        self._announced = 0
        if self.views.shared is not None:
            self.notices = views_notice.Notices(
                self._listening_connection,
                views_notice.channel(self.settings.pg_schema),
            )

    # -- the catch-up's settings ------------------------------------------------------
    @property
    def page_size(self) -> int:
        return self.careful.page_size

    @page_size.setter
    def page_size(self, value: int) -> None:
        self.careful.page_size = value

    @property
    def verify(self) -> bool:
        """Check every event's signature while catching up (§9.3 --verify)."""
        return self.careful.verify

    @verify.setter
    def verify(self, value: bool) -> None:
        self.careful.verify = value

    @property
    def rebuilt_at_start(self) -> list[str]:
        """Views reset at opening because their declaration changed."""
        return self.views.rebuilt_at_start

    # -- introspection ----------------------------------------------------------------
    @property
    def names(self) -> list[str]:
        return list(self.views.states)

    def model(self, name: str) -> ReadModel:
        return self.views.state(name).model

    def position(self, name: str) -> int:
        """The view's tracked position (the last notification id it has seen)."""
        return self.views.state(name).view.max_tracking_id(UPSTREAM) or 0

    def positions(self) -> dict[str, int]:
        return {name: self.position(name) for name in self.views.states}

    def change_marks(self) -> dict[str, tuple[int | None, int]]:
        """Each view's change mark and position, read now (one statement on
        PostgreSQL; on SQLite too, on the kept connection with every view's
        file attached: one snapshot of them all). The mark moves only when the
        view applies an event or is reset, in the transaction that changes its
        rows (``View.mark_changed``); None for a view that has not changed
        since it was opened by code that keeps one (its position then stands
        for it). What is read after them is at least that new."""
        states = list(self.views.states.values())
        shared = self.views.shared
        if shared is not None:
            named = [(s.name, cast(PostgresView, s.view)) for s in states]
            with view_storage.statement(shared.datastore) as c:
                c.execute(
                    view_storage.change_marks_sql(named),
                    view_storage.change_marks_params(named),
                )
                rows = [as_tuple(r) for r in c.fetchall()]
            return {str(r[0]): (r[1], int(r[2] or 0)) for r in rows}
        if 1 < len(states) <= reading.MAX_ATTACHED:
            return reading.change_marks(states)
        found: dict[str, tuple[int | None, int]] = {}
        for state in states:
            with state.view.transaction(commit=False) as c:
                found[state.name] = state.view.change_marks(c)
        return found

    def stale_models(self) -> dict[str, StaleModel]:
        """Views that are behind for a known reason, read from the view storage
        (so a web process sees what the worker recorded)."""
        stale: dict[str, StaleModel] = {}
        tip = self.app.max_notification_id()
        for state in self.views.states.values():
            with state.view.statement() as c:  # two reads, as before: READ COMMITTED
                row = meta_row(state, c)
                position = state.view.position(c)
            status = "ready" if row is None else row[3]
            if position > tip:
                stale[state.name] = StaleModel(
                    state.name,
                    "ahead",
                    position,
                    None,
                    f"the log ends at {tip}: truncated or restored from a backup",
                )
            elif status == "failed":
                stale[state.name] = StaleModel(
                    state.name,
                    "failed",
                    position,
                    row[4] if row else None,
                    (row[5] if row else None) or "",
                )
            elif status == "rebuilding":
                stale[state.name] = StaleModel(
                    state.name, "rebuilding", position, None, "rebuilding"
                )
            elif state.error is not None:
                stale[state.name] = StaleModel(
                    state.name, "error", position, None, state.error
                )
        return stale

    # -- public: catching up ----------------------------------------------------

    # -- catching up ------------------------------------------------------------------
    def catch_up(self, until: int | None = None) -> dict[str, int]:
        """Bring every view to the tip of the log (the worker's round); with
        ``until``, a view already there is left alone. Errors never propagate: a
        failing view is logged, marked stale and skipped."""
        return self.together.catch_up(until)

    def announce(self, positions: Mapping[str, int]) -> None:
        """The worker, after a round (:meth:`catch_up`'s positions): tell the
        waiting web processes how far every healthy view is, once per new
        position (PostgreSQL; never raises: the waits poll without it)."""
        shared = self.views.shared
        if shared is None:
            return
        healthy = {n: s.healthy for n, s in self.views.states.items()}
        position = views_notice.lowest(positions, healthy)
        if position is None or position <= self._announced:
            return
        try:
            views_notice.announce(shared.datastore, self.settings.pg_schema, position)
        except Exception as exc:
            logger.warning("views: the round's notice was not sent: %s", exc)
            return
        self._announced = position

    def _listening_connection(self) -> Any:
        """A connection of its own for the notices' listener (autocommit)."""
        shared = self.views.shared
        if shared is None:  # pragma: no cover - notices exist on PostgreSQL only
            raise RuntimeError("no shared view storage")
        pool = shared.datastore.pool
        conninfo, kwargs = pool.conninfo, pool.kwargs  # the pool's own, as given
        if callable(conninfo):  # pragma: no cover - the library passes a string
            conninfo = conninfo()
        if callable(kwargs):  # pragma: no cover - the library passes a dict
            kwargs = kwargs()
        return psycopg.connect(conninfo, **(kwargs or {}), autocommit=True)

    def catch_up_written(self, until: int) -> None:
        """Embedded mode, after a command: bring the views to ``until`` doing only
        the work the new notifications need."""
        self.together.catch_up_written(until)

    def lagging(self, tip: int) -> bool:
        """Whether a view of this process may not yet show every event up to
        ``tip``, from what the process knows (no query): after a catch-up that
        failed or was skipped, or another process's write. A failing view counts
        only once its retry time has come, so it does not cost every request."""
        now = time.monotonic()
        return any(
            (s.known is None or s.known < tip) and (s.healthy or now >= s.retry_at)
            for s in self.views.states.values()
        )

    def ensure_seen(
        self,
        notification_id: int,
        timeout: float = 5.0,
        names: Iterable[str] | None = None,
    ) -> bool:
        """True once the views have processed ``notification_id`` (read your writes).

        In worker mode this waits (the library's ``wait``) up to ``timeout``
        seconds in all; on timeout it returns False and the page shows the stale
        banner. In the embedded mode it catches up inline instead of waiting.
        """
        selected = self.views.selected(names)
        if self.inline:
            return all(
                self.careful.one(state, notification_id) >= notification_id
                for state in selected
            )
        return worker.wait_until_seen(selected, notification_id, timeout)

    def read_your_writes(
        self, notification_id: int, timeout: float | None = None
    ) -> bool:
        """After a command: return once the views show ``notification_id``.

        The single post-command step (``Kiemdiem.after_write``). Embedded mode:
        :meth:`catch_up_written`. Worker mode: wait, bounded by ``timeout``
        (default :attr:`read_your_writes_seconds`), for a running worker, or
        bring the views there here when none runs (:mod:`projections.worker`).
        False when the wait timed out (the page then shows the views as they are).
        """
        if self.inline:
            self.catch_up_written(notification_id)
            return True
        limit = self.read_your_writes_seconds if timeout is None else timeout
        return worker.wait_for_worker(
            self.views,
            self.app,
            notification_id,
            limit,
            self.catch_up_written,
            self.notices,
        )

    def worker_presence(self) -> presence.WorkerPresence:
        """What a running worker holds (see :mod:`projections.presence`)."""
        return presence.WorkerPresence(self.app)

    def run_forever(
        self, poll_seconds: float = 1.0, stop_event: threading.Event | None = None
    ) -> None:
        """A worker loop for the views alone, until ``stop_event`` is set."""
        worker.run_forever(
            lambda: self.announce(self.catch_up()),
            self.worker_presence(),
            poll_seconds,
            stop_event or threading.Event(),
        )

    def rebuild(
        self,
        names: Iterable[str] | None = None,
        progress: ProgressCallback | None = None,
        *,
        page_size: int | None = None,
        processes: int | None = None,
    ) -> dict[str, int]:
        """Rebuild views from the start of the log (§9.3; :mod:`.rebuild`),
        shared out among ``processes`` (None: one per core on a long log)."""
        selected = self.views.selected(names)
        return rebuild(
            self.careful, selected, progress, page_size=page_size, processes=processes
        )

    # -- reading ----------------------------------------------------------------------
    @contextmanager
    def read(self, *names: str) -> Iterator[ViewCursor]:
        """A read-only cursor on one or more views, in one read transaction
        (:func:`projections.reading.read`)."""
        if not names:
            raise ValueError("read() needs at least one read model name")
        with reading.read([self.views.state(n) for n in names]) as cursor:
            yield cursor

    def query(
        self, name: str, statement: str, params: Sequence[Any] = ()
    ) -> list[dict[str, Any]]:
        """Run one read-only query on a view; rows as dicts keyed by column.

        One statement needs no transaction of its own: on PostgreSQL it runs in
        autocommit, one round trip (:func:`projections.reading.one_statement`).
        Reads of several statements that must agree use :meth:`read`.
        """
        return self.query_views([name], statement, params)

    def query_views(
        self, names: Sequence[str], statement: str, params: Sequence[Any] = ()
    ) -> list[dict[str, Any]]:
        """:meth:`query` on several views (``{model.table}`` names the others')."""
        if not names:
            raise ValueError("query_views() needs at least one read model name")
        reading.check_read_only(statement)
        states = [self.views.state(n) for n in names]
        with reading.one_statement(states) as cursor:
            return cursor.execute(statement, params).fetchall_dicts()

    def digest_details(
        self, names: Iterable[str] | None = None
    ) -> dict[str, reading.ViewDigest]:
        """Canonical dump of each view (rows sorted by primary key), hashed.

        In the embedded mode the views are first caught up, so that a position
        left behind by :meth:`catch_up_written` (no event the view handles came
        since) reads as the tip, as it does after a rebuild.
        """
        if self.inline:
            self.catch_up()
        return {s.name: reading.digest(s) for s in self.views.selected(names)}

    def digest(self, names: Iterable[str] | None = None) -> dict[str, str]:
        """SHA-256 per view and ``"overall"`` (over the per-view digests)."""
        details = self.digest_details(names)
        out = {name: d.sha256 for name, d in details.items()}
        out["overall"] = self.overall_digest(details)
        return out

    @staticmethod
    def overall_digest(details: Mapping[str, reading.ViewDigest]) -> str:
        """SHA-256 of the canonical ``{name: sha256}`` of the given views."""
        return reading.overall_digest(details)

    # -- closing ----------------------------------------------------------------------
    def close(self) -> None:
        """Close the views' connection pools (not the ledger's)."""
        if self.notices is not None:
            self.notices.close()
        self.views.close()

    def __enter__(self) -> ProjectionRuntime:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
