"""A web request's statements on one connection per datastore (PostgreSQL):
``ledger.held_connections``. Taken from the pool once, lent only while idle,
given back at the request's end (error or not) and whenever a block leaves it
in a transaction; one per thread; nothing held outside a request. SQLite holds
nothing and works as before."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from eventsourcing import persistence as es

from ledger import held_connections as held
from services.app import Kiemdiem
from tests.conftest import SECRET_KEY


def _postgres(services: Kiemdiem) -> None:
    if services.settings.backend != "postgres":
        pytest.skip("PostgreSQL only: SQLite's pools are not held")


def _datastores(services: Kiemdiem) -> dict[str, Any]:
    shared = services.projections.views.shared
    assert shared is not None
    return {
        "ledger": services.ledger.recorder.datastore,  # type: ignore[attr-defined]
        "views": shared.datastore,
    }


def _taken(services: Kiemdiem) -> dict[str, int]:
    """How many connections each pool has handed out so far."""
    return {
        name: d.pool.get_stats().get("requests_num", 0)
        for name, d in _datastores(services).items()
    }


def _out(services: Kiemdiem) -> dict[str, int]:
    """How many of each pool's connections are out of it now."""
    out = {}
    for name, d in _datastores(services).items():
        stats = d.pool.get_stats()
        out[name] = stats["pool_size"] - stats["pool_available"]
    return out


def _reads(services: Kiemdiem) -> None:
    """A page's worth of statements on the ledger and on the views."""
    for _ in range(3):
        services.ledger.max_notification_id()
        services.accounts()
        with services.ledger.sql.read() as cur:
            cur.execute("SELECT 1").fetchone()


@pytest.fixture
def request_scope() -> Iterator[None]:
    held.begin_request()
    try:
        yield
    finally:
        held.end_request()


def test_a_request_takes_one_connection_per_datastore(services: Kiemdiem) -> None:
    _postgres(services)
    before = _taken(services)
    held.begin_request()
    try:
        _reads(services)
        assert held.held_count() == 2
    finally:
        held.end_request()
    after = _taken(services)
    assert {k: after[k] - before[k] for k in after} == {"ledger": 1, "views": 1}
    assert held.held_count() == 0
    assert _out(services) == {"ledger": 0, "views": 0}


def test_outside_a_request_every_block_goes_to_the_pool(services: Kiemdiem) -> None:
    _postgres(services)
    before = _taken(services)
    _reads(services)
    after = _taken(services)
    assert after["ledger"] - before["ledger"] >= 6
    assert _out(services) == {"ledger": 0, "views": 0}


def test_a_connection_left_in_a_transaction_is_never_lent(
    services: Kiemdiem, request_scope: None
) -> None:
    _postgres(services)
    datastore = _datastores(services)["ledger"]
    table = services.ledger.sql.table("left_open")
    with datastore.get_connection() as conn:
        first_pid = conn.info.backend_pid
    with datastore.get_connection() as conn:
        assert conn.info.backend_pid == first_pid  # held: the same one
        conn.execute("BEGIN")
        conn.execute(f"CREATE TABLE {table} (x int)")
    # Given back (committed, as the pool's own block ends it), not kept.
    assert held.held_count() == 0
    assert _out(services)["ledger"] == 0
    with datastore.get_connection() as conn:
        assert conn.info.transaction_status == 0  # IDLE
        conn.execute(f"SELECT count(*) FROM {table}")  # it was committed


def test_a_nested_block_gets_another_connection(
    services: Kiemdiem, request_scope: None
) -> None:
    _postgres(services)
    datastore = _datastores(services)["ledger"]
    with datastore.transaction(commit=False) as outer:
        with datastore.get_connection() as inner:
            assert inner is not outer.connection
            assert inner.info.transaction_status == 0  # IDLE
        outer.execute("SELECT 1")
    assert held.held_count() == 1


def test_given_back_on_an_error_in_a_block(
    services: Kiemdiem, request_scope: None
) -> None:
    _postgres(services)
    datastore = _datastores(services)["views"]
    with datastore.get_connection() as conn:
        conn.execute("SELECT 1")
    with pytest.raises(es.ProgrammingError), datastore.transaction() as cur:
        cur.execute("SELECT no_such_column FROM no_such_table")
    assert held.held_count() == 0
    assert _out(services)["views"] == 0
    with datastore.get_connection() as conn:  # a good one again
        assert conn.execute("SELECT 2").fetchone() is not None


def test_given_back_when_a_request_fails(
    services: Kiemdiem, monkeypatch: pytest.MonkeyPatch
) -> None:
    _postgres(services)
    from web import create_app, security

    public = security.PUBLIC_ENDPOINTS | {"fails_after_reading"}
    monkeypatch.setattr(security, "PUBLIC_ENDPOINTS", public)

    app = create_app(
        {"TESTING": True, "SECRET_KEY": SECRET_KEY, "PROPAGATE_EXCEPTIONS": False},
        services=services,
    )

    @app.route("/fails-after-reading")
    def fails_after_reading() -> str:
        _reads(services)
        assert held.held_count() == 2
        raise RuntimeError("after the reads")

    assert app.test_client().get("/fails-after-reading").status_code == 500
    assert held.held_count() == 0
    assert _out(services) == {"ledger": 0, "views": 0}


def test_a_request_left_open_gives_back_at_the_next_start(
    services: Kiemdiem,
) -> None:
    """A teardown that never ran (another teardown hook raised first): the
    thread's next request gives the old connections back before it begins."""
    _postgres(services)
    held.begin_request()
    _reads(services)
    assert _out(services) == {"ledger": 1, "views": 1}
    held.begin_request()  # no end_request in between
    try:
        assert held.held_count() == 0
        assert _out(services) == {"ledger": 0, "views": 0}
    finally:
        held.end_request()


def test_each_thread_holds_its_own(services: Kiemdiem) -> None:
    _postgres(services)
    datastore = _datastores(services)["views"]
    threads = 6
    together = threading.Barrier(threads)
    pids: dict[int, set[int]] = {}
    failures: list[BaseException] = []

    def request(n: int) -> None:
        try:
            held.begin_request()
            seen: set[int] = set()
            for step in range(10):
                with datastore.get_connection() as conn:
                    row = conn.execute("SELECT pg_backend_pid() AS pid").fetchone()
                    seen.add(row["pid"])
                if step == 0:
                    together.wait(timeout=10)  # every thread holds one now
            pids[n] = seen
        except BaseException as exc:
            failures.append(exc)
        finally:
            held.end_request()

    workers = [threading.Thread(target=request, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert failures == []
    assert all(len(seen) == 1 for seen in pids.values())  # one each, all along
    assert len(set().union(*pids.values())) == threads  # never shared
    assert _out(services)["views"] == 0


def test_a_request_scope_changes_nothing_on_either_backend(
    services: Kiemdiem, admin: Any, request_scope: None
) -> None:
    from services import commands as c

    before = services.ledger.max_notification_id()
    services.handle(
        c.FoundOrganisation(
            admin.actor, "tinh", "Tỉnh ủy", "provincial_committee", None
        ),
        admin.signer,
    )
    assert services.ledger.max_notification_id() > before
    assert any(row.code == "tinh" for row in services.organisations())


# -- SQLite: a view's read connection held for the request -------------------------


def _sqlite_view(services: Kiemdiem) -> Any:
    if services.settings.backend != "sqlite":
        pytest.skip("SQLite's view files")
    view: Any = services.projections.views.state("directory").view
    assert view.read_pool is not None
    return view


def _counting_gets(view: Any, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    taken: list[int] = []
    get = view.read_pool.get_connection

    def counted(*args: Any, **kwargs: Any) -> Any:
        taken.append(1)
        return get(*args, **kwargs)

    monkeypatch.setattr(view.read_pool, "get_connection", counted)
    return taken


def _read(view: Any) -> None:
    with view.snapshot() as cursor:
        cursor.execute("SELECT COUNT(*) FROM tracking")
        assert cursor.fetchone() is not None


def test_sqlite_a_request_reads_a_view_on_one_connection(
    services: Kiemdiem, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = _sqlite_view(services)
    taken = _counting_gets(view, monkeypatch)
    held.begin_request()
    try:
        for _ in range(4):
            _read(view)
        assert held.held_count() == 1
        kept = held.slot_for(view)
        assert kept is not None
        assert not kept.conn._sqlite_conn.in_transaction  # each read ended
        with view.snapshot(), view.snapshot() as inner:  # nested: another one
            inner.execute("SELECT 1")
    finally:
        held.end_request()
    assert len(taken) == 2
    assert held.held_count() == 0
    for _ in range(3):  # outside a request: from the pool each time
        _read(view)
    assert len(taken) == 5


def test_sqlite_a_failed_read_gives_its_connection_back(
    services: Kiemdiem, monkeypatch: pytest.MonkeyPatch, request_scope: None
) -> None:
    view = _sqlite_view(services)
    taken = _counting_gets(view, monkeypatch)
    _read(view)
    with pytest.raises(Exception, match="no such table"), view.snapshot() as cur:
        cur.execute("SELECT * FROM no_such_table")
    assert held.held_count() == 0
    _read(view)  # a fresh one
    assert len(taken) == 2
