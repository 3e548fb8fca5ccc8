"""Who may ask for what, and how far along the organisation tree (a rule, so it
lives here, once).

``PERMISSIONS`` says which roles may run an action; ``COMMAND_REACH`` and
``READ_RULES`` say whose data each command and each kind of read may touch.
Secretaries and decision makers work on their organisation and below, the
inspection committee on its committee's organisation and below, a member on
their own file and their chi bộ's public lists, the counting committee on the
votes it counts, the administrator everywhere; an account with no organisation
has no scoped right.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from uuid import UUID

from domain.accounts import Role
from domain.errors import DomainError

PERMISSIONS: dict[str, frozenset[Role]] = {
    "organisation.found": frozenset({Role.ADMIN}),
    "organisation.rename": frozenset({Role.ADMIN}),
    "organisation.dissolve": frozenset({Role.ADMIN}),
    # Sắp xếp, tổ chức lại (issue 12): the cấp ủy above the organisations decides.
    "organisation.reorganise": frozenset({Role.ADMIN, Role.DECISION_MAKER}),
    "member.enrol": frozenset({Role.ADMIN, Role.SECRETARY}),
    "member.transfer": frozenset({Role.ADMIN, Role.SECRETARY}),
    # Party card number and birth date: those who keep or judge the records; a
    # member sees their own (may_read_personal).
    "member.read_personal": frozenset(
        {Role.ADMIN, Role.SECRETARY, Role.DECISION_MAKER, Role.INSPECTOR}
    ),
    "account.open": frozenset({Role.ADMIN}),
    "account.change_roles": frozenset({Role.ADMIN}),
    "account.disable": frozenset({Role.ADMIN}),
    "account.reset_password": frozenset({Role.ADMIN}),
    "ledger.checkpoint": frozenset({Role.ADMIN, Role.INSPECTOR}),
    # The organiser registers the vote's ballot-box key, which needs an admin key.
    "vote.create": frozenset({Role.ADMIN}),
    # Organiser steps (attendance, open, close, abandon); the service also requires
    # the manifest signer's own key.
    "vote.manage": frozenset({Role.ADMIN}),
    # Ban kiểm phiếu: trustee messages, tally, minutes (keys checked by the vote).
    "vote.count": frozenset({Role.COUNTING}),
    # Inspection committee (issue 5): reads in its scope, writes only these.
    "audit.read": frozenset({Role.INSPECTOR}),
    "audit.cosign": frozenset({Role.INSPECTOR}),
    "audit.verify": frozenset({Role.INSPECTOR}),
    "remediation.verify": frozenset({Role.INSPECTOR, Role.DECISION_MAKER}),
    # Review and rating (issue 3): secretaries record, the authority decides.
    "member.record_fact": frozenset({Role.ADMIN, Role.SECRETARY}),
    # Facts about organisations the rating rules read (sector, conclusions, task
    # results, disciplined cases, discipline of the organisation).
    "organisation.record_fact": frozenset({Role.ADMIN, Role.SECRETARY}),
    "cycle.open": frozenset({Role.SECRETARY, Role.DECISION_MAKER}),
    "review.record": frozenset({Role.SECRETARY}),
    "rating.self_rate": frozenset({Role.SECRETARY, Role.MEMBER}),
    "rating.propose": frozenset({Role.SECRETARY, Role.DECISION_MAKER}),
    "rating.peer_group": frozenset({Role.SECRETARY, Role.DECISION_MAKER}),
    "rating.hold": frozenset({Role.DECISION_MAKER, Role.INSPECTOR}),
    "rating.decide": frozenset({Role.DECISION_MAKER}),
    # Remediation (issue 6): secretaries record and plan, the subject reports and
    # claims, the inspection committee or the higher level verifies.
    "remediation.track": frozenset(
        {Role.ADMIN, Role.SECRETARY, Role.DECISION_MAKER, Role.INSPECTOR}
    ),
    "remediation.record": frozenset({Role.SECRETARY, Role.DECISION_MAKER}),
    "remediation.plan": frozenset({Role.SECRETARY}),
    "remediation.report": frozenset({Role.SECRETARY, Role.MEMBER}),
    "remediation.claim": frozenset({Role.SECRETARY, Role.MEMBER}),
    # The higher committee orders a review and/or rating redone (§5.4).
    "review.order_redo": frozenset({Role.DECISION_MAKER}),
    # A province or unit makes the 366 criteria concrete (366 Điều 10).
    "criteria.define": frozenset({Role.ADMIN, Role.DECISION_MAKER}),
    # Commendations and reports (issue 6): the authority awards; reports are read
    # by those who prepare, decide or inspect them.
    "commendation.grant": frozenset({Role.DECISION_MAKER}),
    "report.read": frozenset(
        {Role.ADMIN, Role.SECRETARY, Role.DECISION_MAKER, Role.INSPECTOR}
    ),
}


def may(roles: Iterable[str], action: str) -> bool:
    allowed = PERMISSIONS[action]
    return any(Role(r) in allowed for r in roles)


def may_read_personal(roles: Iterable[str], *, own_record: bool) -> bool:
    """A member's personal data (card number, birth date) is shown to this user."""
    return own_record or may(roles, "member.read_personal")


def require(roles: Iterable[str], action: str) -> None:
    if not may(roles, action):
        raise DomainError("auth.forbidden", action=action)


# -- scope along the organisation tree (phạm vi) --------------------------------------
#
# A target (an organisation, a member's file, a cycle, a subject, a report…) is
# named by its ancestor path: the organisation ids from the root of the tree down
# to the target's own organisation. "In the viewer's branch" is then a membership
# test, ``viewer.org_id in path``: no tree walk, no query.

Path = Sequence[UUID]

OUT_OF_SCOPE = "auth.out_of_scope"
OFFICE_ENDED = "auth.office_ended"

KEEPERS = frozenset({Role.SECRETARY, Role.DECISION_MAKER, Role.INSPECTOR})
"""Roles that keep or judge records in their organisation and below."""


@dataclass(frozen=True)
class Viewer:
    """Who reads or acts (người xem): roles, and where in the tree they stand.

    ``org_id`` is the root of the branch the account works on (its committee's
    organisation, see ``branch_root``); ``member_id`` the party member the account
    is, if any; ``cell_id`` that member's chi bộ; ``lineage`` the ancestor paths of
    ``org_id`` and ``cell_id`` (so the tree above the viewer can be named);
    ``office_ended``: that organisation has ended (merged, split or dissolved)
    and the decision's effective date has come (``office_ended``).
    """

    roles: frozenset[str]
    org_id: UUID | None = None
    member_id: UUID | None = None
    cell_id: UUID | None = None
    lineage: frozenset[UUID] = frozenset()
    office_ended: bool = False
    # ``read_reach`` by kind, decided once per viewer (a value of the fields
    # above, so never part of the viewer's equality).
    reaches: dict[Read, ReadReach] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN.value in self.roles

    def has(self, *roles: Role) -> bool:
        return any(r.value in self.roles for r in roles)

    def in_branch(self, path: Path) -> bool:
        """The target is the viewer's organisation or below it. No organisation,
        no branch (the administrator excepted)."""
        if self.is_admin:
            return True
        return self.org_id is not None and self.org_id in path

    def owns(self, member_id: UUID | None) -> bool:
        """The target is the viewer's own file."""
        return member_id is not None and member_id == self.member_id


def office_ended(ended: bool, effective_on: date | None, today: date) -> bool:
    """An account's organisation ended by a reorganisation decision (or a
    dissolution) has no authority from the decision's effective date on (issue
    12, docs/rules.md "Accounts of an organisation that ended"): its keepers
    write nothing more in its name, and the successor's accounts act in its
    stead. What it recorded stays readable to it and to the successor's."""
    return ended and (effective_on is None or effective_on <= today)


def branch_root(org_id: UUID, kind: str, parent_id: UUID | None) -> UUID:
    """The organisation whose branch an account attached to ``org_id`` works on.

    A leadership collective (ban thường vụ, thường trực) acts for its committee:
    its branch is the committee's organisation and below.
    """
    if kind == "leadership_collective" and parent_id is not None:
        return parent_id
    return org_id


class Read(StrEnum):
    """Every kind of read the web, the API and the exports offer."""

    ORGANISATION = "organisation"
    """The tree: a unit's name, kind and place (cây tổ chức)."""
    MEMBER_LIST = "member.list"
    """Members' names and chi bộ (danh sách đảng viên)."""
    MEMBER_FILE = "member.file"
    """One member's file: page, facts, ratings, history (hồ sơ đảng viên)."""
    MEMBER_PERSONAL = "member.personal"
    """Party card number and birth date (thông tin cá nhân)."""
    CYCLE = "cycle"
    """A review cycle: its page, the subject lists and rounds (filtered)."""
    STATISTICS = "statistics"
    """Counts and working lists across a cycle's subjects: statistics of an
    organisation, open items, peer groups."""
    SUBJECT = "subject"
    """One subject of a cycle: reviews, self-review texts, score, level, dossier."""
    REPORT = "report"
    """An organisation's reports, their PDFs and spreadsheets, commendations."""
    REMEDIATION = "remediation"
    """Shortcomings and remediation plans (khắc phục hạn chế, khuyết điểm)."""
    AUDIT = "audit"
    """History, proofs and checkpoints (ủy ban kiểm tra)."""
    VOTE = "vote"
    """Confidence votes: list, detail, results, records."""
    ACCOUNT = "account"
    """User accounts and their keys."""


@dataclass(frozen=True)
class ReadRule:
    """Who reads one kind of data, and how far.

    ``branch``: roles that read it in their organisation and below; ``own``:
    roles that read their own file; ``cell``: roles that read it for their own
    chi bộ (public lists); ``above``: the branch's ancestors are readable too
    (their names, to place the branch in the tree); ``counted``: the counting
    committee reads the votes it counts.
    """

    branch: frozenset[Role] = frozenset()
    own: frozenset[Role] = frozenset()
    cell: frozenset[Role] = frozenset()
    above: bool = False
    counted: bool = False


_MEMBER = frozenset({Role.MEMBER})
_NOT_MEMBER = frozenset(Role) - _MEMBER
READ_RULES: dict[Read, ReadRule] = {
    Read.ORGANISATION: ReadRule(branch=_NOT_MEMBER, cell=_MEMBER, above=True),
    Read.MEMBER_LIST: ReadRule(branch=KEEPERS, cell=_MEMBER),
    Read.MEMBER_FILE: ReadRule(branch=KEEPERS, own=_MEMBER),
    Read.MEMBER_PERSONAL: ReadRule(
        branch=PERMISSIONS["member.read_personal"] - {Role.ADMIN},
        own=_MEMBER,
    ),
    # A cycle above the branch covers it (its lists then show the branch only);
    # a member reads the cycles they are a subject of.
    Read.CYCLE: ReadRule(branch=KEEPERS, own=_MEMBER, above=True),
    Read.STATISTICS: ReadRule(branch=KEEPERS),
    Read.SUBJECT: ReadRule(branch=KEEPERS, own=_MEMBER),
    Read.REPORT: ReadRule(branch=PERMISSIONS["report.read"] - {Role.ADMIN}),
    Read.REMEDIATION: ReadRule(
        branch=PERMISSIONS["remediation.track"] - {Role.ADMIN},
        own=_MEMBER,
    ),
    Read.AUDIT: ReadRule(branch=PERMISSIONS["audit.read"]),
    Read.VOTE: ReadRule(branch=_NOT_MEMBER, cell=_MEMBER, above=True, counted=True),
    Read.ACCOUNT: ReadRule(),
}


def may_read(
    viewer: Viewer,
    kind: Read,
    path: Path,
    *,
    owner: UUID | None = None,
    counted: bool = False,
) -> bool:
    """Whether ``viewer`` may read data of ``kind`` at ``path``.

    ``owner`` is the member whose file it is (if it is one); ``counted`` says the
    viewer counts this vote (ban kiểm phiếu). The administrator reads everything;
    an account with no organisation reads only its own file. Where the place
    alone decides: ``read_reach``; besides it the owner's and the count's
    clauses (``reads_as_owner``).
    """
    if read_reach(viewer, kind).covers(path):
        return True
    return reads_as_owner(viewer, kind, owner=owner, counted=counted)


@dataclass(frozen=True)
class ReadReach:
    """Where a viewer reads a kind whatever the target's owner: everywhere
    (``everything``), every target whose ancestor path passes through one of
    ``branches`` (a whole branch: the viewer's organisation, a member's chi
    bộ), and the targets that are themselves one of ``places`` (the
    organisations above the viewer's branch, named to place it in the tree).
    A list can then be narrowed once per branch, not once per row."""

    everything: bool = False
    branches: frozenset[UUID] = frozenset()
    places: frozenset[UUID] = frozenset()

    def covers(self, path: Path) -> bool:
        """Whether a target at ``path`` (root first, itself last) is read."""
        if self.everything:
            return True
        if not path:
            return False
        return path[-1] in self.places or not self.branches.isdisjoint(path)


def read_reach(viewer: Viewer, kind: Read) -> ReadReach:
    """The viewer's reach for ``kind`` by place alone (``ReadReach``)."""
    found = viewer.reaches.get(kind)
    if found is None:
        found = viewer.reaches[kind] = _reach(viewer, kind)
    return found


def _reach(viewer: Viewer, kind: Read) -> ReadReach:
    if viewer.is_admin:
        return ReadReach(everything=True)
    rule = READ_RULES[kind]
    branches = []
    if viewer.org_id is not None and viewer.has(*rule.branch):
        branches.append(viewer.org_id)
    if viewer.cell_id is not None and viewer.has(*rule.cell):
        branches.append(viewer.cell_id)
    above = rule.above and viewer.has(*(rule.branch | rule.cell))
    return ReadReach(
        branches=frozenset(branches),
        places=viewer.lineage if above else frozenset(),
    )


def reads_as_owner(
    viewer: Viewer, kind: Read, *, owner: UUID | None, counted: bool = False
) -> bool:
    """The clauses of ``may_read`` the place does not decide: a member reads
    their own file, the counting committee the votes it counts."""
    rule = READ_RULES[kind]
    if viewer.has(*rule.own) and viewer.owns(owner):
        return True
    return rule.counted and counted and viewer.has(Role.COUNTING)


def scope_anchors(viewer: Viewer) -> frozenset[UUID]:
    """The organisations ``may_read`` looks for on a target's path: the
    viewer's branch root and chi bộ. Besides them it tests only whether the
    path is empty and its last organisation, so a path cut down to the
    anchors on it, in order, with the target last, is decided as the whole
    path is (a list's paths read in fewer rows: ``services.read_gateway_memo``)."""
    return frozenset(a for a in (viewer.org_id, viewer.cell_id) if a is not None)


def require_read(
    viewer: Viewer,
    kind: Read,
    path: Path,
    *,
    owner: UUID | None = None,
    counted: bool = False,
) -> None:
    """``auth.forbidden`` when no role reads ``kind``; ``auth.out_of_scope`` when
    the roles do but not there."""
    if may_read(viewer, kind, path, owner=owner, counted=counted):
        return
    rule = READ_RULES[kind]
    readers = rule.branch | rule.own | rule.cell
    if rule.counted:
        readers = readers | {Role.COUNTING}
    if not viewer.has(*readers):
        raise DomainError("auth.forbidden", action=f"read.{kind.value}")
    raise DomainError(OUT_OF_SCOPE, action=f"read.{kind.value}")


class Reach(StrEnum):
    """How far a command may reach once the role allows it."""

    EVERYWHERE = "everywhere"
    """Tree-wide acts (the tree, accounts, the log, a vote's organiser steps):
    the role alone decides."""
    BRANCH = "branch"
    """The target must be in the actor's organisation or below."""
    OWN_OR_BRANCH = "own_or_branch"
    """A member acts on their own file; a keeper in their branch."""
    COUNTED = "counted"
    """The counting committee acts on the votes it counts."""


COMMAND_REACH: dict[str, Reach] = {
    "organisation.found": Reach.EVERYWHERE,
    "organisation.rename": Reach.EVERYWHERE,
    "organisation.dissolve": Reach.EVERYWHERE,
    # Checked on the parent of every organisation a reorganisation touches, the
    # present parent and the new one (``reorganisation_scope``): the decision
    # maker of the common parent (or the province) decides, never an organisation
    # on itself; a root (no parent) only the administrator.
    "organisation.reorganise": Reach.BRANCH,
    # Enrolment checks the target chi bộ; a transfer checks both the member's
    # present chi bộ and the target (call ``require_act`` with each path).
    "member.enrol": Reach.BRANCH,
    "member.transfer": Reach.BRANCH,
    "member.read_personal": Reach.OWN_OR_BRANCH,
    "account.open": Reach.EVERYWHERE,
    "account.change_roles": Reach.EVERYWHERE,
    "account.disable": Reach.EVERYWHERE,
    "account.reset_password": Reach.EVERYWHERE,
    "ledger.checkpoint": Reach.EVERYWHERE,
    "vote.create": Reach.EVERYWHERE,
    "vote.manage": Reach.EVERYWHERE,
    "vote.count": Reach.COUNTED,
    "audit.read": Reach.BRANCH,
    "audit.cosign": Reach.EVERYWHERE,
    "audit.verify": Reach.EVERYWHERE,
    "remediation.verify": Reach.BRANCH,
    "member.record_fact": Reach.BRANCH,
    "organisation.record_fact": Reach.BRANCH,
    "cycle.open": Reach.BRANCH,
    "review.record": Reach.BRANCH,
    "rating.self_rate": Reach.OWN_OR_BRANCH,
    "rating.propose": Reach.BRANCH,
    "rating.peer_group": Reach.BRANCH,
    "rating.hold": Reach.BRANCH,
    "rating.decide": Reach.BRANCH,
    "remediation.track": Reach.BRANCH,
    "remediation.record": Reach.BRANCH,
    "remediation.plan": Reach.BRANCH,
    "remediation.report": Reach.OWN_OR_BRANCH,
    "remediation.claim": Reach.OWN_OR_BRANCH,
    "review.order_redo": Reach.BRANCH,
    "criteria.define": Reach.BRANCH,
    "commendation.grant": Reach.BRANCH,
    "report.read": Reach.BRANCH,
}


def may_act(
    viewer: Viewer,
    action: str,
    path: Path = (),
    *,
    owner: UUID | None = None,
    counted: bool = False,
) -> bool:
    """Whether ``viewer`` may run ``action`` on a target at ``path``: the role
    (``PERMISSIONS``) and then the reach (``COMMAND_REACH``)."""
    if not may(viewer.roles, action):
        return False
    if viewer.is_admin:
        return True
    reach = COMMAND_REACH[action]
    if reach is Reach.EVERYWHERE:
        return True
    if reach is Reach.COUNTED:
        return counted
    keeper = viewer.has(*(PERMISSIONS[action] - {Role.MEMBER, Role.COUNTING}))
    if keeper and viewer.in_branch(path) and not viewer.office_ended:
        return True
    return (
        reach is Reach.OWN_OR_BRANCH and viewer.has(Role.MEMBER) and viewer.owns(owner)
    )


def require_act(
    viewer: Viewer,
    action: str,
    path: Path = (),
    *,
    owner: UUID | None = None,
    counted: bool = False,
) -> None:
    """``auth.forbidden`` for a role that never may; ``auth.out_of_scope`` for a
    target outside the actor's reach."""
    require(viewer.roles, action)
    if not may_act(viewer, action, path, owner=owner, counted=counted):
        _refuse_ended_office(viewer, action)
        raise DomainError(OUT_OF_SCOPE, action=action)


OFFICE_READS = frozenset({"report.read", "audit.read", "remediation.track"})
"""Actions that only read: an ended office keeps them (it reads its history)."""


def keeps_office(viewer: Viewer) -> bool:
    """Whether the viewer's keeper roles act in its branch at all: not once its
    organisation has ended (``office_ended``), so its to-do lists offer none of
    a keeper's steps; its own file's steps stay."""
    return viewer.is_admin or not viewer.office_ended


def may_offer(viewer: Viewer, action: str) -> bool:
    """Whether a page offers ``action`` at all (shows its button or form): the
    role may (``may``), and an account whose office ended (``office_ended``) is
    not offered what ``may_act`` would refuse it anywhere (``auth.office_ended``):
    a keeper's acts in its branch. Its reads, the tree-wide acts its role has
    and a member's acts on their own file stay offered. Where the target is
    known, ``may_act`` decides."""
    if not may(viewer.roles, action):
        return False
    if viewer.is_admin or not viewer.office_ended or action in OFFICE_READS:
        return True
    reach = COMMAND_REACH.get(action)
    if reach in (None, Reach.EVERYWHERE, Reach.COUNTED):
        return True
    return reach is Reach.OWN_OR_BRANCH and viewer.has(Role.MEMBER)


def _refuse_ended_office(viewer: Viewer, action: str) -> None:
    """``auth.office_ended`` for a keeper whose organisation has ended."""
    if viewer.office_ended and not viewer.is_admin:
        raise DomainError(OFFICE_ENDED, action=action)


def require_own_or_branch(
    viewer: Viewer,
    action: str,
    path: Path,
    *,
    owner: UUID | None,
    not_own: str,
) -> None:
    """A member acts on their own file, a keeper on the files of their branch
    (tự mình hoặc trong phạm vi): a self-rating, one's own remediation progress.

    ``path`` is where the file is kept (the subject's organisation or chi bộ),
    ``owner`` the member whose file it is (None: a collective's). A plain member
    acting on another's file is refused with the area's ``not_own`` code; a
    keeper outside their branch with ``auth.out_of_scope``."""
    require(viewer.roles, action)
    if may_act(viewer, action, path, owner=owner):
        return
    keepers = PERMISSIONS[action] - {Role.MEMBER, Role.COUNTING}
    if viewer.has(*keepers):
        _refuse_ended_office(viewer, action)
    # Outside the viewer's branch the answer is the scope's, whatever the role:
    # ``not_own`` would tell a stranger that the file exists (issue 10).
    if (
        viewer.is_admin
        or viewer.has(*keepers)
        or not viewer.has(Role.MEMBER)
        or viewer.org_id not in path
    ):
        raise DomainError(OUT_OF_SCOPE, action=action)
    raise DomainError(not_own)


INSPECTION_COMMITTEE = "INSPECTION_COMMITTEE"
HIGHER_COMMITTEE = "HIGHER_COMMITTEE"


def verifying_body(viewer: Viewer, path: Path) -> str:
    """Who verifies or refuses a claimed remediation at ``path`` (the subject's
    place), as recorded in the event: the inspection committee (ủy ban kiểm tra)
    whose branch holds it, or a higher level's committee (cấp ủy cấp trên) — a
    decision maker above the place, never at it. Anyone else is refused
    ``remediation.not_supervisor`` within their branch and ``auth.out_of_scope``
    outside it; an account with no organisation verifies nothing."""
    action = "remediation.verify"
    require(viewer.roles, action)
    if viewer.org_id is None:
        raise DomainError(OUT_OF_SCOPE, action=action)
    _refuse_ended_office(viewer, action)
    if viewer.has(Role.INSPECTOR) and viewer.org_id in path:
        return INSPECTION_COMMITTEE
    if (
        viewer.has(Role.DECISION_MAKER)
        and path
        and viewer.org_id != path[-1]
        and viewer.org_id in path
    ):
        return HIGHER_COMMITTEE
    if viewer.org_id not in path:  # another branch: the scope's answer
        raise DomainError(OUT_OF_SCOPE, action=action)
    raise DomainError("remediation.not_supervisor")


def reorganisation_scope(parents: Iterable[UUID | None]) -> tuple[UUID, ...] | None:
    """The organisations on which ``organisation.reorganise`` is checked: the
    parents (present and new) of the organisations touched, each once. None when
    one of them is a root, which only the administrator reorganises."""
    scope: dict[UUID, None] = {}
    for parent in parents:
        if parent is None:
            return None
        scope[parent] = None
    return tuple(scope)
