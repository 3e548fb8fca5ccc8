"""A catch-up applies a page as a rebuild does (``projections.catch_up.apply_page``):
deferred rows, and what a model keeps for the end (``Tx.later``: the ratings
view's open-item refills) written once per page by ``ReadModel.finish``.

- The views caught up page by page from the start, at page sizes 1 and 500 (and 7),
  equal a rebuild's row for row (``projections.reading.digest``), on the demo's
  history and on a small generated province, on SQLite and PostgreSQL; so do the
  views built command by command (each command's catch-up is a page).
- A handler error still stops the view just before the failing event, with the
  replayed prefix finished; the end-of-page work runs once per page.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import psycopg
import pytest

from ledger.config import settings_from_environ
from projections.read_model import ReadModel, handles
from projections.rebuild import _build_indexes
from projections.sqlutil import Tx
from projections.view_state import reset_for_rebuild
from services.demo import load_demo
from services.demo_province import generate_province
from tests.store.test_projections_runtime import (
    BACKENDS,
    Counter,
    Store,
    open_store,
    require_postgres,
)
from tests.web.demo_app import demo_store

PG_ADMIN = "host=127.0.0.1 port=5432 dbname=test user=postgres"
PG_BASE = "postgresql://postgres@127.0.0.1:5432/test"


# ---------------------------------------------------------------------------
# A toy model that keeps work for the page's end, as the ratings view does
# ---------------------------------------------------------------------------
class Totals(ReadModel):
    """Each add in ``adds``; each counter's sum refilled from them once per
    event (written at once) or once per page (deferred), as the ratings view
    refills a subject's open items."""

    name = "paged_totals"
    version = 1
    tables = {  # noqa: RUF012
        "adds": "id TEXT NOT NULL, ver BIGINT NOT NULL, amount BIGINT NOT NULL, "
        "PRIMARY KEY (id, ver)",
        "sums": "id TEXT PRIMARY KEY, total BIGINT NOT NULL",
    }

    def __init__(self) -> None:
        self.poison: set[int] = set()
        self.refills = 0

    @handles(Counter.Added)
    def added(self, e: Any, tx: Tx) -> None:
        if e.event.amount in self.poison:
            raise ValueError(f"poisoned amount {e.event.amount}")
        tx.insert(
            "adds", ["id", "ver", "amount"], [(e.stream, e.version, e.event.amount)]
        )
        tx.later.setdefault("sums", {})[e.stream] = None

    def apply(self, event: Any, tx: Tx) -> None:
        super().apply(event, tx)
        if not tx.deferred:
            self.finish(tx)

    def finish(self, tx: Tx) -> None:
        for stream in tx.later.pop("sums", {}):
            self.refills += 1
            total = tx.scalar("SELECT SUM(amount) FROM {adds} WHERE id = ?", (stream,))
            tx.upsert("sums", ["id"], {"id": stream, "total": int(total)})


def _sums(store: Store, runtime: Any) -> dict[str, int]:
    found = runtime.query("paged_totals", "SELECT id, total FROM {sums}")
    return {r["id"]: r["total"] for r in found}


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    if request.param == "postgres":
        require_postgres()
    with open_store(request.param, mode="inline") as opened:
        yield opened


def test_a_page_is_finished_once(store: Store) -> None:
    model = Totals()
    runtime = store.runtime(model)
    a, b = Counter("a"), Counter("b")
    for amount in (1, 2, 3):
        a.add(amount)
        b.add(10 * amount)
    store.save(a, b)
    runtime.catch_up()
    assert _sums(store, runtime) == {str(a.id): 6, str(b.id): 60}
    assert model.refills == 2  # one page: each counter refilled once
    # A command's own catch-up (the quick path) is a page too.
    a.add(4)
    a.add(5)
    runtime.catch_up_written(store.save(a))
    assert _sums(store, runtime)[str(a.id)] == 15
    assert model.refills == 3


def test_a_failing_page_stops_before_the_event_with_its_prefix_finished(
    store: Store,
) -> None:
    model = Totals()
    runtime = store.runtime(model, stale_retry_seconds=0)
    a = Counter("a")
    a.add(1)
    a.add(2)
    a.add(13)
    a.add(4)
    store.save(a)
    failing = store.tip - 1
    model.poison = {13}
    positions = runtime.catch_up()
    assert positions == {"paged_totals": failing - 1}
    assert _sums(store, runtime) == {str(a.id): 3}  # the prefix, finished
    stale = runtime.stale_models()["paged_totals"]
    assert (stale.reason, stale.notification_id) == ("failed", failing)
    model.poison = set()
    assert runtime.catch_up() == {"paged_totals": store.tip}
    assert _sums(store, runtime) == {str(a.id): 20}
    assert runtime.stale_models() == {}


def test_a_deferred_row_failing_later_is_found_event_by_event(store: Store) -> None:
    """A deferred insert's conflict surfaces at the flush, not in its handler:
    the page is replayed event by event and the view stops just before it."""
    model = Totals()
    runtime = store.runtime(model, stale_retry_seconds=0)
    a = Counter("a")
    a.add(1)
    store.save(a)
    runtime.catch_up()
    with runtime.views.state("paged_totals").view.transaction(commit=True) as c:
        tx = Tx(c, postgres=runtime.views.state("paged_totals").view.postgres,
                tables=runtime.views.state("paged_totals").tables)  # fmt: skip
        tx.insert("adds", ["id", "ver", "amount"], [(str(a.id), a.version + 1, 0)])
    a.add(2)  # its row conflicts with the one written by hand
    a.add(3)
    store.save(a)
    positions = runtime.catch_up()
    assert positions == {"paged_totals": store.tip - 2}
    assert runtime.stale_models()["paged_totals"].notification_id == store.tip - 1


# ---------------------------------------------------------------------------
# The real views: page-wise catch-ups equal a rebuild, row for row
# ---------------------------------------------------------------------------
@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request, tmp_path, monkeypatch) -> Iterator[str]:
    monkeypatch.setenv("KIEMDIEM_ARGON2_MEMORY_KIB", "1024")
    monkeypatch.setenv("KIEMDIEM_INSTANCE_DIR", str(tmp_path / "instance"))
    for key in ("KIEMDIEM_TRUST_ROOT", "KIEMDIEM_LOG_KEY_FILE", "KIEMDIEM_PROJECTIONS"):
        monkeypatch.delenv(key, raising=False)
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/kiemdiem.db"
        return
    try:
        psycopg.connect(PG_ADMIN, connect_timeout=3).close()
    except psycopg.OperationalError:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL on 127.0.0.1:5432 is required in CI")
        pytest.skip("PostgreSQL on 127.0.0.1:5432 is not running")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    try:
        yield f"{PG_BASE}?schema={schema}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def _page_wise_equals_rebuild(services: Any, pages: tuple[int, ...]) -> None:
    projections = services.projections
    built = projections.digest()  # command by command: each catch-up a page
    projections.rebuild(processes=1)
    rebuilt = projections.digest()
    assert built == rebuilt
    for page in pages:
        for state in projections.views.states.values():
            with state.lock:
                reset_for_rebuild(state)
                state.rebuilding = True
                state.known = None
            try:
                projections.careful.one(state, None, force=True, page_size=page)
            finally:
                _build_indexes(state)
        assert projections.digest() == rebuilt, f"page size {page}"
        assert projections.stale_models() == {}


def test_the_demo_caught_up_page_by_page_equals_a_rebuild(store_url: str) -> None:
    settings = settings_from_environ(database_url=store_url)
    settings = replace(settings, projections_mode="inline")
    with demo_store(settings) as (services, admin):
        load_demo(services, admin.signer)
        # Page size 1 (event by event) is the province's case below: on the demo
        # it alone took most of this file's time on PostgreSQL.
        _page_wise_equals_rebuild(services, (7, 500))


def test_a_province_caught_up_page_by_page_equals_a_rebuild(store_url: str) -> None:
    settings = settings_from_environ(database_url=store_url)
    settings = replace(settings, projections_mode="inline")
    with demo_store(settings) as (services, admin):
        generate_province(services, admin.signer, 30, 11)
        _page_wise_equals_rebuild(services, (1, 7, 500))


def test_a_cycle_opened_in_parts_equals_whatever_the_pages(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cycles whose subjects arrive in many ``SubjectsAdded`` (8 subjects an
    event here): refreshed whole when the opening's events share a page (a
    command's catch-up, pages of 500), derived part by part when the page
    splits them (1, 3): the same rows."""
    from domain import cycle_subjects

    monkeypatch.setattr(cycle_subjects, "MAX_SUBJECTS_PER_EVENT", 8)
    settings = settings_from_environ(database_url=store_url)
    settings = replace(settings, projections_mode="inline")
    with demo_store(settings) as (services, admin):
        generate_province(services, admin.signer, 30, 11)
        topics = [
            n.topic.rsplit(":", 1)[-1]
            for n in services.ledger.recorder.select_notifications(1, limit=10**6)
        ]
        assert topics.count("ReviewCycle.SubjectsAdded") > topics.count(
            "ReviewCycle.Opened"
        )
        _page_wise_equals_rebuild(services, (1, 3, 500))


# ---------------------------------------------------------------------------
# A page's deferred rows in multi-row statements: the rows of writing each
# ---------------------------------------------------------------------------
class Shapes(ReadModel):
    """Every kind of deferred write, with the repeats a page may hold: an
    upsert of one key again and again (the last stays), ``insert_ignoring``
    of one key with other values (the first stays), counts summed to 0 (the
    row stays, at 0), and a read of the table between them."""

    name = "paged_shapes"
    version = 1
    tables = {  # noqa: RUF012
        "latest": "id TEXT PRIMARY KEY, amount BIGINT NOT NULL, ver BIGINT NOT NULL",
        "firsts": "id TEXT PRIMARY KEY, amount BIGINT NOT NULL",
        "seen": "id TEXT NOT NULL, ver BIGINT NOT NULL, PRIMARY KEY (id, ver)",
        "counts": "id TEXT NOT NULL, sign TEXT NOT NULL, n BIGINT NOT NULL, "
        "PRIMARY KEY (id, sign)",
        "reads": "id TEXT NOT NULL, ver BIGINT NOT NULL, total BIGINT, "
        "PRIMARY KEY (id, ver)",
    }

    @handles(Counter.Added)
    def added(self, e: Any, tx: Tx) -> None:
        stream, amount = str(e.stream), e.event.amount
        tx.upsert("latest", ["id"], {"id": stream, "amount": amount, "ver": e.version})
        tx.insert_ignoring("firsts", ("id", "amount"), [(stream, amount)])
        tx.insert_ignoring("seen", ("id", "ver"), [(stream, e.version)], distinct=True)
        by = 1 if amount % 2 else -1
        tx.add_amounts(
            "counts", ("id", "sign"), "n", [(stream, "odd", by), (stream, "all", 1)]
        )
        if amount % 5 == 0:  # a read of the counts between the writes
            total = tx.scalar(
                "SELECT SUM(n) FROM {counts} WHERE id = ? AND sign = ?",
                (stream, "odd"),
            )
            total = None if total is None else int(total)  # PostgreSQL: numeric
            tx.insert("reads", ["id", "ver", "total"], [(stream, e.version, total)])


def test_multi_row_writes_leave_the_rows_of_writing_each(store: Store) -> None:
    runtime = store.runtime(Shapes())
    counters = [Counter(label) for label in "abc"]
    for step in range(40):
        counters[step % 3].add(step)
        counters[(step * 7) % 3].add(step + 1)
    store.save(*counters)
    runtime.catch_up()  # one page: every write deferred to its end
    paged = runtime.digest(["paged_shapes"])
    zero = runtime.query(
        "paged_shapes", "SELECT COUNT(*) AS n FROM {counts} WHERE n = 0"
    )
    assert zero[0]["n"] > 0  # a count brought to 0 keeps its row
    state = runtime.views.state("paged_shapes")
    with state.lock:
        reset_for_rebuild(state)
        state.rebuilding = True
        state.known = None
    runtime.careful.one(state, None, force=True, page_size=1)  # each at once
    assert runtime.digest(["paged_shapes"]) == paged
