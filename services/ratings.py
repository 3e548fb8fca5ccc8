"""Review and rating: the application service of issue 3 (architecture.md §3–§5).

``RatingService(kiemdiem)`` gathers the facts a rule needs (the tree, the
members' facts, the decisions of the cycle's other rounds, confidence results)
for the command handlers of cycles, reviews and rating rounds
(``services.handlers``), which pass them to the domain, which records them in
the event that used them; and it answers the questions of the ``ratings`` view.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from typing import Any, TypeVar
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.cycles import ReviewCycle
from domain.evaluation import (
    DisciplineFact,
    SubjectFacts,
    collective_charges,
)
from domain.members import PartyMember
from domain.organisations import Organisation
from domain.rating_quota import group_counts, quota_gauge
from domain.rating_rules import previous_decision as choose_previous_decision
from domain.ratings import RatingRound, rating_prerequisites
from domain.reviews import Review
from domain.rulebooks import (
    Appendix,
    Level,
    Rounding,
    rulebook,
)
from domain.statistics import good_or_better
from domain.subjects import (
    MemberNode,
    OrgNode,
    SubjectKey,
    ancestry,
    in_subtree,
)
from services.context import AppContext
from services.errors import NotFoundError
from votes.results import display_percent

log = logging.getLogger(__name__)
A = TypeVar("A", bound=Aggregate)

CYCLE_NS = uuid5(NAMESPACE_URL, "https://kiemdiem/ns/review-cycle")
REVIEW_NS = uuid5(NAMESPACE_URL, "https://kiemdiem/ns/review")
ROUND_NS = uuid5(NAMESPACE_URL, "https://kiemdiem/ns/rating-round")
REREVIEW_NS = uuid5(NAMESPACE_URL, "https://kiemdiem/ns/rereview-order")
CRITERIA_NS = uuid5(NAMESPACE_URL, "https://kiemdiem/ns/criteria-refinement")
POPULATIONS = ("party_orgs", "members", "leadership_collectives", "leaders")
AT_RISK_DAYS = 7
ROSTER_BATCH = 500  # organisations per roster query (bound parameters)


def cycle_id(org_id: UUID, year: int, period: str, period_no: int | None) -> UUID:
    return uuid5(CYCLE_NS, f"{org_id}/{year}/{period}/{period_no or 0}")


def review_id(cycle: UUID, subject_key: str, venue_id: UUID | str) -> UUID:
    return uuid5(REVIEW_NS, f"{cycle}/{subject_key}/{venue_id}")


def round_id(cycle: UUID, authority_org_id: UUID | str) -> UUID:
    return uuid5(ROUND_NS, f"{cycle}/{authority_org_id}")


def criteria_id(org_id: UUID, appendix: str, from_year: int) -> UUID:
    return uuid5(CRITERIA_NS, f"{org_id}/{appendix}/{from_year}")


def rereview_order_id(cycle: UUID, subject_key: str, number: int) -> UUID:
    return uuid5(REREVIEW_NS, f"{cycle}/{subject_key}/{number}")


class RatingService:
    """Cycles, reviews, rating rounds and member facts on one :class:`Kiemdiem`."""

    def __init__(self, kiemdiem: AppContext) -> None:
        self.app = kiemdiem

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
        rows = self.app.projections.query(
            "directory",
            "SELECT org_id, name, kind, parent_id, dissolved FROM {organisations}",
        )
        sectors = {
            r["org_id"]: r["sector"]
            for r in self.app.projections.query(
                "org_facts", "SELECT org_id, sector FROM {sectors}"
            )
        }
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
        rows: list[dict[str, Any]] = []
        for start in range(0, len(places), ROSTER_BATCH):
            batch = places[start : start + ROSTER_BATCH]
            rows += self._q(
                "SELECT * FROM {roster} WHERE cell_id IN ("  # noqa: S608 - placeholders
                + ", ".join("?" * len(batch))
                + ")",
                batch,
            )
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

    def _confidence(self, member: PartyMember, year: int) -> tuple[int, int] | None:
        """The year's confidence result: a vote held in this system, else one
        recorded from paper; the latest counts."""
        rows = self.app.projections.query(
            "vote_results",
            "SELECT returned, low, published_at FROM {results} "
            "WHERE member_id = ? AND vote_year = ? AND returned IS NOT NULL "
            "ORDER BY published_at DESC",
            [str(member.id), year],
        )
        if rows:
            return int(rows[0]["returned"]), int(rows[0]["low"])
        paper = [c for c in member.confidence_results if c["held_on"].year == year]
        if paper:
            latest = max(paper, key=lambda c: c["held_on"])
            return int(latest["returned"]), int(latest["low"])
        return None

    def facts(self, cycle: ReviewCycle, subject: Mapping[str, Any]) -> SubjectFacts:
        year = cycle.year
        if subject["kind"] == "individual":
            member = self.app.uow.read(
                PartyMember, UUID(subject["member_id"]), "member.not_found"
            )
            comment: bool | None = None
            if subject.get("temporary_cell_id"):
                review = self._maybe(
                    Review,
                    review_id(cycle.id, subject["key"], subject["cell_id"]),
                    read=True,
                )
                comment = (
                    review is not None and review.temporary_cell_comment is not None
                )
            return SubjectFacts(
                remediation=self.app.remediation.carried(subject["key"], year),
                disciplines=self._disciplines(member),
                degradation=any(
                    d["concluded_on"].year == year for d in member.degradations
                ),
                confidence=self._confidence(member, year),
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
                previous=self.previous_decision(cycle, subject["key"]),
            )
        org = subject["org_id"]
        records: list[DisciplineFact] = []
        degraded: list[dict[str, Any]] = []
        holders: set[str] = set()
        for other_key in cycle.index.holders.get(org, ()):
            other = cycle.subjects[other_key]
            if other["kind"] == "individual" and org in other.get("posts", {}):
                member = self.app.uow.read(
                    PartyMember, UUID(other["member_id"]), "member.not_found"
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
        return SubjectFacts(
            member_disciplines=tuple(records),
            member_degradations=tuple(degraded),
            remediation=self.app.remediation.carried(subject["key"], year),
            **self._collective_facts(cycle, subject),
            previous=self.previous_decision(cycle, subject["key"]),
        )

    def _former_holder_charges(
        self, org_id: UUID, seen: set[str]
    ) -> list[DisciplineFact]:
        """Records of conduct at ``org_id`` by members whose post there has
        ended: the old unit stays charged (366 Điều 11; ``collective_charges``)."""
        rows = self._q(
            "SELECT DISTINCT member_id FROM {disciplines} WHERE conduct_org_id = ? "
            "ORDER BY member_id",
            [str(org_id)],
        )
        found: list[DisciplineFact] = []
        for row in rows:
            if row["member_id"] in seen:
                continue
            member = self.app.uow.read(
                PartyMember, UUID(row["member_id"]), "member.not_found"
            )
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
        self, cycle: ReviewCycle, subject: Mapping[str, Any], member: PartyMember
    ) -> dict[str, Any]:
        """Areas and units overseen (phân công phụ trách) and led (người đứng
        đầu), their decisions in this cycle, results and disciplined cases."""
        if subject.get("klass") != "leader":
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

    def _collective_facts(
        self, cycle: ReviewCycle, subject: Mapping[str, Any]
    ) -> dict[str, Any]:
        org = self._org(subject["org_id"])
        if org is None:
            return {}
        children = [
            s
            for s in (
                cycle.subjects[k]
                for k in cycle.index.children.get(subject["org_id"], ())
            )
            if s["kind"] == "collective" and s.get("parent_id") == subject["org_id"]
        ]
        subordinates: list[dict[str, Any]] = []
        cases: list[dict[str, Any]] = []
        for child in children:
            unit = self._org(child["org_id"])
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
        if book.members_khtnv_max_pct is not None and subject.get("sector") == "party":
            levels = self._all_levels(cycle)
            member_levels = tuple(
                (s["key"], levels.get(s["key"]))
                for s in (
                    cycle.subjects[k]
                    for k in cycle.index.under.get(subject["org_id"], ())
                )
                if s["kind"] == "individual"
                and not s.get("exempt")
                and subject["org_id"] in s.get("path", [])
            )
        return {
            "unit_results": self._unit_results(org, cycle.year),
            "cases": tuple(cases),
            "conclusions": tuple(dict(c) for c in org.conclusions),
            "org_disciplines": tuple(dict(d) for d in org.disciplines),
            "subordinates": tuple(subordinates)
            if subject.get("org_kind") != "leadership_collective"
            else (),
            "member_levels": member_levels,
        }

    def previous_decision(self, cycle: ReviewCycle, key: str) -> dict[str, Any] | None:
        """The subject's decided level in the previous cycle of the same period
        type (read from the ratings projection; domain.md §5.6)."""
        rows = self.app.projections.query(
            "ratings",
            "SELECT c.cycle_id, c.year, c.period_no, s.level FROM {subjects} s "
            "JOIN {cycles} c ON c.cycle_id = s.cycle_id WHERE s.subject_key = ? "
            "AND c.period = ? AND s.level IS NOT NULL AND c.cycle_id != ? "
            "ORDER BY c.year DESC, c.period_no DESC, c.cycle_id",
            [key, cycle.period, str(cycle.id)],
        )
        return choose_previous_decision(
            period=cycle.period,
            year=cycle.year,
            period_no=cycle.period_no,
            decided=rows,
        )

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

    # -- read side (projection ``ratings``) ---------------------------------------
    def _q(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        return self.app.projections.query("ratings", sql, list(params))

    def cycles(self) -> list[dict[str, Any]]:
        rows = self._q("SELECT * FROM {cycles} ORDER BY year DESC, org_name, cycle_id")
        return [self._cycle(r) for r in rows]

    def cycle_row(self, ident: UUID) -> dict[str, Any] | None:
        rows = self._q("SELECT * FROM {cycles} WHERE cycle_id = ?", [str(ident)])
        return self._cycle(rows[0]) if rows else None

    @staticmethod
    def _cycle(row: Mapping[str, Any]) -> dict[str, Any]:
        book = rulebook(row["rulebook_id"])
        return {
            **row,
            "regulation": book.regulation,
            "guidance": book.guidance,
            "scored": book.scored,
            "deadlines": json.loads(row["deadlines"]),
            "options": json.loads(row["options"]),
            "closed": bool(row["closed"]),
        }

    def subjects(self, ident: UUID) -> list[dict[str, Any]]:
        rows = self._q(
            "SELECT * FROM {subjects} WHERE cycle_id = ? "
            "ORDER BY kind DESC, name, subject_key",
            [str(ident)],
        )
        return [self._subject_row(r) for r in rows]

    def subject_row(self, ident: UUID, key: str) -> dict[str, Any] | None:
        rows = self._q(
            "SELECT * FROM {subjects} WHERE cycle_id = ? AND subject_key = ?",
            [str(ident), key],
        )
        return self._subject_row(rows[0]) if rows else None

    @staticmethod
    def _subject_row(row: Mapping[str, Any]) -> dict[str, Any]:
        out = dict(row)
        for name in ("venues", "posts", "path"):
            out[name] = json.loads(row[name])
        return out

    def timeline(self, ident: UUID, key: str) -> list[dict[str, Any]]:
        rows = self._q(
            "SELECT * FROM {timeline} WHERE cycle_id = ? AND subject_key = ? "
            "ORDER BY position",
            [str(ident), key],
        )
        return [{**r, "detail": json.loads(r["detail"])} for r in rows]

    def reviews(self, ident: UUID) -> list[dict[str, Any]]:
        return self._q(
            "SELECT * FROM {reviews} WHERE cycle_id = ? ORDER BY opened_at",
            [str(ident)],
        )

    def member_facts(self, member: UUID) -> list[dict[str, Any]]:
        rows = self._q(
            "SELECT * FROM {facts} WHERE member_id = ? ORDER BY position",
            [str(member)],
        )
        return [{**r, "detail": json.loads(r["detail"])} for r in rows]

    def review_row(self, ident: UUID) -> dict[str, Any] | None:
        rows = self._q("SELECT * FROM {reviews} WHERE review_id = ?", [str(ident)])
        return rows[0] if rows else None

    def rounds(self, ident: UUID) -> list[dict[str, Any]]:
        return self._q(
            "SELECT * FROM {rounds} WHERE cycle_id = ? ORDER BY authority_name",
            [str(ident)],
        )

    def round_row(self, ident: UUID) -> dict[str, Any] | None:
        rows = self._q("SELECT * FROM {rounds} WHERE round_id = ?", [str(ident)])
        return rows[0] if rows else None

    def peer_groups(self, ident: UUID) -> list[dict[str, Any]]:
        """Each peer group of a round with its quota gauge (exact integers)."""
        found = self.round_row(ident)
        if found is None:
            return []
        cycle = self.cycle_row(UUID(found["cycle_id"]))
        rounding = Rounding(
            (cycle or {}).get("options", {}).get("quota_rounding", "floor")
        )
        levels = {
            s["subject_key"]: s["level"] for s in self.subjects(UUID(found["cycle_id"]))
        }
        groups = []
        for row in self._q(
            "SELECT * FROM {groups} WHERE round_id = ? ORDER BY code", [str(ident)]
        ):
            members = json.loads(row["members"])
            gauge = quota_gauge(
                code=row["code"],
                group={**row, "members": members},
                counts=group_counts(levels.get(k) for k in members),
                rounding=rounding,
            )
            groups.append(
                {
                    **row,
                    "members": members,
                    **{k: gauge[k] for k in ("excellent", "good", "cap", "rounding")},
                }
            )
        return groups

    def statistics(self, ident: UUID, org_id: UUID) -> dict[str, Any]:
        """Counts by level of everything in and under ``org_id``; percentages are
        exact fractions over those rated (exempt and pending apart), shown with two
        decimals rounded half up in integer arithmetic."""
        rows = self._q(
            "SELECT population, bucket, n FROM {stats} WHERE cycle_id = ? "
            "AND org_id = ? AND n != 0 ORDER BY population, bucket",
            [str(ident), str(org_id)],
        )
        result: dict[str, Any] = {}
        for pop in POPULATIONS:
            mine = {r["bucket"]: int(r["n"]) for r in rows if r["population"] == pop}
            rated = sum(mine.get(level.value, 0) for level in Level)
            levels = {}
            for level in Level:
                n = mine.get(level.value, 0)
                levels[level.value] = {
                    "n": n,
                    "fraction": f"{n}/{rated}" if rated else None,
                    "percent": display_percent(n, rated) if rated else None,
                }
            result[pop] = {
                "rated": rated,
                "pending": mine.get("pending", 0),
                "levels": levels,
                # "Hoàn thành tốt nhiệm vụ trở lên", exact (domain/statistics.py).
                "good_or_better": good_or_better(mine).as_dict(),
                "exempt": {
                    b.split(":", 1)[1]: n
                    for b, n in mine.items()
                    if b.startswith("exempt:")
                },
            }
        return result

    def open_items(
        self, ident: UUID, today: date | None = None
    ) -> list[dict[str, Any]]:
        """What still blocks or breaks the rules in a cycle: prerequisites not yet
        decided, subjects on hold, decided without the required review meetings,
        discipline recorded after the decision, deadlines at risk or missed."""
        today = today or self.app.today()
        cycle = self.cycle_row(ident)
        if cycle is None:
            return []
        subjects = {s["subject_key"]: s for s in self.subjects(ident)}
        held_meetings = {
            (r["subject_key"], r["venue_id"])
            for r in self.reviews(ident)
            if r["held_on"] is not None
        }
        items: list[dict[str, Any]] = []
        rows = {k: {**s, "key": k} for k, s in subjects.items()}
        redoing = {
            (r["subject_key"], r["venue_id"])
            for r in self.reviews(ident)
            if r["redo_order_id"] is not None
        }
        held_meetings |= redoing  # the open order is the item, not a violation
        for key, s in subjects.items():
            if s["exempt"]:
                continue
            if s["status"] != "decided":
                for rule, other in rating_prerequisites(rows[key], rows):
                    if subjects[other]["status"] != "decided":
                        items.append(
                            {
                                "kind": "prerequisite",
                                "rule": rule,
                                "subject_key": key,
                                "subject": s["name"],
                                "other": subjects[other]["name"],
                            }
                        )
            if s["held_reason"]:
                items.append(
                    {
                        "kind": "held",
                        "rule": s["held_reason"],
                        "subject_key": key,
                        "subject": s["name"],
                    }
                )
            if s["status"] == "decided":
                missing = [v for v in s["venues"] if (key, v) not in held_meetings]
                if missing:
                    items.append(
                        {
                            "kind": "violation",
                            "rule": "rated_without_review",
                            "subject_key": key,
                            "subject": s["name"],
                        }
                    )
                if s["member_id"]:
                    later = self._q(
                        "SELECT discipline_id FROM {disciplines} WHERE member_id = ? "
                        "AND recorded_at > ? AND decided_on >= ?",
                        [
                            s["member_id"],
                            s["decided_at"] or 0,
                            f"{cycle['year']}-01-01",
                        ],
                    )
                    if later:
                        items.append(
                            {
                                "kind": "violation",
                                "rule": "discipline_after_decision",
                                "subject_key": key,
                                "subject": s["name"],
                            }
                        )
        items.extend(f for f in self.flags(ident) if f["kind"] == "flag")
        items.extend(self.deadlines_at_risk(ident, today))
        items.extend(self.rereviews_open(ident, today))
        return items

    def rereviews_open(self, ident: UUID, today: date) -> list[dict[str, Any]]:
        """Re-review orders not yet carried out: open, at risk within
        ``AT_RISK_DAYS`` of their deadline, or late."""
        items = []
        for order in self.rereview_orders(ident):
            if order["done"]:
                continue
            due = date.fromisoformat(order["deadline"])
            kind = (
                "rereview_late"
                if due < today
                else "rereview_at_risk"
                if (due - today).days <= AT_RISK_DAYS
                else "rereview_open"
            )
            items.append(
                {
                    "kind": kind,
                    "rule": f"rereview_{order['scope']}",
                    "subject_key": order["subject_key"],
                    "subject": order["subject_name"],
                    "due": order["deadline"],
                    "order_id": order["order_id"],
                }
            )
        return items

    def flags(self, ident: UUID, key: str | None = None) -> list[dict[str, Any]]:
        """Flags for human consideration, never consequences: an open question
        only the authority settles (``flag`` from the self-rating or proposal
        that found it; ``settled`` once the decision settled it, docs/rules.md),
        and KHTNV again after KHTNV in the previous cycle of the same period type
        (raised by the decision)."""
        rows = self._q(
            "SELECT t.subject_key, t.step, t.detail, s.name, s.status "
            "FROM {timeline} t JOIN {subjects} s ON s.cycle_id = t.cycle_id "
            "AND s.subject_key = t.subject_key WHERE t.cycle_id = ? "
            "AND t.step IN ('self_rated', 'proposed', 'decided', 'revised', "
            "'cancelled', 'rating_redo') AND (CAST(? AS TEXT) IS NULL "
            "OR t.subject_key = CAST(? AS TEXT)) ORDER BY t.position",
            [str(ident), key, key],
        )
        latest: dict[str, dict[str, Any]] = {}
        for row in rows:
            latest[row["subject_key"]] = row
        items: list[dict[str, Any]] = []
        for key, row in latest.items():
            detail = json.loads(row["detail"])
            found: list[tuple[str, str]] = [
                ("flag", question) for question in detail.get("open_questions", [])
            ]
            found += [("settled", s["question"]) for s in detail.get("settled", [])]
            if row["status"] == "decided" and "consecutive_khtnv" in detail.get(
                "rules", []
            ):
                found.append(("flag", "consecutive_khtnv"))
            items.extend(
                {"kind": kind, "rule": rule, "subject_key": key, "subject": row["name"]}
                for kind, rule in found
            )
        return items

    def subject_flags(self, ident: UUID, key: str) -> list[str]:
        return [f["rule"] for f in self.flags(ident, key)]

    def deadlines_at_risk(self, ident: UUID, today: date) -> list[dict[str, Any]]:
        cycle = self.cycle_row(ident)
        if cycle is None:
            return []
        subjects = self.subjects(ident)
        held = {r["subject_key"] for r in self.reviews(ident) if r["held_on"]}
        items = []
        for deadline in cycle["deadlines"]:
            due = date.fromisoformat(str(deadline["due"]))
            if (due - today).days > AT_RISK_DAYS:
                continue
            open_subjects = [
                s["name"]
                for s in subjects
                if s["deadline_level"] == deadline["level"]
                and not s["exempt"]
                and (
                    s["status"] != "decided"
                    if deadline["milestone"] != "review"
                    else s["subject_key"] not in held
                )
            ]
            if open_subjects:
                items.append(
                    {
                        "kind": "deadline_missed"
                        if due < today
                        else "deadline_at_risk",
                        "rule": deadline["milestone"],
                        "level": deadline["level"],
                        "due": due.isoformat(),
                        "open": len(open_subjects),
                        "subject": ", ".join(open_subjects[:5]),
                    }
                )
        return items

    # -- facts about organisations ----
    def org_facts(self, org_id: UUID) -> list[dict[str, Any]]:
        """Every fact recorded about an organisation, in order (projection)."""
        rows = self.app.projections.query(
            "org_facts",
            "SELECT * FROM {facts} WHERE org_id = ? ORDER BY position",
            [str(org_id)],
        )
        return [{**r, "detail": json.loads(r["detail"])} for r in rows]

    def org_sector(self, org_id: UUID) -> str | None:
        rows = self.app.projections.query(
            "org_facts", "SELECT sector FROM {sectors} WHERE org_id = ?", [str(org_id)]
        )
        return str(rows[0]["sector"]) if rows else None

    def oversight(self, member_id: UUID) -> list[dict[str, Any]]:
        return self.app.projections.query(
            "org_facts",
            "SELECT org_id, since FROM {oversight} WHERE member_id = ? ORDER BY org_id",
            [str(member_id)],
        )

    # -- criteria refined by a province or unit (366 Điều 10) ----
    def criteria_refinements(self) -> list[dict[str, Any]]:
        rows = self._q(
            "SELECT * FROM {criteria} ORDER BY org_name, appendix, from_year"
        )
        return [{**r, "items": json.loads(r["items"])} for r in rows]

    def refined_criteria(
        self, tree: Mapping[UUID, OrgNode], org_id: UUID, year: int
    ) -> dict[str, list[dict[str, Any]]]:
        """Per appendix, the refined criteria a cycle of ``org_id`` in ``year``
        uses: the nearest organisation at or above it that refined that appendix,
        its latest set from a year not after ``year``."""
        chain = ancestry(tree, org_id)
        found: dict[str, list[dict[str, Any]]] = {}
        rows = [r for r in self.criteria_refinements() if r["from_year"] <= year]
        for appendix in Appendix:
            for org in chain:
                mine = [
                    r
                    for r in rows
                    if r["org_id"] == org and r["appendix"] == appendix.value
                ]
                if mine:
                    latest = max(mine, key=lambda r: int(r["from_year"]))
                    found[appendix.value] = latest["items"]
                    break
        return found

    # -- re-review orders (§5.4) ----
    def rereview_orders(
        self, ident: UUID, key: str | None = None
    ) -> list[dict[str, Any]]:
        """The cycle's re-review orders (one subject's when ``key``), oldest first."""
        sql = "SELECT * FROM {orders} WHERE cycle_id = ?"
        params: list[Any] = [str(ident)]
        if key is not None:
            sql += " AND subject_key = ?"
            params.append(key)
        rows = self._q(sql + " ORDER BY ordered_at", params)
        return [
            {
                **r,
                "chair_responsibility": bool(r["chair_responsibility"]),
                "superseded": json.loads(r["superseded"]),
                "done": r["done_at"] is not None,
            }
            for r in rows
        ]


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

    def __init__(self, service: RatingService, cycle: ReviewCycle, exclude: UUID):
        self._service = service
        self._cycle = cycle
        self._exclude = exclude
        self._rounds: dict[UUID, RatingRound | None] = {}
        self._all: dict[str, str] | None = None

    def __getitem__(self, key: str) -> str:
        subject = self._cycle.subjects.get(key)
        authority = subject.get("decides") if subject else None
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


__all__ = [
    "NotFoundError",
    "RatingService",
    "criteria_id",
    "cycle_id",
    "rereview_order_id",
    "review_id",
    "round_id",
]
