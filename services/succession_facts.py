"""What a collective carries on from the organisations it succeeded (kế tục;
issue 12, docs/rules.md "Reviews and ratings across a change").

A merged or split organisation's successor answers, in the review year of the
change, for what its predecessors were: their previous decision (consecutive
KHTNV), the shortcomings carried into the year (remediation), and, for a
merger, the violations committed at them (366 Điều 11.4). The links come from
the directory's succession table, walked back through earlier changes, one
indexed query per organisation; an organisation unchanged by any decision costs
one query and gathers nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID

from domain.rating_facts import part_of_year
from domain.rating_rules import previous_through_predecessors
from domain.remediation_rules import Carried
from domain.subjects import SubjectKey
from domain.succession import Carrier, carriers
from projections import directory_history
from projections.runtime import ProjectionRuntime

MAX_GENERATIONS = 16  # reorganisations walked back (a safeguard, never reached)

PreviousOf = Callable[[str], "Mapping[str, Any] | None"]
CarriedOf = Callable[[str], Carried]


@dataclass(frozen=True)
class Succession:
    """A collective's predecessors (nearest first) and, when it began or ended
    within the review year, the days it existed."""

    predecessors: tuple[Mapping[str, Any], ...]
    existed: Mapping[str, Any] | None

    @property
    def keys(self) -> list[str]:
        return [str(SubjectKey.of_org(p["org_id"])) for p in self.predecessors]

    @property
    def merged_from(self) -> list[UUID]:
        return [
            UUID(str(p["org_id"])) for p in self.predecessors if p["how"] == "merge"
        ]


def succession(runtime: ProjectionRuntime, org_id: UUID, year: int) -> Succession:
    """The organisations ``org_id`` carries on from (through every earlier
    change), and its days in ``year`` when it did not exist all of it."""
    found: list[Mapping[str, Any]] = []
    seen = {str(org_id)}
    frontier = [org_id]
    for _ in range(MAX_GENERATIONS):
        following: list[UUID] = []
        for org in frontier:
            for link in directory_history.predecessor_links(runtime, org):
                if link["org_id"] in seen:
                    continue
                seen.add(link["org_id"])
                found.append(link)
                following.append(UUID(link["org_id"]))
        if not following:
            break
        frontier = following
    began, ended = directory_history.lifetime(runtime, org_id)
    split = [
        link["effective_on"]
        for link in found
        if link["how"] == "split" and link["effective_on"].year == year
    ]
    if split:  # it carries on part of one from then on (founded before or not)
        began = max(began or split[0], split[0])
    last_day = ended - timedelta(days=1) if ended is not None else None
    return Succession(tuple(found), part_of_year(year, began, last_day))


def previous_decision(
    key: str, chain: Succession, previous_of: PreviousOf
) -> dict[str, Any] | None:
    """The collective's previous decision, else its predecessors'."""
    own = previous_of(key)
    if not chain.predecessors:
        return dict(own) if own is not None else None
    return previous_through_predecessors(own, [(k, previous_of(k)) for k in chain.keys])


def carried(key: str, chain: Succession, carried_of: CarriedOf) -> Carried:
    """The shortcomings carried into the year: the collective's own and its
    predecessors' (the open remediation plans follow the successor)."""
    own = carried_of(key)
    if not chain.predecessors:
        return own
    items = [own, *(carried_of(k) for k in chain.keys)]
    return Carried(
        year=own.year,
        carried=tuple(i for c in items for i in c.carried),
        verified=tuple(i for c in items for i in c.verified),
    )


def carriers_of(
    runtime: ProjectionRuntime, org_id: UUID, active: Callable[[str], bool]
) -> list[Carrier]:
    """The organisations that carry ``org_id`` on now (``domain.succession``),
    from the directory's succession links; ``active``: whether an organisation
    has not ended (read from its aggregate by the caller)."""
    names: dict[str, str] = {}

    def links_from(org: str) -> list[Mapping[str, Any]]:
        rows = directory_history.successions(runtime, UUID(org))
        for row in rows:
            names[str(row["successor_id"])] = str(row["successor_name"] or "")
        return [r for r in rows if str(r["predecessor_id"]) == org]

    return carriers(str(org_id), links_from, active, lambda o: names.get(o, o))
