"""One read gateway: every read the web, the API and the exports make, each checked
against the viewer's scope before it returns (issue 10, "scope at the gate").

The rule is the domain's (``domain.permissions``: ``Viewer``, ``Read``,
``may_read``/``require_read``); the gateway only names each target by its
ancestor path (the directory's indexed ``org_ancestors``) and either refuses
(``auth.out_of_scope`` → 403, ``auth.forbidden`` when no role of the viewer reads
that kind at all) or filters a list to what the viewer may see. It calls the
services' existing read methods and never changes them, so a new query is added
here, next to its scope check, or not at all (``tests/web/test_read_gate.py``).

The remediation, audit and vote reads live in ``services.read_gateway_more``
(``gateway.remediation``, ``gateway.audit``, ``gateway.votes``); the reports,
dossiers and commendations in ``services.read_gateway_reports`` (a mixin).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any
from uuid import UUID

from domain import permissions as p
from domain.cycles import criteria_set
from domain.explain import RULE_LABELS
from domain.permissions import Read, Viewer
from domain.reorganisation import chi_bo_over_time
from domain.rulebooks import (
    Appendix,
    Criterion,
    Rulebook,
    rulebook,
    rulebook_for_year,
)
from domain.subjects import SubjectKey
from projections import directory_history, directory_reads
from projections.directory import ancestor_path, ancestor_paths
from projections.ratings.subjects import is_subject
from services.errors import NotFoundError
from services.queries import AccountRow, MemberRow, OrganisationRow
from services.read_gateway_memo import PlaceDecisions, ReadMemo, as_uuid
from services.read_gateway_more import AuditReads, RemediationReads, VoteReads
from services.read_gateway_placed import as_owner, kept_names, narrowed
from services.read_gateway_reports import ReportGatewayReads, place_of
from services.read_viewer import viewer_for

if TYPE_CHECKING:
    from services.app import Kiemdiem

Row = dict[str, Any]


class ReadGateway(ReportGatewayReads):
    """The reads of one viewer (bound per request). Methods mirror the services'
    read methods; each checks or filters by scope."""

    def __init__(
        self, kiemdiem: Kiemdiem, viewer: Viewer, actor: str | None = None
    ) -> None:
        self.app = kiemdiem
        self.viewer = viewer
        self.actor = actor or ""
        self._paths: dict[UUID, tuple[UUID, ...]] = {}
        self.places = PlaceDecisions(
            viewer, kiemdiem.projections, self._paths, self.path
        )
        self.memo = ReadMemo()
        self.remediation = RemediationReads(self)
        self.audit = AuditReads(self)
        self.votes = VoteReads(self)

    @classmethod
    def for_account(cls, kiemdiem: Kiemdiem, account_id: UUID) -> ReadGateway:
        return cls(kiemdiem, viewer_for(kiemdiem, account_id), f"u:{account_id}")

    # -- paths and checks ---------------------------------------------------------
    def path(self, org_id: UUID | str | None) -> tuple[UUID, ...]:
        """The ancestor path of an organisation (cached for the request); empty
        for none or an unknown one, which no scoped viewer may read."""
        if org_id is None or org_id == "":
            return ()
        key = as_uuid(org_id)
        if key not in self._paths:
            self._paths[key] = ancestor_path(self.app.projections, key)
        return self._paths.get(key, ())

    def load_paths(self, org_ids: Iterable[UUID | str | None]) -> None:
        """Read the ancestor paths of many organisations in one indexed query."""
        wanted = {as_uuid(o) for o in org_ids if o} - set(self._paths)
        if wanted:
            found = ancestor_paths(self.app.projections, wanted)
            self._paths.update({o: found.get(o, ()) for o in wanted})

    def forget(self) -> None:
        """Read afresh from now on: the web calls it after each command it
        sends (``web.dispatch``), so the page after a command shows its effect
        (read-your-own-writes within one request)."""
        self.memo.forget()
        self._paths.clear()
        self.places.forget()

    def _org(self, org_id: UUID) -> OrganisationRow | None:
        """An organisation's row, read once per request."""
        return self.memo.once(("org", org_id), lambda: self.app.organisation(org_id))

    def sees(
        self,
        kind: Read,
        org_id: UUID | str | None,
        *,
        owner: UUID | str | None = None,
        counted: bool = False,
    ) -> bool:
        # the place's answer (decided once), else the owner's or the count's clause
        seen = not counted and self.places.sees(kind, org_id)
        if seen or not (owner or counted):
            return seen
        return p.may_read(
            self.viewer,
            kind,
            self.places.path(org_id),
            owner=as_owner(owner),
            counted=counted,
        )

    def check(
        self,
        kind: Read,
        org_id: UUID | str | None,
        *,
        owner: UUID | str | None = None,
        counted: bool = False,
    ) -> None:
        if self.sees(kind, org_id, owner=owner, counted=counted):
            return
        p.require_read(
            self.viewer,
            kind,
            self.places.path(org_id),
            owner=as_owner(owner),
            counted=counted,
        )

    def keep(
        self, kind: Read, rows: list[Any], place: Any, owner: Any = None
    ) -> list[Any]:
        """The rows the viewer may read, ``place(row)`` naming each one's
        organisation (and ``owner(row)`` its member, for own files)."""
        if self.viewer.is_admin:
            return rows
        self.places.load(place(r) for r in rows)
        return [
            r
            for r in rows
            if self.sees(kind, place(r), owner=owner(r) if owner else None)
        ]

    def require_act(self, action: str, org_id: UUID | None) -> None:
        """The reach of a command (``domain.permissions.require_act``) on its
        target organisation, checked before the command is sent, so a page or
        an API route refuses an out-of-scope write before touching it (the
        command side checks again). An unknown organisation is left to the
        command, which names it not found."""
        path = self.path(org_id)
        if path:
            p.require_act(self.viewer, action, path)

    def acts_on(self, action: str, org_id: UUID | str | None) -> bool:
        """Whether the viewer may run ``action`` on a target there
        (``domain.permissions.may_act``): a form offers only such choices."""
        path = self.path(org_id)
        return bool(path) and p.may_act(self.viewer, action, path)

    def ended_office(self, org_id: UUID | str | None = None) -> Row | None:
        """How the viewer's organisation (or an account's, ``org_id``, for the
        administrator) ended, with its successors, or None while it lasts
        (``directory_reads.organisation_end``): the dashboard and the account
        page ask for the account to be attached to the successor."""
        if org_id is None:
            org_id = self.viewer.org_id if self.viewer.office_ended else None
        elif not self.viewer.is_admin:
            return None
        if org_id is None:
            return None
        return directory_reads.organisation_end(self.app.projections, str(org_id))

    # -- the directory ------------------------------------------------------------
    def organisations(self) -> list[OrganisationRow]:
        """The tree in order: the viewer's branch and the organisations above it."""
        return self.keep(
            Read.ORGANISATION, self.app.organisations(), lambda r: r.org_id
        )

    def organisation_names(
        self, org_ids: Iterable[UUID | str | None], kept: Hashable = None
    ) -> dict[str, str]:
        """The names of these organisations the viewer may read, by id text:
        indexed reads of those only, never the whole tree. ``kept``: the key
        of a page asking for the same ones on every request (``kept_names``)."""
        if kept is not None:
            return kept_names(self.app, self.viewer, kept, org_ids)
        wanted = sorted({as_uuid(o) for o in org_ids if o})
        self.places.load(wanted)
        found = directory_reads.organisation_names(self.app.projections, wanted)
        return {
            str(o): name for o, name in found.items() if self.sees(Read.ORGANISATION, o)
        }

    def organisation(self, org_id: UUID) -> OrganisationRow | None:
        row = self._org(org_id)
        if row is not None:
            self.check(Read.ORGANISATION, row.org_id)
        return row

    def reorganisation_history(self, org_id: UUID) -> dict[str, list[Row]]:
        """An organisation's successor links both ways and its (parent, name, kind)
        over time (sắp xếp, tổ chức lại): readable wherever the organisation is,
        even after it ended."""
        if self._org(org_id) is None:
            raise NotFoundError("org.not_found", id=str(org_id))
        self.check(Read.ORGANISATION, org_id)
        runtime = self.app.projections
        return {
            "successions": directory_history.successions(runtime, org_id),
            "periods": directory_history.periods(runtime, org_id),
        }

    def members(self, cell_id: UUID | None = None) -> list[MemberRow]:
        """Members' names and chi bộ; a given chi bộ must itself be in scope."""
        if cell_id is not None:
            self.check(Read.MEMBER_LIST, cell_id)
        return self.keep(
            Read.MEMBER_LIST, self.app.members(cell_id), lambda r: r.cell_id
        )

    def members_shown(self, cell_id: UUID) -> list[MemberRow]:
        """A chi bộ's members on its page: the list, or none for a viewer who
        reads no members' names there (never a refusal of the page itself)."""
        if not self.sees(Read.MEMBER_LIST, cell_id):
            return []
        return self.members(cell_id)

    def member(self, member_id: UUID) -> MemberRow | None:
        """One member's record (name, chi bộ; personal fields only where
        ``shows_personal`` says so): their own, or in the viewer's branch."""
        row = self.app.member(member_id)
        if row is not None and not self.sees(
            Read.MEMBER_FILE, row.cell_id, owner=row.member_id
        ):
            self.check(Read.MEMBER_LIST, row.cell_id)
        return row

    def shows_personal(self, member: MemberRow | None = None) -> bool:
        """Whether the card number and birth date of ``member`` (of every listed
        member when None) are shown to the viewer."""
        if member is None:
            return self.viewer.is_admin or self.viewer.has(
                *(p.READ_RULES[Read.MEMBER_PERSONAL].branch)
            )
        return self.sees(Read.MEMBER_PERSONAL, member.cell_id, owner=member.member_id)

    def member_facts(self, member_id: UUID) -> list[Row]:
        row = self.app.member(member_id)
        if row is None:
            raise NotFoundError("member.not_found", id=str(member_id))
        self.check(Read.MEMBER_FILE, row.cell_id, owner=row.member_id)
        return self.app.ratings.member_facts(member_id)

    def member_places(self, member_id: UUID) -> list[Row]:
        """The member's chi bộ and its place in the tree over time, across
        transfers and reorganisations (``domain.reorganisation.chi_bo_over_time``):
        for those who read the member's file."""
        row = self.app.member(member_id)
        if row is None:
            raise NotFoundError("member.not_found", id=str(member_id))
        self.check(Read.MEMBER_FILE, row.cell_id, owner=row.member_id)
        return self._places_over_time(member_id)

    def member_places_shown(self, member_id: UUID) -> list[Row]:
        """The member's chi bộ over time on their page: for a viewer who reads
        only their name there (a member of the same chi bộ), none, never a
        refusal of the page itself."""
        row = self.app.member(member_id)
        if row is None or not self.sees(
            Read.MEMBER_FILE, row.cell_id, owner=row.member_id
        ):
            return []
        return self._places_over_time(member_id)

    def _places_over_time(self, member_id: UUID) -> list[Row]:
        """Unchecked: the callers above have applied the member-file rule."""
        views = self.app.projections
        known: dict[str, list[Row]] = {}

        def periods_of(org_id: str) -> list[Row]:
            if org_id not in known:
                known[org_id] = directory_history.periods(views, UUID(org_id))
            return known[org_id]

        cells = directory_reads.member_cells(views, member_id)
        return chi_bo_over_time(cells, periods_of)

    def accounts(self) -> list[AccountRow]:
        p.require_read(self.viewer, Read.ACCOUNT, ())
        return self.app.accounts()

    def account_row(self, account_id: UUID) -> AccountRow | None:
        """An account: one's own, or any for the administrator."""
        if self.actor != f"u:{account_id}":
            p.require_read(self.viewer, Read.ACCOUNT, ())
        return self.memo.once(
            ("account", account_id), lambda: self.app.account_row(account_id)
        )

    def org_facts(self, org_id: UUID) -> list[Row]:
        """Facts about an organisation the rating rules read (sector, conclusions,
        task results, cases, discipline): for its keepers."""
        if self._org(org_id) is None:
            raise NotFoundError("org.not_found", id=str(org_id))
        self.check(Read.REPORT, org_id)
        return self.app.ratings.org_facts(org_id)

    def org_sector(self, org_id: UUID) -> str | None:
        self.check(Read.REPORT, org_id)
        return self.app.ratings.org_sector(org_id)

    # -- cycles, subjects, rounds -------------------------------------------------
    def _own_subject(self, cycle_id: UUID) -> UUID | None:
        """The viewer's member id when they are a subject of the cycle."""
        me = self.viewer.member_id
        if me is None:
            return None
        return me if is_subject(self.app.projections, cycle_id, me) else None

    def sees_cycle(self, row: Row) -> bool:
        return self.sees(Read.CYCLE, row["org_id"]) or self.sees(
            Read.CYCLE, row["org_id"], owner=self._own_subject(UUID(row["cycle_id"]))
        )

    def cycles(self) -> list[Row]:
        rows = self.app.ratings.cycles()
        if self.viewer.is_admin:
            return rows
        self.load_paths(r["org_id"] for r in rows)
        return [r for r in rows if self.sees_cycle(r)]

    def cycle_row(self, cycle_id: UUID) -> Row | None:
        """A cycle: in the viewer's branch, above it (the cycle covers the branch;
        its lists then show the branch only), or one the member is a subject of."""
        row = self.memo.once(
            ("cycle", cycle_id), lambda: self.app.ratings.cycle_row(cycle_id)
        )
        if row is not None and not self.sees_cycle(row):
            self.check(Read.CYCLE, row["org_id"])
        return row

    def _cycle(self, cycle_id: UUID) -> Row:
        row = self.cycle_row(cycle_id)
        if row is None:
            raise NotFoundError("cycle.not_found", id=str(cycle_id))
        return row

    def subjects(
        self,
        cycle_id: UUID,
        decides: str | None = None,
        kind: str | None = None,
        cells: bool = True,
    ) -> list[Row]:
        self._cycle(cycle_id)
        return self.keep(
            Read.SUBJECT,
            self.app.ratings.subjects(cycle_id, decides, kind, cells),
            place_of,
            lambda s: s.get("member_id"),
        )

    def collectives(self, cycle_id: UUID) -> list[Row]:
        """The cycle's leadership collectives and committees the viewer reads
        (as :meth:`subjects` filters them), a few columns of each: kept with
        their places, narrowed to the viewer's reach on every request."""
        self._cycle(cycle_id)
        placed = self.app.ratings.collectives_placed(cycle_id)
        return narrowed(self.viewer, Read.SUBJECT, placed, lambda s: s.get("member_id"))

    def post_holders(self, cycle_id: UUID, org_id: str) -> list[Row]:
        """The cycle's individuals holding a post at ``org_id`` that the viewer
        reads (as :meth:`subjects` filters them), read by index."""
        self._cycle(cycle_id)
        return self.keep(
            Read.SUBJECT,
            self.app.ratings.post_holders(cycle_id, org_id),
            place_of,
            lambda s: s.get("member_id"),
        )

    def cycle_tallies(self, cycle_id: UUID) -> Row:
        """The counts by status and the deciding authorities of the subjects the
        viewer reads (as :meth:`subjects` filters them), from the projection's
        counters by place: the whole cycle for the administrator, the places of
        the viewer's branch in today's tree for a keeper (O(branch), not
        O(members)), plus their own subject for a member."""
        self._cycle(cycle_id)
        ratings = self.app.ratings
        if self.viewer.is_admin:
            return ratings.cycle_tallies(cycle_id, None)
        found: Row = {"statuses": {}, "authorities": {}}
        branch = self.viewer.org_id
        if branch is not None and self.sees(Read.SUBJECT, branch):
            # The places in the branch today (the rule's ancestor paths); a
            # split chi bộ's subjects where the split placed each.
            found = ratings.branch_tallies(cycle_id, str(branch))
        own = self._own_subject(cycle_id)
        mine = (
            None
            if own is None
            else ratings.subject_row(cycle_id, str(SubjectKey.of_member(own)))
        )
        if mine is not None and not self.sees(Read.SUBJECT, place_of(mine)):
            for facet, value in (("statuses", "status"), ("authorities", "decides")):
                if mine[value]:
                    counts = found[facet]
                    counts[mine[value]] = counts.get(mine[value], 0) + 1
        return found

    def subject_row(self, cycle_id: UUID, key: str) -> Row | None:
        row = self.memo.once(
            ("subject", cycle_id, key),
            lambda: self.app.ratings.subject_row(cycle_id, key),
        )
        if row is not None:
            self.check(Read.SUBJECT, place_of(row), owner=row.get("member_id"))
        return row

    def _subject(self, cycle_id: UUID, key: str) -> Row:
        row = self.subject_row(cycle_id, key)
        if row is None:
            raise NotFoundError("rating.subject_not_found", subject=key)
        return row

    def timeline(self, cycle_id: UUID, key: str) -> list[Row]:
        self._subject(cycle_id, key)
        return self.app.ratings.timeline(cycle_id, key)

    def subject_flags(self, cycle_id: UUID, key: str) -> list[str]:
        self._subject(cycle_id, key)
        return self.app.ratings.subject_flags(cycle_id, key)

    def rereview_orders(self, cycle_id: UUID, key: str | None = None) -> list[Row]:
        """Re-review orders of one subject, or of the subjects the viewer sees."""
        if key is not None:
            self._subject(cycle_id, key)
            return self.app.ratings.rereview_orders(cycle_id, key)
        keys = {s["subject_key"] for s in self.subjects(cycle_id)}
        orders = self.app.ratings.rereview_orders(cycle_id)
        return [o for o in orders if o["subject_key"] in keys]

    def reviews(self, cycle_id: UUID, key: str | None = None) -> list[Row]:
        """The reviews of the cycle's subjects the viewer may read; with ``key``
        that one subject's (no read of the whole cycle)."""
        if key is not None:
            self._subject(cycle_id, key)
            return self.app.ratings.reviews(cycle_id, key)
        keys = {s["subject_key"] for s in self.subjects(cycle_id)}
        return [
            r for r in self.app.ratings.reviews(cycle_id) if r["subject_key"] in keys
        ]

    def review_row(self, review_id: UUID) -> Row | None:
        row = self.app.ratings.review_row(review_id)
        if row is not None:
            self._subject(UUID(row["cycle_id"]), row["subject_key"])
        return row

    def rounds(self, cycle_id: UUID) -> list[Row]:
        self._cycle(cycle_id)
        placed = self.app.ratings.rounds_placed(cycle_id)
        if self._own_subject(cycle_id) is not None:
            return list(placed.rows)  # a subject sees which authority rates them
        return narrowed(self.viewer, Read.CYCLE, placed)

    def round_row(self, round_id: UUID) -> Row | None:
        row = self.memo.once(
            ("round", round_id), lambda: self.app.ratings.round_row(round_id)
        )
        if row is not None:
            self._cycle(UUID(row["cycle_id"]))
        return row

    def peer_groups(self, round_id: UUID) -> list[Row]:
        row = self.round_row(round_id)
        if row is None or not self.sees(Read.STATISTICS, row["authority_org_id"]):
            return []
        return self.app.ratings.peer_groups(round_id)

    def statistics(self, cycle_id: UUID, org_id: UUID) -> Row:
        """Counts by level in and under ``org_id``: only for an organisation in
        the viewer's branch (never the totals above it)."""
        self._cycle(cycle_id)
        self.check(Read.STATISTICS, org_id)
        return self.app.ratings.statistics(cycle_id, org_id)

    def statistics_on_tree(
        self, cycle_id: UUID, org_id: UUID, tree_on: date | None = None
    ) -> Row:
        """:meth:`statistics` rolled up by the tree at the report date (default,
        ``tree_on`` None) or as it was on ``tree_on`` (issue 12); same scope."""
        self._cycle(cycle_id)
        self.check(Read.STATISTICS, org_id)
        return self.app.reports.cycle_statistics(cycle_id, org_id, tree_on)

    def open_items(self, cycle_id: UUID) -> list[Row]:
        """The cycle's open items name subjects across the cycle: whole for a
        cycle in the viewer's branch, none otherwise."""
        row = self._cycle(cycle_id)
        if not self.sees(Read.STATISTICS, row["org_id"]):
            return []
        return self.app.ratings.open_items(cycle_id)

    def open_items_page(self, cycle_id: UUID, after: tuple[str, int] | None) -> Row:
        """One page of the cycle's open items (the day's deadlines and re-review
        orders first, on the first page) with the cursor of the next page and
        the count of them all; same scope as :meth:`open_items`."""
        row = self._cycle(cycle_id)
        empty: Row = {"items": [], "next": None, "count": 0}
        if not self.sees(Read.STATISTICS, row["org_id"]):
            return empty
        ratings = self.app.ratings
        dated = ratings.dated_items(cycle_id, self.app.today())
        items, following = ratings.subject_items(cycle_id, after)
        return {
            "items": (dated if after is None else []) + items,
            "next": following,
            "count": len(dated) + ratings.subject_items_count(cycle_id),
        }

    def open_items_count(self, cycle_id: UUID) -> int:
        """How many open items the cycle has (counters and the day's deadlines
        and orders); same scope as :meth:`open_items`."""
        row = self._cycle(cycle_id)
        if not self.sees(Read.STATISTICS, row["org_id"]):
            return 0
        return self.app.ratings.open_items_count(cycle_id, self.app.today())

    def criteria_refinements(self) -> list[Row]:
        """Refined criteria (366 Điều 10) of the organisations the viewer sees."""
        return self.keep(
            Read.ORGANISATION,
            self.app.ratings.criteria_refinements(),
            lambda r: r["org_id"],
        )

    # -- the regime's rules as pages show them (decided in domain.rulebooks) ------
    def cycle_rulebook(self, cycle_id: UUID) -> Rulebook:
        """The rulebook of a cycle the viewer sees (its form of an appendix, its
        quota exception limit, whether it is scored)."""
        return rulebook(self._cycle(cycle_id)["rulebook_id"])

    def cycle_criteria(self, cycle_id: UUID, appendix: str) -> tuple[Criterion, ...]:
        """Tiêu chí a subject of ``appendix`` is rated against in a cycle: the
        cycle's refined set first (366 Điều 10), else its rulebook's."""
        row = self._cycle(cycle_id)
        refined = {
            code: criteria_set(Appendix(code), items)
            for code, items in row["options"].get("criteria", {}).items()
        }
        return rulebook(row["rulebook_id"]).criteria_listed(appendix, refined)

    def rulebook_in_force(self, year: int) -> Rulebook:
        """The regime in force for a review year (public rules)."""
        return rulebook_for_year(year)

    @property
    def rule_labels(self) -> Mapping[str, str]:
        """Each rule id a decision records, in Vietnamese (domain.explain)."""
        return RULE_LABELS

    # -- the log, as everyone may see it ---------------------------------------------
    def latest_checkpoint(self) -> Any:
        """The latest published checkpoint (public: anyone may verify it), read
        once a request (the dashboard and the inspector's to-do list ask)."""
        return self.memo.once(("checkpoint",), self.app.integrator.latest_checkpoint)

    @property
    def origin(self) -> str:
        return str(self.app.trust_root.get("origin", ""))

    def alerts(self, action: str) -> list[Any]:
        """The log's alerts, for a role that ``action`` allows."""
        p.require(self.viewer.roles, action)
        return list(self.app.integrator.alerts())
