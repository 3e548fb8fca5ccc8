"""Rebuild equals the incremental build (ledger.md §9.3, acceptance test 12).

Property: for any sequence of commands, interleaved with inline catch-ups of any
page size, ``views digest`` and the tracking positions after a rebuild from
scratch equal those of the incremental build; so do those after a rebuild that
was interrupted midway and then resumed. Runs on SQLite (memory and file) and
PostgreSQL. Also covers ``kiemdiem rebuild`` and ``kiemdiem views digest``.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from eventsourcing.domain import Aggregate, event
from hypothesis import HealthCheck, given, settings
from hypothesis import event as observe
from hypothesis import strategies as st

from cli import views_cmd
from ledger import canonical
from ledger.app import LedgerApplication
from ledger.config import Settings, settings_from_environ
from ledger.envelope import key_id_for
from ledger.keyring import TrustedAdminKey
from ledger.keys import public_key_raw, register_key
from ledger.signing import Signer, signing_as
from ledger.trustroot import make_trust_root
from projections import rebuild as rebuild_module
from projections.read_model import ReadModel, handles
from projections.runtime import ProjectionRuntime
from projections.sqlutil import Tx, as_tuple

PG_CONNINFO = "host=127.0.0.1 port=5432 dbname=test user=postgres"
PG_URL = "postgresql://postgres@127.0.0.1:5432/test?schema="
ORIGIN = "kiemdiem.test/rebuild"


# ---------------------------------------------------------------------------
# A toy aggregate and two read models
# ---------------------------------------------------------------------------
class Tally(Aggregate):
    class Opened(Aggregate.Created):
        label: str

    class Counted(Aggregate.Event):
        amount: int

    class Relabelled(Aggregate.Event):
        label: str

    @event(Opened)
    def __init__(self, label: str) -> None:
        self.label = label

    @event(Counted)
    def count(self, amount: int) -> None:
        pass

    @event(Relabelled)
    def relabel(self, label: str) -> None:
        self.label = label


class Chatter(Aggregate):
    """Events no read model handles."""

    @event("Said")
    def __init__(self, n: int) -> None:
        self.n = n


class Interrupted(BaseException):
    """Stands for Ctrl-C or a killed process in the middle of a rebuild."""


class TallyTotals(ReadModel):
    """Its ``counts`` and ``amounts`` rows go through ``insert_ignoring``, which a
    rebuild defers: a read of the table right after must see them (``counts``
    column), and a row deleted after being written once in the page must come
    back when written again (``amounts``, by the amount modulo 7)."""

    name = "tally_totals"
    version = 1
    tables = {  # noqa: RUF012
        "tallies": (
            "id TEXT PRIMARY KEY, label TEXT NOT NULL, total BIGINT NOT NULL, "
            "counts BIGINT NOT NULL, last_seen BIGINT NOT NULL"
        ),
        "counts": (
            "id TEXT NOT NULL, ver BIGINT NOT NULL, amount BIGINT NOT NULL, "
            "actor TEXT NOT NULL, at TEXT NOT NULL, PRIMARY KEY (id, ver)"
        ),
        "amounts": "amount BIGINT PRIMARY KEY, first_id TEXT NOT NULL",
    }
    indexes = {  # noqa: RUF012
        "counts_amount": ("counts", "amount, id, ver"),
        "tallies_label": ("tallies", "label, id"),
    }
    built_after_rebuild = frozenset({"counts_amount"})

    def __init__(self) -> None:
        self.poison: set[int] = set()

    @handles(Tally.Opened)
    def opened(self, e: Any, tx: Tx) -> None:
        tx.upsert(
            "tallies",
            ["id"],
            {
                "id": e.stream,
                "label": e.event.label,
                "total": 0,
                "counts": 0,
                "last_seen": e.notification_id,
            },
        )

    @handles(Tally.Counted)
    def counted(self, e: Any, tx: Tx) -> None:
        if e.event.amount in self.poison:
            msg = f"poisoned amount {e.event.amount}"
            raise ValueError(msg)
        tx.insert_ignoring(
            "counts",
            ["id", "ver", "amount", "actor", "at"],
            [(e.stream, e.version, e.event.amount, e.actor, e.timestamp)],
        )
        bucket = e.event.amount % 7
        tx.insert_ignoring("amounts", ["amount", "first_id"], [(bucket, e.stream)])
        tx.execute(
            "UPDATE {tallies} SET total = total + ?, last_seen = ?, "
            "counts = (SELECT COUNT(*) FROM {counts} WHERE id = ?) WHERE id = ?",
            (e.event.amount, e.notification_id, e.stream, e.stream),
        )

    @handles(Tally.Relabelled)
    def relabelled(self, e: Any, tx: Tx) -> None:
        tx.execute(
            "UPDATE {tallies} SET label = ?, last_seen = ? WHERE id = ?",
            (e.event.label, e.notification_id, e.stream),
        )
        tx.execute("DELETE FROM {amounts} WHERE amount = ?", (len(e.event.label) % 7,))


class LabelHistory(ReadModel):
    """Rows keyed by arbitrary text, with a binary column: tests the dump's order."""

    name = "label_history"
    version = 1
    tables = {  # noqa: RUF012
        "labels": (
            "label TEXT PRIMARY KEY, encoded BLOB NOT NULL, uses BIGINT NOT NULL, "
            "first_at BIGINT NOT NULL"
        )
    }

    @handles(Tally.Opened, Tally.Relabelled)
    def labelled(self, e: Any, tx: Tx) -> None:
        label = e.event.label
        row = tx.execute(
            "SELECT uses, first_at FROM {labels} WHERE label = ?", (label,)
        ).fetchone()
        uses, first_at = row if row is not None else (0, e.notification_id)
        tx.upsert(
            "labels",
            ["label"],
            {
                "label": label,
                "encoded": canonical.encode(label),
                "uses": uses + 1,
                "first_at": first_at,
            },
        )


def models() -> list[ReadModel]:
    return [TallyTotals(), LabelHistory()]


# ---------------------------------------------------------------------------
# Stores
# ---------------------------------------------------------------------------
@dataclass
class Store:
    settings: Settings
    app: LedgerApplication
    signer: Signer
    runtimes: list[ProjectionRuntime] = field(default_factory=list)

    def save(self, *aggregates: Aggregate) -> int:
        with signing_as(self.signer):
            recordings = self.app.save(*aggregates)
        return recordings[-1].notification.id

    def runtime(self, *read_models: ReadModel, **options: Any) -> ProjectionRuntime:
        runtime = ProjectionRuntime(self.app, read_models or models(), **options)
        self.runtimes.append(runtime)
        return runtime

    @property
    def tip(self) -> int:
        return self.app.max_notification_id()


def require_postgres() -> None:
    try:
        psycopg.connect(PG_CONNINFO, connect_timeout=3).close()
    except psycopg.OperationalError as exc:
        problem = str(exc).strip()
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL at 127.0.0.1:5432 is required in CI: {problem}")
        pytest.skip(f"PostgreSQL at 127.0.0.1:5432 is unreachable: {problem}")


@contextmanager
def open_store(kind: str) -> Iterator[Store]:
    with tempfile.TemporaryDirectory() as tmp:
        schema = None
        if kind == "sqlite-memory":
            url = "sqlite:///:memory:"
        elif kind == "sqlite-file":
            url = f"sqlite:///{tmp}/kiemdiem.db"
        else:
            schema = f"t_{uuid.uuid4().hex[:12]}"
            url = PG_URL + schema
        settings_ = settings_from_environ({"KIEMDIEM_PROJECTIONS": "inline"}, url)
        admin = Ed25519PrivateKey.generate()
        actor = f"u:{uuid.uuid4()}"
        raw = public_key_raw(admin)
        trust_root = make_trust_root(
            ORIGIN,
            [Ed25519PrivateKey.generate().public_key()],
            [TrustedAdminKey(actor, key_id_for(raw).hex(), raw)],
        )
        app = LedgerApplication(settings_, trust_root)
        store = Store(settings_, app, Signer(actor, admin))
        try:
            if schema is not None:
                app.create_tables()
            store.save(register_key(admin, actor, "admin"))
            yield store
        finally:
            for runtime in store.runtimes:
                runtime.close()
            app.close()
            if schema is not None:
                with psycopg.connect(PG_CONNINFO, autocommit=True) as conn:
                    conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


BACKENDS = [
    "sqlite-memory",
    "sqlite-file",
    pytest.param("postgres", marks=pytest.mark.postgres),
]


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    if request.param == "postgres":
        require_postgres()
    with open_store(request.param) as opened:
        yield opened


def run_commands(store: Store, runtime: ProjectionRuntime, commands: list[Any]) -> None:
    tallies: list[Tally] = []
    for command in commands:
        kind = command[0]
        if kind == "open":
            tally = Tally(command[1])
            tallies.append(tally)
            store.save(tally)
        elif kind == "count" and tallies:
            tally = tallies[command[1] % len(tallies)]
            for amount in command[2]:
                tally.count(amount)
            store.save(tally)
        elif kind == "relabel" and tallies:
            tally = tallies[command[1] % len(tallies)]
            tally.relabel(command[2])
            store.save(tally)
        elif kind == "chatter":
            store.save(*[Chatter(n) for n in range(command[1])])
        elif kind == "catch_up":
            runtime.page_size = command[1]
            runtime.catch_up()


# Any text the ledger accepts and both databases store: no lone surrogates, no
# control characters (PostgreSQL text cannot hold NUL).
labels = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=6
) | st.sampled_from(["Đảng bộ", "chi bộ", "a", "A", "b", ""])
commands = st.lists(
    st.one_of(
        st.tuples(st.just("open"), labels),
        st.tuples(
            st.just("count"),
            st.integers(0, 100),
            st.lists(st.integers(-(10**9), 10**9), min_size=1, max_size=4),
        ),
        st.tuples(st.just("relabel"), st.integers(0, 100), labels),
        st.tuples(st.just("chatter"), st.integers(1, 3)),
        st.tuples(st.just("catch_up"), st.integers(1, 7)),
    ),
    max_size=20,
)


def check_rebuild_equals_incremental(
    kind: str, script: list[Any], rebuild_page: int, interrupt_after: int
) -> None:
    with open_store(kind) as store:
        runtime = store.runtime(page_size=3)
        run_commands(store, runtime, script)
        runtime.catch_up()
        incremental = runtime.digest()
        positions = runtime.positions()
        assert positions == {"tally_totals": store.tip, "label_history": store.tip}

        runtime.rebuild(page_size=rebuild_page)
        assert runtime.digest() == incremental
        assert runtime.positions() == positions
        assert runtime.stale_models() == {}

        calls = 0
        stopped: list[tuple[str, int, int]] = []

        def interrupt(name: str, position: int, stop: int) -> None:
            nonlocal calls
            calls += 1
            if calls > interrupt_after:
                stopped.append((name, position, stop))
                raise Interrupted

        try:
            runtime.rebuild(progress=interrupt, page_size=1)
        except Interrupted:
            name, position, stop = stopped[0]
            if position < stop:
                observe("interrupted midway through a view")
                stale = runtime.stale_models()
                assert stale[name].reason == "rebuilding"
                assert stale[name].position == position
        runtime.catch_up()  # resumes where the interrupted rebuild stopped
        assert runtime.digest() == incremental
        assert runtime.positions() == positions
        assert runtime.stale_models() == {}


@given(
    script=commands, rebuild_page=st.integers(1, 8), interrupt_after=st.integers(0, 6)
)
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_rebuild_equals_incremental_on_sqlite_in_memory(
    script: list[Any], rebuild_page: int, interrupt_after: int
) -> None:
    check_rebuild_equals_incremental(
        "sqlite-memory", script, rebuild_page, interrupt_after
    )


@given(
    script=commands, rebuild_page=st.integers(1, 8), interrupt_after=st.integers(0, 6)
)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_rebuild_equals_incremental_on_a_sqlite_file(
    script: list[Any], rebuild_page: int, interrupt_after: int
) -> None:
    check_rebuild_equals_incremental(
        "sqlite-file", script, rebuild_page, interrupt_after
    )


@pytest.mark.postgres
@given(
    script=commands, rebuild_page=st.integers(1, 8), interrupt_after=st.integers(0, 6)
)
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_rebuild_equals_incremental_on_postgres(
    script: list[Any], rebuild_page: int, interrupt_after: int
) -> None:
    require_postgres()
    check_rebuild_equals_incremental("postgres", script, rebuild_page, interrupt_after)


# ---------------------------------------------------------------------------
# Rebuild behaviour
# ---------------------------------------------------------------------------
def populate(store: Store) -> None:
    one, two = Tally("một"), Tally("hai")
    for n in range(5):
        one.count(n)
    store.save(one, two)
    store.save(Chatter(1))
    two.relabel("ba")
    two.count(7)
    store.save(two)


def test_interrupted_rebuild_resumes_after_a_restart() -> None:
    with open_store("sqlite-file") as store:
        populate(store)
        runtime = store.runtime()
        runtime.catch_up()
        incremental = runtime.digest()

        def stop_midway(name: str, position: int, stop: int) -> None:
            if position > 0:
                raise Interrupted

        with pytest.raises(Interrupted):
            runtime.rebuild(["tally_totals"], progress=stop_midway, page_size=2)
        runtime.close()
        restarted = store.runtime()
        assert restarted.rebuilt_at_start == []
        stale = restarted.stale_models()
        assert stale["tally_totals"].reason == "rebuilding"
        assert 0 < stale["tally_totals"].position < store.tip
        restarted.catch_up()
        assert restarted.stale_models() == {}
        assert restarted.digest() == incremental


def indexes_of(runtime: ProjectionRuntime, name: str) -> set[str]:
    """The view's indexes as stored (SQLite's own ``sqlite_autoindex`` aside)."""
    state = runtime.views.state(name)
    with state.view.transaction(commit=False) as c:
        if state.view.postgres:
            schema = state.tables[next(iter(state.tables))].split(".")[0].strip('"')
            c.execute(
                "SELECT indexname FROM pg_indexes WHERE schemaname = %s "
                "AND indexname NOT LIKE %s",
                (schema, "%_pkey"),
            )
        else:
            c.execute(
                "SELECT name FROM sqlite_master WHERE type = 'index' "
                "AND name NOT LIKE 'sqlite_autoindex%'"
            )
        found = [str(as_tuple(row)[0]) for row in c.fetchall()]
        return {index for index in found if index.startswith(name)}


def test_a_rebuild_builds_the_pages_indexes_after_the_log(store: Store) -> None:
    populate(store)
    runtime = store.runtime()
    runtime.catch_up()
    every = {"tally_totals_counts_amount", "tally_totals_tallies_label"}
    assert indexes_of(runtime, "tally_totals") == every
    during: list[set[str]] = []

    def look(name: str, position: int, stop: int) -> None:
        if name == "tally_totals" and 0 < position < stop:
            during.append(indexes_of(runtime, name))

    runtime.rebuild(["tally_totals"], progress=look, page_size=2)
    assert during
    assert all(seen == {"tally_totals_tallies_label"} for seen in during)
    assert indexes_of(runtime, "tally_totals") == every


def test_an_interrupted_rebuild_leaves_no_index_out() -> None:
    with open_store("sqlite-file") as store:
        populate(store)
        runtime = store.runtime()
        runtime.catch_up()

        def stop_midway(name: str, position: int, stop: int) -> None:
            if position > 0:
                assert "tally_totals_counts_amount" not in indexes_of(runtime, name)
                raise Interrupted

        with pytest.raises(Interrupted):
            runtime.rebuild(["tally_totals"], progress=stop_midway, page_size=2)
        assert "tally_totals_counts_amount" in indexes_of(runtime, "tally_totals")
        state = runtime.views.state("tally_totals")
        with state.view.transaction(commit=True) as c:
            c.execute('DROP INDEX "tally_totals_counts_amount"')
        runtime.close()
        restarted = store.runtime()  # as after a killed process: prepare heals it
        assert "tally_totals_counts_amount" in indexes_of(restarted, "tally_totals")


def test_rebuild_of_one_view_leaves_the_others_alone(store: Store) -> None:
    populate(store)
    runtime = store.runtime()
    runtime.catch_up()
    before = runtime.digest()
    seen: list[tuple[str, int, int]] = []
    runtime.rebuild(["label_history"], progress=lambda *a: seen.append(a))
    assert {name for name, _, _ in seen} == {"label_history"}
    assert seen[0] == ("label_history", 0, store.tip)
    assert seen[-1] == ("label_history", store.tip, store.tip)
    assert runtime.digest() == before
    # The library's own migration row survives the reset of the tracking row.
    view = runtime.views.state("label_history").view
    assert view.max_tracking_id("__migration__") == 1


def test_inline_catch_up_waits_for_a_rebuild(store: Store) -> None:
    populate(store)
    runtime = store.runtime()
    runtime.catch_up()
    tip = store.tip
    waiter: list[threading.Thread] = []
    states: list[bool] = []

    def during_rebuild(name: str, position: int, stop: int) -> None:
        if name == "tally_totals" and not waiter:
            thread = threading.Thread(target=runtime.catch_up, kwargs={"until": tip})
            waiter.append(thread)
            thread.start()
        if waiter:
            waiter[0].join(0.05)
            states.append(waiter[0].is_alive())

    runtime.rebuild(["tally_totals"], progress=during_rebuild, page_size=1)
    waiter[0].join(10)
    assert states
    assert all(states)  # it waited for the whole rebuild
    assert runtime.positions()["tally_totals"] == tip


def test_a_handler_error_during_rebuild_leaves_the_view_stale(store: Store) -> None:
    populate(store)
    totals = TallyTotals()
    runtime = store.runtime(totals, LabelHistory())
    runtime.catch_up()
    totals.poison = {3}
    runtime.rebuild()
    stale = runtime.stale_models()
    assert list(stale) == ["tally_totals"]
    assert stale["tally_totals"].reason == "failed"


# ---------------------------------------------------------------------------
# The commands
# ---------------------------------------------------------------------------
@pytest.fixture(
    params=["sqlite-file", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def cli_store(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Store, list[ReadModel]]]:
    if request.param == "postgres":
        require_postgres()
    read_models = models()
    with open_store(request.param) as opened:
        # Each command opens its own runtime, as a separate process would.
        monkeypatch.setattr(
            views_cmd,
            "get_runtime",
            lambda: closing(ProjectionRuntime(opened.app, read_models)),
        )
        yield opened, read_models


def test_views_digest_prints_each_view_and_overall(
    cli_store: tuple[Store, list[ReadModel]],
) -> None:
    store, read_models = cli_store
    populate(store)
    runtime = store.runtime(*read_models)
    runtime.catch_up()
    expected = runtime.digest()
    result = CliRunner().invoke(views_cmd.views, ["digest"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[-1] == f"{expected['overall']}  tổng thể"
    assert f"{expected['tally_totals']}  tally_totals (v1, vị trí {store.tip})" in lines
    result = CliRunner().invoke(views_cmd.views, ["digest", "--json"])
    document = json.loads(result.output)
    assert document["overall"] == expected["overall"]
    assert document["views"]["label_history"] == {
        "sha256": expected["label_history"],
        "position": store.tip,
        "version": 1,
        "rows": 3,
    }


def test_rebuild_command_gives_the_same_digest(
    cli_store: tuple[Store, list[ReadModel]],
) -> None:
    store, read_models = cli_store
    populate(store)
    store.runtime(*read_models).catch_up()
    before = CliRunner().invoke(views_cmd.views, ["digest", "--json"]).output
    result = CliRunner().invoke(views_cmd.rebuild, ["--page", "1"])
    assert result.exit_code == 0, result.output
    assert f"tally_totals: vị trí {store.tip}, ổn" in result.output
    assert "label_history" in result.output
    assert "%" not in result.output  # no progress bar when stdout is not a TTY
    after = CliRunner().invoke(views_cmd.views, ["digest", "--json"]).output
    assert json.loads(after) == json.loads(before)

    result = CliRunner().invoke(views_cmd.rebuild, ["label_history", "--verify"])
    assert result.exit_code == 0, result.output
    assert "tally_totals" not in result.output
    assert CliRunner().invoke(views_cmd.views, ["digest", "--json"]).output == before


def test_rebuild_command_refuses_unknown_names(
    cli_store: tuple[Store, list[ReadModel]],
) -> None:
    result = CliRunner().invoke(views_cmd.rebuild, ["nope"])
    assert result.exit_code == 2
    assert "không có mô hình đọc: nope" in result.output


def test_rebuild_command_fails_when_a_view_stops_early(
    cli_store: tuple[Store, list[ReadModel]],
) -> None:
    store, read_models = cli_store
    populate(store)
    totals = read_models[0]
    assert isinstance(totals, TallyTotals)
    totals.poison = {2}
    result = CliRunner().invoke(views_cmd.rebuild, [])
    assert result.exit_code == 1
    assert "tally_totals: vị trí" in result.output
    assert "CHƯA CẬP NHẬT" in result.output
    assert "label_history: vị trí" in result.output


def test_a_rebuild_in_two_processes_equals_incremental(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The views shared out between this process and another
    (``projections.rebuild_process``), each reading the log for its share."""
    populate(store)
    for n in range(3):
        populate(store)
        store.save(Chatter(n))
    runtime = store.runtime()
    runtime.catch_up()
    incremental = runtime.digest()
    positions = runtime.positions()
    started: list[Any] = []
    start = rebuild_module._start

    def recorded(*args: Any) -> Any:
        child = start(*args)
        started.append(child)
        return child

    monkeypatch.setattr(rebuild_module, "_start", recorded)
    runtime.rebuild(processes=2, page_size=2)
    assert runtime.digest() == incremental
    assert runtime.positions() == positions
    assert runtime.stale_models() == {}
    if store.settings.memory:
        assert started == []  # a memory database is this process's own
    else:
        assert [child.returncode for child in started] == [0]


def test_views_are_shared_out_by_weight() -> None:
    class Heavy(TallyTotals):
        rebuild_weight = 5

    states = [
        SimpleNamespace(name=n, topics=["t"], model=m)
        for n, m in (("a", LabelHistory()), ("b", Heavy()), ("c", LabelHistory()))
    ]
    shares = rebuild_module.shared_out(states, 2)  # type: ignore[arg-type]
    assert [[s.name for s in share] for share in shares] == [["b"], ["a", "c"]]
    assert len(rebuild_module.shared_out(states, 1)) == 1  # type: ignore[arg-type]
