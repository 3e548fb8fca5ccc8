"""The views of one deployment, opened: connection pools, files and closing.

PostgreSQL: one connection pool for every view of this process (their tables
share the ledger's schema). SQLite: a file, and a pool, per view; two views in
one file would share one ``tracking`` row, so that is refused (ledger.md §9.2).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from eventsourcing.persistence import InfrastructureFactory
from eventsourcing.postgres import PostgresFactory
from eventsourcing.sqlite import SQLiteFactory
from eventsourcing.utils import Environment

from projections import presence as presence_module
from projections.read_model import ReadModel
from projections.sqlutil import ViewDefinitionError, as_tuple, quote
from projections.view_state import ViewState, prepare
from projections.view_storage import (
    META_TABLE,
    UPSTREAM,
    VIEW_SYNCHRONOUS,
    PostgresView,
    ReadOnlyViewPool,
    SQLiteView,
    View,
    ViewConnectionPool,
)

if TYPE_CHECKING:
    from ledger.config import Settings

VIEWS_POOL = "VIEWS"  # prefix of the shared pool's library settings


class OpenViews:
    """Every read model of the deployment with its storage opened and prepared.

    Opening creates missing tables and resets any view whose declared ``version``
    (or table declaration) differs from the recorded one (:attr:`rebuilt_at_start`).
    """

    def __init__(
        self,
        settings: Settings,
        models: Iterable[ReadModel],
        *,
        prepared: bool = True,
    ) -> None:
        """With ``prepared=False`` (a rebuild's other process) the views are
        opened as they are, without :func:`prepare`: the rebuild has reset them
        and builds their indexes after the load."""
        self.settings = settings
        self.prepared = prepared
        self.rebuilt_at_start: list[str] = []
        self.states: dict[str, ViewState] = {}
        self.shared: PostgresFactory | None = None
        models = list(models)
        names: set[str] = set()
        for model in models:
            model.check()
            if model.name in names:
                raise ViewDefinitionError(f"two read models are named {model.name!r}")
            names.add(model.name)
        self._check_distinct_files(models)
        try:
            if settings.backend == "postgres":
                self.shared = cast(
                    PostgresFactory,
                    InfrastructureFactory.construct(self._pool_environment()),
                )
            for model in models:
                self.states[model.name] = self._open(model)
        except BaseException:
            self.close()
            raise

    # -- opening ------------------------------------------------------------------
    def _open(self, model: ReadModel) -> ViewState:
        own: InfrastructureFactory[Any] | None = None
        reads: SQLiteView | None = None  # its read pool is closed on failure
        view: View
        try:
            if self.shared is not None:
                # The library names a consumer's table "<env name>_tracking".
                view = PostgresView(
                    datastore=self.shared.datastore,
                    tracking_table_name=f"{model.name}_tracking",
                )
                view.create_table()  # CREATE_TABLE is off on PostgreSQL (§10.1)
            else:
                env = self._view_environment(model)
                own = InfrastructureFactory.construct(env)
                if not isinstance(own, SQLiteFactory):  # pragma: no cover
                    msg = f"unsupported persistence module for views: {type(own)}"
                    raise ViewDefinitionError(msg)
                # Before any connection is made (the library's pool is lazy).
                own.datastore.pool = ViewConnectionPool.replacing(
                    own.datastore.pool,
                    synchronous=env.get("SQLITE_SYNCHRONOUS") or VIEW_SYNCHRONOUS,
                )
                view = cast(SQLiteView, own.tracking_recorder(SQLiteView))
                pool = own.datastore.pool
                if not pool.is_sqlite_memory_mode:
                    view.read_pool = ReadOnlyViewPool.beside(pool)
                    reads = view
            state = ViewState(
                model=model,
                view=view,
                factory=own,
                topics=sorted(model.topics),
                tables={t: view.qualify(f"{model.name}_{t}") for t in model.tables},
            )
            if not self.prepared:
                state.rebuilding = True
            elif prepare(state):
                self.rebuilt_at_start.append(model.name)
        except BaseException:
            if own is not None:
                own.close()
            if reads is not None:
                reads.close_reads()
            raise
        return state

    def _view_environment(self, model: ReadModel) -> Environment:
        return Environment(model.name, dict(self.settings.view_env(model.name)))

    def _pool_environment(self) -> Environment:
        """The views' one pool: a connection kept open, more while pages read in
        parallel (a gunicorn worker's threads), closed again when idle."""
        env = dict(self.settings.library_env)
        env.setdefault(f"{VIEWS_POOL}_POSTGRES_POOL_SIZE", "1")
        env.setdefault(f"{VIEWS_POOL}_POSTGRES_MAX_OVERFLOW", "9")
        return Environment(VIEWS_POOL.lower(), env)

    def _check_distinct_files(self, models: Sequence[ReadModel]) -> None:
        """Two consumers in one SQLite file would share one ``tracking`` row (§9.2)."""
        if self.settings.backend != "sqlite":
            return
        seen: dict[str, str] = {}
        if self.settings.sqlite_path is not None:
            seen[_db_identity(self.settings.sqlite_path)] = "the ledger"
        for model in models:
            db_name = self._view_environment(model).get("SQLITE_DBNAME") or ""
            key = _db_identity(db_name)
            if key in seen:
                msg = (
                    f"read model {model.name!r} shares its SQLite file with "
                    f"{seen[key]}; each tracked consumer needs its own file"
                )
                raise ViewDefinitionError(msg)
            seen[key] = f"read model {model.name!r}"

    # -- finding ------------------------------------------------------------------
    def state(self, name: str) -> ViewState:
        try:
            return self.states[name]
        except KeyError:
            known = ", ".join(self.states) or "none"
            msg = f"no read model named {name!r} (known: {known})"
            raise KeyError(msg) from None

    def selected(self, names: Iterable[str] | None) -> list[ViewState]:
        if names is None:
            return list(self.states.values())
        return [self.state(n) for n in names]

    def tracked(
        self, c: Any, states: Sequence[ViewState], *, presence: bool = True
    ) -> tuple[dict[str, tuple[int, str | None]], bool | None]:
        """PostgreSQL, in one statement: each view's tracked position and recorded
        status, and whether a worker runs (None when ``presence`` is False: the
        statement then leaves ``pg_locks`` alone)."""
        if not presence:
            worker_sql: tuple[str, list[Any]] = ("NULL", [])
        else:
            worker_sql = (
                f"{presence_module.PRESENCE_SQL}",
                [
                    presence_module.PRESENCE_CLASS,
                    presence_module.presence_key(self.settings.pg_schema),
                ],
            )
        if not states:
            c.execute(f"SELECT {worker_sql[0]}", worker_sql[1])
            return {}, bool(as_tuple(c.fetchone())[0])
        tracked = " UNION ALL ".join(
            "SELECT %s AS name, (SELECT MAX(notification_id) FROM "  # noqa: S608 - names from code
            f"{s.view.qualify(cast(PostgresView, s.view).tracking_table_name)} "
            "WHERE application_name = %s) AS position"
            for s in states
        )
        params: list[Any] = []
        for state in states:
            params += [state.name, UPSTREAM]
        meta = f"{quote(self.settings.pg_schema)}.{quote(META_TABLE)}"
        c.execute(
            f"SELECT v.name, COALESCE(v.position, 0), m.status, {worker_sql[0]} "  # noqa: S608 - names from code
            f"FROM ({tracked}) v LEFT JOIN {meta} m ON m.name = v.name",
            worker_sql[1] + params,  # the select list's come first
        )
        rows = [as_tuple(r) for r in c.fetchall()]
        found = {str(r[0]): (int(r[1]), r[2]) for r in rows}
        if not presence:
            return found, None
        return found, bool(rows[0][3]) if rows else False

    # -- closing ------------------------------------------------------------------
    def close(self) -> None:
        """Close the views' connection pools (not the ledger's)."""
        states, self.states = self.states, {}
        for state in states.values():
            state.attached.close()
            if isinstance(state.view, SQLiteView):
                state.view.close_reads()
            if state.factory is not None:
                state.factory.close()
        shared, self.shared = self.shared, None
        if shared is not None:
            shared.close()


def _db_identity(db_name: str) -> str:
    if "mode=memory" in db_name or ":memory:" in db_name:
        return db_name
    path = db_name.removeprefix("file:").split("?")[0]
    return str(Path(path).resolve())
