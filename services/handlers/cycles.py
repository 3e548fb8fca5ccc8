"""Handlers of review cycles (đợt kiểm điểm): open one with its subjects,
deadlines, refresh the subjects, combined conferences, close."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.cycles import ReviewCycle
from domain.errors import DomainError
from domain.organisations import Organisation
from domain.ratings import RatingRound
from domain.rulebooks import rulebook_for_year
from domain.subjects import OrgNode, SubjectKey, derive_subjects
from ledger.signing import Signer
from projections import directory_history
from services import rating_commands as rc
from services.handlers.base import Services
from services.handlers.registry import handler
from services.handlers.succession import carry_into
from services.rating_ids import cycle_id, review_id, round_id


@handler(rc.OpenCycle)
def open_cycle(app: Services, command: rc.OpenCycle, signer: Signer) -> UUID:
    uow, ratings = app.uow, app.ratings
    ident = cycle_id(command.org_id, command.year, command.period, command.period_no)

    def work() -> list[Aggregate]:
        uow.authorise(signer.actor, "cycle.open", command.org_id)
        org = uow.read(Organisation, command.org_id, "org.not_found")
        if org.dissolved:
            raise DomainError("org.dissolved")
        if uow.exists(ident):
            raise DomainError("cycle.exists", year=command.year)
        book = rulebook_for_year(command.year)
        reference = command.reference_date or min(
            uow.today(), date(command.year, 12, 31)
        )
        tree = ratings.tree()
        subjects = derive_subjects(
            book,
            org.id,
            tree,
            ratings.member_nodes(tree, org.id, reference),
            reference,
            combined=command.options.get("combined"),
        )
        options = dict(command.options)
        if book.scored:
            given = dict(options.get("criteria", {}))
            refined = ratings.refined_criteria(tree, org.id, command.year)
            if refined:
                options["criteria"] = {**refined, **given}
        return [
            ReviewCycle.open(
                cycle_id=ident,
                org_id=org.id,
                org_name=org.name,
                year=command.year,
                period=command.period,
                period_no=command.period_no,
                reference_date=reference,
                deadlines=[
                    {"level": lv, "milestone": ms, "due": due}
                    for lv, ms, due in command.deadlines
                ],
                options=options,
                subjects=subjects,
                opened_by=signer.actor,
            )
        ]

    uow.commit(signer, work)
    return ident


@handler(rc.SetDeadline)
def set_deadline(app: Services, command: rc.SetDeadline, signer: Signer) -> UUID:
    uow = app.uow

    def work() -> list[Aggregate]:
        cycle = uow.get(ReviewCycle, command.cycle_id, "cycle.not_found")
        uow.authorise(signer.actor, "cycle.open", cycle.org_id)
        cycle.set_deadline(
            level=command.level,
            milestone=command.milestone,
            due=command.due,
            set_by=signer.actor,
        )
        return [cycle]

    uow.commit(signer, work)
    return command.cycle_id


def carried_on_by(
    app: Services, tree: Mapping[UUID, OrgNode], org_id: UUID
) -> list[UUID]:
    """The organisations whose subtrees a cycle of ``org_id`` reviews: itself,
    or, once it has ended by a merger or a split, the organisations that carry
    it on (through every later change; docs/rules.md, "Reviews and ratings
    across a change"). A dissolved organisation with no successor has none."""
    roots: list[UUID] = []
    seen = {org_id}
    frontier = [org_id]
    while frontier:
        org = frontier.pop(0)
        node = tree.get(org)
        if node is not None and not node.dissolved:
            roots.append(org)
            continue
        for link in directory_history.successions(app.projections, org):
            successor = UUID(link["successor_id"])
            if link["predecessor_id"] == str(org) and successor not in seen:
                seen.add(successor)
                frontier.append(successor)
    return roots


@handler(rc.RefreshSubjects)
def refresh_subjects(
    app: Services, command: rc.RefreshSubjects, signer: Signer
) -> UUID:
    uow, ratings = app.uow, app.ratings

    def work() -> list[Aggregate]:
        cycle = uow.get(ReviewCycle, command.cycle_id, "cycle.not_found")
        uow.authorise(signer.actor, "cycle.open", cycle.org_id)
        tree = ratings.tree()
        reference = cycle.reference_date
        rows: dict[str, dict[str, Any]] = {}
        for root in carried_on_by(app, tree, cycle.org_id):
            for row in derive_subjects(
                cycle.rulebook,
                root,
                tree,
                ratings.member_nodes(tree, root, reference),
                reference,
                combined=cycle.options.get("combined"),
            ):
                rows.setdefault(row["key"], row)
        subjects = list(rows.values())
        decided = set(ratings.external_levels(cycle, exclude=UUID(int=0)))
        before = {k: r.get("decides") for k, r in cycle.subject_rows.items()}
        cycle.refresh_subjects(
            subjects=subjects, decided=decided, refreshed_by=signer.actor
        )
        return [cycle, *carried_rounds(app, cycle, before, signer.actor)]

    uow.commit(signer, work)
    return command.cycle_id


def carried_rounds(
    app: Services, cycle: ReviewCycle, before: Mapping[str, Any], actor: str
) -> list[Aggregate]:
    """The open rounds of the authorities that now rate a subject another
    authority rated before the refresh, each having taken over what the ended
    organisations it carries on left undecided (docs/rules.md)."""
    moved = {
        str(row.get("decides"))
        for key, row in cycle.subject_rows.items()
        if key in before and row.get("decides") not in (None, "outside", before[key])
    }
    changed: list[Aggregate] = []
    for authority in sorted(moved):
        ident = round_id(cycle.id, UUID(authority))
        if app.uow.exists(ident):
            target = app.uow.get(RatingRound, ident, "rating.round_not_found")
            if carry_into(app, cycle, target, actor):
                changed.append(target)
    return changed


@handler(rc.SetCombinedConference)
def set_combined_conference(
    app: Services, command: rc.SetCombinedConference, signer: Signer
) -> UUID:
    uow, ratings = app.uow, app.ratings

    def work() -> list[Aggregate]:
        cycle = uow.get(ReviewCycle, command.cycle_id, "cycle.not_found")
        uow.authorise(signer.actor, "cycle.open", cycle.org_id)
        collective = str(command.collective_id)
        combined = dict(cycle.options.get("combined", {}))
        old_venue = combined.get(collective, collective)
        if command.committee_id is None:
            combined.pop(collective, None)
        else:
            combined[collective] = str(command.committee_id)
        affected = [
            s.key
            for s in cycle.subjects.values()
            if s.key == str(SubjectKey.of_org(collective)) or collective in s.posts
        ]
        opened = {
            key for key in affected if uow.exists(review_id(cycle.id, key, old_venue))
        }
        tree = ratings.tree()
        reference = cycle.reference_date
        subjects = derive_subjects(
            cycle.rulebook,
            cycle.org_id,
            tree,
            ratings.member_nodes(tree, cycle.org_id, reference),
            reference,
            combined=combined,
        )
        cycle.set_combined(
            collective_id=collective,
            committee_id=str(command.committee_id) if command.committee_id else None,
            subjects=subjects,
            reviews_opened=opened,
            set_by=signer.actor,
        )
        return [cycle]

    uow.commit(signer, work)
    return command.cycle_id


@handler(rc.CloseCycle)
def close_cycle(app: Services, command: rc.CloseCycle, signer: Signer) -> UUID:
    uow = app.uow

    def work() -> list[Aggregate]:
        cycle = uow.get(ReviewCycle, command.cycle_id, "cycle.not_found")
        uow.authorise(signer.actor, "rating.decide", cycle.org_id)
        cycle.close(closed_by=signer.actor)
        return [cycle]

    uow.commit(signer, work)
    return command.cycle_id
