"""Carrying from an ended round: what a rating round takes over from the round
of an authority that ended in a reorganisation (docs/rules.md) and that its
own authority carries on — the subjects' undecided steps
(``domain.rating_state.steps_to_carry``) and the peer groups the decision said
follow (``domain.peer_group_carry``).

A mixin of :class:`domain.ratings.RatingRound`: the events it records
(``RatingStepsCarried``, ``PeerGroupCarried``) stay declared on the aggregate,
so their topics stay ``domain.ratings:RatingRound.<Name>``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from uuid import UUID

from domain.cycles import ReviewCycle
from domain.peer_group_carry import group_to_carry
from domain.rating_state import RoundState, steps_to_carry


class RoundCarry(RoundState):
    """The commands that carry steps and peer groups in from an ended round."""

    if TYPE_CHECKING:

        @property
        def id(self) -> UUID: ...

        _steps_carried: Callable[..., None]
        _group_carried: Callable[..., None]

    def carry_steps(
        self,
        *,
        subject_key: str,
        source: RoundCarry,
        succession: list[dict[str, Any]],
        body_active: bool,
        cycle: ReviewCycle,
        carried_by: str,
    ) -> bool:
        """Take over the subject's undecided steps from ``source``, the round of
        an authority that ended and that this round's authority carries on
        (``domain.rating_state.steps_to_carry``); whether anything was."""
        steps = steps_to_carry(self, subject_key, source, cycle, body_active)
        if steps is not None:
            self._steps_carried(
                subject_key=subject_key,
                from_round_id=str(source.id),
                from_authority_id=str(source.authority_org_id),
                from_authority_name=source.authority_name,
                succession=[dict(link) for link in succession],
                carried_by=carried_by,
                **steps,
            )
        return steps is not None

    # Groups carried in from ended authorities' rounds: (round id, code) each.
    carried_groups: frozenset[tuple[str, str]] = frozenset()

    def carry_peer_groups(
        self,
        *,
        source: RoundCarry,
        how: str,
        succession: list[dict[str, Any]],
        cycle: ReviewCycle,
        carried_by: str,
    ) -> bool:
        """Define here the peer groups of ``source`` (the round of an authority
        that ended, whose decision said they follow) for the members this
        round rates now (``domain.peer_group_carry``); whether any was."""
        carried = False
        for code in sorted(source.groups):
            group = group_to_carry(self, source, code, cycle, how=how)
            if group is not None:
                self._group_carried(
                    **group,
                    from_authority_id=str(source.authority_org_id),
                    from_authority_name=source.authority_name,
                    how=how,
                    succession=[dict(link) for link in succession],
                    carried_by=carried_by,
                )
                carried = True
        return carried
