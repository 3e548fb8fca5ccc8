"""Who is on temporary party activity where (sinh hoạt đảng tạm thời, 43-HD mục
7.6), by organisation, through the read gateway: for a chi bộ or a committee
above it, the members attached at one of its chi bộ (wherever their own chi bộ
is) and its own members attached outside it, each a keyset page by name
(``projections.directory_temporary``).

Scope is the member list's (``Read.MEMBER_LIST``): the organisation is checked
(an outsider gets the usual refusal), then every row against the chi bộ that
puts it in the list (the host chi bộ for the first list, the member's own for
the second); the member's file and the other chi bộ are offered as links only
where the viewer reads them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any
from uuid import UUID

from domain.permissions import Read
from projections.directory_temporary import (
    AWAY,
    HERE,
    temporary_page,
    temporary_position,
)
from services.read_pages import PAGE, Page, turn

if TYPE_CHECKING:
    from services.read_gateway import ReadGateway

SIDES = (HERE, AWAY)
__all__ = ["AWAY", "HERE", "Attachment", "TemporaryActivityReads"]


@dataclass(frozen=True)
class Attachment:
    """One member on temporary party activity: their own chi bộ (``home``) and
    the chi bộ they attend (``host``), since when, and the reorganisation
    decision that moved the attachment there, if one did. ``*_linked`` say
    whether the viewer may open the member's file and each chi bộ's page."""

    member_id: UUID
    full_name: str
    home_id: UUID
    home_name: str
    host_id: UUID
    host_name: str
    since: date | None
    decision_no: str | None
    member_linked: bool
    home_linked: bool
    host_linked: bool


class TemporaryActivityReads:
    """The two lists of an organisation's temporary attachments, for one viewer."""

    def __init__(self, gate: ReadGateway) -> None:
        self.gate = gate
        self.runtime = gate.app.projections

    def page(
        self,
        org_id: UUID,
        side: str,
        *,
        after: UUID | None = None,
        before: UUID | None = None,
    ) -> Page:
        """A page of ``side`` (``HERE`` or ``AWAY``) at ``org_id``: refused
        (``auth.*``) where the viewer does not list the organisation's members."""
        if side not in SIDES:
            raise ValueError(side)
        self.gate.check(Read.MEMBER_LIST, org_id)
        rows = temporary_page(
            self.runtime,
            str(org_id),
            side,
            after=self._position(after),
            before=self._position(before) if after is None else None,
            limit=PAGE,
        )
        page = turn(
            rows,
            backwards=after is None and before is not None,
            paged=after is not None,
            ident=lambda r: UUID(r["member_id"]),
            size=PAGE,
        )
        place = "cell_id" if side == HERE else "home_cell_id"
        kept = self.gate.keep(Read.MEMBER_LIST, page.rows, lambda r: r[place])
        self.gate.load_paths(o for r in kept for o in (r["cell_id"], r["home_cell_id"]))
        return Page([self._row(r) for r in kept], page.after, page.before)

    def _position(self, member_id: UUID | None) -> tuple[str, str] | None:
        if member_id is None:
            return None
        return temporary_position(self.runtime, str(member_id))

    def _row(self, r: dict[str, Any]) -> Attachment:
        sees = self.gate.sees
        home, host = r["home_cell_id"], r["cell_id"]
        return Attachment(
            member_id=UUID(r["member_id"]),
            full_name=r["full_name"],
            home_id=UUID(home),
            home_name=r["home_name"],
            host_id=UUID(host),
            host_name=r["cell_name"],
            since=date.fromisoformat(r["since"]) if r["since"] else None,
            decision_no=r["decision_no"],
            member_linked=sees(Read.MEMBER_FILE, home, owner=r["member_id"]),
            home_linked=sees(Read.ORGANISATION, home),
            host_linked=sees(Read.ORGANISATION, host),
        )
