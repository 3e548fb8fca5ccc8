"""The search (tìm kiếm) over the ``search`` view: entries whose words start
with every word of a query, in the viewer's narrowing, by name; one bounded
statement, the same answer on SQLite and PostgreSQL whatever the plan.

Which entries a search looks at is fixed by an order, not left to the plan:
the first ``search.CANDIDATES`` entries holding a word that starts with the query's
longest word, each entry ranked by its best such word, then by name, kind and
id. The best word is the least in code point order, so the word itself comes
before the longer ones it begins (``dinh`` before ``dinhx``): an exact word
first, then the others alphabetically. That order is the primary key of
``tokens`` (``token, personal, sort_key, kind, entity_id``), so the range is
read in it and stops as soon as enough are found; an entry with several words
in the range counts once, at its first (an anti-join on ``tokens_entity``).
When no more than that many entries match, every one is a candidate and
the order decides nothing.

A query of several words also takes, as typed (``phrase``), the first
``CANDIDATES`` entries by name whose name starts with it (``nguyen van`` finds
the Nguyễn Văn even where the first by rank of ``nguyen`` are all Nguyễn
Anh): per kind a range of ``entries_name``, read in order and stopped at the
bound. Those hold every word of the query, so where the lead word's matches
are all candidates they add none.

The statement never decides scope: ``Narrowing`` (from the read gateway)
prefilters, and the gateway applies ``domain.permissions`` to every row.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from domain.text import prefix_upper_bound
from projections import search
from projections.search import KINDS, Narrowing, Statement, run

if TYPE_CHECKING:
    from projections.runtime import ProjectionRuntime


def find(
    runtime: ProjectionRuntime,
    words: Sequence[str],
    *,
    narrowing: Narrowing,
    kinds: Sequence[str] = KINDS,
    personal: bool = False,
    limit: int = 50,
    phrase: str = "",
) -> list[dict[str, Any]]:
    """Entries whose words start with every query word (``words`` longest first,
    folded; ``phrase`` the same words as typed), in the narrowing, by name:
    one bounded statement (``find_sql``)."""
    if not words or not kinds:
        return []
    statement = find_sql(
        words, narrowing, kinds, personal=personal, limit=limit, phrase=phrase
    )
    return run(runtime, statement)


ENTRY = "e.kind, e.entity_id, e.display, e.code, e.org_id, e.parent_id, e.sort_key"


def find_sql(
    words: Sequence[str],
    narrowing: Narrowing,
    kinds: Sequence[str],
    *,
    personal: bool,
    limit: int,
    candidates: int | None = None,
    phrase: str = "",
) -> Statement:
    """The first ``limit`` by name (then kind and id) of the candidates
    (``candidates_sql``) that hold a word starting with each of the query's
    other words, with their entries (by primary key) in the same statement.

    One word: the first ``limit`` candidates by name are chosen from the
    candidates alone (their ``sort_key`` is the token row's), and only those
    are looked up. Several: each candidate's entry is read for its other words
    (``LIKE``), and with a ``phrase`` the entries by name (``named_sql``) are
    added; the first ``limit`` of those by name are looked up. The
    candidates are a MATERIALIZED common table expression
    (planned as the statement alone is); the final order is by an expression
    (``sort_key || ''``) so that no index serves it: PostgreSQL could otherwise
    walk the name index and probe the candidates."""
    inner, args = candidates_sql(
        words[0], narrowing, kinds, personal=personal, bound=candidates
    )
    head = "WITH c AS MATERIALIZED (" + inner + ") "
    if len(words) == 1:
        statement = (
            head + f"SELECT {ENTRY} FROM ("  # noqa: S608 - marks and code only
            "SELECT c.kind, c.entity_id, c.sort_key FROM c "
            f"ORDER BY c.sort_key || '', c.kind, c.entity_id LIMIT {int(limit)}"
            ") c JOIN {entries} e ON e.kind = c.kind AND e.entity_id = c.entity_id "
            "ORDER BY c.sort_key || '', c.kind, c.entity_id"
        )
        return statement, args
    # Several words: a candidate by rank holds the lead word (its token is in
    # the range) and is kept if its entry holds every other word; one by name
    # holds them all (its name starts with them); the first ``limit`` of those
    # by name are then looked up.
    text = "e.folded || e.private" if personal else "e.folded"
    filters = "".join(f" AND {text} LIKE ? ESCAPE '!'" for _ in words[1:])
    args = [*args, *(f"% {_like(w)}%" for w in words[1:])]
    kept = (
        "SELECT c.kind, c.entity_id, c.sort_key FROM c JOIN {entries} e "  # noqa: S608 - marks and code only
        "ON e.kind = c.kind AND e.entity_id = c.entity_id WHERE 1 = 1" + filters
    )
    if phrase and len(phrase.split()) > 1:
        named, more = named_sql(phrase, narrowing, kinds, bound=candidates)
        kept += " UNION SELECT * FROM (" + named + ") n"  # noqa: S608 - marks and code only
        args += more
    statement = (
        head + f"SELECT {ENTRY} FROM ("  # noqa: S608 - marks and code only
        f"SELECT * FROM ({kept}) k "
        f"ORDER BY k.sort_key || '', k.kind, k.entity_id LIMIT {int(limit)}"
        ") c JOIN {entries} e ON e.kind = c.kind AND e.entity_id = c.entity_id "
        "ORDER BY c.sort_key || '', c.kind, c.entity_id"
    )
    return statement, args


def named_sql(
    phrase: str,
    narrowing: Narrowing,
    kinds: Sequence[str],
    *,
    bound: int | None = None,
) -> Statement:
    """The first ``bound`` (``search.CANDIDATES``) entries of ``kinds`` by name
    (then kind and id), in the narrowing, whose folded name starts with
    ``phrase``: ``kind, entity_id, sort_key`` each. Per kind a range of
    ``entries_name`` (kind, sort_key, entity_id) read in order with its own
    ``LIMIT``, then the first of those."""
    upper = prefix_upper_bound(phrase)
    limit = int(search.CANDIDATES if bound is None else bound)
    where, params = narrowing.sql("e.org_id", "e.kind", "e.entity_id", per_row=True)
    parts: list[str] = []
    args: list[Any] = []
    for kind in kinds:
        parts.append(
            "SELECT * FROM (SELECT e.kind, e.entity_id, e.sort_key FROM {entries} e "  # noqa: S608 - marks and code only
            "WHERE e.kind = ? AND e.sort_key >= ?"
            + (" AND e.sort_key < ?" if upper else "")
            + " AND "
            + where
            + f" ORDER BY e.sort_key, e.entity_id LIMIT {limit}) k"
        )
        args += [kind, phrase, *([upper] if upper else []), *params]
    statement = (
        "SELECT * FROM (" + " UNION ALL ".join(parts) + ") u "  # noqa: S608 - marks and code only
        f"ORDER BY u.sort_key, u.kind, u.entity_id LIMIT {limit}"
    )
    return statement, args


def candidates_sql(
    lead: str,
    narrowing: Narrowing,
    kinds: Sequence[str],
    *,
    personal: bool,
    bound: int | None = None,
) -> Statement:
    """The first ``bound`` (``search.CANDIDATES``) entries, in the narrowing, with a
    word starting with ``lead`` (the query's longest word), in the order of
    their first such word (token, then personal), then name, kind and id:
    ``kind, entity_id, sort_key`` each. The token rows are read in primary key
    order and a row is kept only when its entry has no earlier row in the range
    (``NOT EXISTS`` on ``tokens_entity``), so every kept row is a distinct
    entry and the ``LIMIT`` needs no DISTINCT (which would read the range
    whole)."""
    upper = prefix_upper_bound(lead)
    where, params = narrowing.sql("t.org_id", "t.kind", "t.entity_id", per_row=True)
    public = "" if personal else " AND {p}.personal = 0"
    # kind as an expression: no index is chosen by it (the range is)
    of_kind = (
        ""
        if set(KINDS) <= set(kinds)
        else " AND t.kind || '' IN (" + ", ".join("?" for _ in kinds) + ")"
    )
    statement = (
        "SELECT t.kind, t.entity_id, t.sort_key FROM {tokens} t "  # noqa: S608 - marks and code only
        "WHERE t.token >= ?"
        + (" AND t.token < ?" if upper else "")
        + public.format(p="t")
        + of_kind
        + " AND "
        + where
        + " AND NOT EXISTS (SELECT 1 FROM {tokens} f "
        "WHERE f.kind = t.kind AND f.entity_id = t.entity_id AND f.token >= ?"
        + public.format(p="f")
        + " AND (f.token, f.personal) < (t.token, t.personal))"
        " ORDER BY t.token, t.personal, t.sort_key, t.kind, t.entity_id"
        + f" LIMIT {int(search.CANDIDATES if bound is None else bound)}"
    )
    kind_args = [] if not of_kind else list(kinds)
    return statement, [lead, *([upper] if upper else []), *kind_args, *params, lead]


def _like(word: str) -> str:
    return word.replace("!", "!!").replace("%", "!%").replace("_", "!_")
