"""The projections runtime on SQLite (in memory and file) and PostgreSQL (§9).

A toy aggregate and toy read models live in this module; the runtime has no
domain knowledge, so nothing here depends on ``domain/``.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import tempfile
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import PersistenceError, Tracking
from eventsourcing.sqlite import SQLiteFactory, SQLiteTrackingRecorder
from eventsourcing.utils import Environment

from ledger import canonical
from ledger.app import LedgerApplication
from ledger.config import Settings, settings_from_environ
from ledger.envelope import key_id_for
from ledger.keyring import TrustedAdminKey
from ledger.keys import public_key_raw, register_key
from ledger.signing import Signer, signing_as
from ledger.trustroot import make_trust_root
from projections import sqlutil
from projections.read_model import ReadModel, handles
from projections.runtime import ProjectionRuntime
from projections.sqlutil import Tx, ViewDefinitionError

PG_CONNINFO = "host=127.0.0.1 port=5432 dbname=test user=postgres"
PG_URL = "postgresql://postgres@127.0.0.1:5432/test?schema="
ORIGIN = "kiemdiem.test/projections"


# ---------------------------------------------------------------------------
# A toy aggregate and toy read models
# ---------------------------------------------------------------------------
class Counter(Aggregate):
    # Event classes declared explicitly so that mypy sees them.
    class Opened(Aggregate.Created):
        label: str

    class Added(Aggregate.Event):
        amount: int

    class Relabelled(Aggregate.Event):
        label: str

    @event(Opened)
    def __init__(self, label: str) -> None:
        self.label = label
        self.value = 0

    @event(Added)
    def add(self, amount: int) -> None:
        self.value += amount

    @event(Relabelled)
    def relabel(self, label: str) -> None:
        self.label = label


class Noise(Aggregate):
    """Events no read model here handles."""

    @event("Made")
    def __init__(self, n: int) -> None:
        self.n = n


class Crash(BaseException):
    """Stands for the process dying in the middle of a page."""


class CounterTotals(ReadModel):
    name = "counter_totals"
    version = 1
    tables = {  # noqa: RUF012
        "counters": (
            "id TEXT PRIMARY KEY, label TEXT NOT NULL, total BIGINT NOT NULL, "
            "adds BIGINT NOT NULL, last_seen BIGINT NOT NULL"
        ),
        "history": (
            "id TEXT NOT NULL, ver BIGINT NOT NULL, amount BIGINT NOT NULL, "
            "actor TEXT NOT NULL, at TEXT NOT NULL, PRIMARY KEY (id, ver)"
        ),
    }

    def __init__(self) -> None:
        self.poison: set[int] = set()  # amounts whose handler raises ValueError
        self.crash_on: set[int] = set()  # amounts whose handler "kills the process"

    @handles(Counter.Opened)
    def opened(self, e: Any, tx: Tx) -> None:
        tx.upsert(
            "counters",
            ["id"],
            {
                "id": e.stream,
                "label": e.event.label,
                "total": 0,
                "adds": 0,
                "last_seen": e.notification_id,
            },
        )

    @handles(Counter.Added)
    def added(self, e: Any, tx: Tx) -> None:
        amount = e.event.amount
        tx.execute(
            "UPDATE {counters} SET total = total + ?, adds = adds + 1, "
            "last_seen = ? WHERE id = ?",
            (amount, e.notification_id, e.stream),
        )
        if amount in self.crash_on:
            raise Crash
        if amount in self.poison:
            msg = f"poisoned amount {amount}"
            raise ValueError(msg)
        tx.execute(
            "INSERT INTO {history} (id, ver, amount, actor, at) VALUES (?, ?, ?, ?, ?)",
            (e.stream, e.version, amount, e.actor, e.timestamp),
        )

    @handles(Counter.Relabelled)
    def relabelled(self, e: Any, tx: Tx) -> None:
        tx.execute(
            "UPDATE {counters} SET label = ?, last_seen = ? WHERE id = ?",
            (e.event.label, e.notification_id, e.stream),
        )


class LabelIndex(ReadModel):
    """A second view: which labels exist, keyed by text, with a binary column."""

    name = "label_index"
    version = 1
    tables = {  # noqa: RUF012
        "labels": "label TEXT PRIMARY KEY, digest BLOB NOT NULL, uses BIGINT NOT NULL"
    }

    @handles(Counter.Opened, Counter.Relabelled)
    def labelled(self, e: Any, tx: Tx) -> None:
        label = e.event.label
        uses = tx.scalar("SELECT uses FROM {labels} WHERE label = ?", (label,)) or 0
        tx.upsert(
            "labels",
            ["label"],
            {"label": label, "digest": canonical.encode(label), "uses": uses + 1},
        )


class OpenedOnly(ReadModel):
    """Handles one topic only: everything else must still advance its position."""

    name = "opened_only"
    version = 1
    tables = {"opened": "id TEXT PRIMARY KEY, at BIGINT NOT NULL"}  # noqa: RUF012

    @handles(Counter.Opened)
    def opened(self, e: Any, tx: Tx) -> None:
        tx.execute(
            "INSERT INTO {opened} (id, at) VALUES (?, ?)", (e.stream, e.notification_id)
        )


# ---------------------------------------------------------------------------
# Stores
# ---------------------------------------------------------------------------
@dataclass
class Store:
    kind: str
    settings: Settings
    app: LedgerApplication
    signer: Signer
    runtimes: list[ProjectionRuntime] = field(default_factory=list)

    def save(self, *aggregates: Aggregate) -> int:
        with signing_as(self.signer):
            recordings = self.app.save(*aggregates)
        return recordings[-1].notification.id

    def runtime(self, *models: ReadModel, **options: Any) -> ProjectionRuntime:
        runtime = ProjectionRuntime(self.app, models, **options)
        self.runtimes.append(runtime)
        return runtime

    @property
    def tip(self) -> int:
        return self.app.max_notification_id()


def postgres_reachable() -> str | None:
    try:
        psycopg.connect(PG_CONNINFO, connect_timeout=3).close()
    except psycopg.OperationalError as exc:
        return str(exc).strip()
    return None


def require_postgres() -> None:
    problem = postgres_reachable()
    if problem is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"PostgreSQL at 127.0.0.1:5432 is required in CI: {problem}")
    pytest.skip(f"PostgreSQL at 127.0.0.1:5432 is unreachable: {problem}")


@contextmanager
def open_store(kind: str, mode: str | None = None) -> Iterator[Store]:
    environ = {"KIEMDIEM_PROJECTIONS": mode} if mode else {}
    with tempfile.TemporaryDirectory() as tmp:
        schema = None
        if kind == "sqlite-memory":
            url = "sqlite:///:memory:"
        elif kind == "sqlite-file":
            url = f"sqlite:///{tmp}/kiemdiem.db"
        else:
            schema = f"t_{uuid.uuid4().hex[:12]}"
            url = PG_URL + schema
        settings = settings_from_environ(environ, url)
        admin = Ed25519PrivateKey.generate()
        actor = f"u:{uuid.uuid4()}"
        raw = public_key_raw(admin)
        trust_root = make_trust_root(
            ORIGIN,
            [Ed25519PrivateKey.generate().public_key()],
            [TrustedAdminKey(actor, key_id_for(raw).hex(), raw)],
        )
        app = LedgerApplication(settings, trust_root)
        store = Store(kind, settings, app, Signer(actor, admin))
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
    with open_store(request.param, mode="inline") as opened:
        yield opened


@pytest.fixture(params=BACKENDS)
def worker_store(request: pytest.FixtureRequest) -> Iterator[Store]:
    if request.param == "postgres":
        require_postgres()
    with open_store(request.param, mode="worker") as opened:
        yield opened


def rows(runtime: ProjectionRuntime, name: str, table: str) -> list[dict[str, Any]]:
    return runtime.query(name, f"SELECT * FROM {{{table}}} ORDER BY 1, 2")


def counters(runtime: ProjectionRuntime) -> dict[str, tuple[str, int, int]]:
    found = rows(runtime, "counter_totals", "counters")
    return {r["id"]: (r["label"], r["total"], r["adds"]) for r in found}


# ---------------------------------------------------------------------------
# Catching up
# ---------------------------------------------------------------------------
def test_catch_up_applies_events_and_records_the_position(store: Store) -> None:
    a, b = Counter("a"), Counter("b")
    a.add(5)
    b.add(7)
    a.add(-2)
    store.save(a, b)
    runtime = store.runtime(CounterTotals(), LabelIndex(), page_size=2)
    assert runtime.catch_up() == {"counter_totals": store.tip, "label_index": store.tip}
    assert counters(runtime) == {str(a.id): ("a", 3, 2), str(b.id): ("b", 7, 1)}
    history = rows(runtime, "counter_totals", "history")
    assert [(h["amount"], h["actor"]) for h in history if h["id"] == str(a.id)] == [
        (5, store.signer.actor),
        (-2, store.signer.actor),
    ]
    assert all(h["at"].endswith("Z") for h in history)  # canonical timestamps
    labels = rows(runtime, "label_index", "labels")
    assert [(r["label"], r["digest"], r["uses"]) for r in labels] == [
        ("a", b'"a"', 1),
        ("b", b'"b"', 1),
    ]
    assert runtime.stale_models() == {}


def test_catch_up_is_incremental(store: Store) -> None:
    runtime = store.runtime(CounterTotals())
    a = Counter("a")
    store.save(a)
    runtime.catch_up()
    a.add(1)
    position = store.save(a)
    assert runtime.catch_up(until=position) == {"counter_totals": position}
    a.add(2)
    store.save(a)
    runtime.catch_up()
    assert counters(runtime) == {str(a.id): ("a", 3, 2)}


def test_unhandled_topics_still_advance_the_position(store: Store) -> None:
    runtime = store.runtime(OpenedOnly(), page_size=1)
    store.save(Counter("a"))
    a = Counter("b")
    store.save(a)
    for n in range(3):
        store.save(Noise(n))
    a.add(1)
    tip = store.save(a)
    assert runtime.catch_up() == {"opened_only": tip}
    assert runtime.position("opened_only") == tip
    # Nothing handled at all after the last page: the position still moves on.
    tip = store.save(Noise(9))
    assert runtime.catch_up() == {"opened_only": tip}
    assert len(rows(runtime, "opened_only", "opened")) == 2


def test_catch_up_until_returns_at_once_when_the_view_is_ahead(store: Store) -> None:
    runtime = store.runtime(CounterTotals())
    position = store.save(Counter("a"))
    runtime.catch_up()
    blocker = threading.RLock()
    runtime.views.state("counter_totals").lock = blocker
    held = threading.Event()
    release = threading.Event()

    def hold() -> None:
        with blocker:
            held.set()
            release.wait(10)

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        held.wait(10)
        # The lock is taken by "another request", yet this returns at once.
        assert runtime.catch_up(until=position) == {"counter_totals": position}
    finally:
        release.set()
        thread.join()


def test_concurrent_request_threads_apply_each_event_once(store: Store) -> None:
    runtime = store.runtime(CounterTotals(), page_size=3)
    a = Counter("a")
    for n in range(1, 21):
        a.add(n)
    tip = store.save(a)
    threads = [
        threading.Thread(target=runtime.catch_up, kwargs={"until": tip})
        for _ in range(6)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert counters(runtime) == {str(a.id): ("a", 210, 20)}
    assert runtime.position("counter_totals") == tip


# ---------------------------------------------------------------------------
# Exactly-once and handler errors
# ---------------------------------------------------------------------------
def test_crash_mid_page_leaves_no_partial_rows(store: Store) -> None:
    model = CounterTotals()
    runtime = store.runtime(model, LabelIndex())
    a = Counter("a")
    store.save(a)
    runtime.catch_up()
    before = runtime.position("counter_totals")
    a.add(1)
    a.add(2)
    a.add(66)
    a.add(3)
    store.save(a)
    model.crash_on = {66}
    with pytest.raises(Crash):
        runtime.catch_up()
    # The two adds before the crash were written in the page's transaction and
    # rolled back with it; the position did not move.
    assert counters(runtime) == {str(a.id): ("a", 0, 0)}
    assert rows(runtime, "counter_totals", "history") == []
    assert runtime.position("counter_totals") == before
    # "Restart": every event is applied exactly once.
    model.crash_on = set()
    runtime.catch_up()
    assert counters(runtime) == {str(a.id): ("a", 72, 4)}
    assert len(rows(runtime, "counter_totals", "history")) == 4
    assert runtime.position("counter_totals") == store.tip


def test_handler_error_stops_just_before_the_failing_event(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    model = CounterTotals()
    runtime = store.runtime(model, LabelIndex(), stale_retry_seconds=0)
    a = Counter("a")
    store.save(a)
    runtime.catch_up()
    a.add(1)
    a.add(13)
    a.add(2)
    store.save(a)
    failing = store.tip - 1  # the add(13)
    b = Counter("b")
    tip = store.save(b)
    model.poison = {13}
    with caplog.at_level(logging.ERROR, logger="kiemdiem.projections"):
        positions = runtime.catch_up()
    # The page was rolled back and replayed up to the failing event only.
    assert positions == {"counter_totals": failing - 1, "label_index": tip}
    assert counters(runtime) == {str(a.id): ("a", 1, 1)}
    assert [r["label"] for r in rows(runtime, "label_index", "labels")] == ["a", "b"]
    stale = runtime.stale_models()
    assert list(stale) == ["counter_totals"]
    assert stale["counter_totals"].reason == "failed"
    assert stale["counter_totals"].notification_id == failing
    assert stale["counter_totals"].position == failing - 1
    assert "poisoned amount 13" in stale["counter_totals"].detail
    logged = [r.getMessage() for r in caplog.records]
    assert any(f"stopped before notification {failing}" in m for m in logged)
    # Another process (the web, in worker mode) sees the same.
    other = store.runtime(CounterTotals())
    assert other.stale_models()["counter_totals"].notification_id == failing
    # Once the handler is fixed the view recovers and is no longer stale.
    model.poison = set()
    assert runtime.catch_up()["counter_totals"] == tip
    assert counters(runtime) == {str(a.id): ("a", 16, 3), str(b.id): ("b", 0, 0)}
    assert runtime.stale_models() == {}


def test_failing_view_is_not_retried_before_its_retry_time(store: Store) -> None:
    model = CounterTotals()
    runtime = store.runtime(model, stale_retry_seconds=3600)
    a = Counter("a")
    a.add(13)
    store.save(a)
    model.poison = {13}
    runtime.catch_up()
    model.poison = set()
    runtime.catch_up()  # skipped: the retry is not due yet
    assert "counter_totals" in runtime.stale_models()
    runtime.rebuild()  # a rebuild always runs
    assert runtime.stale_models() == {}
    assert counters(runtime) == {str(a.id): ("a", 13, 1)}


def test_a_float_never_reaches_a_view(store: Store) -> None:
    class Floaty(ReadModel):
        name = "floaty"
        tables = {"t": "id TEXT PRIMARY KEY, x TEXT"}  # noqa: RUF012

        @handles(Counter.Opened)
        def opened(self, e: Any, tx: Tx) -> None:
            tx.execute("INSERT INTO {t} (id, x) VALUES (?, ?)", (e.stream, 0.5))

    runtime = store.runtime(Floaty())
    store.save(Counter("a"))
    runtime.catch_up()
    stale = runtime.stale_models()["floaty"]
    assert "float" in stale.detail
    assert rows(runtime, "floaty", "t") == []


def test_undecodable_event_stops_the_view_before_it(tmp_path: Path) -> None:
    with open_store("sqlite-memory") as store:
        runtime = store.runtime(CounterTotals(), OpenedOnly())
        a = Counter("a")
        store.save(a)
        runtime.catch_up()
        # A row nobody signed, forced in by SQL (the integrator raises the alert).
        with store.app.sql.tx(commit=True) as cur:
            cur.execute(
                "INSERT INTO stored_events VALUES (?, ?, ?, ?)",
                (a.id.hex, 2, Counter.Added.__module__ + ":Counter.Added", b"junk"),
            )
        bad = store.tip
        tip = store.save(Noise(1))
        positions = runtime.catch_up()
        assert positions == {"counter_totals": bad - 1, "opened_only": tip}
        stale = runtime.stale_models()["counter_totals"]
        assert stale.notification_id == bad
        assert "decode error" in stale.detail


def test_a_view_ahead_of_the_log_is_reported(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Tail truncation, or a restored backup of the ledger without its views.
    with open_store("sqlite-file") as store:
        runtime = store.runtime(CounterTotals(), OpenedOnly())
        store.save(Counter("a"))
        store.save(Counter("b"))
        runtime.catch_up()
        tip = store.tip
        with store.app.sql.tx(commit=True) as cur:
            cur.execute("DELETE FROM stored_events WHERE rowid = ?", (tip,))
        with caplog.at_level(logging.ERROR, logger="kiemdiem.projections"):
            runtime.catch_up()
            runtime.catch_up()
        stale = runtime.stale_models()
        assert {s.reason for s in stale.values()} == {"ahead"}
        assert stale["counter_totals"].position == tip
        ahead = [r for r in caplog.records if "truncated" in r.getMessage()]
        assert len(ahead) == 2  # once per view, not once per catch-up


# ---------------------------------------------------------------------------
# Versions and positions
# ---------------------------------------------------------------------------
def test_version_bump_triggers_a_rebuild_at_start_up(store: Store) -> None:
    first = store.runtime(LabelIndex())
    store.save(Counter("a"))
    first.catch_up()

    class LabelIndexV2(LabelIndex):
        version = 2

        @handles(Counter.Opened, Counter.Relabelled)
        def labelled(self, e: Any, tx: Tx) -> None:
            label = e.event.label.upper()
            tx.upsert("labels", ["label"], {"label": label, "digest": b"", "uses": 1})

    second = store.runtime(LabelIndexV2())
    assert second.rebuilt_at_start == ["label_index"]
    assert second.stale_models()["label_index"].reason == "rebuilding"
    assert second.position("label_index") == 0
    assert rows(second, "label_index", "labels") == []
    second.catch_up()
    assert [r["label"] for r in rows(second, "label_index", "labels")] == ["A"]
    assert second.stale_models() == {}
    # The same version again: no rebuild, the position is kept.
    third = store.runtime(LabelIndexV2())
    assert third.rebuilt_at_start == []
    assert third.position("label_index") == store.tip


def test_changed_tables_without_a_version_bump_also_rebuild(store: Store) -> None:
    store.runtime(OpenedOnly()).catch_up()

    class Wider(OpenedOnly):
        tables = {  # noqa: RUF012
            "opened": "id TEXT PRIMARY KEY, at BIGINT NOT NULL, note TEXT"
        }

    runtime = store.runtime(Wider())
    assert runtime.rebuilt_at_start == ["opened_only"]


def test_two_views_keep_separate_positions_in_one_sqlite_deployment() -> None:
    with open_store("sqlite-file") as store:
        totals = CounterTotals()
        runtime = store.runtime(totals, OpenedOnly(), stale_retry_seconds=0)
        a = Counter("a")
        a.add(13)
        bad = store.save(a)
        tip = store.save(Noise(1))
        totals.poison = {13}
        assert runtime.catch_up() == {"counter_totals": bad - 1, "opened_only": tip}
        runtime.close()
        # Each view has its own file, hence its own `tracking` row for "Ledger".
        views = Path(store.settings.sqlite_path or "").parent / "kiemdiem.views"
        assert sorted(p.name for p in views.glob("*.sqlite")) == [
            "counter_totals.sqlite",
            "opened_only.sqlite",
        ]
        reopened = store.runtime(CounterTotals(), OpenedOnly())
        assert reopened.positions() == {"counter_totals": bad - 1, "opened_only": tip}


def test_the_library_tracking_table_would_mix_up_two_views_in_one_file(
    tmp_path: Path,
) -> None:
    # Why each view has its own file (ledger.md §9.2): the row is keyed by the
    # upstream application only.
    env = {"PERSISTENCE_MODULE": "eventsourcing.sqlite"}
    env["SQLITE_DBNAME"] = str(tmp_path / "shared.sqlite")
    one = SQLiteFactory(Environment("one", env))
    two = SQLiteFactory(Environment("two", env))
    try:
        first = one.tracking_recorder(SQLiteTrackingRecorder)
        second = two.tracking_recorder(SQLiteTrackingRecorder)
        first.insert_tracking(Tracking("Ledger", 10))
        assert second.max_tracking_id("Ledger") == 10
    finally:
        one.close()
        two.close()


def test_views_sharing_a_sqlite_file_are_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with open_store("sqlite-file") as store:
        shared = Path(store.settings.sqlite_path or "").with_name("one.sqlite")

        def same_file(self: Settings, name: str) -> dict[str, str]:
            return {**self.library_env, "SQLITE_DBNAME": str(shared)}

        monkeypatch.setattr(Settings, "view_env", same_file)
        with pytest.raises(ViewDefinitionError, match="shares its SQLite file"):
            store.runtime(CounterTotals(), OpenedOnly())


# ---------------------------------------------------------------------------
# Worker mode
# ---------------------------------------------------------------------------
def test_ensure_seen_waits_for_the_worker(worker_store: Store) -> None:
    store = worker_store
    runtime = store.runtime(CounterTotals())
    assert not runtime.inline
    position = store.save(Counter("a"))
    assert runtime.ensure_seen(position, timeout=0.2) is False
    stop = threading.Event()
    worker = threading.Thread(
        target=runtime.run_forever, kwargs={"poll_seconds": 0.05, "stop_event": stop}
    )
    worker.start()
    try:
        assert runtime.ensure_seen(position, timeout=10) is True
        later = store.save(Counter("b"))
        assert runtime.ensure_seen(later, timeout=10) is True
    finally:
        stop.set()
        worker.join(10)
    assert not worker.is_alive()
    assert len(counters(runtime)) == 2


def test_ensure_seen_inline_catches_up_and_reports_a_stuck_view(store: Store) -> None:
    model = CounterTotals()
    runtime = store.runtime(model, OpenedOnly())
    assert runtime.inline
    a = Counter("a")
    position = store.save(a)
    assert runtime.ensure_seen(position, timeout=0) is True
    a.add(13)
    model.poison = {13}
    position = store.save(a)
    assert runtime.ensure_seen(position, timeout=0) is False
    assert runtime.ensure_seen(position, timeout=0, names=["opened_only"]) is True


TWO_PROCESS_BACKENDS = [
    "sqlite-file",
    pytest.param("postgres", marks=pytest.mark.postgres),
]


@pytest.mark.parametrize("kind", TWO_PROCESS_BACKENDS)
def test_two_runtime_instances_apply_each_event_once(
    kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    # Two processes (say a worker and `kiemdiem rebuild`, or two workers) on the
    # same views: they take turns page by page and never apply a page twice.
    if kind == "postgres":
        require_postgres()
    with open_store(kind, mode="worker") as store:
        one = store.runtime(CounterTotals(), page_size=2)
        two = store.runtime(CounterTotals(), page_size=2)
        a = Counter("a")
        for n in range(1, 31):
            a.add(n)
        store.save(a)
        threads = [threading.Thread(target=r.catch_up) for r in (one, two) * 3]
        with caplog.at_level(logging.WARNING, logger="kiemdiem.projections"):
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        assert counters(one) == {str(a.id): ("a", 465, 30)}
        assert caplog.records == []
        assert one.stale_models() == two.stale_models() == {}


@pytest.mark.parametrize("kind", TWO_PROCESS_BACKENDS)
def test_processes_starting_together_open_the_views_once(kind: str) -> None:
    if kind == "postgres":
        require_postgres()
    with open_store(kind, mode="worker") as store:
        errors: list[BaseException] = []
        lock = threading.Lock()

        def start() -> None:
            try:
                runtime = ProjectionRuntime(store.app, [CounterTotals(), LabelIndex()])
            except BaseException as exc:
                errors.append(exc)
                return
            with lock:
                store.runtimes.append(runtime)

        threads = [threading.Thread(target=start) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert all(r.rebuilt_at_start == [] for r in store.runtimes)
        store.runtimes[0].catch_up()
        assert store.runtimes[-1].position("label_index") == store.tip


# ---------------------------------------------------------------------------
# Reading views
# ---------------------------------------------------------------------------
def test_read_joins_several_views(store: Store) -> None:
    runtime = store.runtime(CounterTotals(), LabelIndex())
    a = Counter("a")
    a.add(4)
    store.save(a, Counter("b"))
    runtime.catch_up()
    with runtime.read("counter_totals", "label_index") as cur:
        found = cur.execute(
            "SELECT c.label, c.total, l.uses FROM {counters} c "
            "JOIN {label_index.labels} l ON l.label = c.label "
            "WHERE c.label LIKE '%a%' AND c.label <> '?' ORDER BY c.label"
        ).fetchall_dicts()
    assert found == [{"label": "a", "total": 4, "uses": 1}]


def test_reads_are_read_only(store: Store) -> None:
    runtime = store.runtime(CounterTotals(), LabelIndex())
    store.save(Counter("a"))
    runtime.catch_up()
    errors = (sqlite3.Error, PersistenceError, psycopg.Error)
    with pytest.raises(errors), runtime.read("counter_totals") as cur:
        cur.execute("DELETE FROM {counters}")
    with (
        pytest.raises(errors),
        runtime.read("counter_totals", "label_index") as cur,
    ):
        cur.execute("DELETE FROM {label_index.labels}")
    assert len(counters(runtime)) == 1
    # The pooled connection is writable again for the runtime itself.
    store.save(Counter("b"))
    runtime.catch_up()
    assert len(counters(runtime)) == 2


def test_query_refuses_unknown_tables(store: Store) -> None:
    runtime = store.runtime(CounterTotals())
    with pytest.raises(KeyError, match="unknown view table"):
        runtime.query("counter_totals", "SELECT * FROM {nope}")
    with pytest.raises(KeyError, match="no read model"):
        runtime.query("nope", "SELECT 1")


# ---------------------------------------------------------------------------
# Digests
# ---------------------------------------------------------------------------
def test_digest_covers_rows_and_position(store: Store) -> None:
    runtime = store.runtime(CounterTotals(), LabelIndex())
    store.save(Counter("a"))
    runtime.catch_up()
    first = runtime.digest()
    assert set(first) == {"counter_totals", "label_index", "overall"}
    assert all(len(v) == 64 for v in first.values())
    assert runtime.digest() == first
    store.save(Noise(1))  # no rows change, but the position does
    runtime.catch_up()
    second = runtime.digest()
    assert second["counter_totals"] != first["counter_totals"]
    assert second["overall"] != first["overall"]
    details = runtime.digest_details()
    assert details["label_index"].rows == 1
    assert details["label_index"].position == store.tip


def test_digest_does_not_depend_on_the_physical_row_order(store: Store) -> None:
    runtime = store.runtime(LabelIndex())
    store.save(Counter("b"), Counter("a"), Counter("c"))
    runtime.catch_up()
    before = runtime.digest()
    state = runtime.views.state("label_index")
    with state.view.transaction(commit=True) as c:
        tx = Tx(c, postgres=state.view.postgres, tables=state.tables)
        saved = tx.execute("SELECT * FROM {labels} ORDER BY label").fetchall()
        tx.execute("DELETE FROM {labels}")
        for row in reversed(saved):
            tx.execute("INSERT INTO {labels} VALUES (?, ?, ?)", row)
    with runtime.read("label_index") as cur:
        physical = [r[0] for r in cur.execute("SELECT * FROM {labels}").fetchall()]
    assert physical == ["c", "b", "a"]
    assert runtime.digest() == before


# ---------------------------------------------------------------------------
# Declarations and SQL helpers (no database needed)
# ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("columns", "message"),
    [
        ("id INTEGER PRIMARY KEY AUTOINCREMENT", "AUTOINCREMENT"),
        ("id TEXT PRIMARY KEY, x REAL", "REAL"),
        ("id TEXT PRIMARY KEY, at TIMESTAMP DEFAULT CURRENT_TIMESTAMP", "TIMESTAMP"),
        ("id BIGSERIAL PRIMARY KEY", "BIGSERIAL"),
        ("id TEXT, x BIGINT", "PRIMARY KEY"),
    ],
)
def test_non_deterministic_tables_are_refused(columns: str, message: str) -> None:
    class Bad(ReadModel):
        name = "bad"
        tables = {"t": columns}  # noqa: RUF012

    with pytest.raises(ViewDefinitionError, match=message):
        Bad().check()


@pytest.mark.parametrize("name", ["Bad", "has-dash", "overall", "9lives", ""])
def test_bad_model_names_are_refused(name: str) -> None:
    class Named(ReadModel):
        tables = {"t": "id TEXT PRIMARY KEY"}  # noqa: RUF012

    Named.name = name
    with pytest.raises(ViewDefinitionError):
        Named().check()


def test_two_handlers_for_one_event_class_are_refused() -> None:
    with pytest.raises(ViewDefinitionError, match="two handlers"):

        class Twice(ReadModel):
            name = "twice"
            tables = {"t": "id TEXT PRIMARY KEY"}  # noqa: RUF012

            @handles(Counter.Opened)
            def one(self, e: Any, tx: Tx) -> None: ...

            @handles(Counter.Opened)
            def two(self, e: Any, tx: Tx) -> None: ...


def test_topics_come_from_the_handlers() -> None:
    module = Counter.__module__
    assert LabelIndex().topics == {
        f"{module}:Counter.Opened",
        f"{module}:Counter.Relabelled",
    }


def test_duplicate_model_names_are_refused(store: Store) -> None:
    with pytest.raises(ViewDefinitionError, match="two read models"):
        store.runtime(CounterTotals(), CounterTotals())


def test_placeholders_are_adapted_outside_quotes_only() -> None:
    statement = "SELECT '?', \"a?\" FROM {t} WHERE x = ? AND y LIKE 'a%' AND z % 2 = ?"
    assert sqlutil.render(statement, {"t": '"s"."m_t"'}, postgres=True) == (
        'SELECT \'?\', "a?" FROM "s"."m_t" WHERE x = %s AND y LIKE \'a%%\' '
        "AND z %% 2 = %s"
    )
    assert sqlutil.render(statement, {"t": '"m_t"'}, postgres=False) == (
        statement.replace("{t}", '"m_t"')
    )


def test_ddl_types_are_normalised_per_backend() -> None:
    columns = "id INTEGER PRIMARY KEY, b BLOB, c bytea, n int"
    assert sqlutil.normalise_columns(columns, postgres=True) == (
        "id BIGINT PRIMARY KEY, b BYTEA, c BYTEA, n BIGINT"
    )
    assert sqlutil.normalise_columns(columns, postgres=False) == (
        "id BIGINT PRIMARY KEY, b BLOB, c BLOB, n BIGINT"
    )


def test_parameters_are_stored_alike_on_both_backends() -> None:
    from datetime import UTC, datetime
    from decimal import Decimal
    from enum import StrEnum

    class Colour(StrEnum):
        RED = "red"

    ident = uuid.uuid4()
    moment = datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC)
    assert sqlutil.adapt_params([ident, True, moment, Colour.RED, b"x", None]) == (
        str(ident),
        1,
        "2026-01-02T03:04:05.000006Z",
        "red",
        b"x",
        None,
    )
    for bad in (0.5, Decimal("1.5"), datetime(2026, 1, 1)):  # noqa: DTZ001
        with pytest.raises((TypeError, canonical.CanonicalEncodingError)):
            sqlutil.adapt_param(bad)


def test_dump_values_are_canonical() -> None:
    assert sqlutil.dump_value(memoryview(b"\x01\xff")) == "01ff"
    assert sqlutil.dump_value(True) == 1
    with pytest.raises(canonical.CanonicalEncodingError):
        sqlutil.dump_value(1.5)
    values: list[list[Any]] = [[b"\x00"], ["b"], [2], [None], ["a"], [1]]
    ordered = sorted(values, key=lambda v: sqlutil.sort_key(v))
    assert ordered == [[None], [1], [2], ["a"], ["b"], [b"\x00"]]
