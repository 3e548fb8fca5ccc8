"""Kế tục: what an organisation that ended (merged, split or dissolved) leaves to
the organisations that carry it on, as the review and rating rules read it
(issue 12; docs/rules.md, "Reviews and ratings across a change").

Pure functions over plain facts: the service layer reads the succession links
(the directory's ``org_successions``) and the organisations, and passes them in.

- **An ended organisation is no venue and no authority.** A review is not
  opened or carried on at it, and its rating round takes no step; the refusal
  names the organisations that carry it on (:func:`ensure_not_ended`).
- **A decision it took is revised by its successor** (366 Điều 15.3: the
  competent authority cancels and re-rates): the organisation carrying it on
  that now holds the subject (:func:`revising_candidates`), and the revision
  records the succession it relied on (:func:`succession_record`).
- **Undecided steps follow the subject** to the successor's round
  (:func:`carried_steps`): the self-rating (the subject's own act) always; the
  proposal only if the body that made it still exists and still proposes for
  the subject; an open verification (hold) always. A mitigation decided by the
  ended authority does not: it was that authority's judgement.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from domain.errors import DomainError

MAX_GENERATIONS = 16  # reorganisations followed forward (a safeguard)

Link = Mapping[str, Any]
"""One succession link: predecessor_id, successor_id, how, decision_no,
effective_on (ISO text), and the two names where known."""


@dataclass(frozen=True)
class Carrier:
    """An organisation that carries an ended one on (tổ chức kế tục) now, and
    the links from the ended organisation to it (in order; one per decision)."""

    org_id: str
    name: str
    links: tuple[Link, ...]


def carriers(
    org_id: str,
    links_from: Callable[[str], Sequence[Link]],
    active: Callable[[str], bool],
    name_of: Callable[[str], str],
) -> list[Carrier]:
    """The active organisations that carry ``org_id`` on, through every later
    change (a successor merged again is followed to its own successor); none
    for an organisation dissolved without successor. ``links_from``: the links
    whose predecessor is the given organisation."""
    found: list[Carrier] = []
    seen = {org_id}
    frontier: list[tuple[str, tuple[Link, ...]]] = [(org_id, ())]
    for _ in range(MAX_GENERATIONS):
        following: list[tuple[str, tuple[Link, ...]]] = []
        for org, chain in frontier:
            for link in links_from(org):
                successor = str(link["successor_id"])
                if successor in seen:
                    continue
                seen.add(successor)
                path = (*chain, link)
                if active(successor):
                    found.append(Carrier(successor, name_of(successor), path))
                else:
                    following.append((successor, path))
        if not following:
            break
        frontier = following
    return found


def ensure_not_ended(
    *, ended: bool, code: str, role: str, name: str, successors: Sequence[Carrier]
) -> None:
    """Refuse (``code``) an act at or by an organisation that has ended; the
    details name it (``role``) and the organisations that carry it on."""
    if ended:
        raise DomainError(code, **{role: name}, successors=[c.name for c in successors])


def revising_candidates(
    successors: Sequence[Carrier], subject_path: Sequence[str]
) -> list[Carrier]:
    """Who may revise a decision of an ended authority: the organisations that
    carry it on and hold the subject now (on the subject's path in today's
    tree); if none holds it (the subject moved elsewhere), any of them."""
    on_path = [c for c in successors if c.org_id in set(subject_path)]
    return on_path or list(successors)


def succession_record(
    authority_id: str, authority_name: str, successor: Carrier
) -> dict[str, Any]:
    """What a revision by the successor records of the succession it relied on."""
    return {
        "ended_authority_id": authority_id,
        "ended_authority_name": authority_name,
        "successor_id": successor.org_id,
        "successor_name": successor.name,
        "links": [
            {
                "predecessor_id": str(link["predecessor_id"]),
                "successor_id": str(link["successor_id"]),
                "how": str(link["how"]),
                "decision_no": str(link["decision_no"]),
                "effective_on": str(link["effective_on"]),
            }
            for link in successor.links
        ],
    }


def appraising_body(proposes: str | None, authority_id: str) -> str:
    """The body whose appraisal (thẩm định, bước 2) a proposal is: the subject's
    proposing body where the authority table names one, else the deciding
    authority itself."""
    return proposes if proposes not in (None, "outside") else authority_id


def carried_steps(
    entry: Any,
    *,
    body_now: str,
    body_active: bool,
) -> dict[str, Any] | None:
    """The undecided steps of ``entry`` (a round entry of the ended authority)
    that follow the subject to the successor's round, or None if nothing does.
    ``body_now``: the appraising body for the subject in the successor's round;
    ``body_active``: whether the body that made the proposal still exists."""
    if entry.decision is not None or (entry.self_rating is None and entry.hold is None):
        return None
    proposal = entry.proposal
    dropped = None
    if proposal is not None:
        made_by = proposal.get("body")
        if made_by is None or made_by != body_now or not body_active:
            dropped, proposal = "proposer_changed", None
    return {
        "self_rating": dict(entry.self_rating) if entry.self_rating else None,
        "proposal": dict(proposal) if proposal else None,
        "proposal_dropped": dropped,
        "hold": dict(entry.hold) if entry.hold else None,
    }
