"""The organisations and members a form names by typing (gợi ý khi gõ), at
province scale: a bounded, indexed first page of suggestions in the viewer's
scope and the server-side reading of what was typed (an id, a code or card
number, the suggestion's "name (code)", or words that begin one name), for the
forms that used to list every organisation or member in a select (opening a
cycle, creating a vote, a remediation plan). Scope is decided here, with the
domain's rules (``may_act`` for a command's target, ``may_read`` otherwise),
never by the routes: a typed value out of scope reads as not found and the
form says so in Vietnamese (``org.unmatched``, ``member.unmatched``,
``member.ambiguous``), sending nothing."""

from __future__ import annotations

from collections.abc import Collection
from uuid import UUID

from domain import permissions as p
from domain.errors import DomainError
from domain.permissions import Read
from domain.text import fold
from projections import search as index
from projections.directory_reads import account_named, counting_accounts
from services.queries import AccountRow, OrganisationRow, account_from_row
from services.read_gateway_search import CellChoices, DirectoryReads, organisation_row

ACCOUNTS = 50  # counting accounts a vote's form lists at most


class FormChoices(DirectoryReads):
    """The typed fields' suggestions and readings of one viewer."""

    def organisations_acting(
        self, action: str, limit: int, kinds: Collection[str] | None = None
    ) -> CellChoices:
        """The first ``limit`` active organisations (of ``kinds``) by name on
        which the viewer may run ``action``: one bounded read narrowed to where
        the action reaches (``projections.search.cells_page_sql``), each row
        checked by ``acts_on``."""
        narrowing = self._acting_narrowing(action)
        if narrowing is None:
            return CellChoices([], more=False)
        rows = index.cells_page(self.runtime, narrowing, limit, kind=None)
        self.gate.load_paths(r["org_id"] for r in rows)
        kept = [
            organisation_row(r)
            for r in rows
            if not r["dissolved"]
            and (kinds is None or r["kind"] in kinds)
            and self.gate.acts_on(action, r["org_id"])
        ]
        return CellChoices(kept[:limit], more=len(rows) > limit)

    def organisation_acting_named(
        self, typed: str, action: str, kinds: Collection[str] | None = None
    ) -> UUID:
        """The active organisation (of ``kinds``) a person typed, among those
        the viewer may run ``action`` on; ``org.unmatched`` when none is (an
        organisation out of scope is not named), ``org.ambiguous`` when a name
        is shared. An id is returned as typed: the command checks its scope."""

        def fits(org_id: UUID) -> bool:
            row = self.gate.app.organisation(org_id)
            return (
                row is not None
                and not row.dissolved
                and (kinds is None or row.kind in kinds)
                and self.gate.acts_on(action, org_id)
            )

        return _one_organisation(*self._named(typed, fits, active=False))

    def own_line(self) -> list[OrganisationRow]:
        """The viewer's organisation and those above it, active, from the top
        (a plan's supervising body is one of them, as a rule): the few rows
        of the viewer's ancestor path, by primary key."""
        found = []
        for org_id in self.gate.path(self.gate.viewer.org_id):
            row = self.gate.app.organisation(org_id)
            if row is not None and not row.dissolved:
                found.append(row)
        return found

    def readable_organisation_named(self, typed: str) -> UUID:
        """An active organisation the viewer reads (their branch and those
        above it: a plan's supervising body), as typed; ``org.unmatched`` /
        ``org.ambiguous`` as :meth:`organisation_acting_named`."""

        def fits(org_id: UUID) -> bool:
            row = self.gate.app.organisation(org_id)
            return (
                row is not None
                and not row.dissolved
                and self.gate.sees(Read.ORGANISATION, org_id)
            )

        return _one_organisation(*self._named(typed, fits, active=False))

    def member_named(self, typed: str) -> UUID:
        """The member a person typed, among those the viewer may list or whose
        file they read (the search's rule): an id, a card number, the
        suggestion's "name (card number)", or words that begin one member's
        name. ``member.unmatched`` when none is found, ``member.ambiguous``
        when several are (the card number tells them apart)."""
        text = " ".join(typed.split())
        try:
            return UUID(text)
        except ValueError:
            pass
        name, code = text, ""
        if text.endswith(")") and " (" in text:
            name, _, code = text[:-1].rpartition(" (")
        wanted = code or text
        hits = [
            hit
            for query in dict.fromkeys(q for q in (name, wanted) if q)
            for hit in self.search(query, (index.MEMBER,)).hits
        ]
        by_code = [h.entity_id for h in hits if h.code and h.code == wanted]
        by_name = [h.entity_id for h in hits if not code and fold(h.name) == fold(name)]
        near = [h.entity_id for h in hits if not code]
        found = list(dict.fromkeys(by_code or by_name or near))
        if not found:
            raise DomainError("member.unmatched", text=text)
        if len(found) > 1:
            raise DomainError("member.ambiguous", text=text)
        return found[0]

    def counting_accounts(self) -> tuple[list[AccountRow], bool]:
        """The first ``ACCOUNTS`` active accounts of the counting committee by
        username (a vote's trustees are chosen among them), and whether more
        exist: a walk of ``accounts_username`` for the administrator, who
        alone reads accounts."""
        p.require_read(self.gate.viewer, Read.ACCOUNT, ())
        rows = counting_accounts(self.runtime, ACCOUNTS)
        return [account_from_row(r) for r in rows[:ACCOUNTS]], len(rows) > ACCOUNTS

    def accounts_named(self, typed: str) -> list[UUID]:
        """The accounts a person typed, one username a line (the administrator,
        who alone reads accounts): ``account.username_unmatched`` for a line
        naming none. Whether each may count the vote is the command's rule."""
        p.require_read(self.gate.viewer, Read.ACCOUNT, ())
        found = []
        for line in typed.splitlines():
            username = line.strip()
            if not username:
                continue
            row = account_named(self.runtime, username)
            if row is None:
                raise DomainError("account.username_unmatched", text=username)
            found.append(UUID(row["account_id"]))
        return found


def _one_organisation(text: str, direct: UUID | None, found: list[UUID]) -> UUID:
    """What ``DirectoryReads._named`` read: the id typed, or the one organisation
    found (``org.unmatched`` for none, ``org.ambiguous`` for several)."""
    if direct is not None:
        return direct
    if not found:
        raise DomainError("org.unmatched", text=text)
    if len(found) > 1:
        raise DomainError("org.ambiguous", text=text)
    return found[0]
