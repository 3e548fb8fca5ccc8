"""Who is reviewed and rated in a cycle, where, and by whom (domain.md §2, §3.1,
§5.2): subjects derived from the organisation tree and the members' facts.

The service layer loads the facts (:class:`OrgNode`, :class:`MemberNode`); the
functions here only apply the rulebook to them, so the derivation is pure and the
cycle event records its result.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from domain import rulebooks as rb
from domain.rulebooks import Appendix, Exemption, Rulebook

COLLECTIVE = "collective"
INDIVIDUAL = "individual"
NON_CELL_POST_KINDS = frozenset(
    {
        "leadership_collective",
        "partial_committee",
        "grassroots_committee",
        "district_committee",
        "provincial_committee",
    }
)
SUBORDINATE_PARENTS = frozenset({"grassroots_committee", "partial_committee"})


@dataclass(frozen=True)
class OrgNode:
    org_id: UUID
    name: str
    kind: str
    parent_id: UUID | None
    dissolved: bool = False
    sector: str | None = None  # leadership collectives; party orgs are "party"


@dataclass(frozen=True)
class MemberNode:
    member_id: UUID
    name: str
    cell_id: UUID
    admission_date: date
    posts: Mapping[str, str] = field(default_factory=dict)  # org id -> role
    exemption: str | None = None  # active on the reference date
    outside_political_system: bool = False
    temporary_cell_id: UUID | None = None


@dataclass(frozen=True)
class SubjectKey:
    """The key of a subject of a cycle (khóa đối tượng): ``o`` and an
    organisation's id for a collective, ``m`` and a member's id for an
    individual. ``str()`` gives the stored form ("o:<uuid>", "m:<uuid>"), the one
    recorded in events and projections."""

    kind: str
    id: UUID

    def __post_init__(self) -> None:
        if self.kind not in ("o", "m"):
            raise ValueError(f"subject key kind must be 'o' or 'm': {self.kind!r}")

    @classmethod
    def of_org(cls, org_id: UUID | str) -> SubjectKey:
        """The key of the collective (tập thể) that is this organisation."""
        return cls("o", org_id if isinstance(org_id, UUID) else UUID(str(org_id)))

    @classmethod
    def of_member(cls, member_id: UUID | str) -> SubjectKey:
        """The key of the individual (cá nhân) who is this party member."""
        return cls(
            "m", member_id if isinstance(member_id, UUID) else UUID(str(member_id))
        )

    @classmethod
    def parse(cls, text: str) -> SubjectKey:
        """The key from its stored form; ``ValueError`` for anything else."""
        kind, sep, ident = str(text).partition(":")
        if not sep or kind not in ("o", "m"):
            raise ValueError(f"not a subject key: {text!r}")
        return cls(kind, UUID(ident))

    @property
    def is_collective(self) -> bool:
        return self.kind == "o"

    @property
    def member_id(self) -> UUID | None:
        """The member this key names, if it names one."""
        return self.id if self.kind == "m" else None

    def __str__(self) -> str:
        return f"{self.kind}:{self.id}"


@dataclass(frozen=True)
class Subject:
    """One subject of a cycle (đối tượng kiểm điểm): a collective (tập thể) or
    an individual (cá nhân), as :func:`derive_subjects` derived it and the
    cycle's events store it (:meth:`from_payload`, :meth:`as_payload`).

    Ids are the stored texts (organisation and member ids); ``decides``,
    ``proposes`` and ``self_rates`` are an organisation's id, ``outside``, a
    member's subject key (``self_rates`` of an individual) or None."""

    key: str  # the stored form of a SubjectKey
    kind: str  # COLLECTIVE or INDIVIDUAL
    name: str
    klass: str  # the authority-table class
    appendix: str
    org_kind: str | None = None  # collectives
    sector: str | None = None  # collectives ("party" or a leadership's sector)
    org_id: str | None = None  # collectives
    parent_id: str | None = None  # collectives
    member_id: str | None = None  # individuals
    cell_id: str | None = None  # individuals: the official chi bộ
    temporary_cell_id: str | None = None  # individuals: a sinh hoạt tạm thời
    posts: Mapping[str, str] = field(default_factory=dict)  # org id -> role
    venues: tuple[str, ...] = ()  # where reviewed, in the prescribed order
    path: tuple[str, ...] = ()  # its organisation (or cell) and every one above
    exempt: str | None = None  # the exempt reason
    self_rates: str | None = None
    proposes: str | None = None
    decides: str | None = None

    @classmethod
    def from_payload(cls, row: Mapping[str, Any]) -> Subject:
        """The subject from its row in a cycle event (a row an earlier release
        wrote may lack a field: it reads as empty)."""
        return cls(
            key=str(row["key"]),
            kind=str(row["kind"]),
            name=str(row["name"]),
            klass=str(row["klass"]),
            appendix=str(row["appendix"]),
            org_kind=row.get("org_kind"),
            sector=row.get("sector"),
            org_id=row.get("org_id"),
            parent_id=row.get("parent_id"),
            member_id=row.get("member_id"),
            cell_id=row.get("cell_id"),
            temporary_cell_id=row.get("temporary_cell_id"),
            posts={str(k): str(v) for k, v in dict(row.get("posts") or {}).items()},
            venues=tuple(str(v) for v in row.get("venues") or ()),
            path=tuple(str(o) for o in row.get("path") or ()),
            exempt=row.get("exempt"),
            self_rates=row.get("self_rates"),
            proposes=row.get("proposes"),
            decides=row.get("decides"),
        )

    def as_payload(self) -> dict[str, Any]:
        """The row as :func:`derive_subjects` makes it and the events store it
        (``sector`` on collectives only)."""
        row: dict[str, Any] = {
            "key": self.key,
            "kind": self.kind,
            "name": self.name,
            "org_kind": self.org_kind,
        }
        if self.is_collective:
            row["sector"] = self.sector
        row.update(
            {
                "klass": self.klass,
                "appendix": self.appendix,
                "org_id": self.org_id,
                "parent_id": self.parent_id,
                "member_id": self.member_id,
                "cell_id": self.cell_id,
                "temporary_cell_id": self.temporary_cell_id,
                "posts": dict(self.posts),
                "venues": list(self.venues),
                "path": list(self.path),
                "exempt": self.exempt,
                "self_rates": self.self_rates,
                "proposes": self.proposes,
                "decides": self.decides,
            }
        )
        return row

    @property
    def subject_key(self) -> SubjectKey:
        return SubjectKey.parse(self.key)

    @property
    def is_collective(self) -> bool:
        """A tập thể (an organisation or a leadership collective)."""
        return self.kind == COLLECTIVE

    @property
    def is_individual(self) -> bool:
        """A cá nhân (a party member)."""
        return self.kind == INDIVIDUAL

    @property
    def population(self) -> str:
        """The statistics population (domain.md §8): leaders, members,
        leadership collectives or party organisations."""
        if self.is_individual:
            return "leaders" if self.klass == "leader" else "members"
        if self.org_kind == "leadership_collective":
            return "leadership_collectives"
        return "party_orgs"

    @property
    def own_org(self) -> str:
        """The organisation a subject belongs to: the collective itself, or the
        individual's official chi bộ."""
        return str(self.org_id or self.cell_id)


def subject_key(kind: str, ident: UUID) -> str:
    key = (
        SubjectKey.of_org(ident) if kind == COLLECTIVE else SubjectKey.of_member(ident)
    )
    return str(key)


def months_between(start: date, end: date) -> int:
    """Whole months from ``start`` to ``end`` (a day short does not count)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if end.day < start.day:
        months -= 1
    return months


def exemption_of(
    rulebook: Rulebook, member: MemberNode, reference_date: date
) -> str | None:
    """The reason a member is exempt under this regime, or None (§2.1)."""
    if member.exemption is not None:
        reason = Exemption(member.exemption)
        if reason in rulebook.exemptions:
            return reason.value
    if (
        Exemption.ADMITTED_LT_6_MONTHS in rulebook.exemptions
        and months_between(member.admission_date, reference_date)
        < rulebook.admission_months
    ):
        return Exemption.ADMITTED_LT_6_MONTHS.value
    return None


def depth(tree: Mapping[UUID, OrgNode], org_id: UUID) -> int:
    steps, node = 0, tree.get(org_id)
    while node is not None and node.parent_id is not None and steps < 32:
        node = tree.get(node.parent_id)
        steps += 1
    return steps


def ancestry(tree: Mapping[UUID, OrgNode], org_id: UUID) -> list[str]:
    """The organisation and every organisation above it, nearest first."""
    chain: list[str] = []
    node = tree.get(org_id)
    while node is not None and len(chain) < 32:
        chain.append(str(node.org_id))
        node = tree.get(node.parent_id) if node.parent_id else None
    return chain


def in_subtree(tree: Mapping[UUID, OrgNode], root: UUID, org_id: UUID) -> bool:
    node = tree.get(org_id)
    steps = 0
    while node is not None and steps < 32:
        if node.org_id == root:
            return True
        node = tree.get(node.parent_id) if node.parent_id else None
        steps += 1
    return False


def org_class(tree: Mapping[UUID, OrgNode], org: OrgNode) -> str:
    """The authority-table class of a collective."""
    if org.kind == "cell":
        parent = tree.get(org.parent_id) if org.parent_id else None
        if parent is not None and parent.kind in SUBORDINATE_PARENTS:
            return rb.SUBORDINATE_CELL
        return rb.GRASSROOTS_CELL
    return {
        "partial_committee": rb.PARTIAL_COMMITTEE,
        "grassroots_committee": rb.GRASSROOTS_COMMITTEE,
        "district_committee": rb.DISTRICT_COMMITTEE,
        "provincial_committee": rb.PROVINCIAL_COMMITTEE,
        "leadership_collective": rb.LEADERSHIP_COLLECTIVE,
    }[org.kind]


def leader_posts(
    tree: Mapping[UUID, OrgNode], member: MemberNode
) -> list[tuple[UUID, str]]:
    """Posts outside the chi bộ, highest in the tree first."""
    posts = [
        (UUID(org), role)
        for org, role in member.posts.items()
        if UUID(org) in tree and tree[UUID(org)].kind in NON_CELL_POST_KINDS
    ]
    return sorted(posts, key=lambda p: (depth(tree, p[0]), str(p[0])))


def _resolve(
    relation: str | None,
    tree: Mapping[UUID, OrgNode],
    org: OrgNode | None,
    member: MemberNode | None,
) -> str | None:
    """An authority relation as an org id text, ``outside`` or None."""
    if relation is None:
        return None
    if relation == "outside":
        return "outside"
    if relation == "self":
        if member is not None:
            return subject_key(INDIVIDUAL, member.member_id)
        return str(org.org_id) if org is not None else None
    if relation == "official_cell" and member is not None:
        return str(member.cell_id)
    if relation == "parent":
        base = org
        if member is not None:
            base = tree.get(member.cell_id)
        if base is None or base.parent_id is None:
            return "outside"
        return str(base.parent_id)
    if relation == "partial_committee":
        # The đảng ủy bộ phận above a chi bộ trực thuộc, where one exists.
        base = tree.get(member.cell_id) if member is not None else org
        parent = tree.get(base.parent_id) if base and base.parent_id else None
        if parent is not None and parent.kind == "partial_committee":
            return str(parent.org_id)
        return None
    if relation == "grassroots":
        # The nearest đảng ủy cơ sở above (the parent, or the parent's parent
        # when a đảng ủy bộ phận stands between).
        base = tree.get(member.cell_id) if member is not None else org
        node = tree.get(base.parent_id) if base and base.parent_id else None
        steps = 0
        while node is not None and steps < 32:
            if node.kind == "grassroots_committee":
                return str(node.org_id)
            node = tree.get(node.parent_id) if node.parent_id else None
            steps += 1
        return _resolve("parent", tree, org, member)
    if relation == "post_parent" and member is not None:
        posts = leader_posts(tree, member)
        if posts:
            top = tree[posts[0][0]]
            return str(top.parent_id) if top.parent_id else "outside"
    return None


def _appendix(tree: Mapping[UUID, OrgNode], member: MemberNode) -> Appendix:
    if leader_posts(tree, member):
        return Appendix.LEADER
    if member.outside_political_system:
        return Appendix.OUTSIDE_SYSTEM
    return Appendix.NON_LEADER


def _venue(org: str, combined: Mapping[str, str] | None) -> str:
    return (combined or {}).get(org, org)


def derive_subjects(
    rulebook: Rulebook,
    root_id: UUID,
    tree: Mapping[UUID, OrgNode],
    members: Sequence[MemberNode],
    reference_date: date,
    authority_table: Mapping[str, rb.Authority] | None = None,
    combined: Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    """Every collective and individual of the cycle's subtree, as plain rows.

    ``combined`` maps a leadership collective to the party committee whose
    conference also reviews it, when both are the same people (43-HD mục 2.4):
    the collective and its members are then reviewed at that conference.

    Rows are what the cycle event stores: key, kind, name, class, appendix, the
    organisation (its parent) or the member (their cell), the posts, the review
    venues in the prescribed order, the exempt reason and the authority steps.
    """
    table = authority_table or rulebook.authority
    subjects: list[dict[str, Any]] = []
    orgs = [
        o
        for o in tree.values()
        if not o.dissolved and in_subtree(tree, root_id, o.org_id)
    ]
    for org in sorted(
        orgs, key=lambda o: (depth(tree, o.org_id), o.name, str(o.org_id))
    ):
        klass = org_class(tree, org)
        authority = table[klass]
        subjects.append(
            {
                "key": subject_key(COLLECTIVE, org.org_id),
                "kind": COLLECTIVE,
                "name": org.name,
                "org_kind": org.kind,
                "sector": org.sector
                if org.kind == "leadership_collective"
                else "party",
                "klass": klass,
                "appendix": Appendix.COLLECTIVE.value,
                "org_id": str(org.org_id),
                "parent_id": str(org.parent_id) if org.parent_id else None,
                "member_id": None,
                "cell_id": None,
                "temporary_cell_id": None,
                "posts": {},
                "venues": [_venue(str(org.org_id), combined)],
                "path": ancestry(tree, org.org_id),
                "exempt": None,
                "self_rates": _resolve(authority.self_rates, tree, org, None),
                "proposes": _resolve(authority.proposes, tree, org, None),
                "decides": _resolve(authority.decides, tree, org, None),
            }
        )
    # What every member of a chi bộ shares, worked out once per chi bộ (a
    # province has ~25 members in each): inside the cycle, its class, its path.
    cells: dict[UUID, tuple[bool, str, list[str]]] = {}
    by_cell: dict[tuple[str, UUID], str | None] = {}

    def resolve(relation: str | None, member: MemberNode, plain: bool) -> str | None:
        """``_resolve`` for a member; for one without posts outside the chi bộ,
        every relation but ``self`` depends on the chi bộ only."""
        if not plain or relation is None or relation == "self":
            return _resolve(relation, tree, None, member)
        key = (relation, member.cell_id)
        if key not in by_cell:
            by_cell[key] = _resolve(relation, tree, None, member)
        return by_cell[key]

    for member in sorted(members, key=lambda m: (m.name, str(m.member_id))):
        cell = tree.get(member.cell_id)
        if cell is None:
            continue
        facts = cells.get(member.cell_id)
        if facts is None:
            facts = (
                in_subtree(tree, root_id, member.cell_id),
                org_class(tree, cell),
                ancestry(tree, member.cell_id),
            )
            cells[member.cell_id] = facts
        inside, cell_class, path = facts
        if not inside:
            continue
        posts = leader_posts(tree, member) if member.posts else []
        if posts:
            klass = rb.LEADER
        elif cell_class == rb.SUBORDINATE_CELL:
            klass = rb.MEMBER_OF_SUBORDINATE_CELL
        else:
            klass = rb.MEMBER_OF_GRASSROOTS_CELL
        authority = table[klass]
        # §3.1–§3.2: the chi bộ first, then each leadership collective.
        venues = [str(member.cell_id)]
        for post_org, _role in posts:
            venue = _venue(str(post_org), combined)
            if venue not in venues:
                venues.append(venue)
        subjects.append(
            {
                "key": subject_key(INDIVIDUAL, member.member_id),
                "kind": INDIVIDUAL,
                "name": member.name,
                "org_kind": None,
                "klass": klass,
                "appendix": _appendix(tree, member).value,
                "org_id": None,
                "parent_id": None,
                "member_id": str(member.member_id),
                "cell_id": str(member.cell_id),
                "temporary_cell_id": str(member.temporary_cell_id)
                if member.temporary_cell_id
                else None,
                "posts": {org: role for org, role in sorted(member.posts.items())},
                "venues": venues,
                "path": list(path),
                "exempt": exemption_of(rulebook, member, reference_date),
                "self_rates": resolve(authority.self_rates, member, not posts),
                "proposes": resolve(authority.proposes, member, not posts),
                "decides": resolve(authority.decides, member, not posts),
            }
        )
    return subjects
