"""The directory at province scale, through the read gateway: search by name,
card number or code (tìm kiếm), keyset pages of members and of an organisation's
children, and the breadcrumb of an organisation (đường dẫn tổ chức).

The queries (``projections.search``) are narrowed in SQL to the viewer's anchors
(their branch root, their chi bộ, the organisations above them, their own file)
so a page of results is not eaten by rows the viewer may not read; every row is
then checked against ``domain.permissions`` here, as every gateway read is.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any
from uuid import UUID

from domain import permissions as p
from domain.accounts import Role
from domain.errors import DomainError
from domain.permissions import Read
from domain.text import MAX_SEARCH_TOKENS, fold, query_tokens, search_tokens
from projections import search as index
from projections import search_find
from projections.directory_reads import (
    account_page,
    account_position,
    organisation_names,
)
from projections.directory_temporary import temporary_member_ids
from services.queries import MemberRow, OrganisationRow, account_from_row
from services.read_pages import PAGE, Page, turn

if TYPE_CHECKING:
    from services.read_gateway import ReadGateway

HITS = 50  # results of a search
MIN_WORD = 2  # a query's longest word needs this many letters
CELL = "cell"


@dataclass(frozen=True)
class SearchHit:
    """One thing found (kết quả tìm kiếm): ``code`` is empty where the viewer may
    not read it (another member's card number)."""

    kind: str  # member | organisation | cycle | vote
    entity_id: UUID
    name: str
    code: str
    org_id: UUID | None


@dataclass(frozen=True)
class SearchResult:
    query: str
    hits: list[SearchHit]
    too_short: bool = False

    @property
    def full(self) -> bool:
        """As many hits as a page holds: more may match a longer query."""
        return len(self.hits) >= HITS


@dataclass(frozen=True)
class Child:
    """An organisation in a list of children: how many organisations are under
    it, and its members rolled up (None where the viewer does not list them)."""

    row: OrganisationRow
    children: int
    members: int | None


@dataclass(frozen=True)
class CellChoices:
    """The chi bộ a form suggests (gợi ý chi bộ): the first by name, and whether
    more are in reach than listed (typing then finds them)."""

    rows: list[OrganisationRow]
    more: bool


@dataclass(frozen=True)
class Crumb:
    org_id: UUID
    name: str


class DirectoryReads:
    """Search, keyset lists and breadcrumbs of one viewer (``reads().directory``)."""

    def __init__(self, gate: ReadGateway) -> None:
        self.gate = gate
        self.runtime = gate.app.projections

    # -- narrowing ------------------------------------------------------------------
    def narrowing(self) -> index.Narrowing:
        """Where the viewer's rows can be: a prefilter, never the rule itself."""
        viewer = self.gate.viewer
        if viewer.is_admin:
            return index.EVERYWHERE
        # a member's own account reads by its chi bộ; every other role by its
        # branch (the rule itself is applied to each row afterwards)
        works_on_branch = bool(viewer.roles - {Role.MEMBER.value})
        roots = [str(viewer.org_id)] if viewer.org_id and works_on_branch else []
        if viewer.cell_id is not None:
            roots.append(str(viewer.cell_id))
        return index.Narrowing(
            roots=tuple(roots),
            exact=tuple(sorted(str(o) for o in viewer.lineage)),
            own=str(viewer.member_id) if viewer.member_id is not None else None,
        )

    # -- search ---------------------------------------------------------------------
    def search(
        self,
        query: str,
        kinds: tuple[str, ...] = index.KINDS,
        within: Read | None = None,
        acting: str | None = None,
        org_kinds: Collection[str] | None = None,
    ) -> SearchResult:
        """What the viewer may read that matches ``query``; with ``within``,
        only the organisations the viewer reads with that rule (a page's
        organisation field suggests no organisation it would refuse); with
        ``acting``, only the active organisations (of ``org_kinds``) the
        viewer may run that command on (``may_act``: a form's target)."""
        words = query_tokens(query)
        if not words or len(words[0]) < MIN_WORD:
            return SearchResult(query, [], too_short=bool(query.strip()))
        wanted = tuple(k for k in kinds if k in index.KINDS)
        rows = search_find.find(
            self.runtime,
            words,
            narrowing=self.narrowing(),
            kinds=wanted,
            personal=self.gate.shows_personal(None),
            limit=HITS,
            phrase=" ".join(search_tokens(query)[:MAX_SEARCH_TOKENS]),
        )
        self.gate.load_paths(r["org_id"] for r in rows)
        hits = [hit for r in rows if (hit := self._readable(r)) is not None]
        if within is not None:
            hits = [
                h
                for h in hits
                if h.kind == index.ORGANISATION and self.gate.sees(within, h.entity_id)
            ]
        if acting is not None:
            hits = [
                h
                for h in hits
                if h.kind == index.ORGANISATION
                and self.gate.acts_on(acting, h.entity_id)
                and self._active(h.entity_id, org_kinds)
            ]
        return SearchResult(query, hits)

    def _readable(self, row: dict[str, Any]) -> SearchHit | None:
        kind, ident, org = row["kind"], UUID(row["entity_id"]), row["org_id"]
        code = row["code"]
        gate = self.gate
        if kind == index.MEMBER:
            if not (
                gate.sees(Read.MEMBER_LIST, org)
                or gate.sees(Read.MEMBER_FILE, org, owner=ident)
            ):
                return None
            if not gate.sees(Read.MEMBER_PERSONAL, org, owner=ident):
                code = ""
        elif kind == index.ORGANISATION:
            if not gate.sees(Read.ORGANISATION, org):
                return None
        elif not self._reads_record(kind, ident):
            return None
        return SearchHit(kind, ident, row["display"], code, UUID(org) if org else None)

    def _reads_record(self, kind: str, ident: UUID) -> bool:
        """A cycle or a vote: the gateway's own read of it decides."""
        try:
            if kind == index.CYCLE:
                return self.gate.cycle_row(ident) is not None
            return self.gate.votes.vote_row(ident) is not None
        except DomainError:
            return False

    # -- keyset lists ---------------------------------------------------------
    def _position(self, kind: str, ident: UUID | None) -> index.Cursor:
        if ident is None:
            return None
        return index.entry_position(self.runtime, kind, str(ident))

    def members(
        self,
        cell_id: UUID | None = None,
        *,
        after: UUID | None = None,
        before: UUID | None = None,
    ) -> Page:
        """A page of members by name (a chi bộ's, or all the viewer may list)."""
        if cell_id is not None:
            self.gate.check(Read.MEMBER_LIST, cell_id)
        rows = index.member_page(
            self.runtime,
            cell_id=str(cell_id) if cell_id is not None else None,
            narrowing=self.narrowing(),
            after=self._position(index.MEMBER, after),
            before=self._position(index.MEMBER, before) if after is None else None,
            limit=PAGE,
        )
        page = _turn(
            rows,
            backwards=after is None and before is not None,
            paged=after is not None,
        )
        members = [_member(r) for r in page.rows]
        kept = self.gate.keep(
            Read.MEMBER_LIST, members, lambda m: m.cell_id, owner=None
        )
        return Page(kept, page.after, page.before)

    def temporary_members(self, cell_id: UUID) -> list[MemberRow]:
        """The members on temporary party activity at the chi bộ (sinh hoạt
        tạm thời), for a viewer who lists its members (else none): a split
        places them too (``directory_temporary``)."""
        if not self.gate.sees(Read.MEMBER_LIST, cell_id):
            return []
        found = []
        for member_id in temporary_member_ids(self.runtime, cell_id):
            row = self.gate.app.member(member_id)
            if row is not None:
                found.append(row)
        return found

    def children(
        self,
        parent_id: UUID | None,
        *,
        after: UUID | None = None,
        before: UUID | None = None,
    ) -> Page:
        """A page of an organisation's children (the top level for None), each
        with its members rolled up and its number of children."""
        if parent_id is not None:
            self.gate.check(Read.ORGANISATION, parent_id)
        rows = index.children_page(
            self.runtime,
            str(parent_id) if parent_id is not None else None,
            narrowing=self.narrowing(),
            after=self._position(index.ORGANISATION, after),
            before=self._position(index.ORGANISATION, before)
            if after is None
            else None,
            limit=PAGE,
        )
        page = _turn(
            rows,
            backwards=after is None and before is not None,
            paged=after is not None,
        )
        children = [_child(r) for r in page.rows]
        kept = self.gate.keep(Read.ORGANISATION, children, lambda c: c.row.org_id)
        shown = [
            c if self.lists_members(c.row.org_id) else Child(c.row, c.children, None)
            for c in kept
        ]
        return Page(shown, page.after, page.before)

    def accounts(
        self,
        query: str = "",
        *,
        after: UUID | None = None,
        before: UUID | None = None,
    ) -> Page:
        """A page of accounts by username (the administrator's), those whose
        username or name has words starting as the query's (accent-insensitive);
        its rows :class:`AccountRow` (the caller names the organisations of this
        page only)."""
        p.require_read(self.gate.viewer, Read.ACCOUNT, ())
        words = query_tokens(query)
        start = account_position(self.runtime, after) if after else None
        end = account_position(self.runtime, before) if before and not start else None
        rows = account_page(self.runtime, words, after=start, before=end, limit=PAGE)
        page = _turn(
            rows,
            backwards=end is not None,
            paged=start is not None,
            ident=lambda r: UUID(r["account_id"]),
        )
        return Page([account_from_row(r) for r in page.rows], page.after, page.before)

    def lists_members(self, org_id: UUID | str | None) -> bool:
        """Whether the viewer reads the members' names there (and so their
        number): a page that may be read shows no list rather than refusing."""
        return self.gate.sees(Read.MEMBER_LIST, org_id)

    def member_count(self, org_id: UUID) -> int | None:
        """Members of the organisation and below (rolled up), for a viewer who
        reads the list there; None otherwise."""
        self.gate.check(Read.ORGANISATION, org_id)
        if not self.lists_members(org_id):
            return None
        return index.member_count(self.runtime, str(org_id))

    # -- choosing a chi bộ (enrolment, transfer) -------------------------------------
    def cells_in_reach(self, action: str, limit: int) -> CellChoices:
        """The first ``limit`` active chi bộ by name where the viewer may run
        ``action`` (``member.enrol``, ``member.transfer``:
        ``domain.permissions.may_act``), and whether more are in reach: one
        bounded, indexed read narrowed to the viewer's branch
        (``projections.search.cells_page_sql``), never the whole tree."""
        narrowing = self._acting_narrowing(action)
        if narrowing is None:
            return CellChoices([], more=False)
        rows = index.cells_page(self.runtime, narrowing, limit)
        self.gate.load_paths(r["org_id"] for r in rows)
        kept = [
            organisation_row(r) for r in rows if self.gate.acts_on(action, r["org_id"])
        ]
        return CellChoices(kept[:limit], more=len(kept) > limit)

    def organisations_in_reach(self, read: Read, limit: int) -> CellChoices:
        """The first ``limit`` organisations of any kind by name that the viewer
        reads with ``read``, and whether more are in reach (one bounded read
        narrowed to the viewer's branch, as :meth:`cells_in_reach`)."""
        rows = index.cells_page(self.runtime, self.narrowing(), limit, kind=None)
        self.gate.load_paths(r["org_id"] for r in rows)
        kept = [organisation_row(r) for r in rows if self.gate.sees(read, r["org_id"])]
        return CellChoices(kept[:limit], more=len(kept) > limit)

    def _acting_narrowing(self, action: str) -> index.Narrowing | None:
        """Where the viewer may run ``action`` (a prefilter: the rule is
        ``acts_on`` on every row), or None where nowhere."""
        viewer = self.gate.viewer
        if not p.may(viewer.roles, action):
            return None
        if viewer.is_admin or p.COMMAND_REACH[action] is p.Reach.EVERYWHERE:
            return index.EVERYWHERE
        if viewer.org_id is None or viewer.office_ended:
            return None
        return index.Narrowing(roots=(str(viewer.org_id),))

    def cell_named(self, typed: str) -> UUID:
        """The chi bộ a person typed: its id, its code, its name, the
        suggestion's "name (code)", or words that begin the name of one chi bộ
        only; among the organisations the viewer reads.
        ``member.cell_unmatched`` when none is found, ``member.cell_ambiguous``
        when a name is shared (the code tells them apart). Whether it is a chi
        bộ the viewer may act on is the command's to refuse, as for an id."""
        text, direct, cells = self._named(typed, self._is_cell, active=True)
        if direct is not None:
            return direct
        if not cells:
            raise DomainError("member.cell_unmatched", text=text)
        if len(cells) > 1:
            raise DomainError("member.cell_ambiguous", text=text)
        return cells[0]

    def organisation_named(self, typed: str, read: Read) -> UUID:
        """The organisation of any kind a person typed (as :meth:`cell_named`
        reads it), among those the viewer may read with ``read`` (a dissolved
        one too: its history is kept). ``org.unmatched`` when none is found,
        ``org.ambiguous`` when a name is shared. An id is returned as typed:
        the read that uses it checks the scope."""
        text, direct, found = self._named(
            typed, lambda o: self.gate.sees(read, o), active=False
        )
        if direct is not None:
            return direct
        if not found:
            raise DomainError("org.unmatched", text=text)
        if len(found) > 1:
            raise DomainError("org.ambiguous", text=text)
        return found[0]

    def _named(
        self, typed: str, fits: Callable[[UUID], bool], *, active: bool
    ) -> tuple[str, UUID | None, list[UUID]]:
        """The typed text (spaces folded), the id when one was typed, and the
        organisations that ``fits`` named exactly by code or name (an exact
        match that does not fit is kept for the command to refuse when
        ``active``), else those whose name begins with the typed words."""
        text = " ".join(typed.split())
        try:
            return text, UUID(text), []
        except ValueError:
            pass
        name, code = text, ""
        if text.endswith(")") and " (" in text:
            name, _, code = text[:-1].rpartition(" (")
        wanted = code or text
        found: list[UUID] = []
        near: list[UUID] = []  # the query's words begin words of the name
        for query in dict.fromkeys(q for q in (name, wanted) if q):
            for hit in self.search(query, (index.ORGANISATION,)).hits:
                same_code = hit.code.casefold() == wanted.casefold()
                same_name = not code and fold(hit.name) == fold(name)
                exact = same_code or same_name
                (found if exact else near).append(hit.entity_id)
        named = [o for o in dict.fromkeys(found) if not active or self._active(o)]
        chosen = [o for o in named if fits(o)] or (named if active else [])
        if not chosen and not code:  # a part of one name is enough
            chosen = [o for o in dict.fromkeys(near) if fits(o)]
        return text, None, chosen

    def _active(self, org_id: UUID, kinds: Collection[str] | None = None) -> bool:
        row = self.gate.organisation(org_id)
        return (
            row is not None
            and not row.dissolved
            and (kinds is None or row.kind in kinds)
        )

    def _is_cell(self, org_id: UUID) -> bool:
        row = self.gate.organisation(org_id)
        return row is not None and row.kind == CELL and not row.dissolved

    # -- breadcrumbs ----------------------------------------------------------
    def breadcrumbs(self, org_id: UUID | None) -> list[Crumb]:
        """The organisations from the root down to ``org_id`` that the viewer may
        name (those above their branch are named, as the tree shows them)."""
        path = self.gate.path(org_id)
        if not path:
            return []
        names = organisation_names(self.runtime, path)
        self.gate.load_paths(path)
        return [
            Crumb(o, names[o])
            for o in path
            if o in names and self.gate.sees(Read.ORGANISATION, o)
        ]


def _turn(
    rows: list[dict[str, Any]],
    *,
    backwards: bool,
    paged: bool,
    ident: Callable[[dict[str, Any]], UUID] | None = None,
) -> Page:
    """``PAGE + 1`` rows as read (descending when ``backwards``) into a page in
    reading order, with the cursors of its neighbours (``ident``: a row's id);
    ``paged``: the page was asked from a cursor (so a page lies on the side it
    came from)."""
    return turn(
        rows, backwards=backwards, paged=paged, ident=ident or _row_id, size=PAGE
    )


def _row_id(row: dict[str, Any]) -> UUID:
    return UUID(row.get("member_id") or row["org_id"])


def _member(row: dict[str, Any]) -> MemberRow:
    return MemberRow(
        member_id=UUID(row["member_id"]),
        full_name=row["full_name"],
        party_card_no=row["party_card_no"],
        birth_date=date.fromisoformat(row["birth_date"]),
        admission_date=date.fromisoformat(row["admission_date"]),
        status=row["status"],
        cell_id=UUID(row["cell_id"]),
        cell_name=row["cell_name"],
    )


def _child(row: dict[str, Any]) -> Child:
    return Child(organisation_row(row), int(row["children"]), int(row["n"]))


def organisation_row(row: dict[str, Any]) -> OrganisationRow:
    """An organisation as the directory's search rows give it."""
    return OrganisationRow(
        org_id=UUID(row["org_id"]),
        code=row["code"],
        name=row["name"],
        kind=row["kind"],
        parent_id=UUID(row["parent_id"]) if row["parent_id"] else None,
        dissolved=bool(row["dissolved"]),
        depth=0,
        members=int(row["n"]),
    )
