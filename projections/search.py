"""``SearchIndex`` (chỉ mục tìm kiếm): finding members, organisations, review
cycles and confidence votes by name, card number or code, without diacritics,
and the directory's keyset lists and rolled-up member counts at province scale.

Three tables, filled from the events alone (a rebuild equals the incremental
view):

- ``entries``: one row per findable thing (``kind``, ``entity_id``): its display
  name, a code, the organisation that places it in the tree (``org_id``: a
  member's chi bộ, an organisation itself, a cycle's or a vote's organisation),
  an organisation's parent, the folded sort key, and the folded words a query's
  further words are matched against (``folded``; the card number apart in
  ``private``, matched only for viewers who may read it).
- ``tokens``: each folded word of an entry (``personal`` for the card number's),
  with the entry's ``sort_key`` and ``org_id``: its primary key ``(token,
  personal, sort_key, kind, entity_id)`` is the order a search keeps its
  candidates in (``projections.search_find``), so a query's longest word is a
  B-tree range read in that order (``token >= 'nguy' AND token < 'nguz'``) that
  stops at the bound, the same on SQLite and PostgreSQL.
- ``counts``: per organisation, its members and those of every organisation
  below it, kept up to date on enrolment and transfer along the parents this
  view records itself (the tree page shows a count per child without a scan).

The queries never decide scope: the read gateway
(``services.read_gateway_search``) narrows them to the viewer's anchors and then
applies ``domain.permissions`` to every row it returns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from domain.cycles import ReviewCycle
from domain.members import PartyMember
from domain.organisations import Organisation
from domain.text import fold, search_tokens
from ledger.mapper import LedgerEvent
from projections.read_model import ReadModel, handles
from projections.sqlutil import Tx
from votes.aggregates import ConfidenceVote

if TYPE_CHECKING:
    from projections.runtime import ProjectionRuntime

MEMBER, ORGANISATION, CYCLE, VOTE = "member", "organisation", "cycle", "vote"
CELL = "cell"  # the directory's kind of a chi bộ
KINDS = (MEMBER, ORGANISATION, CYCLE, VOTE)
CANDIDATES = 400  # token matches a search looks at, at most (bounded work)
MAX_DEPTH = 16  # organisations above one another, at most (a guard on the walk)
TOKEN_COLUMNS = ("token", "kind", "entity_id", "personal", "org_id", "sort_key")


class SearchIndex(ReadModel):
    name = "search"
    version = 2  # 2: tokens carry sort_key, keyed in the candidates' order
    tables = {  # noqa: RUF012 - declarative table list read by the runtime
        "entries": (
            "kind TEXT NOT NULL, entity_id TEXT NOT NULL, display TEXT NOT NULL, "
            "code TEXT NOT NULL, org_id TEXT, parent_id TEXT, "
            "sort_key TEXT NOT NULL, folded TEXT NOT NULL, private TEXT NOT NULL, "
            "PRIMARY KEY (kind, entity_id)"
        ),
        "tokens": (
            "token TEXT NOT NULL, kind TEXT NOT NULL, entity_id TEXT NOT NULL, "
            "personal INTEGER NOT NULL, org_id TEXT, sort_key TEXT NOT NULL, "
            "PRIMARY KEY (token, personal, sort_key, kind, entity_id)"
        ),
        "counts": ("org_id TEXT PRIMARY KEY, parent_id TEXT, members INTEGER NOT NULL"),
    }
    indexes = {  # noqa: RUF012 - declarative index list read by the runtime
        # a chi bộ's members by name; a cycle's or a vote's organisation
        "entries_place": ("entries", "kind, org_id, sort_key, entity_id"),
        # an organisation's children by name (cây tổ chức, level by level)
        "entries_children": ("entries", "kind, parent_id, sort_key, entity_id"),
        # every member by name (the administrator's whole list)
        "entries_name": ("entries", "kind, sort_key, entity_id"),
        # an entry's words, to replace them when the entry changes; and a
        # search's test that a candidate's row is its first match (covering)
        "tokens_entity": ("tokens", "kind, entity_id, token, personal"),
    }
    # The pages' indexes (the handlers find rows by primary key and tokens_entity).
    built_after_rebuild = frozenset(
        {"entries_place", "entries_children", "entries_name"}
    )

    # -- organisations -----------------------------------------------------------
    @handles(Organisation.Founded)  # type: ignore[attr-defined]
    def founded(self, e: LedgerEvent, tx: Tx) -> None:
        org = str(e.stream)
        parent = str(e.event.parent_id) if e.event.parent_id is not None else None
        _put(
            tx,
            ORGANISATION,
            org,
            display=e.event.name,
            code=e.event.code,
            org_id=org,
            parent_id=parent,
            fresh=True,
        )
        tx.upsert(
            "counts", ["org_id"], {"org_id": org, "parent_id": parent, "members": 0}
        )

    @handles(Organisation.Renamed)
    def renamed(self, e: LedgerEvent, tx: Tx) -> None:
        _rename(tx, ORGANISATION, str(e.stream), e.event.name)

    # -- members -----------------------------------------------------------------
    @handles(Organisation.MovedUnder)  # type: ignore[attr-defined]
    def moved_under(self, e: LedgerEvent, tx: Tx) -> None:
        """Moved under another parent (sắp xếp lại): the entry's parent and the
        rolled-up member counts follow (taken from the old line, added to the new)."""
        org, parent = str(e.stream), str(e.event.parent_id)
        row = tx.execute(
            "SELECT parent_id, members FROM {counts} WHERE org_id = ?", (org,)
        ).fetchone()
        if row is None:
            return
        previous, members = row[0], int(row[1])
        _count(tx, previous, -members)
        tx.execute("UPDATE {counts} SET parent_id = ? WHERE org_id = ?", (parent, org))
        tx.execute(
            "UPDATE {entries} SET parent_id = ? WHERE kind = ? AND entity_id = ?",
            (parent, ORGANISATION, org),
        )
        _count(tx, parent, members)

    @handles(PartyMember.Enrolled)  # type: ignore[attr-defined]
    def enrolled(self, e: LedgerEvent, tx: Tx) -> None:
        cell = str(e.event.cell_id)
        _put(
            tx,
            MEMBER,
            str(e.stream),
            display=e.event.full_name,
            code=e.event.party_card_no,
            org_id=cell,
            personal_code=True,
            fresh=True,
        )
        _count(tx, cell, +1)

    @handles(PartyMember.Transferred)  # type: ignore[attr-defined]
    def transferred(self, e: LedgerEvent, tx: Tx) -> None:
        member, cell = str(e.stream), str(e.event.cell_id)
        before = tx.scalar(
            "SELECT org_id FROM {entries} WHERE kind = ? AND entity_id = ?",
            (MEMBER, member),
        )
        tx.execute(
            "UPDATE {entries} SET org_id = ? WHERE kind = ? AND entity_id = ?",
            (cell, MEMBER, member),
        )
        tx.execute(
            "UPDATE {tokens} SET org_id = ? WHERE kind = ? AND entity_id = ?",
            (cell, MEMBER, member),
        )
        if before is not None:
            _count(tx, str(before), -1)
        _count(tx, cell, +1)

    # -- review cycles and confidence votes --------------------------------------
    @handles(ReviewCycle.Opened)  # type: ignore[attr-defined]
    def cycle_opened(self, e: LedgerEvent, tx: Tx) -> None:
        ev = e.event
        _put(
            tx,
            CYCLE,
            str(e.stream),
            display=ev.org_name,
            code=str(ev.year),
            org_id=str(ev.org_id),
            fresh=True,
        )

    @handles(ConfidenceVote.Prepared)  # type: ignore[attr-defined]
    def vote_prepared(self, e: LedgerEvent, tx: Tx) -> None:
        vote, org = str(e.event.vote_id), str(e.event.org_id)
        _put(
            tx,
            VOTE,
            vote,
            display=e.event.title,
            code=e.event.code,
            org_id=org,
            extra=str(e.event.vote_year),
            fresh=True,
        )


# -- handler helpers (the view's own rows only) -----------------------------------
def _put(
    tx: Tx,
    kind: str,
    entity_id: str,
    *,
    display: str,
    code: str,
    org_id: str | None,
    parent_id: str | None = None,
    personal_code: bool = False,
    extra: str = "",
    fresh: bool = False,
) -> None:
    """Write an entry and its words (replacing those it had, unless ``fresh``:
    the event creates the entry, so it has none)."""
    sort_key = fold(display)
    shown = f"{sort_key} {extra}" if personal_code else f"{sort_key} {code} {extra}"
    public = search_tokens(shown)
    private = search_tokens(code) if personal_code else []
    tx.upsert(
        "entries",
        ["kind", "entity_id"],
        {
            "kind": kind,
            "entity_id": entity_id,
            "display": display,
            "code": code,
            "org_id": org_id,
            "parent_id": parent_id,
            "sort_key": sort_key,
            "folded": _spaced(public),
            "private": _spaced(private),
        },
    )
    _write_tokens(tx, kind, entity_id, org_id, sort_key, public, private, fresh=fresh)


def _rename(tx: Tx, kind: str, entity_id: str, display: str) -> None:
    row = tx.execute(
        "SELECT code, org_id, private FROM {entries} WHERE kind = ? AND entity_id = ?",
        (kind, entity_id),
    ).fetchone()
    if row is None:
        return
    code, org_id, private = row
    public = search_tokens(f"{display} {code}")
    tx.execute(
        "UPDATE {entries} SET display = ?, sort_key = ?, folded = ? "
        "WHERE kind = ? AND entity_id = ?",
        (display, fold(display), _spaced(public), kind, entity_id),
    )
    _write_tokens(
        tx, kind, entity_id, org_id, fold(display), public, str(private).split()
    )


def _write_tokens(
    tx: Tx,
    kind: str,
    entity_id: str,
    org_id: str | None,
    sort_key: str,
    public: Sequence[str],
    private: Sequence[str],
    *,
    fresh: bool = False,
) -> None:
    if not fresh:
        tx.execute(
            "DELETE FROM {tokens} WHERE kind = ? AND entity_id = ?", (kind, entity_id)
        )
    tx.insert(
        "tokens",
        TOKEN_COLUMNS,
        [(t, kind, entity_id, 0, org_id, sort_key) for t in public]
        + [(t, kind, entity_id, 1, org_id, sort_key) for t in private],
    )


def _spaced(words: Sequence[str]) -> str:
    """Words between spaces: ``LIKE '% word%'`` is then a word-prefix match."""
    return f" {' '.join(words)} " if words else ""


def _count(tx: Tx, org_id: str | None, delta: int) -> None:
    """Add ``delta`` members to an organisation and every one above it (its
    parents as this view recorded them), in one statement."""
    if org_id is None:
        return
    tx.execute(
        "WITH RECURSIVE up(org_id, depth) AS ("
        "SELECT CAST(? AS TEXT), 0 UNION ALL "
        "SELECT c.parent_id, up.depth + 1 FROM {counts} c JOIN up "
        "ON c.org_id = up.org_id WHERE c.parent_id IS NOT NULL AND up.depth < ?) "
        "UPDATE {counts} SET members = members + ? "
        "WHERE org_id IN (SELECT org_id FROM up)",
        (org_id, MAX_DEPTH, delta),
    )


# -- queries ------------------------------------------------------------------
@dataclass(frozen=True)
class Narrowing:
    """Where a query may look (phạm vi thu hẹp), from the read gateway: ``None``
    roots means the whole tree; otherwise the branches below ``roots``, the
    organisations ``exact`` themselves, and the member file ``own``. The gateway
    still checks every row it returns against the domain's rule."""

    roots: tuple[str, ...] | None
    exact: tuple[str, ...] = ()
    own: str | None = None

    def sql(
        self, column: str, kind_column: str, id_column: str, *, per_row: bool = False
    ) -> tuple[str, list[Any]]:
        """The condition and its parameters. ``per_row``: the branch test as a
        filter on each row (a hashed subplan: the ``IN`` under an ``OR``, which
        PostgreSQL does not turn into a join), for a statement that must keep
        reading an index in order whatever its plan (a generic plan otherwise
        may drive from the ancestors and sort the whole range)."""
        if self.roots is None:
            return "1 = 1", []
        parts: list[str] = []
        params: list[Any] = []
        if self.roots:
            marks = ", ".join("?" for _ in self.roots)
            parts.append(
                f"{column} IN (SELECT org_id FROM {{directory.org_ancestors}} "  # noqa: S608
                f"WHERE ancestor_id IN ({marks}))"
            )
            if per_row and not (self.exact or self.own):
                parts.append("1 = 0")
            params += list(self.roots)
        if self.exact:
            parts.append(f"{column} IN ({', '.join('?' for _ in self.exact)})")
            params += list(self.exact)
        if self.own:
            parts.append(f"({kind_column} = ? AND {id_column} = ?)")
            params += [MEMBER, self.own]
        return ("(" + " OR ".join(parts) + ")") if parts else "1 = 0", params

    def sql_at(
        self, place: str, kind_column: str, id_column: str
    ) -> tuple[str, list[Any]]:
        """:meth:`sql` for rows that all stand at one organisation, ``place`` (a
        page of one chi bộ's members): whether the place is in the branches or
        one of the ``exact`` organisations is a condition of no row, which both
        databases evaluate once (the branch test by the ancestor table's primary
        key). PostgreSQL plans the per-row test of :meth:`sql` under its ``OR``
        as a hash of every organisation below the roots, built at each
        statement: 4,402 rows for a province's secretary, to keep or drop the
        25 members of one chi bộ."""
        if self.roots is None:
            return "1 = 1", []
        parts: list[str] = []
        params: list[Any] = []
        if self.roots:
            branch, params = self.branch_at_sql(place)
            parts.append(branch)
        if self.exact:
            parts.append(f"? IN ({', '.join('?' for _ in self.exact)})")
            params += [place, *self.exact]
        if self.own:
            parts.append(f"({kind_column} = ? AND {id_column} = ?)")
            params += [MEMBER, self.own]
        return ("(" + " OR ".join(parts) + ")") if parts else "1 = 0", params

    def branch_at_sql(self, place: str) -> tuple[str, list[Any]]:
        """Whether ``place`` is in one of the branches below the roots (itself
        a root included), asked once by the ancestor table's primary key; false
        when the narrowing has no roots, true when it is the whole tree."""
        if self.roots is None:
            return "1 = 1", []
        if not self.roots:
            return "1 = 0", []
        marks = ", ".join("?" for _ in self.roots)
        return (
            "EXISTS (SELECT 1 FROM {directory.org_ancestors} "  # noqa: S608
            f"WHERE org_id = ? AND ancestor_id IN ({marks}))",
            [place, *self.roots],
        )

    def probe_sql(self, column: str, kind_column: str, id_column: str) -> Statement:
        """:meth:`sql` for a handful of rows (the top of the tree): the branch
        test asked of each row by the ancestor table's primary key, never a
        hash of the whole branch. A count, so PostgreSQL keeps it per row
        (an ``EXISTS`` or ``IN`` there is turned into that hash)."""
        if not self.roots:  # the whole tree, or no branch at all
            return self.sql(column, kind_column, id_column)
        marks = ", ".join("?" for _ in self.roots)
        branch = (
            "(SELECT COUNT(*) FROM {directory.org_ancestors} a "  # noqa: S608
            f"WHERE a.org_id = {column} AND a.ancestor_id IN ({marks})) > 0"
        )
        rest, params = Narrowing(roots=(), exact=self.exact, own=self.own).sql(
            column, kind_column, id_column
        )
        return f"({branch} OR {rest})", [*self.roots, *params]


EVERYWHERE = Narrowing(roots=None)


Statement = tuple[str, list[Any]]
"""A query over ``search`` and ``directory`` tables, and its parameters."""


def run(runtime: ProjectionRuntime, statement: Statement) -> list[dict[str, Any]]:
    """Run a statement of this module on the search and directory views."""
    sql, args = statement
    return runtime.query_views(["search", "directory"], sql, args)


Cursor = tuple[str, str] | None
"""A keyset position: the last row's (sort key, id), or None for the first page."""


def keyset(
    conditions: list[str], args: list[Any], after: Cursor, before: Cursor
) -> str:
    """Add the keyset condition (by sort key, then id) and say the order: pages
    backwards are read in descending order and turned round by the caller. A
    row value comparison, which SQLite and PostgreSQL both read as one range of
    an index ending ``sort_key, entity_id`` (an ``OR`` of the two columns left
    PostgreSQL a filter over the rest of the index on later pages)."""
    if after is not None:
        conditions.append("(e.sort_key, e.entity_id) > (?, ?)")
        args += [after[0], after[1]]
        return "ASC"
    if before is not None:
        conditions.append("(e.sort_key, e.entity_id) < (?, ?)")
        args += [before[0], before[1]]
        return "DESC"
    return "ASC"


def member_page(runtime: ProjectionRuntime, **options: Any) -> list[dict[str, Any]]:
    """A page of members (see ``member_page_sql``)."""
    return run(runtime, member_page_sql(**options))


def member_page_sql(
    *,
    cell_id: str | None,
    narrowing: Narrowing,
    after: Cursor,
    before: Cursor = None,
    limit: int,
) -> Statement:
    """One page of members by name then id (keyset: ``after`` the last row of the
    page before, or ``before`` the first row of the next), with their directory
    row and chi bộ name. ``limit + 1`` rows say whether another page follows."""
    if cell_id is None:
        where, params = narrowing.sql("e.org_id", "e.kind", "e.entity_id")
    else:  # the chi bộ's place asked once, not each member's
        where, params = narrowing.sql_at(cell_id, "e.kind", "e.entity_id")
    conditions = ["e.kind = ?", where]
    args: list[Any] = [MEMBER, *params]
    if cell_id is not None:
        conditions.append("e.org_id = ?")
        args.append(cell_id)
    order = keyset(conditions, args, after, before)
    # The page of entries first (an index range, LIMIT inside), then the
    # directory rows of those few by primary key.
    statement = (
        "SELECT e.sort_key, m.*, o.name AS cell_name FROM ("  # noqa: S608 - marks and code only
        "SELECT e.sort_key, e.entity_id FROM {entries} e WHERE "
        + " AND ".join(conditions)
        + f" ORDER BY e.sort_key {order}, e.entity_id {order} LIMIT {int(limit) + 1}"
        ") e "
        "JOIN {directory.members} m ON m.member_id = e.entity_id "
        "JOIN {directory.organisations} o ON o.org_id = m.cell_id "
        f"ORDER BY e.sort_key {order}, e.entity_id {order}"
    )
    return statement, args


def children_page(
    runtime: ProjectionRuntime, parent_id: str | None, **options: Any
) -> list[dict[str, Any]]:
    """A page of an organisation's children (see ``children_page_sql``)."""
    return run(runtime, children_page_sql(parent_id, **options))


def children_page_sql(
    parent_id: str | None,
    *,
    after: Cursor,
    before: Cursor = None,
    limit: int,
    narrowing: Narrowing = EVERYWHERE,
) -> Statement:
    """One page of an organisation's children (the top level for None), by name
    then id, each with its rolled-up member count and number of children;
    narrowed to the organisations in or above the viewer's branch.

    The top level holds a handful of rows: each is tested by the ancestor
    table's primary key (``Narrowing.probe_sql``), and its order is an
    expression so that PostgreSQL reads them by ``entries_children`` and sorts
    them (its estimate of organisations without a parent counts the members'
    entries, which have none either, so it walked every organisation by name).
    Below, when the parent is in the viewer's branch so is every child: that is
    asked once, and the per-row test runs only when it is not."""
    if parent_id is None:
        where, params = narrowing.probe_sql("e.entity_id", "e.kind", "e.entity_id")
    else:
        inside, first = narrowing.branch_at_sql(parent_id)
        rows, params = narrowing.sql("e.entity_id", "e.kind", "e.entity_id")
        where, params = f"({inside} OR {rows})", [*first, *params]
    conditions = ["e.kind = ?", where]
    args: list[Any] = [ORGANISATION, *params]
    if parent_id is None:
        conditions.append("e.parent_id IS NULL")
    else:
        conditions.append("e.parent_id = ?")
        args.append(parent_id)
    order = keyset(conditions, args, after, before)
    by_name = "e.sort_key || ''" if parent_id is None else "e.sort_key"
    statement = (
        "SELECT e.sort_key, o.org_id, o.code, o.name, o.kind, o.parent_id, "  # noqa: S608 - marks and code only
        "o.dissolved, COALESCE(n.members, 0) AS n, "
        "(SELECT COUNT(*) FROM {entries} k WHERE k.kind = 'organisation' "
        "AND k.parent_id = e.entity_id) AS children FROM ("
        "SELECT e.sort_key, e.entity_id FROM {entries} e WHERE "
        + " AND ".join(conditions)
        + f" ORDER BY {by_name} {order}, e.entity_id {order} LIMIT {int(limit) + 1}"
        ") e "
        "JOIN {directory.organisations} o ON o.org_id = e.entity_id "
        "LEFT JOIN {counts} n ON n.org_id = e.entity_id "
        f"ORDER BY e.sort_key {order}, e.entity_id {order}"
    )
    return statement, args


def cells_page(
    runtime: ProjectionRuntime,
    narrowing: Narrowing,
    limit: int,
    kind: str | None = CELL,
) -> list[dict[str, Any]]:
    """The first active chi bộ by name in the narrowing (see ``cells_page_sql``)."""
    return run(runtime, cells_page_sql(narrowing, limit, kind))


def cells_page_sql(
    narrowing: Narrowing, limit: int, kind: str | None = CELL
) -> Statement:
    """The first ``limit + 1`` active chi bộ (kind ``cell``, not dissolved) by name
    then id, in the narrowing (the enrolment and transfer pages' suggestions):
    the organisations' entries walked in name order (``entries_name``), each
    one's directory row by primary key and its place by ``org_ancestors``, until
    enough are found; never the whole tree. With ``kind`` None: organisations
    of every kind, dissolved ones too (a list's organisation field)."""
    where, params = narrowing.sql("e.entity_id", "e.kind", "e.entity_id")
    of_kind = "o.kind = ? AND o.dissolved = 0 AND " if kind is not None else ""
    statement = (
        "SELECT e.sort_key, o.org_id, o.code, o.name, o.kind, o.parent_id, "  # noqa: S608 - marks and code only
        "o.dissolved, 0 AS n FROM {entries} e "
        "JOIN {directory.organisations} o ON o.org_id = e.entity_id "
        "WHERE e.kind = ? AND "
        + of_kind
        + where
        + f" ORDER BY e.sort_key, e.entity_id LIMIT {int(limit) + 1}"
    )
    kinds = [ORGANISATION] if kind is None else [ORGANISATION, kind]
    return statement, [*kinds, *params]


def member_count(runtime: ProjectionRuntime, org_id: str) -> int:
    """Members of an organisation and every one below it (rolled up)."""
    rows = runtime.query(
        "search", "SELECT members FROM {counts} WHERE org_id = ?", [org_id]
    )
    return int(rows[0]["members"] or 0) if rows else 0


def entry_position(runtime: ProjectionRuntime, kind: str, entity_id: str) -> Cursor:
    """The (sort key, id) of one entry of a kind, where a keyset page starts."""
    rows = runtime.query(
        "search",
        "SELECT sort_key, entity_id FROM {entries} WHERE kind = ? AND entity_id = ?",
        [kind, entity_id],
    )
    return (rows[0]["sort_key"], rows[0]["entity_id"]) if rows else None
