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

import uuid
from collections.abc import Iterator, Sequence
from typing import Any

import pytest

from domain.text import fold, query_tokens
from projections import search
from services.app import Kiemdiem
from services.demo_province_plan import ProvincePlan
from tests.store.explain_province import (
    PG_BASE,
    drop_schema,
    generated_province,
    postgres_or_skip,
)

MEMBERS = 600


@pytest.fixture(
    scope="module",
    params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
)
def province(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Kiemdiem, ProvincePlan]]:
    root = tmp_path_factory.mktemp("search-one")
    if request.param == "sqlite":
        with generated_province(root, f"sqlite:///{root}/k.db", MEMBERS, 11) as built:
            yield built
        return
    postgres_or_skip()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    try:
        url = f"{PG_BASE}?schema={schema}"
        with generated_province(root, url, MEMBERS, 11) as built:
            yield built
    finally:
        drop_schema(schema)


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
    first = search.candidates_sql(words[0], narrowing, kinds, personal=personal)
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
                    found = search.find(
                        services.projections,
                        words,
                        narrowing=narrowing,
                        personal=personal,
                        limit=limit,
                    )
                    assert found == expected, (query, narrowing, personal, limit)
                    compared += bool(found)
    assert compared > 20  # most queries find something
