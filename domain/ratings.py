"""Rating rounds (đánh giá, xếp loại): one competent authority in one cycle.

Every self-rating, proposal, hold, mitigation, decision and re-rating the
authority handles lives in one aggregate, so the quota per peer group, the rating
order within the round and "head not above the collective" are invariants checked
in one transaction (architecture.md §4). Facts from outside the round (member
facts, decisions of other rounds of the cycle) arrive as arguments and are
recorded in the event that used them, with the rulebook id and the Vietnamese
explanation ("vì sao mức này", domain/explain.py).

A command's cost does not grow with the round (issue 14 §3; copy-on-write
entries and groups, counted quotas: :mod:`domain.rating_state`).

Where the rest lives: the round's state, its entries (:class:`RoundEntry`) and
the judgement of a decision in :mod:`domain.rating_state`; the order of rating
and the head rule in :mod:`domain.rating_order`; the level allowed, open
questions, previous decision and consecutive KHTNV in :mod:`domain.rating_rules`;
the quota gauge in :mod:`domain.rating_quota`; the commands that carry steps
and peer groups in from an ended authority's round in :mod:`domain.rating_carry`
and those that revise a decision (re-rating, redo on order) in
:mod:`domain.rating_revisions` (mixins: their events stay declared here); the
versioned events in
:mod:`domain.rating_events` (named here, so their topics stay
``domain.ratings:RatingRound.<Name>``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain import rating_events
from domain.cycles import ReviewCycle
from domain.errors import DomainError
from domain.evaluation import Assessment, SubjectFacts
from domain.rating_carry import RoundCarry
from domain.rating_order import rating_prerequisites
from domain.rating_quota import group_counts
from domain.rating_revisions import RoundRevisions
from domain.rating_rules import (
    check_level,
    consecutive_khtnv,
    required_text,
    settle_open_questions,
)
from domain.rating_state import (
    RoundEntry,
    check_proposer,
    decided_level,
    decided_rules,
    decision_entry,
    decision_record,
)
from domain.rulebooks import parse_level
from domain.succession import appraising_body
from domain.text import clean_paragraphs

# Names the callers imported from here before the split.
__all__ = [
    "RatingRound",
    "consecutive_khtnv",
    "rating_prerequisites",
    "settle_open_questions",
]


class RatingRound(RoundCarry, RoundRevisions, Aggregate):
    """Đánh giá, xếp loại by one competent authority in one cycle."""

    @classmethod
    def open(
        cls,
        *,
        round_id: UUID,
        cycle: ReviewCycle,
        authority_org_id: UUID,
        authority_name: str,
        opened_by: str,
    ) -> RatingRound:
        cycle.ensure_open()
        if str(authority_org_id) not in cycle.index.authorities:
            raise DomainError("rating.authority_decides_nothing")
        return cls._create(
            cls.Opened,  # type: ignore[attr-defined]
            id=round_id,
            cycle_id=cycle.id,
            authority_org_id=authority_org_id,
            authority_name=authority_name,
            rulebook_id=cycle.rulebook_id,
            year=cycle.year,
            opened_by=opened_by,
        )

    @event("Opened")
    def __init__(
        self,
        cycle_id: UUID,
        authority_org_id: UUID,
        authority_name: str,
        rulebook_id: str,
        year: int,
        opened_by: str,
    ) -> None:
        self.cycle_id = cycle_id
        self.authority_org_id = authority_org_id
        self.authority_name = authority_name
        self.rulebook_id = rulebook_id
        self.year = year
        self.entries: dict[str, RoundEntry] = {}
        self.groups: dict[str, dict[str, Any]] = {}
        # Derived from the events, never stored: subject key -> group code, and
        # per group (decided HTXSNV, decided HTTNV).
        self.group_index: dict[str, str] = {}
        self.counts: dict[str, tuple[int, int]] = {}

    # -- peer groups and the quota ----------------------------------------------------
    def define_peer_group(
        self,
        *,
        code: str,
        name: str,
        members: list[str],
        cycle: ReviewCycle,
        defined_by: str,
    ) -> None:
        """Nhóm có vị trí, vai trò, chức năng, nhiệm vụ tương đồng (§5.1)."""
        self._check_new_group(code, members, cycle)
        self._group_defined(
            code=code,
            name=required_text(name, "rating.group_name_required"),
            members=sorted(set(members)),
            ratio_pct=cycle.rulebook.quota_ratio_pct,
            defined_by=defined_by,
        )

    @event("PeerGroupDefined")
    def _group_defined(
        self, code: str, name: str, members: list[str], ratio_pct: int, defined_by: str
    ) -> None:
        self.groups[code] = {
            "name": name,
            "members": list(members),
            "ratio_pct": ratio_pct,
            "justification": None,
        }
        for key in members:
            self.group_index[key] = code
        self.counts[code] = group_counts(
            decided_level(self.decision_of(key)) for key in members
        )

    def grant_quota_exception(
        self,
        *,
        code: str,
        ratio_pct: int,
        justification: str,
        cycle: ReviewCycle,
        granted_by: str,
    ) -> None:
        """Up to 25% for a unit with outstanding results (366 Điều 11)."""
        self._check_quota_exception(code, ratio_pct, cycle)
        self._exception_granted(
            code=code,
            ratio_pct=ratio_pct,
            justification=required_text(
                justification, "rating.justification_required", multiline=True
            ),
            granted_by=granted_by,
        )

    @event("QuotaExceptionGranted")
    def _exception_granted(
        self, code: str, ratio_pct: int, justification: str, granted_by: str
    ) -> None:
        self.groups[code] = {
            **self.groups[code],
            "ratio_pct": ratio_pct,
            "justification": justification,
        }

    # -- the three steps ----------------------------------------------------------
    def self_rate(
        self,
        *,
        subject_key: str,
        assessment: Assessment,
        cycle: ReviewCycle,
        facts: SubjectFacts,
        rated_by: str,
    ) -> None:
        """Bước 1: the subject's own score (366) or level with its criteria."""
        cycle.ensure_open()
        subject = self._subject(cycle, subject_key)
        self._check_undecided(subject_key)
        evaluation = self._evaluate(cycle, subject, assessment, facts)
        check_level(evaluation, assessment.level)
        self._self_rated(
            subject_key=subject_key,
            assessment=assessment.as_dict(),
            score=evaluation.score,
            ceiling=evaluation.ceiling.value,
            open_questions=list(evaluation.open_questions),
            rated_by=rated_by,
        )

    SelfRated = rating_events.SelfRated

    @event(SelfRated)
    def _self_rated(
        self,
        subject_key: str,
        assessment: dict[str, Any],
        score: Any,
        ceiling: str,
        open_questions: list[str],
        rated_by: str,
    ) -> None:
        rated = self._step(
            assessment=assessment,
            score=score,
            ceiling=ceiling,
            open_questions=open_questions,
            rated_by=rated_by,
        )
        self._change(subject_key, self_rating=rated, proposal=None)

    def propose(
        self,
        *,
        subject_key: str,
        level: str,
        note: str,
        cycle: ReviewCycle,
        facts: SubjectFacts,
        proposed_by: str,
        proposer_org_id: UUID | None = None,
    ) -> None:
        """Bước 2: thẩm định and the proposed level. A collective whose authority
        table names a proposing body (đảng ủy bộ phận for a chi bộ trực thuộc,
        43-HD mục 3) is proposed by that body's people; ``proposer_org_id`` is
        the acting account's organisation (None: an account of no organisation)."""
        cycle.ensure_open()
        subject = self._subject(cycle, subject_key)
        check_proposer(cycle, subject, proposer_org_id)
        self._check_undecided(subject_key)
        proposed = parse_level(level)
        evaluation = self._evaluate(
            cycle,
            subject,
            self._assessment(subject_key),
            facts,
            self._entry(subject_key).mitigations,
        )
        check_level(evaluation, proposed)
        body = appraising_body(subject.proposes, str(self.authority_org_id))
        self._proposed(
            subject_key=subject_key,
            level=proposed.value,
            note=clean_paragraphs(note),
            open_questions=list(evaluation.open_questions),
            proposing_body=body,
            proposed_by=proposed_by,
        )

    RatingProposed = rating_events.RatingProposed

    @event(RatingProposed)
    def _proposed(
        self,
        subject_key: str,
        level: str,
        note: str,
        open_questions: list[str],
        proposing_body: str | None,
        proposed_by: str,
    ) -> None:
        proposal = self._step(
            level=level,
            note=note,
            open_questions=open_questions,
            body=proposing_body,
            proposed_by=proposed_by,
        )
        self._change(subject_key, proposal=proposal)

    def hold(
        self,
        *,
        subject_key: str,
        reason: str,
        note: str,
        cycle: ReviewCycle,
        held_by: str,
    ) -> None:
        """A complaint, denunciation, disunity or violation: verify before deciding."""
        self._check_holdable(cycle, subject_key, reason)
        self._held(
            subject_key=subject_key,
            reason=reason,
            note=required_text(note, "rating.note_required", multiline=True),
            held_by=held_by,
        )

    @event("RatingHeldForVerification")
    def _held(self, subject_key: str, reason: str, note: str, held_by: str) -> None:
        hold = self._step(reason=reason, note=note, held_by=held_by)
        self._change(subject_key, hold=hold)

    def release(self, *, subject_key: str, finding: str, released_by: str) -> None:
        if self._entry(subject_key).hold is None:
            raise DomainError("rating.not_held")
        self._released(
            subject_key=subject_key,
            finding=required_text(finding, "rating.note_required", multiline=True),
            released_by=released_by,
        )

    @event("VerificationConcluded")
    def _released(self, subject_key: str, finding: str, released_by: str) -> None:
        self._change(subject_key, hold=None)

    def decide_mitigation(
        self,
        *,
        subject_key: str,
        trigger: str,
        mitigated: bool,
        justification: str,
        cycle: ReviewCycle,
        facts: SubjectFacts,
        decided_by: str,
    ) -> None:
        """The authority sets aside a KHTNV trigger (self-detected and remedied, or
        force majeure) with a written justification — never automatically."""
        self._check_mitigable(subject_key, trigger, cycle, facts)
        self._mitigation_decided(
            subject_key=subject_key,
            trigger=trigger,
            mitigated=bool(mitigated),
            justification=required_text(
                justification, "rating.justification_required", multiline=True
            ),
            decided_by=decided_by,
        )

    @event("TriggerMitigationDecided")
    def _mitigation_decided(
        self,
        subject_key: str,
        trigger: str,
        mitigated: bool,
        justification: str,
        decided_by: str,
    ) -> None:
        mitigations = {**self._entry(subject_key).mitigations, trigger: mitigated}
        self._change(subject_key, mitigations=mitigations)

    def decide(
        self,
        *,
        subject_key: str,
        level: str,
        decision_no: str,
        decided_on: date,
        justification: str,
        cycle: ReviewCycle,
        facts: SubjectFacts,
        external: Mapping[str, str],
        decided_by: str,
    ) -> None:
        """Bước 3: the competent authority's decision, with every rule checked."""
        cycle.ensure_open()
        subject = self._decidable(cycle, subject_key)
        chosen = parse_level(level)
        number = required_text(decision_no, "rating.decision_no_required")
        evaluation, used = self._judge(
            cycle=cycle,
            subject=subject,
            level=chosen,
            facts=facts,
            justification=justification,
            external=external,
            check_order=True,
        )
        why = clean_paragraphs(justification)
        self._decided(
            subject_key=subject_key,
            level=chosen.value,
            decision_no=number,
            decided_on=decided_on,
            rulebook_id=self.rulebook_id,
            rules=decided_rules(evaluation, used),
            justification=why,
            decided_by=decided_by,
            **decision_record(cycle, evaluation, chosen, facts, used, why),
        )

    RatingDecided = rating_events.RatingDecided

    @event(RatingDecided)
    def _decided(
        self,
        subject_key: str,
        level: str,
        decision_no: str,
        decided_on: date,
        rulebook_id: str,
        rules: list[str],
        evaluation: dict[str, Any],
        facts: dict[str, Any],
        checks: dict[str, Any],
        justification: str,
        explanation: str,
        settled: list[dict[str, Any]],
        decided_by: str,
    ) -> None:
        decision = decision_entry(level, decision_no, decided_on, explanation)
        self._change(subject_key, decision=decision)

    # -- revised: the commands in domain.rating_revisions (RoundRevisions) ----------
    @event("RatingCancelled")
    def _cancelled(
        self,
        subject_key: str,
        previous_level: str,
        previous_decision_no: str,
        reason: str,
        cancelled_by: str,
    ) -> None:
        self._change(subject_key, decision=None)

    RatingRevised = rating_events.RatingRevised

    @event(RatingRevised)
    def _revised(
        self,
        subject_key: str,
        previous_level: str,
        level: str,
        decision_no: str,
        decided_on: date,
        rulebook_id: str,
        rules: list[str],
        evaluation: dict[str, Any],
        facts: dict[str, Any],
        checks: dict[str, Any],
        reason: str,
        explanation: str,
        settled: list[dict[str, Any]],
        succession: dict[str, Any] | None,
        decided_by: str,
    ) -> None:
        decision = decision_entry(level, decision_no, decided_on, explanation)
        revisions = self._entry(subject_key).revisions + 1
        self._change(subject_key, decision=decision, hold=None, revisions=revisions)

    @event("ChairResponsibilityReviewOrdered")
    def _chair_review_ordered(
        self, subject_key: str, reason: str, ordered_by: str
    ) -> None:
        self._change(subject_key, chair_review=reason)

    # -- across a reorganisation (docs/rules.md): the commands in
    # domain.rating_carry (RoundCarry) ---------------------------------------------
    RatingStepsCarried = rating_events.RatingStepsCarried

    @event(RatingStepsCarried)
    def _steps_carried(
        self,
        subject_key: str,
        from_round_id: str,
        from_authority_id: str,
        from_authority_name: str,
        succession: list[dict[str, Any]],
        self_rating: dict[str, Any] | None,
        proposal: dict[str, Any] | None,
        proposal_dropped: str | None,
        hold: dict[str, Any] | None,
        carried_by: str,
    ) -> None:
        self._change(subject_key, self_rating=self_rating, proposal=proposal, hold=hold)

    PeerGroupCarried = rating_events.PeerGroupCarried

    @event(PeerGroupCarried)
    def _group_carried(
        self,
        code: str,
        name: str,
        members: list[str],
        kept: dict[str, str],
        ratio_pct: int,
        justification: str | None,
        from_round_id: str,
        from_code: str,
        from_authority_id: str,
        from_authority_name: str,
        how: str,
        succession: list[dict[str, Any]],
        carried_by: str,
    ) -> None:
        self.groups[code] = {
            "name": name,
            "members": sorted([*members, *kept]),
            "ratio_pct": ratio_pct,
            "justification": justification,
            "kept": dict(kept),
        }
        for key in members:
            self.group_index[key] = code
        self.counts[code] = group_counts(
            [*(decided_level(self.decision_of(k)) for k in members), *kept.values()]
        )
        self.carried_groups = self.carried_groups | {(from_round_id, from_code)}

    # -- redone on the higher committee's order (§5.4): RoundRevisions.order_redo ----
    @event("RatingRedoOrdered")
    def _redo_ordered(
        self,
        subject_key: str,
        order_id: UUID,
        previous_level: str,
        previous_decision_no: str,
        reason: str,
        ordered_by: str,
    ) -> None:
        entry = self._entry(subject_key)
        withdrawn = {"order_id": order_id, "decision": entry.decision}
        # Back to step 1: only the revisions and the withdrawn decisions remain.
        self._put(
            subject_key,
            RoundEntry(
                revisions=entry.revisions, superseded=(*entry.superseded, withdrawn)
            ),
        )
