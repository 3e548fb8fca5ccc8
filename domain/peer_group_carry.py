"""Peer groups that follow a reorganisation (issue 12; docs/rules.md, "What
follows the decision").

When a merge or split decision says so (``Organisation.peer_groups_follow``),
a peer group (nhóm tương đồng, §5.1) of the ended authority's round follows its
members to the round of the successor that rates them now, for the same cycle:

- the members now rated by the successor's authority and undecided at the
  ended one become the group there (a group whose members a split sends to
  several successors becomes one group at each: the members each one rates);
- on a merge, the members the ended authority had already decided keep their
  decisions, and their levels count in the carried group's quota (the group
  is the same group, under one authority): exact integers, as ever
  (``domain.rating_quota``). On a split, a decided member's level stays with
  the whole group it was bounded by and counts in no part;
- the ratio follows, with any exception the ended authority granted;
- a member already in a group of the successor's round stays there;
- the code stays, or takes a suffix (``-2``…) when the successor's round has a
  group of that code already.
"""

from __future__ import annotations

from typing import Any, Protocol

from domain.cycles import ReviewCycle
from domain.rating_rules import GROUP_CODE
from domain.rating_state import decided_level


class _Round(Protocol):
    @property
    def id(self) -> Any: ...

    @property
    def authority_org_id(self) -> Any: ...

    @property
    def groups(self) -> dict[str, dict[str, Any]]: ...

    @property
    def carried_groups(self) -> frozenset[tuple[str, str]]: ...

    def group_of(self, key: str) -> str | None: ...

    def decision_of(self, key: str) -> Any: ...


def group_to_carry(
    target: _Round, source: _Round, code: str, cycle: ReviewCycle, *, how: str
) -> dict[str, Any] | None:
    """The group ``code`` of ``source`` as it follows to ``target``, or None if
    it has followed already or none of its members is rated there now."""
    if (str(source.id), code) in target.carried_groups:
        return None
    group = source.groups[code]
    authority = str(target.authority_org_id)
    members: list[str] = []
    kept: dict[str, str] = {}
    for key in group["members"]:
        level = decided_level(source.decision_of(key))
        if level is not None:
            if how == "merge":
                kept[key] = level
            continue
        subject = cycle.subjects.get(key)
        if (
            subject is not None
            and not subject.exempt
            and subject.decides == authority
            and target.group_of(key) is None
        ):
            members.append(key)
    if not members:
        return None
    return {
        "code": _free_code(code, target.groups),
        "name": str(group["name"]),
        "members": sorted(members),
        "kept": dict(sorted(kept.items())),
        "ratio_pct": int(group["ratio_pct"]),
        "justification": group.get("justification"),
        "from_round_id": str(source.id),
        "from_code": code,
    }


def _free_code(code: str, taken: dict[str, Any]) -> str:
    if code not in taken:
        return code
    n = 2
    while True:
        candidate = f"{code[:60]}-{n}"
        if candidate not in taken and GROUP_CODE.fullmatch(candidate):
            return candidate
        n += 1
