"""The read gateway's remediation, audit and vote reads (see
``services.read_gateway``): each bound to the gateway's viewer and checked by the
domain's scope rule before it returns."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol
from uuid import UUID

from domain import permissions as p
from domain.accounts import Role
from domain.errors import DomainError
from domain.permissions import Read
from projections.directory_reads import top_level_ids
from services.errors import NotFoundError
from services.read_gateway_memo import ReadMemo
from services.read_pages import PAGE, Page, turn

if TYPE_CHECKING:
    from services.app import Kiemdiem
    from services.vote_rows import LeaderResultRow, TrusteeRow, VoteRow
    from votes.aggregates import Vote

Row = dict[str, Any]


class ReadGateway(Protocol):
    """What these reads use of ``services.read_gateway.ReadGateway``: its viewer
    and the checks it applies (a protocol, so the two modules import no circle)."""

    app: Kiemdiem
    viewer: p.Viewer
    actor: str
    memo: ReadMemo

    def sees(
        self,
        kind: Read,
        org_id: UUID | str | None,
        *,
        owner: UUID | str | None = None,
        counted: bool = False,
    ) -> bool: ...

    def check(
        self,
        kind: Read,
        org_id: UUID | str | None,
        *,
        owner: UUID | str | None = None,
        counted: bool = False,
    ) -> None: ...

    def keep(
        self, kind: Read, rows: list[Any], place: Any, owner: Any = None
    ) -> list[Any]: ...

    def load_paths(self, org_ids: Iterable[UUID | str | None]) -> None: ...


def member_of_key(subject_key: str) -> str | None:
    """The member id a remediation subject key names (``m:<id>``), if any."""
    return subject_key[2:] if subject_key.startswith("m:") else None


class RemediationReads:
    """Shortcomings and plans (khắc phục): keepers in their branch, a member
    their own file."""

    def __init__(self, gate: ReadGateway) -> None:
        self.gate = gate
        self.service = gate.app.remediation

    def _reader(self) -> None:
        """A role that reads shortcomings at all (a member: with a file)."""
        viewer, rule = self.gate.viewer, p.READ_RULES[Read.REMEDIATION]
        if viewer.is_admin or viewer.has(*rule.branch):
            return
        if viewer.has(*rule.own) and viewer.member_id is not None:
            return
        raise DomainError("auth.forbidden", action="read.remediation")

    def keep(self, rows: list[Row]) -> list[Row]:
        self._reader()
        return self.gate.keep(
            Read.REMEDIATION,
            rows,
            lambda r: r["place_id"],
            lambda r: member_of_key(r["subject_key"]),
        )

    def items(
        self,
        *,
        subject_key: str,
        org_id: UUID | None = None,
        year: int | None = None,
        status: str | None = None,
    ) -> list[Row]:
        """One subject's shortcomings (bounded: read by the subject's index),
        narrowed to an organisation's subtree, a year, a status; an
        organisation's list is read a keyset page at a time
        (:meth:`tracking_page`)."""
        if org_id is not None:
            self.gate.check(Read.REMEDIATION, org_id)
        if org_id is None and status is None:
            # The subject's whole file, read once a request (the subject page
            # reads it for the carried items too), narrowed to the year here.
            rows = [
                r
                for r in self._items_of(subject_key)
                if year is None or int(r["year"]) == int(year)
            ]
        else:
            rows = self.service.items(
                org_id=org_id, year=year, subject_key=subject_key, status=status
            )
        return self.keep(rows)

    def _items_of(self, subject_key: str) -> list[Row]:
        """Every shortcoming of one subject, once per gateway (unchecked)."""
        return self.gate.memo.once(
            ("remediation.items", subject_key),
            lambda: self.service.items(subject_key=subject_key),
        )

    def item(self, shortcoming_id: UUID) -> Row | None:
        row = self.service.item(shortcoming_id)
        if row is not None:
            self.gate.check(
                Read.REMEDIATION,
                row["place_id"],
                owner=member_of_key(row["subject_key"]),
            )
        return row

    def history(self, shortcoming_id: UUID) -> list[Row]:
        if self.item(shortcoming_id) is None:
            raise NotFoundError("remediation.shortcoming_not_found")
        return self.service.history(shortcoming_id)

    def subject_file(self, subject_key: str) -> tuple[list[Row], list[Row]]:
        """A subject's shortcomings and plans, refused outside the viewer's reach
        (a subject with nothing recorded yet: open to those who track)."""
        items = list(self._items_of(subject_key))
        plans = list(
            self.gate.memo.once(
                ("remediation.plans", subject_key),
                lambda: self.service.plans(subject_key),
            )
        )
        place = items[0]["place_id"] if items else None
        place = place or (plans[0]["place_id"] if plans else None)
        owner = member_of_key(subject_key)
        rule = p.READ_RULES[Read.REMEDIATION]
        if place is not None or not self.gate.viewer.has(*rule.branch):
            self.gate.check(Read.REMEDIATION, place, owner=owner)
        return items, plans

    def plans(self, subject_key: str) -> list[Row]:
        return self.subject_file(subject_key)[1]

    def carried(self, subject_key: str, year: int) -> Any:
        items, _ = self.subject_file(subject_key)
        return self.service.carried_in(items, year)

    def carried_items(self, subject_key: str, year: int) -> list[Row]:
        items, _ = self.subject_file(subject_key)
        return self.service.carried_items_in(items, year)

    def status_counts(self, org_id: UUID, year: int | None = None) -> dict[str, int]:
        self.gate.check(Read.REMEDIATION, org_id)
        return self.service.status_counts(org_id, year)

    def tracking_page(
        self,
        org_id: UUID,
        *,
        after: UUID | None = None,
        before: UUID | None = None,
        limit: int | None = None,
        **filters: Any,
    ) -> Page:
        """A keyset page (``limit`` rows, ``PAGE`` by default) of the
        organisation's tracking list, in its order (latest year first, subject,
        order recorded), with the ids the pages before and after start from;
        filters: ``year``, ``status``, ``urgency_filter``."""
        self.gate.check(Read.REMEDIATION, org_id)
        size = PAGE if limit is None else limit
        rows, backwards = self.service.tracking_page(
            org_id, after=after, before=before, limit=size, **filters
        )
        return turn(
            rows,
            backwards=backwards,
            paged=after is not None,
            ident=lambda r: UUID(r["shortcoming_id"]),
            size=size,
        )

    def roots(self) -> list[UUID]:
        """The top-level organisations (a list's default for a viewer with no
        organisation of their own)."""
        return top_level_ids(self.gate.app.projections)

    def in_list(self, org_id: UUID, shortcoming_id: UUID) -> bool:
        """Whether the shortcoming is in the organisation's tracking list (a
        cursor's check, by primary key)."""
        self.gate.check(Read.REMEDIATION, org_id)
        return self.service.in_list(org_id, shortcoming_id)

    def years_of(self, org_id: UUID) -> list[int]:
        """Years with shortcomings in and under the organisation, latest first."""
        self.gate.check(Read.REMEDIATION, org_id)
        return self.service.years(org_id)

    def worklist(self, org_id: UUID | None = None) -> Row:
        """The first claims awaiting verification and overdue items in the
        viewer's branch (or the given organisation, which must be in it), and
        how many there are (``services.remediation``'s ``worklist``)."""
        org_id = org_id or self.gate.viewer.org_id
        if org_id is None:
            raise DomainError(p.OUT_OF_SCOPE, action="read.remediation")
        self.gate.check(Read.REMEDIATION, org_id)
        return self.service.worklist(org_id)

    def reminders(self, *, skip_own: bool = False) -> Row:
        """Overdue items the viewer should see on the dashboard: the first
        (``items``) and how many (``count``); with ``skip_own`` the viewer's own
        as a member left out (their to-do group already)."""
        actor = self.gate.actor
        if not actor.startswith("u:"):
            return {"items": [], "count": 0}
        account = self.gate.app.account(UUID(actor[2:]))
        member = self.gate.viewer.member_id
        own = f"m:{member}" if skip_own and member is not None else None
        found = self.service.reminders(account, skip_subject=own)
        items = self.keep(found["items"])
        # what the scope rule keeps of a branch it reads is all of it
        return {
            "items": items,
            "count": found["count"] - len(found["items"]) + len(items),
        }


class AuditReads:
    """The inspection committee's reads. The audit service checks the role and
    the subject's scope itself (``audit.out_of_scope``, against the same
    ancestor chain); here they are bound to the viewer."""

    def __init__(self, gate: ReadGateway) -> None:
        self.gate = gate
        self.service = gate.app.audit

    @property
    def actor(self) -> str:
        return self.gate.actor

    def _reader(self) -> None:
        p.require(self.gate.viewer.roles, "audit.read")

    def in_scope_organisations(self) -> list[Any]:
        return self.service.in_scope_organisations(self.actor)

    def readable_subject(self, subject_id: UUID) -> Any:
        """The subject, if the viewer may read it. What the subject is (its
        kind, organisation, version: a replay of its stream) is read once per
        request (``gate.memo``); the scope check runs at every call."""
        subject = self.gate.memo.once(
            ("audit.subject", subject_id), lambda: self.service.subject(subject_id)
        )
        self.service.authorise_read(self.actor, subject)
        return subject

    def history(self, subject_id: UUID, **filters: Any) -> Any:
        found = self.service.history(self.actor, subject_id, **filters)
        # Checked in scope by the service: the page's other reads of the
        # subject (its pending reads, its members) need not replay it again.
        self.gate.memo.once(("audit.subject", subject_id), lambda: found.subject)
        return found

    def event_detail(self, notification_id: int) -> Any:
        return self.service.event_detail(self.actor, notification_id)

    def as_of(self, subject_id: UUID, moment: datetime) -> Any:
        return self.service.as_of(self.actor, subject_id, moment)

    def diff(self, subject_id: UUID, before: int, after: int) -> Any:
        return self.service.diff(self.actor, subject_id, before, after)

    def proof_bundle(self, subject_id: UUID) -> dict[str, Any]:
        return self.service.proof_bundle(self.actor, subject_id)

    def event_proof(self, notification_id: int) -> dict[str, Any]:
        return self.service.event_proof(self.actor, notification_id)

    def event_subject(self, notification_id: int) -> Any:
        return self.service.event_subject(self.actor, notification_id)

    def pending_reads(self, subject_id: UUID) -> list[tuple[str, str, str]]:
        self.readable_subject(subject_id)
        return self.service.pending_reads(subject_id)

    def members(self, cell_id: UUID) -> list[Any]:
        """The members of an organisation subject (names only)."""
        self.readable_subject(cell_id)
        return self.gate.app.members(cell_id=cell_id)

    def incidents(self) -> list[Any]:
        """The log's incidents, read once a request (the inspector's to-do list
        and every page's banner both ask)."""
        self._reader()
        return list(self.gate.memo.once(("audit.incidents",), self.service.incidents))

    def alerts(self) -> list[Any]:
        self._reader()
        return self.gate.app.integrator.alerts()

    def checkpoint_status(self) -> Any:
        return self.service.checkpoint_status(self.actor)

    def latest_checkpoint(self) -> Any:
        return self.service.latest_checkpoint(self.actor)

    def cosigned_note(self, size: int) -> bytes:
        return self.service.cosigned_note(self.actor, size)

    def cosigner_name(self) -> str | None:
        return self.service.cosigner_name(self.actor)

    def compare_checkpoint(self, note_bytes: bytes) -> Any:
        return self.service.compare_checkpoint(self.actor, note_bytes)

    def job(self, job_id: str) -> Any:
        return self.service.job(self.actor, job_id)


class VoteReads:
    """Confidence votes: the organiser everywhere; others the votes of their
    branch and of the organisations above it (their conferences); the counting
    committee the votes it counts."""

    def __init__(self, gate: ReadGateway) -> None:
        self.gate = gate
        self.service = gate.app.votes

    @property
    def allow_remote_mode(self) -> bool:
        return bool(self.service.allow_remote_mode)

    def counter(self) -> UUID | None:
        """The viewer's account when they may count votes (ban kiểm phiếu):
        the votes list adds the votes it counts to those of the viewer's
        scope, the dashboard lists those whose ceremony waits for it."""
        actor = self.gate.actor
        if not self.gate.viewer.has(Role.COUNTING) or not actor.startswith("u:"):
            return None
        return UUID(actor[2:])

    def counted(self) -> list[VoteRow]:
        """The votes the viewer counts (latest conference first), each as the
        gateway's rule reads it: an indexed read, not every vote."""
        account = self.counter()
        if account is None:
            return []
        rows = self.service.counted_votes(account)
        self.gate.load_paths(r.org_id for r in rows)
        return [r for r in rows if self.sees(r)]

    def _counts(self, vote_id: UUID) -> bool:
        account = self.counter()
        return account is not None and self.service.counts(vote_id, account)

    def sees(self, row: VoteRow) -> bool:
        return self.gate.sees(Read.VOTE, row.org_id) or self.gate.sees(
            Read.VOTE, row.org_id, counted=self._counts(row.vote_id)
        )

    def votes(self) -> list[VoteRow]:
        rows = self.service.votes()
        if self.gate.viewer.is_admin:
            return rows
        self.gate.load_paths(r.org_id for r in rows)
        return [r for r in rows if self.sees(r)]

    def vote_row(self, vote_id: UUID) -> VoteRow | None:
        row = self.service.vote_row(vote_id)
        if row is not None and not self.sees(row):
            self.gate.check(Read.VOTE, row.org_id)
        return row

    def _check(self, vote_id: UUID) -> None:
        if self.vote_row(vote_id) is None:
            raise NotFoundError("vote.not_found", id=str(vote_id))

    def vote(self, vote_id: UUID) -> Vote:
        self._check(vote_id)
        return self.service.vote(vote_id)

    def results(self, vote_id: UUID) -> list[LeaderResultRow]:
        self._check(vote_id)
        return self.service.results(vote_id)

    # -- the booth's public bulletin (votes.md §6.1): in mode A holding an issued
    # slip is the authorisation, so these are read without an account scope.
    def booth_row(self, vote_id: UUID) -> VoteRow | None:
        return self.service.vote_row(vote_id)

    def booth_data(self, vote_id: UUID) -> dict[str, Any]:
        return self.service.booth_data(vote_id)

    def slip_status(self, vote_id: UUID, credential: bytes) -> str:
        """Public like the bulletin: whether a slip may still cast (the answer
        names no ballot; the booth route throttles unknown keys)."""
        return self.service.slip_status(vote_id, credential)

    def trustee_rows(self, vote_id: UUID) -> list[TrusteeRow]:
        self._check(vote_id)
        return self.service.trustee_rows(vote_id)

    def closing_head(self, vote_id: UUID) -> bytes:
        self._check(vote_id)
        return self.service.closing_head(vote_id)

    def export_record(self, vote_id: UUID) -> bytes:
        self._check(vote_id)
        return self.service.export_record(vote_id)

    def find_tracking_code(self, vote_id: UUID, code: str) -> int | None:
        """Public: a voter checks their own ballot by its tracking code."""
        return self.service.find_tracking_code(vote_id, code)

    def roster_with_accounts(self, vote_id: UUID) -> list[UUID]:
        self._check(vote_id)
        return self.service.roster_with_accounts(vote_id)

    def wrapped_key(self, vote_id: UUID) -> dict[str, Any]:
        """The signed-in member's own wrapped key: the service checks they are
        an eligible voter of this vote, which is the authorisation here."""
        return self.service.wrapped_key(vote_id, self.gate.actor)
