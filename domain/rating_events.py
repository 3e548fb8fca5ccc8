"""The rating round's events that carry a version (SelfRated, RatingProposed,
RatingDecided, RatingRevised) with their upcasters, and RatingStepsCarried.

They are declared here and named inside :class:`domain.ratings.RatingRound`
(``SelfRated = rating_events.SelfRated``); the aggregate's class redefines each
one as ``RatingRound.<Name>`` in ``domain.ratings``, so their stored topics
(``domain.ratings:RatingRound.RatingDecided``…) do not change.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from eventsourcing.domain import Aggregate


class SelfRated(Aggregate.Event):
    """v2: ``open_questions`` (the questions only the authority settles, flagged
    from this step on); events stored before it had none."""

    class_version = 2
    subject_key: str
    assessment: dict[str, Any]
    score: Any
    ceiling: str
    open_questions: list[str]
    rated_by: str

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        state["open_questions"] = []


class RatingProposed(Aggregate.Event):
    """v2: ``open_questions`` as evaluated at the proposal (see SelfRated).
    v3: ``proposing_body``, the body whose appraisal the proposal is
    (``domain.succession.appraising_body``); unknown (None) before."""

    class_version = 3
    subject_key: str
    level: str
    note: str
    open_questions: list[str]
    proposing_body: str | None
    proposed_by: str

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        state["open_questions"] = []

    @staticmethod
    def upcast_v2_v3(state: dict[str, Any]) -> None:
        state["proposing_body"] = None


class RatingStepsCarried(Aggregate.Event):
    """A subject's undecided steps in the round of an authority that ended,
    carried to this round of the organisation that carries it on (docs/rules.md,
    "Reviews and ratings across a change"). Each step keeps ``origin``, the
    round and version of the signed event that first recorded it; the old
    events are never rewritten. ``proposal_dropped``: why a proposal made
    there did not follow (None if none was made or it followed)."""

    subject_key: str
    from_round_id: str
    from_authority_id: str
    from_authority_name: str
    succession: list[dict[str, Any]]
    self_rating: dict[str, Any] | None
    proposal: dict[str, Any] | None
    proposal_dropped: str | None
    hold: dict[str, Any] | None
    carried_by: str


class RatingDecided(Aggregate.Event):
    """v2: ``settled``, the open questions this decision settled and why
    (docs/rules.md); decisions stored before it settled none."""

    class_version = 2
    subject_key: str
    level: str
    decision_no: str
    decided_on: date
    rulebook_id: str
    rules: list[str]
    evaluation: dict[str, Any]
    facts: dict[str, Any]
    checks: dict[str, Any]
    justification: str
    explanation: str
    settled: list[dict[str, Any]]
    decided_by: str

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        state["settled"] = []


class RatingRevised(Aggregate.Event):
    """v2: ``settled``, as in :class:`RatingDecided`. v3: ``succession``, when
    the authority that decided has ended and its successor revises the decision
    (``domain.succession.succession_record``); None otherwise and before."""

    class_version = 3
    subject_key: str
    previous_level: str
    level: str
    decision_no: str
    decided_on: date
    rulebook_id: str
    rules: list[str]
    evaluation: dict[str, Any]
    facts: dict[str, Any]
    checks: dict[str, Any]
    reason: str
    explanation: str
    settled: list[dict[str, Any]]
    succession: dict[str, Any] | None
    decided_by: str

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        state["settled"] = []

    @staticmethod
    def upcast_v2_v3(state: dict[str, Any]) -> None:
        state["succession"] = None


class PeerGroupCarried(Aggregate.Event):
    """A peer group of the round of an authority that ended, defined in this
    round of the organisation that carries it on, as the merge or split
    decision said (``domain.peer_group_carry``). ``members``: the subjects of
    this round in it; ``kept``: members the ended authority had decided, with
    the level each keeps and that counts in the quota (``members`` of the
    group's gauge is both). ``succession``: the links relied on."""

    code: str
    name: str
    members: list[str]
    kept: dict[str, str]
    ratio_pct: int
    justification: str | None
    from_round_id: str
    from_code: str
    from_authority_id: str
    from_authority_name: str
    how: str
    succession: list[dict[str, Any]]
    carried_by: str
