"""The views after a command (ledger.md §9.2, issue 14 deliverables 3 and 4).

- Embedded mode: a command catches up only the views that take its topics, in one
  transaction on PostgreSQL, and a rebuild still equals the incremental views.
- Worker mode (PostgreSQL): a command returns once a running worker has brought
  the views to it (read your own writes), waits at most a bounded time, and with
  no worker running the writing process catches the views up itself, which is
  what lets ``kiemdiem init --demo`` finish in worker mode.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from ledger.config import settings_from_environ
from services import commands as c
from services.app import Kiemdiem
from services.demo import load_demo
from services.setup import initialise

PG_ADMIN = "host=127.0.0.1 port=5432 dbname=test user=postgres"
PG_BASE = "postgresql://postgres@127.0.0.1:5432/test"
ADMIN_PASSWORD = "mat-khau-quan-tri"


def _postgres_or_skip() -> None:
    try:
        with psycopg.connect(PG_ADMIN):
            return
    except psycopg.OperationalError:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL on 127.0.0.1:5432 is required in CI")
        pytest.skip("PostgreSQL on 127.0.0.1:5432 is not running")


@pytest.fixture
def store_url(request, tmp_path, monkeypatch) -> Iterator[str]:
    """``backend-mode``: sqlite-inline, postgres-inline or postgres-worker."""
    backend, mode = request.param.split("-")
    monkeypatch.setenv("KIEMDIEM_ARGON2_MEMORY_KIB", "1024")
    monkeypatch.setenv("KIEMDIEM_INSTANCE_DIR", str(tmp_path / "instance"))
    monkeypatch.setenv("KIEMDIEM_PROJECTIONS", mode)
    for key in ("KIEMDIEM_TRUST_ROOT", "KIEMDIEM_LOG_KEY_FILE"):
        monkeypatch.delenv(key, raising=False)
    # Not a demo store: the log key's passphrase comes from the environment.
    monkeypatch.setenv("KIEMDIEM_LOG_KEY_PASSPHRASE", "cum-tu-khoa-nhat-ky-thu")
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path}/kiemdiem.db"
        return
    _postgres_or_skip()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    yield f"{PG_BASE}?schema={schema}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def _initialised(url: str) -> Any:
    settings = settings_from_environ(database_url=url)
    initialise(
        settings,
        origin="kiemdiem.test/tinh-uy",
        admin_username="admin",
        admin_full_name="Quản trị hệ thống",
        admin_password=ADMIN_PASSWORD,
    )
    return settings


@pytest.fixture
def services(store_url: str) -> Iterator[Kiemdiem]:
    app = Kiemdiem(_initialised(store_url))
    yield app
    app.close()


def _found(services: Kiemdiem, admin: Any, code: str, kind: str, parent: Any = None):
    command = c.FoundOrganisation(admin.actor, code, code.upper(), kind, parent)
    return services.handle(command, admin.signer)


def _admin(services: Kiemdiem) -> Any:
    session = services.authenticate("admin", ADMIN_PASSWORD)
    assert session is not None
    return session


def _org_codes(services: Kiemdiem) -> set[str]:
    return {r["code"] for r in services.projections.query("directory", _ORGS)}


_ORGS = "SELECT code FROM {organisations}"


class _Counting:
    """Counts the view transactions that commit (the views' pool, PostgreSQL)."""

    def __init__(self, datastore: Any) -> None:
        self.datastore = datastore
        self.original = datastore.transaction
        self.commits = 0

    def __call__(self, *, commit: bool = False) -> Any:
        if commit:
            self.commits += 1
        return self.original(commit=commit)


@pytest.mark.parametrize(
    "store_url",
    ["sqlite-inline", pytest.param("postgres-inline", marks=pytest.mark.postgres)],
    indirect=True,
)
def test_a_command_catches_up_only_the_views_of_its_topics(services, monkeypatch):
    admin = _admin(services)
    runtime = services.projections
    province = _found(services, admin, "tinh", "provincial_committee")
    before = runtime.positions()
    shared = runtime.views.shared
    counting = None
    if shared is not None:
        counting = _Counting(shared.datastore)
        monkeypatch.setattr(shared.datastore, "transaction", counting)
    careful: list[str] = []
    original = runtime.careful.one

    def spy(state: Any, until: Any, **kwargs: Any) -> int:
        careful.append(state.name)
        return original(state, until, **kwargs)

    monkeypatch.setattr(runtime.careful, "one", spy)
    _found(services, admin, "huyen", "district_committee", province)
    tip = services.ledger.max_notification_id()
    after = runtime.positions()
    assert careful == []  # the quick path did it all
    assert after["directory"] == tip > before["directory"]
    handled = {
        name
        for name in runtime.names
        if "Organisation.Founded" in str(runtime.model(name).topics)
    }
    for name in set(runtime.names) - handled:
        assert after[name] == before[name], name  # not touched at all
    if counting is not None:
        assert counting.commits == 1  # every view that took the event, together
    assert "huyen" in _org_codes(services)


@pytest.mark.parametrize(
    "store_url",
    ["sqlite-inline", pytest.param("postgres-worker", marks=pytest.mark.postgres)],
    indirect=True,
)
def test_rebuild_equals_the_views_built_command_by_command(services):
    """The demo province is a mixed sequence of every kind of command (accounts,
    members, cycles, ratings, remediation, a vote). On PostgreSQL it runs in worker
    mode with no worker: it used to stop at ``cycle.open`` with
    ``auth.out_of_scope``, the organisation tree read from a view nobody updated."""
    admin = _admin(services)
    result = load_demo(services, admin.signer)
    assert result.members > 0
    services.projections.catch_up()  # what the worker does (no-op when inline)
    incremental = services.projections.digest()
    services.projections.rebuild()
    assert services.projections.digest() == incremental
    assert services.projections.stale_models() == {}


def _worker_loop(
    settings: Any,
    stop: threading.Event,
    ready: threading.Event,
    broken: str | None = None,
) -> None:
    worker = Kiemdiem(settings)
    if broken is not None:

        def fails(event: Any, tx: Any) -> None:
            raise RuntimeError("a handler bug")

        worker.projections.model(broken).apply = fails  # type: ignore[method-assign]
    try:
        with worker.projections.worker_presence() as present:
            ready.set()
            while not stop.is_set():
                worker.work_once()
                # A long poll: only the insert notification wakes it in time.
                present.wait(30, stop)
    finally:
        worker.close()


@pytest.mark.postgres
@pytest.mark.parametrize("store_url", ["postgres-worker"], indirect=True)
def test_worker_mode_reads_your_own_writes(store_url, monkeypatch):
    settings = _initialised(store_url)
    web = Kiemdiem(settings)
    stop, ready = threading.Event(), threading.Event()
    thread = threading.Thread(target=_worker_loop, args=(settings, stop, ready))
    thread.start()
    try:
        assert ready.wait(30)
        admin = _admin(web)

        def not_here(until: int) -> None:
            raise AssertionError("the web process caught up itself")

        monkeypatch.setattr(web.projections, "catch_up_written", not_here)
        province = _found(web, admin, "tinh", "provincial_committee")
        assert "tinh" in _org_codes(web)  # the very next read shows it
        started = time.monotonic()
        _found(web, admin, "huyen", "district_committee", province)
        assert "huyen" in _org_codes(web)
        assert time.monotonic() - started < 5  # woken by the insert, not the poll
    finally:
        stop.set()
        # Wake the worker's wait with one more insert notification.
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            channel = web.ledger.recorder.channel_name  # type: ignore[attr-defined]
            conn.execute(f'NOTIFY "{channel}"')
        thread.join(60)
        web.close()
    assert not thread.is_alive()


@pytest.mark.postgres
@pytest.mark.parametrize("store_url", ["postgres-worker"], indirect=True)
def test_the_wait_for_a_stuck_worker_is_bounded(store_url):
    settings = _initialised(store_url)
    web = Kiemdiem(settings)
    idle = Kiemdiem(settings)  # present, but never works
    try:
        admin = _admin(web)
        web.projections.read_your_writes_seconds = 0.3
        with idle.projections.worker_presence():
            started = time.monotonic()
            _found(web, admin, "tinh", "provincial_committee")
            waited = time.monotonic() - started
            assert 0.3 <= waited < 3
            assert "tinh" not in _org_codes(web)  # left to the worker
        # The worker is gone: the next command's process catches up itself.
        _found(web, admin, "tinh2", "provincial_committee")
        assert {"tinh", "tinh2"} <= _org_codes(web)
    finally:
        idle.close()
        web.close()


@pytest.mark.postgres
@pytest.mark.parametrize("store_url", ["postgres-worker"], indirect=True)
def test_a_failed_view_does_not_hold_every_command(store_url):
    """A view stopped on a handler error stays behind (stale banner); commands
    wait only for the views the worker keeps current."""
    settings = _initialised(store_url)
    web = Kiemdiem(settings)
    stop, ready = threading.Event(), threading.Event()
    thread = threading.Thread(
        target=_worker_loop, args=(settings, stop, ready, "directory")
    )
    thread.start()
    try:
        assert ready.wait(30)
        admin = _admin(web)
        web.projections.read_your_writes_seconds = 15
        started = time.monotonic()
        _found(web, admin, "tinh", "provincial_committee")
        assert time.monotonic() - started < 10  # not the whole bound
        assert "tinh" not in _org_codes(web)
        assert web.projections.stale_models()["directory"].reason == "failed"
    finally:
        stop.set()
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            channel = web.ledger.recorder.channel_name  # type: ignore[attr-defined]
            conn.execute(f'NOTIFY "{channel}"')
        thread.join(60)
        web.close()
    assert not thread.is_alive()


@pytest.mark.parametrize(
    "store_url",
    ["sqlite-worker", pytest.param("postgres-worker", marks=pytest.mark.postgres)],
    indirect=True,
)
def test_a_running_worker_is_seen_by_other_processes(store_url):
    from projections.presence import worker_present

    settings = _initialised(store_url)
    web, worker = Kiemdiem(settings), Kiemdiem(settings)
    try:
        assert worker_present(web.ledger) is False
        with worker.projections.worker_presence() as present:
            assert worker_present(web.ledger) is True
            started = time.monotonic()
            present.wait(0.2)  # returns: after the timeout, or on any insert
            assert time.monotonic() - started < 5
        assert worker_present(web.ledger) is False
    finally:
        worker.close()
        web.close()


@pytest.mark.postgres
@pytest.mark.parametrize("store_url", ["postgres-worker"], indirect=True)
def test_the_workers_round_is_one_transaction(store_url, monkeypatch):
    settings = _initialised(store_url)
    web, worker = Kiemdiem(settings), Kiemdiem(settings)
    try:
        admin = _admin(web)
        web.projections.read_your_writes_seconds = 0
        with worker.projections.worker_presence():  # web leaves the views to it
            province = _found(web, admin, "tinh", "provincial_committee")
            _found(web, admin, "huyen", "district_committee", province)
        runtime = worker.projections
        assert runtime.views.shared is not None
        counting = _Counting(runtime.views.shared.datastore)
        monkeypatch.setattr(runtime.views.shared.datastore, "transaction", counting)
        careful: list[str] = []
        monkeypatch.setattr(
            runtime.careful, "one", lambda state, *a, **k: careful.append(state.name)
        )
        tip = web.ledger.max_notification_id()
        assert runtime.catch_up() == dict.fromkeys(runtime.names, tip)
        assert careful == []
        assert counting.commits == 1
        assert {"tinh", "huyen"} <= _org_codes(web)
    finally:
        worker.close()
        web.close()
