"""Who may be on a confidence-vote list, from the record (96-QĐ/TW Điều 3).

Not voted on: a cadre elected or appointed in the vote year, and one notified
of leave pending retirement (domain.md §7; votes.md §9.1). The appointment date
comes from the posts recorded in the ledger (``PartyMember.posts``, each with its
``since``), not from what the organiser types: the typed date is only a
cross-check, and a date that disagrees with the record is refused with both
dates in the message. Where the member has no recorded post, the typed date is
all there is and the list keeps the organiser's value (docs/rules.md).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from domain.errors import DomainError


@dataclass(frozen=True)
class Appointment:
    """The date a listed leader took the post voted on, and where it came from."""

    on: date
    source: str  # "record" | "typed"


def recorded_appointment(
    posts: Mapping[str, Mapping[str, Any]],
    in_scope: Callable[[str], bool],
    conference_date: date,
) -> date | None:
    """The latest ``since`` of the posts held on the conference date, preferring
    those in the voting organisation's subtree (``in_scope``); ``None`` when no
    post is recorded."""
    held = {
        org: post
        for org, post in posts.items()
        if isinstance(post.get("since"), date) and post["since"] <= conference_date
    }
    scoped = [post["since"] for org, post in held.items() if in_scope(org)]
    dates = scoped or [post["since"] for post in held.values()]
    return max(dates) if dates else None


def leader_appointment(
    *,
    index: int,
    name: str,
    typed: date,
    recorded: date | None,
    vote_year: int,
) -> Appointment:
    """The appointment the list carries, checked against the vote year.

    - recorded in the vote year: refused (``vote.leader_appointed_this_year``),
      whatever date was typed;
    - recorded on another date than the one typed: refused
      (``vote.leader_appointment_mismatch``), naming both dates;
    - nothing recorded: the typed date stands (and is checked the same way by
      the vote's own list rules)."""
    if recorded is None:
        return Appointment(typed, "typed")
    if recorded.year == vote_year:
        raise DomainError(
            "vote.leader_appointed_this_year",
            index=index,
            name=name,
            source="record",
            recorded=recorded.isoformat(),
        )
    if recorded != typed:
        raise DomainError(
            "vote.leader_appointment_mismatch",
            index=index,
            name=name,
            recorded=recorded.strftime("%d/%m/%Y"),
            typed=typed.strftime("%d/%m/%Y"),
        )
    return Appointment(recorded, "record")
