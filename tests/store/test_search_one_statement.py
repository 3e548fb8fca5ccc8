"""The search in one statement (issue 14, the search page at 100,000 members):
``search.find`` joins the bounded candidates (``candidates_sql``, kept whole as
a MATERIALIZED common table expression) to their entries and orders and limits
in SQL, where it used to send every candidate's id back in a second statement
and sort in Python. It must find exactly what the two statements found, in the
same order, on SQLite and PostgreSQL: on a generated province, for several
queries (diacritics, several words, a card number's start, organisations), for
the whole tree and a commune's narrowing, with the candidates bound as shipped
and cut short (so which candidates the ``LIMIT`` keeps decides the answer)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import pytest

from domain.text import fold, query_tokens, search_tokens
from projections import search, search_find
from services.app import Kiemdiem
from services.demo_province_plan import ProvincePlan
from tests.store.explain_province import province_on

MEMBERS = 600


@pytest.fixture(
    scope="module",
    params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
)
def province(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Kiemdiem, ProvincePlan]]:
    root = tmp_path_factory.mktemp("search-one")
    with province_on(request.param, root, MEMBERS, 11) as built:
        yield built


def two_statements(
    services: Kiemdiem,
    words: Sequence[str],
    narrowing: search.Narrowing,
    *,
    personal: bool,
    limit: int,
) -> list[dict[str, Any]]:
    """The search as it was: the candidates, then those of them that match
    (every candidate's key sent back), sorted in Python."""
    kinds = search.KINDS
    first = search_find.candidates_sql(words[0], narrowing, kinds, personal=personal)
    found = search.run(services.projections, first)
    if not found:
        return []
    keys = " OR ".join("(e.kind = ? AND e.entity_id = ?)" for _ in found)
    args: list[Any] = [v for r in found for v in (r["kind"], r["entity_id"])]
    text = "e.folded || e.private" if personal else "e.folded"
    filters = "".join(f" AND {text} LIKE ?" for _ in words[1:])
    args += [f"% {w}%" for w in words[1:]]
    rows = search.run(
        services.projections,
        (
            "SELECT e.kind, e.entity_id, e.display, e.code, e.org_id, e.parent_id, "
            "e.sort_key FROM {entries} e WHERE (" + keys + ")" + filters,
            args,
        ),
    )
    rows.sort(key=lambda r: (r["sort_key"], r["kind"], r["entity_id"]))
    return rows[:limit]


def _queries(plan: ProvincePlan) -> list[str]:
    someone = plan.members[len(plan.members) // 3]
    words = someone.name.split()
    return [
        someone.name,  # with its diacritics
        fold(someone.name),
        words[0],  # a family name: the most candidates
        fold(words[0]),
        f"{fold(words[0])} {fold(words[-1])[:1]}",  # "nguyen a"
        f"{words[-1]} {words[0]}",  # any order
        someone.card[:4],  # a card number's start (personal only)
        "chi bo",
        "xyzzy",
    ]


@pytest.mark.parametrize("bound", [search.CANDIDATES, 7])
def test_one_statement_finds_what_two_found_in_the_same_order(
    province: tuple[Kiemdiem, ProvincePlan],
    bound: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    services, plan = province
    monkeypatch.setattr(search, "CANDIDATES", bound)
    commune = str(plan.communes[0].org_id)
    narrowings = [
        search.EVERYWHERE,
        search.Narrowing(roots=(commune,), exact=(str(plan.province.org_id),)),
    ]
    compared = 0
    for query in _queries(plan):
        words = query_tokens(query)
        for narrowing in narrowings:
            for personal in (True, False):
                for limit in (50, 5):
                    expected = two_statements(
                        services, words, narrowing, personal=personal, limit=limit
                    )
                    found = search_find.find(
                        services.projections,
                        words,
                        narrowing=narrowing,
                        personal=personal,
                        limit=limit,
                    )
                    assert found == expected, (query, narrowing, personal, limit)
                    compared += bool(found)
    assert compared > 20  # most queries find something


# -- which candidates: fixed by an order, not by the plan (national-scale, search) --
def _rank_reference(
    services: Kiemdiem,
    words: Sequence[str],
    narrowing: search.Narrowing,
    *,
    personal: bool,
    bound: int,
    limit: int,
    phrase: str = "",
) -> list[tuple[str, str]]:
    """The search as specified, in Python from the whole view: every entry with
    a word starting with the lead word (in the narrowing), ranked by its first
    such word, then by name, kind and id; the first ``bound`` of them; with
    several words, and the first ``bound`` by name (kind, id) whose name starts
    with the ``phrase``; those holding every other word; the first ``limit``
    by name."""
    runtime = services.projections
    tokens = search.run(
        runtime,
        ("SELECT token, personal, kind, entity_id, org_id FROM {tokens}", []),
    )
    entries = {
        (r["kind"], r["entity_id"]): r
        for r in search.run(runtime, ("SELECT * FROM {entries}", []))
    }
    places: set[str] | None = None
    if narrowing.roots is not None:
        marks = ", ".join("?" for _ in narrowing.roots) or "NULL"
        below = search.run(
            runtime,
            (
                "SELECT org_id FROM {directory.org_ancestors} "
                f"WHERE ancestor_id IN ({marks})",
                list(narrowing.roots),
            ),
        )
        places = {r["org_id"] for r in below} | set(narrowing.exact)
    own = (search.MEMBER, narrowing.own)
    best: dict[tuple[str, str], tuple[Any, ...]] = {}
    for t in tokens:
        key = (t["kind"], t["entity_id"])
        if not t["token"].startswith(words[0]) or (t["personal"] and not personal):
            continue
        if (
            places is not None
            and t["org_id"] not in places
            and key
            != (
                search.MEMBER,
                narrowing.own,
            )
        ):
            continue
        rank = (t["token"], t["personal"], entries[key]["sort_key"], *key)
        best[key] = min(best.get(key, rank), rank)
    kept = {(r[3], r[4]) for r in sorted(best.values())[:bound]}
    if len(phrase.split()) > 1:
        named = sorted(
            (e["sort_key"], *key)
            for key, e in entries.items()
            if e["sort_key"].startswith(phrase)
            and (places is None or e["org_id"] in places or key == own)
        )
        kept |= {(k, i) for _s, k, i in named[:bound]}
    found = []
    for key in kept:
        entry = entries[key]
        text = entry["folded"] + (entry["private"] if personal else "")
        if all(f" {w}" in text for w in words[1:]):
            found.append((entry["sort_key"], entry["kind"], entry["entity_id"]))
    return [(k, i) for _s, k, i in sorted(found)[:limit]]


def _busy_queries(plan: ProvincePlan) -> list[str]:
    """Queries whose lead word matches many entries: more than a small bound."""
    families = sorted({m.name.split()[0] for m in plan.members})
    someone = plan.members[len(plan.members) // 4]
    words = fold(someone.name).split()
    return [
        *families[:3],
        fold(families[0]),
        "ng",  # several words in the range (nguyen, ngoc, nga...): counted once
        "th",
        f"{words[0]} {words[-1][:1]}",
        " ".join(words[:2]),  # a name's start as typed: "nguyen van"
        f"{words[-1]} {words[0]}",  # not in the name's order
        "chi bo",
        someone.card[:3],
    ]


@pytest.mark.parametrize("bound", [search.CANDIDATES, 30])
def test_the_candidates_are_the_first_by_rank_on_both_backends(
    province: tuple[Kiemdiem, ProvincePlan],
    bound: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The kept candidates are fixed by the rank (first matching word, name,
    kind, id), not by how the plan reads the range: the same on SQLite and
    PostgreSQL, and equal to a Python reading of the whole view."""
    services, plan = province
    monkeypatch.setattr(search, "CANDIDATES", bound)
    commune = str(plan.communes[1].org_id)
    narrowings = [
        search.EVERYWHERE,
        search.Narrowing(roots=(commune,), exact=(str(plan.province.org_id),)),
    ]
    more = 0
    for query in _busy_queries(plan):
        words = query_tokens(query)
        phrase = " ".join(search_tokens(query))
        for narrowing in narrowings:
            for personal in (True, False):
                for limit in (50, 5):
                    expected = _rank_reference(
                        services,
                        words,
                        narrowing,
                        personal=personal,
                        bound=bound,
                        limit=limit,
                        phrase=phrase,
                    )
                    found = search_find.find(
                        services.projections,
                        words,
                        narrowing=narrowing,
                        personal=personal,
                        limit=limit,
                        phrase=phrase,
                    )
                    got = [(r["kind"], r["entity_id"]) for r in found]
                    assert got == expected, (query, narrowing, personal, limit)
        matches = search_find.find(
            services.projections,
            words[:1],
            narrowing=search.EVERYWHERE,
            personal=True,
            limit=10_000,
        )
        more += len(matches) >= bound
    assert more >= (3 if bound < 100 else 0)  # the bound really cuts


@pytest.mark.postgres
def test_a_generic_plan_keeps_the_same_candidates(
    province: tuple[Kiemdiem, ProvincePlan],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A prepared statement (psycopg prepares after five runs) may switch to a
    generic plan: the candidates it keeps, and so the page, must not change
    (and are those of the rank)."""
    services, plan = province
    if not services.projections.views.state("search").view.postgres:
        pytest.skip("plan_cache_mode is PostgreSQL's")
    monkeypatch.setattr(search, "CANDIDATES", 30)
    for query in _busy_queries(plan):
        words = query_tokens(query)
        sql, args = search_find.find_sql(
            words, search.EVERYWHERE, search.KINDS, personal=True, limit=50
        )
        expected = _rank_reference(
            services, words, search.EVERYWHERE, personal=True, bound=30, limit=50
        )
        seen = {}
        for mode in ("force_custom_plan", "force_generic_plan"):
            with services.projections.read("search", "directory") as cursor:
                cursor.execute(f"SET LOCAL plan_cache_mode = {mode}")
                runs = {
                    tuple(r[1] for r in cursor.execute(sql, args).fetchall())
                    for _ in range(8)
                }
            assert len(runs) == 1, (query, mode)
            seen[mode] = runs.pop()
        assert seen["force_custom_plan"] == seen["force_generic_plan"], query
        assert list(seen["force_generic_plan"]) == [i for _k, i in expected], query
