"""The state of a rating round and the rules read from it (no events): the
entries by subject, the peer groups and their counts, the copy-on-write that
keeps a command's cost independent of the round's size (issue 14 §3), and the
judgement of a decision (every rule checked before RatingDecided or
RatingRevised is recorded).

:class:`RoundState` is a base of :class:`domain.ratings.RatingRound`, which
holds the commands and the events that change this state.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Self
from uuid import UUID

from domain.cycles import ReviewCycle
from domain.errors import DomainError
from domain.evaluation import Assessment, Evaluation, SubjectFacts, evaluate
from domain.explain import explain, rule_label
from domain.rating_order import check_head_rule, check_prerequisites
from domain.rating_quota import Counts, counted, over_quota, quota_gauge
from domain.rating_rules import (
    GROUP_CODE,
    HOLD_REASONS,
    check_level,
    consecutive_khtnv,
    settle_open_questions,
)
from domain.rulebooks import Level
from domain.subjects import Subject, SubjectKey
from domain.succession import appraising_body, carried_steps

# Shared between a round and its copies: replaced, never changed in place.
SHARED_STATE = frozenset({"entries", "groups", "group_index", "counts"})


def decided_level(decision: Mapping[str, Any] | None) -> str | None:
    return str(decision["level"]) if decision else None


@dataclass(frozen=True)
class RoundEntry:
    """One subject's place in a round (mục của đối tượng trong phiên xếp loại),
    built from the round's events; replaced by each event, never changed.

    ``self_rating``: the step-1 record (assessment, score, ceiling);
    ``proposal``: the step-2 level and note; ``hold``: the reason and note of a
    verification in progress; ``mitigations``: trigger code -> set aside or not;
    ``decision``: level, number, date and explanation; ``revisions``: how often
    it was re-rated; ``superseded``: earlier decisions withdrawn on a re-review
    order; ``chair_review``: why the chair's responsibility is to be reviewed."""

    self_rating: Mapping[str, Any] | None = None
    proposal: Mapping[str, Any] | None = None
    hold: Mapping[str, Any] | None = None
    mitigations: Mapping[str, bool] = field(default_factory=dict)
    decision: Mapping[str, Any] | None = None
    revisions: int = 0
    superseded: tuple[Mapping[str, Any], ...] = ()
    chair_review: str | None = None


EMPTY_ENTRY = RoundEntry()


class RoundState:
    """Trạng thái phiên xếp loại: what a round knows, and the checks that read it."""

    cycle_id: UUID
    authority_org_id: UUID
    authority_name: str
    rulebook_id: str
    year: int
    entries: dict[str, RoundEntry]
    groups: dict[str, dict[str, Any]]
    # Derived from the events, never stored: subject key -> group code, and per
    # group (decided HTXSNV, decided HTTNV).
    group_index: dict[str, str]
    counts: dict[str, Counts]

    def __deepcopy__(self, memo: dict[int, Any]) -> Self:
        """A command's private copy in time independent of the round's size:
        the copy-on-write entries and groups are shared, not copied."""
        copied = object.__new__(type(self))
        memo[id(self)] = copied
        for name, value in self.__dict__.items():
            copied.__dict__[name] = (
                dict(value) if name in SHARED_STATE else copy.deepcopy(value, memo)
            )
        return copied

    # -- helpers ------------------------------------------------------------------
    def _entry(self, key: str) -> RoundEntry:
        """The subject's entry (an empty one before its first step)."""
        return self.entries.get(key) or EMPTY_ENTRY

    def _put(self, key: str, entry: RoundEntry) -> None:
        """Put the subject's new entry in place of the old one (entries are
        shared with the cached round and other commands' copies, so they are
        replaced, never changed) and keep its group's counts exact."""
        code = self.group_index.get(key)
        if code is not None:
            old = decided_level(self._entry(key).decision)
            self.counts[code] = counted(
                self.counts[code], old, decided_level(entry.decision)
            )
        self.entries[key] = entry

    def _change(self, key: str, **changes: Any) -> None:
        """Replace the subject's entry by one with ``changes``."""
        self._put(key, replace(self._entry(key), **changes))

    def _step(self, **fields: Any) -> dict[str, Any]:
        """Inside an event's mutator: the step it records, with ``origin``, where
        that event is (this round, its version), so a step carried to a
        successor's round names its original (``RatingStepsCarried``)."""
        version = self.version + 1  # type: ignore[attr-defined]
        origin = {"round_id": str(self.id), "version": version}  # type: ignore[attr-defined]
        return {**copy.deepcopy(fields), "origin": origin}

    def decision_of(self, key: str) -> Mapping[str, Any] | None:
        return self._entry(key).decision

    def level_of(self, key: str) -> Level | None:
        decision = self.decision_of(key)
        return Level(decision["level"]) if decision else None

    def group_of(self, key: str) -> str | None:
        return self.group_index.get(key)

    def _subject(self, cycle: ReviewCycle, key: str) -> Subject:
        if cycle.id != self.cycle_id:
            raise DomainError("rating.cycle_mismatch")
        subject = cycle.subject(key)
        if subject.exempt:
            raise DomainError("rating.subject_exempt", reason=subject.exempt)
        if subject.decides != str(self.authority_org_id):
            raise DomainError(
                "rating.not_competent",
                subject=subject.name,
                decides=subject.decides,
            )
        return subject

    def _evaluate(
        self,
        cycle: ReviewCycle,
        subject: Subject,
        assessment: Assessment,
        facts: SubjectFacts,
        mitigations: Mapping[str, bool] | None = None,
    ) -> Evaluation:
        return evaluate(
            cycle.rulebook,
            subject,
            assessment,
            facts,
            cycle.year,
            mitigations,
            cycle.criteria(subject.appendix) if cycle.rulebook.scored else None,
        )

    def quota(self, code: str, cycle: ReviewCycle) -> dict[str, Any]:
        """The gauge of one peer group: decided HTXSNV and HTTNV, cap, ratio."""
        return self._gauge(code, self.counts[code], cycle)

    def _gauge(
        self, code: str, counts: tuple[int, int], cycle: ReviewCycle
    ) -> dict[str, Any]:
        return quota_gauge(
            code=code, group=self.groups[code], counts=counts, rounding=cycle.rounding
        )

    def _check_new_group(
        self, code: str, members: list[str], cycle: ReviewCycle
    ) -> None:
        """A new peer group: a fresh code, members of this round in no other group."""
        if not GROUP_CODE.fullmatch(code):
            raise DomainError("rating.group_code_invalid", value=code)
        if code in self.groups:
            raise DomainError("rating.group_exists", value=code)
        if not members:
            raise DomainError("rating.group_empty")
        for key in members:
            self._subject(cycle, key)
            if self.group_of(key) is not None:
                raise DomainError(
                    "rating.group_overlap", subject=cycle.subject(key).name
                )

    def _check_quota_exception(
        self, code: str, ratio_pct: int, cycle: ReviewCycle
    ) -> None:
        """A raised ratio within the regime's limit (366 Điều 11: up to 25%)."""
        group = self.groups.get(code)
        if group is None:
            raise DomainError("rating.group_not_found", value=code)
        limit = cycle.rulebook.quota_exception_max_pct
        if limit is None:
            raise DomainError("rating.quota_exception_not_allowed")
        if not group["ratio_pct"] < ratio_pct <= limit:
            raise DomainError("rating.quota_exception_range", limit=limit)

    def _check_withdrawal(
        self, key: str, previous: Mapping[str, Any], cycle: ReviewCycle
    ) -> None:
        """Withdrawing the decision keeps the subject's group within its quota."""
        code = self.group_of(key)
        if code is not None:
            counts = counted(self.counts[code], previous["level"], None)
            gauge = self._gauge(code, counts, cycle)
            if over_quota(gauge):
                raise DomainError("rereview.quota_would_break", **gauge)

    def _check_quota(
        self, key: str, level: Level, cycle: ReviewCycle
    ) -> dict[str, Any] | None:
        code = self.group_of(key)
        if code is None:
            if level is Level.EXCELLENT:
                raise DomainError("rating.peer_group_required")
            return None
        counts = counted(
            self.counts[code], decided_level(self.decision_of(key)), level.value
        )
        gauge = self._gauge(code, counts, cycle)
        if over_quota(gauge):
            raise DomainError("rating.quota_exceeded", **gauge)
        return gauge

    def _check_holdable(self, cycle: ReviewCycle, key: str, reason: str) -> None:
        """A hold names a known reason and the subject is not held already."""
        self._subject(cycle, key)
        if reason not in HOLD_REASONS:
            raise DomainError("rating.hold_reason_unknown", reason=reason)
        if self._entry(key).hold is not None:
            raise DomainError("rating.already_held")

    def _check_undecided(self, key: str) -> None:
        if self.decision_of(key) is not None:
            raise DomainError("rating.already_decided")

    def _decidable(self, cycle: ReviewCycle, key: str) -> Subject:
        """The subject, if its decision may be taken now (bước 3): not decided
        yet, self-rated, and proposed where the regime requires a proposal."""
        subject = self._subject(cycle, key)
        self._check_undecided(key)
        entry = self._entry(key)
        if entry.self_rating is None:
            raise DomainError("rating.self_rating_missing")
        if cycle.rulebook.proposal_required and entry.proposal is None:
            raise DomainError("rating.proposal_missing")
        return subject

    def _check_mitigable(
        self, key: str, trigger: str, cycle: ReviewCycle, facts: SubjectFacts
    ) -> None:
        """The trigger applies to the subject and the regime lets the authority
        set it aside."""
        subject = self._subject(cycle, key)
        if not cycle.rulebook.mitigation_allowed:
            raise DomainError("rating.mitigation_not_allowed")
        self._check_undecided(key)
        evaluation = self._evaluate(cycle, subject, self._assessment(key), facts)
        found = {t.code: t for t in evaluation.triggers}
        if trigger not in found:
            raise DomainError("rating.trigger_not_present", trigger=trigger)
        if not found[trigger].mitigable:
            raise DomainError("rating.trigger_not_mitigable", trigger=trigger)

    def _assessment(self, key: str) -> Assessment:
        rated = self._entry(key).self_rating
        if rated is None:
            raise DomainError("rating.self_rating_missing")
        return Assessment.from_dict(rated["assessment"])

    def _judge(
        self,
        *,
        cycle: ReviewCycle,
        subject: Subject,
        level: Level,
        facts: SubjectFacts,
        justification: str,
        external: Mapping[str, str],
        check_order: bool,
        lifting_hold: bool = False,
    ) -> tuple[Evaluation, dict[str, Any]]:
        """Every rule of a decision; returns the evaluation and what it used.
        ``lifting_hold``: a re-rating, the outcome of the verification that held
        the subject."""
        key = subject.key
        entry = self._entry(key)
        if entry.hold is not None and not lifting_hold:
            raise DomainError(
                "rating.held_for_verification", reason=entry.hold["reason"]
            )
        assessment = self._assessment(key)
        if subject.temporary_cell_id and not facts.temporary_cell_comment:
            raise DomainError("rating.temporary_cell_comment_missing")
        used: dict[str, Any] = {}

        def level_of(other: str) -> str | None:
            own = self.level_of(other)
            return own.value if own is not None else external.get(other)

        if check_order:
            used["prerequisites"] = check_prerequisites(cycle, subject, level_of)
        evaluation = self._evaluate(
            cycle, subject, assessment, facts, entry.mitigations
        )
        check_level(evaluation, level)
        used["settled"] = settle_open_questions(
            evaluation, level, justification, cycle.rulebook.regulation
        )
        if cycle.head_rule:
            used["head_rule"] = check_head_rule(cycle, subject, level, level_of)
        used["quota"] = self._check_quota(key, level, cycle)
        flag = consecutive_khtnv(level, facts)
        if flag:
            used["consecutive_khtnv"] = flag
        return evaluation, used


def decision_entry(
    level: str, decision_no: str, decided_on: Any, explanation: str
) -> dict[str, Any]:
    """A decision as the round's entry keeps it."""
    return {
        "level": level,
        "decision_no": decision_no,
        "decided_on": decided_on,
        "explanation": explanation,
    }


def decided_rules(evaluation: Evaluation, used: Mapping[str, Any]) -> list[str]:
    """The rules a decision names: the evaluation's and the checks it made."""
    checks = ("prerequisites", "head_rule", "quota", "consecutive_khtnv")
    return [*evaluation.rules, *(r for r in checks if used.get(r))]


def decision_record(
    cycle: ReviewCycle,
    evaluation: Evaluation,
    level: Level,
    facts: SubjectFacts,
    used: Mapping[str, Any],
    why: str,
) -> dict[str, Any]:
    """What a decision or re-rating records of its judgement: the evaluation, the
    facts, the checks it made, the open questions it settled and the Vietnamese
    explanation ("vì sao mức này")."""
    checks = {k: v for k, v in used.items() if k != "settled"}
    settled = list(used["settled"])
    return {
        "evaluation": evaluation.as_dict(),
        "facts": facts.as_dict(),
        "checks": checks,
        "explanation": explain(
            cycle.rulebook,
            evaluation,
            level,
            extra={**checks, "settled": settled, "justification": why},
        ),
        "settled": settled,
    }


def check_proposer(
    cycle: ReviewCycle, subject: Subject, proposer_org_id: UUID | None
) -> None:
    """A collective whose authority table names a proposing body is proposed by
    that body's people (43-HD mục 3); ``proposer_org_id`` None: an account of no
    organisation."""
    body = subject.proposes
    if (
        subject.is_collective
        and body not in (None, "outside")
        and proposer_org_id is not None
        and str(proposer_org_id) != body
    ):
        raise DomainError(
            "rating.not_proposer",
            rule="not_proposer",
            rule_label=rule_label("not_proposer"),
            proposes=_name_or(cycle, str(SubjectKey.of_org(body)), body),
        )


def _name_or(cycle: ReviewCycle, key: str, default: str) -> str:
    """The name of a subject of the cycle, or ``default`` when it is none."""
    found = cycle.subjects.get(key)
    return found.name if found is not None else default


def steps_to_carry(
    target: RoundState,
    key: str,
    source: RoundState,
    cycle: ReviewCycle,
    body_active: bool,
) -> dict[str, Any] | None:
    """The steps of ``key`` in ``source`` (the round of an authority that ended)
    that follow it to ``target`` (``domain.succession.carried_steps``): none if
    the subject is not rated by ``target``'s authority now, is exempt, or
    already has a step there."""
    subject = cycle.subjects.get(key)
    authority = str(target.authority_org_id)
    if (
        subject is None
        or subject.exempt
        or subject.decides != authority
        or target._entry(key) != EMPTY_ENTRY
    ):
        return None
    return carried_steps(
        source._entry(key),
        body_now=appraising_body(subject.proposes, authority),
        body_active=body_active,
    )
