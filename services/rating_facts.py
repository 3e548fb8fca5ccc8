"""The facts a rating rule needs (dữ kiện), gathered across aggregates and views.

A command handler (``services.handlers.cycles``, ``rounds``, ...) asks for the
organisation tree, the members of a subtree, a subject's facts (disciplines,
degradations, confidence results, leaves, the units it leads or oversees and
their decisions, its previous decision) and the decisions of the cycle's other
rounds, and passes them to the domain, which records them in the event that
used them.

The roster, discipline, organisation and confidence rows are read through
the read models' own queries (``projections.ratings.members``,
``projections.directory``, ``projections.org_facts``,
``projections.vote_results``).
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.cycles import ReviewCycle
from domain.evaluation import DisciplineFact, SubjectFacts, collective_charges
from domain.members import PartyMember
from domain.organisations import Organisation
from domain.ratings import RatingRound
from domain.remediation_rules import Carried
from domain.reviews import Review
from domain.subjects import MemberNode, OrgNode, Subject, SubjectKey, in_subtree
from projections import directory_reads, org_facts, vote_results
from projections.ratings import members as member_view
from services import succession_facts as succession
from services.rating_ids import review_id, round_id
from services.rating_reads import RatingReads

A = TypeVar("A", bound=Aggregate)
# The members of a chi bộ whose view facts a batch reads together.
NEIGHBOURS = 100


@dataclass(frozen=True)
class Viewed:
    """What the views say of an individual subject for a rating step: the
    shortcomings carried into the cycle, its previous decision, and its
    confidence vote of the year held in this system (returned, low)."""

    carried: Carried
    previous: dict[str, Any] | None
    voted: tuple[int, int] | None


class RatingFacts(RatingReads, ABC):
    """Loading the review's aggregates and gathering the facts of a subject."""

    # -- loading and facts ----
    def _get(self, cls: type[A], ident: UUID, code: str) -> A:
        return self.app.uow.get(cls, ident, code)

    def cycle(self, ident: UUID) -> ReviewCycle:
        return self._get(ReviewCycle, ident, "cycle.not_found")

    def round(self, ident: UUID) -> RatingRound:
        return self._get(RatingRound, ident, "rating.round_not_found")

    def review(self, ident: UUID) -> Review:
        return self._get(Review, ident, "review.not_found")

    def tree(self) -> dict[UUID, OrgNode]:
        rows = directory_reads.organisation_rows(self.app.projections)
        sectors = org_facts.sectors(self.app.projections)
        return {
            UUID(r["org_id"]): OrgNode(
                UUID(r["org_id"]),
                r["name"],
                r["kind"],
                UUID(r["parent_id"]) if r["parent_id"] else None,
                bool(r["dissolved"]),
                sectors.get(r["org_id"]),
            )
            for r in rows
        }

    def member_nodes(
        self, tree: Mapping[UUID, OrgNode], root: UUID, reference_date: date
    ) -> list[MemberNode]:
        """The members in ``root``'s subtree as the subject derivation reads them."""
        return self._member_nodes(tree, root, reference_date)

    def _member_nodes(
        self, tree: Mapping[UUID, OrgNode], root: UUID, reference_date: date
    ) -> list[MemberNode]:
        """Read from the ``roster`` view chi bộ by chi bộ (an indexed query per
        batch of organisations), never one member aggregate at a time; in the
        order of the member list (chi bộ name, full name, id)."""
        places = sorted(str(o) for o in tree if in_subtree(tree, root, o))
        rows = member_view.roster_of_cells(self.app.projections, places)
        nodes = [
            MemberNode(
                member_id=UUID(r["member_id"]),
                name=r["full_name"],
                cell_id=UUID(r["cell_id"]),
                admission_date=date.fromisoformat(r["admission_date"]),
                posts=json.loads(r["posts"]),
                exemption=_exemption_on(json.loads(r["exemptions"]), reference_date),
                outside_political_system=bool(r["outside_political_system"]),
                temporary_cell_id=UUID(r["temporary_cell_id"])
                if r["temporary_cell_id"]
                else None,
            )
            for r in rows
        ]
        return sorted(
            nodes, key=lambda n: (tree[n.cell_id].name, n.name, str(n.member_id))
        )

    def _disciplines(self, member: PartyMember) -> tuple[DisciplineFact, ...]:
        return tuple(
            DisciplineFact(
                d["discipline_id"],
                d["level"],
                d["duty_related"],
                d["decided_on"],
                d["conduct_org_id"],
                member.id,
            )
            for d in member.disciplines
        )

    @staticmethod
    def _confidence(
        member: PartyMember, year: int, voted: tuple[int, int] | None
    ) -> tuple[int, int] | None:
        """The year's confidence result: a vote held in this system (``voted``,
        from the view), else one recorded from paper; the latest counts."""
        if voted is not None:
            return voted
        paper = [c for c in member.confidence_results if c["held_on"].year == year]
        if paper:
            latest = max(paper, key=lambda c: c["held_on"])
            return int(latest["returned"]), int(latest["low"])
        return None

    def facts(self, cycle: ReviewCycle, subject: Subject) -> SubjectFacts:
        """The subject's facts; in a batch gathered once for all its steps while
        no aggregate they were read from changes (``UnitOfWork.remembered``)."""
        return self.app.uow.remembered(
            ("rating.facts", cycle.id, cycle.version, subject.key),
            lambda: self._gather(cycle, subject),
        )

    def _gather(self, cycle: ReviewCycle, subject: Subject) -> SubjectFacts:
        year = cycle.year
        if subject.is_individual:
            member = self.app.uow.read(
                PartyMember, UUID(subject.member_id), "member.not_found"
            )
            seen = self._viewed(cycle, subject)
            comment: bool | None = None
            if subject.temporary_cell_id:
                review = self._maybe(
                    Review,
                    review_id(cycle.id, subject.key, subject.own_org),
                    read=True,
                )
                comment = (
                    review is not None and review.temporary_cell_comment is not None
                )
            return SubjectFacts(
                remediation=seen.carried,
                disciplines=self._disciplines(member),
                degradation=any(
                    d["concluded_on"].year == year for d in member.degradations
                ),
                confidence=self._confidence(member, year, seen.voted),
                temporary_cell_comment=comment,
                leaves=tuple(
                    sorted(
                        {
                            leave["kind"]
                            for leave in member.leaves
                            if leave["start"].year <= year <= leave["end"].year
                        }
                    )
                ),
                **self._leader_facts(cycle, subject, member),
                previous=seen.previous,
            )
        org = subject.own_org
        records: list[DisciplineFact] = []
        degraded: list[dict[str, Any]] = []
        holders: set[str] = set()
        for other_key in cycle.index.holders.get(org, ()):
            other = cycle.subjects[other_key]
            if other.is_individual and org in other.posts:
                member = self.app.uow.read(
                    PartyMember, UUID(other.member_id), "member.not_found"
                )
                holders.add(str(member.id))
                records.extend(
                    collective_charges(
                        UUID(org),
                        self._disciplines(member),
                        holds_post=org in member.posts,
                    )
                )
                degraded.extend(
                    {"member_id": member.id, "concluded_on": d["concluded_on"]}
                    for d in member.degradations
                )
        records.extend(self._former_holder_charges(UUID(org), holders))
        # Issue 12: what it carries on from the organisations it succeeded.
        chain = succession.succession(self.app.projections, UUID(org), year)
        for merged in chain.merged_from:  # conduct there counts here (Điều 11.4)
            records.extend(self._former_holder_charges(merged, set()))
        return SubjectFacts(
            member_disciplines=tuple(dict.fromkeys(records)),
            member_degradations=tuple(degraded),
            remediation=succession.carried(
                subject.key,
                chain,
                lambda key: self.app.remediation.carried(key, year),
            ),
            **self._collective_facts(cycle, subject),
            previous=succession.previous_decision(
                subject.key, chain, lambda key: self.previous_decision(cycle, key)
            ),
            predecessors=chain.predecessors,
            existed=chain.existed,
        )

    def _viewed(self, cycle: ReviewCycle, subject: Subject) -> Viewed:
        """What the views say of an individual subject. In a batch, read with
        the next members of its chi bộ (one query per view for up to
        :data:`NEIGHBOURS` of them) and remembered till the flush: the views
        can't change with the batch's own events before it."""

        def key(subject_key: str) -> Hashable:
            return ("rating.viewed", cycle.id, subject_key)

        def neighbours() -> dict[Hashable, Viewed]:
            keys = cycle.index.cell_members.get(subject.cell_id or "", ())
            at = keys.index(subject.key) if subject.key in keys else len(keys)
            near = [cycle.subjects[k] for k in keys[at : at + NEIGHBOURS]]
            if subject.key not in keys[at : at + NEIGHBOURS]:
                near.append(subject)
            return {key(k): v for k, v in self._look_up(cycle, near).items()}

        return self.app.uow.remembered(
            key(subject.key),
            lambda: self._look_up(cycle, [subject])[subject.key],
            together=neighbours,
        )

    def _look_up(
        self, cycle: ReviewCycle, subjects: Sequence[Subject]
    ) -> dict[str, Viewed]:
        """:meth:`_viewed` of individual subjects, one query per view."""
        keys = [s.key for s in subjects]
        carried = self.app.remediation.carried_of(keys, cycle.year)
        previous = self.previous_decisions(cycle, keys)
        voted = vote_results.latest_confidences(
            self.app.projections, [UUID(s.member_id) for s in subjects], cycle.year
        )
        found: dict[str, Viewed] = {}
        for s in subjects:
            vote = voted.get(str(UUID(s.member_id)))
            found[s.key] = Viewed(
                carried=carried[s.key],
                previous=previous[s.key],
                voted=(vote["returned"], vote["low"]) if vote is not None else None,
            )
        return found

    def _former_holder_charges(
        self, org_id: UUID, seen: set[str]
    ) -> list[DisciplineFact]:
        """Records of conduct at ``org_id`` by members whose post there has
        ended: the old unit stays charged (366 Điều 11; ``collective_charges``)."""
        found: list[DisciplineFact] = []
        for member_id in member_view.members_disciplined_at(
            self.app.projections, org_id
        ):
            if member_id in seen:
                continue
            member = self.app.uow.read(PartyMember, UUID(member_id), "member.not_found")
            if member.held_post_at(org_id):
                found.extend(
                    collective_charges(
                        org_id,
                        self._disciplines(member),
                        holds_post=str(org_id) in member.posts,
                    )
                )
        return found

    # -- facts about units (366 Điều 11; 132 Điều 12.4; 124) ----
    def _org(self, org_id: UUID | str) -> Organisation | None:
        ident = UUID(str(org_id))
        if not self.app.uow.exists(ident):
            return None
        return self._get(Organisation, ident, "org.not_found")

    def _unit_results(self, org: Organisation, year: int) -> tuple[dict[str, Any], ...]:
        """The unit's results of the year; a leadership collective without its
        own leads the locality of the organisation it stands under."""
        if year in org.task_results:
            return (dict(org.task_results[year]),)
        if org.kind.value == "leadership_collective" and org.parent_id is not None:
            parent = self._org(org.parent_id)
            if parent is not None and year in parent.task_results:
                return (dict(parent.task_results[year]),)
        return ()

    def _all_levels(self, cycle: ReviewCycle) -> Mapping[str, str]:
        return self.decided_levels(cycle, exclude=UUID(int=0))

    def _leader_facts(
        self, cycle: ReviewCycle, subject: Subject, member: PartyMember
    ) -> dict[str, Any]:
        """Areas and units overseen (phân công phụ trách) and led (người đứng
        đầu), their decisions in this cycle, results and disciplined cases."""
        if subject.klass != "leader":
            return {}
        headed = sorted(o for o, p in member.posts.items() if p["role"] == "head")
        overseen = sorted(member.oversees)
        levels = self._all_levels(cycle) if headed or overseen else {}
        results: list[dict[str, Any]] = []
        cases: list[dict[str, Any]] = []
        for org_id in headed:
            org = self._org(org_id)
            if org is not None:
                results.extend(self._unit_results(org, cycle.year))
        for org_id in sorted(set(headed) | set(overseen)):
            org = self._org(org_id)
            if org is not None:
                cases.extend(dict(c) for c in org.cases)
        return {
            "overseen": tuple(
                (key, levels.get(key))
                for key in map(str, map(SubjectKey.of_org, overseen))
                if key in cycle.subjects
            ),
            "led": tuple(
                (key, levels.get(key))
                for key in map(str, map(SubjectKey.of_org, headed))
                if key in cycle.subjects
            ),
            "unit_results": tuple(results),
            "cases": tuple(cases),
        }

    def _collective_facts(self, cycle: ReviewCycle, subject: Subject) -> dict[str, Any]:
        org = self._org(subject.own_org)
        if org is None:
            return {}
        children = [
            s
            for s in (
                cycle.subjects[k] for k in cycle.index.children.get(subject.own_org, ())
            )
            if s.is_collective and s.parent_id == subject.own_org
        ]
        subordinates: list[dict[str, Any]] = []
        cases: list[dict[str, Any]] = []
        for child in children:
            unit = self._org(child.own_org)
            if unit is None:
                continue
            subordinates.append(
                {
                    "org_id": unit.id,
                    "disciplined": [d["decided_on"] for d in unit.disciplines],
                }
            )
            cases.extend(dict(c) for c in unit.cases)
        member_levels: tuple[tuple[str, str | None], ...] = ()
        book = cycle.rulebook
        if book.members_khtnv_max_pct is not None and subject.sector == "party":
            levels = self._all_levels(cycle)
            member_levels = tuple(
                (s.key, levels.get(s.key))
                for s in (
                    cycle.subjects[k]
                    for k in cycle.index.under.get(subject.own_org, ())
                )
                if s.is_individual and not s.exempt and subject.own_org in s.path
            )
        return {
            "unit_results": self._unit_results(org, cycle.year),
            "cases": tuple(cases),
            "conclusions": tuple(dict(c) for c in org.conclusions),
            "org_disciplines": tuple(dict(d) for d in org.disciplines),
            "subordinates": tuple(subordinates)
            if subject.org_kind != "leadership_collective"
            else (),
            "member_levels": member_levels,
        }

    @abstractmethod
    def previous_decision(self, cycle: ReviewCycle, key: str) -> dict[str, Any] | None:
        """The subject's decided level in the previous cycle of the same period
        type (``services.ratings.RatingService.previous_decision``)."""

    @abstractmethod
    def previous_decisions(
        self, cycle: ReviewCycle, keys: Sequence[str]
    ) -> dict[str, dict[str, Any] | None]:
        """:meth:`previous_decision` of several subjects, read in one query."""

    def _maybe(self, cls: type[A], ident: UUID, *, read: bool = False) -> A | None:
        """The aggregate if it was ever stored (a review or a round); ``read``:
        only to read (no copy of the cached aggregate, never saved)."""
        if not self.app.uow.exists(ident):
            return None
        code = "review.not_found" if cls is Review else "rating.round_not_found"
        if read:
            return self.app.uow.read(cls, ident, code)
        return self._get(cls, ident, code)

    def external_levels(self, cycle: ReviewCycle, exclude: UUID) -> dict[str, str]:
        """Decisions of the cycle's other rounds, all of them (refreshing the
        subjects); a rating command reads :meth:`decided_levels` instead."""
        levels: dict[str, str] = {}
        authorities = cycle.index.authorities
        for authority in (a for a in authorities if a != "outside"):
            rid = round_id(cycle.id, authority)
            if rid == exclude:
                continue
            other = self._maybe(RatingRound, rid, read=True)
            if other is None:
                continue
            for key in other.entries:
                level = other.level_of(key)
                if level is not None:
                    levels[key] = level.value
        return levels

    def decided_levels(self, cycle: ReviewCycle, exclude: UUID) -> Mapping[str, str]:
        """Decisions of the cycle's other rounds, read one subject at a time
        (prerequisites, head rule): a decision never reads every round."""
        return DecidedLevels(self, cycle, exclude)


def _exemption_on(items: Sequence[Mapping[str, Any]], day: date) -> str | None:
    """The exemption kind active on ``day`` (as ``PartyMember.exemption_on``)."""
    for item in items:
        start = date.fromisoformat(item["start"])
        end = date.fromisoformat(item["end"]) if item["end"] else None
        if start <= day and (end is None or day <= end):
            return str(item["kind"])
    return None


class DecidedLevels(Mapping[str, str]):
    """The decided level of a subject of ``cycle`` by its own round (any round
    but ``exclude``), found through the subject's authority: a lookup loads at
    most that one round (read only). Iterating reads them all."""

    def __init__(self, service: RatingFacts, cycle: ReviewCycle, exclude: UUID):
        self._service = service
        self._cycle = cycle
        self._exclude = exclude
        self._rounds: dict[UUID, RatingRound | None] = {}
        self._all: dict[str, str] | None = None

    def __getitem__(self, key: str) -> str:
        subject = self._cycle.subjects.get(key)
        authority = subject.decides if subject else None
        if not authority or authority == "outside":
            raise KeyError(key)
        rid = round_id(self._cycle.id, authority)
        if rid == self._exclude:
            raise KeyError(key)
        if rid not in self._rounds:
            self._rounds[rid] = self._service.app.uow.find(
                RatingRound, rid, "rating.round_not_found", read=True
            )
        other = self._rounds[rid]
        level = other.level_of(key) if other is not None else None
        if level is None:
            raise KeyError(key)
        return level.value

    def _everything(self) -> dict[str, str]:
        if self._all is None:
            self._all = self._service.external_levels(self._cycle, self._exclude)
        return self._all

    def __iter__(self) -> Iterator[str]:
        return iter(self._everything())

    def __len__(self) -> int:
        return len(self._everything())
