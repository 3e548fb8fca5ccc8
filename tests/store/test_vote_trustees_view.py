"""The ban kiểm phiếu by account in the ``vote_results`` view (``trustees``):
the accounts whose keys each vote's manifest names, as ``VoteService.
trustee_rows`` finds them in the key registry; built command by command it
equals a rebuild and a catch-up page by page, on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from uuid import UUID, uuid4

from domain.text import fold
from ledger.config import settings_from_environ
from projections import search, search_lists
from projections.sqlutil import Tx
from services.demo import load_demo
from tests.store.test_catch_up_pages import _page_wise_equals_rebuild, store_url
from tests.web.demo_app import demo_store

__all__ = ["store_url"]  # the fixture, on both databases


def _recorded(services: Any) -> set[tuple[str, str]]:
    rows = services.projections.query(
        "vote_results", "SELECT account_id, vote_id FROM {trustees}"
    )
    return {(r["account_id"], r["vote_id"]) for r in rows}


def _named(services: Any) -> set[tuple[str, str]]:
    """(account, vote) of every trustee the registry names, by username."""
    accounts = {a.username: str(a.account_id) for a in services.accounts()}
    return {
        (accounts[t.username], str(row.vote_id))
        for row in services.votes.votes()
        for t in services.votes.trustee_rows(row.vote_id)
        if t.username is not None
    }


def test_the_trustees_by_account_are_the_registrys_and_rebuild_equal(
    store_url: str,
) -> None:
    settings = replace(
        settings_from_environ(database_url=store_url), projections_mode="inline"
    )
    with demo_store(settings) as (services, admin):
        load_demo(services, admin.signer)
        services.projections.catch_up()
        built = _recorded(services)
        assert built, "the demo's vote has a ban kiểm phiếu"
        assert built == _named(services)
        _page_wise_equals_rebuild(services, (7, 500))
        assert _recorded(services) == built
        for account, vote in built:
            assert services.votes.counts(UUID(vote), UUID(account))
        _pages_of_the_union(services, min(built)[0])


def _write(services: Any, view: str, table: str, rows: list[dict[str, Any]]) -> None:
    state = services.projections.views.state(view)
    with state.view.transaction(commit=True) as cursor:
        tx = Tx(cursor, postgres=state.view.postgres, tables=state.tables)
        tx.insert(table, list(rows[0]), [list(r.values()) for r in rows])


def _pages_of_the_union(services: Any, account: str) -> None:
    """The union read on this database, with votes written straight into the
    views (after the rebuild checks): seven votes "Phiếu 0".."Phiếu 6", those
    of one organisation in the scope (1, 3, 4, 6), those the account counts (0,
    2, 3, 5, and the demo's); a page of two forward and back gives the union
    by title then id, each once."""
    views = services.projections
    entry = views.query(
        "search", "SELECT * FROM {entries} WHERE kind = ?", [search.VOTE]
    )[0]
    vote = views.query(
        "vote_results", "SELECT * FROM {votes} WHERE vote_id = ?", [entry["entity_id"]]
    )[0]
    scope, elsewhere = str(uuid4()), str(uuid4())
    made = [str(uuid4()) for _ in range(7)]
    in_scope, counted = {1, 3, 4, 6}, {0, 2, 3, 5}
    org = [scope if n in in_scope else elsewhere for n in range(7)]
    title = [f"Phiếu {n}" for n in range(7)]
    _write(
        services,
        "search",
        "entries",
        [
            {**entry, "entity_id": made[n], "org_id": org[n], "sort_key": fold(t)}
            for n, t in enumerate(title)
        ],
    )
    _write(
        services,
        "vote_results",
        "votes",
        [
            {**vote, "vote_id": made[n], "org_id": org[n], "title": t}
            for n, t in enumerate(title)
        ],
    )
    mine = [{"account_id": account, "vote_id": made[n]} for n in sorted(counted)]
    _write(services, "vote_results", "trustees", mine)
    wanted = sorted(
        [(fold(title[n]), made[n]) for n in in_scope | counted]
        + [(entry["sort_key"], entry["entity_id"])]
    )
    narrowing = search.Narrowing(roots=(), exact=(scope,))

    def page(after: search.Cursor, before: search.Cursor = None) -> list[Any]:
        rows = search_lists.page(
            views,
            search.VOTE,
            narrowing=narrowing,
            after=after,
            before=before,
            limit=2,
            counted_by=account,
        )
        return [(r["sort_key"], r["vote_id"]) for r in rows]

    walked: list[tuple[str, str]] = []
    cursor: search.Cursor = None
    while True:
        got = page(cursor)
        walked += got[:2]
        if len(got) < 3:
            break
        cursor = walked[-1]
    assert walked == wanted
    back = page(None, before=wanted[-1])  # read descending
    assert back == wanted[-2::-1][:3]
    assert page(None, before=wanted[0]) == []
