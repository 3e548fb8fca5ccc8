"""The rules of one shortcoming (hạn chế, khuyết điểm) that need no plan state:
its status machine, the texts it records, the carry-over into a later cycle and
how urgent its deadline is.

The state machine of one shortcoming (interpretation of seed 002 points 3–4 and
366-QĐ/TW Điều 6, Điều 11; documented here, once)::

    OPEN ──plan adopted──▶ IN_PROGRESS ──completion claimed──▶ DONE
      ▲                      ▲  │ progress reported (stays)     │
      │                      │  ▼                               ├─verified──▶ VERIFIED
      │                      └──────────── NOT_DONE ◀─refused───┘
      │                        (progress or a new plan reopens it)
    any state except RECURRED ──a later cycle records it again──▶ RECURRED

* A shortcoming cannot be worked on before a plan covers it ("ngay sau kiểm
  điểm … phải xây dựng kế hoạch"): progress and claims need a plan.
* Only a claimed (DONE) shortcoming can be verified or refused; a refusal needs
  its reason and puts the shortcoming back to NOT_DONE, where the subject
  reports progress again (or a new plan with a new deadline is adopted).
* VERIFIED is final except for recurrence: when a later cycle's review finds
  the same shortcoming again ("để tái xảy ra"), the earlier one becomes RECURRED
  (final) and the new one is linked to it.

Carry-over (:func:`carried_into`): the shortcomings of the subject's previous
cycle, and older ones not yet settled, are carried into a cycle; the share
verified is the remediation ratio that the HTXSNV condition reads (366 Điều 11:
"100% hạn chế, khuyết điểm được chỉ ra ở kỳ kiểm điểm trước được khắc phục").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from fractions import Fraction
from typing import Any

from domain.errors import DomainError
from domain.text import clean_paragraphs, clean_text

MAX_TEXT = 4000
MAX_REFERENCE = 300
SHA256_HEX = re.compile(r"[0-9a-f]{64}")
SOURCES = ("SELF", "MEMBER_COMMENT", "SUGGESTION", "HIGHER_CONCLUSION", "INSPECTION")
CAUSES = ("OBJECTIVE", "SUBJECTIVE")
SUPERVISORS = ("INSPECTION_COMMITTEE", "HIGHER_COMMITTEE")
PERSON_ROLES = ("head", "member")
DUE_SOON_DAYS = 14


class Status(StrEnum):
    OPEN = "OPEN"
    IN_PROGRESS = "IN_PROGRESS"
    DONE = "DONE"
    VERIFIED = "VERIFIED"
    NOT_DONE = "NOT_DONE"
    RECURRED = "RECURRED"


# What each step may start from (the state machine above).
ALLOWED: dict[str, frozenset[Status]] = {
    "plan": frozenset({Status.OPEN, Status.NOT_DONE}),
    "progress": frozenset({Status.IN_PROGRESS, Status.NOT_DONE}),
    "claim": frozenset({Status.IN_PROGRESS}),
    "verify": frozenset({Status.DONE}),
    "refuse": frozenset({Status.DONE}),
    "recur": frozenset(set(Status) - {Status.RECURRED}),
}
# Not awaiting anyone: nothing more to do for this cycle's follow-up.
SETTLED = frozenset({Status.VERIFIED, Status.RECURRED})


def next_status(current: Status, step: str) -> Status:
    """The state after ``step`` (raises when the machine does not allow it)."""
    if current not in ALLOWED[step]:
        raise DomainError(
            "remediation.status_not_allowed", status=current.value, step=step
        )
    return {
        "plan": Status.IN_PROGRESS,
        "progress": Status.IN_PROGRESS,
        "claim": Status.DONE,
        "verify": Status.VERIFIED,
        "refuse": Status.NOT_DONE,
        "recur": Status.RECURRED,
    }[step]


def _cleaned(value: str, multiline: bool) -> str:
    return clean_paragraphs(value) if multiline else clean_text(value)


def required_text(
    value: str, code: str, limit: int = MAX_TEXT, *, multiline: bool = False
) -> str:
    """A text a step must have: one line (a reference), or in paragraphs
    (``multiline``: a description, a report, a reason)."""
    text = _cleaned(value, multiline)
    if not text:
        raise DomainError(code)
    if len(text) > limit:
        raise DomainError("remediation.text_too_long", limit=limit)
    return text


def optional_text(
    value: str | None, limit: int = MAX_TEXT, *, multiline: bool = False
) -> str | None:
    text = _cleaned(value or "", multiline)
    if len(text) > limit:
        raise DomainError("remediation.text_too_long", limit=limit)
    return text or None


# -- carry-over and the ratio -----------------------------------------------------
@dataclass(frozen=True)
class Carried:
    """The shortcomings carried into one cycle and those of them verified."""

    year: int
    carried: tuple[str, ...]
    verified: tuple[str, ...]

    @property
    def ratio(self) -> Fraction:
        """Verified ÷ carried, exact; 1 when nothing was carried."""
        if not self.carried:
            return Fraction(1)
        return Fraction(len(self.verified), len(self.carried))

    @property
    def complete(self) -> bool:
        return len(self.verified) == len(self.carried)

    @property
    def unverified(self) -> tuple[str, ...]:
        done = set(self.verified)
        return tuple(i for i in self.carried if i not in done)

    def as_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "carried": list(self.carried),
            "verified": list(self.verified),
        }


def is_carried(item: Mapping[str, Any], year: int) -> bool:
    """Whether one shortcoming is carried into the subject's cycle of ``year``.

    ``item`` has ``year`` (of the cycle where it was pointed out), ``status``,
    ``verified_on`` (a date or None) and ``recurred_year`` (the year of the cycle
    that found it again, or None). Every shortcoming of the previous review is
    carried (its remediation is accounted at this review); an older one is
    carried until it was settled before this year began: verified in an earlier
    year, or found again at an earlier cycle (the new record carries instead).
    """
    found = int(item["year"])
    if found >= year:
        return False
    if found == year - 1:
        return True
    status = Status(item["status"])
    verified_on = item.get("verified_on")
    if status is Status.VERIFIED and verified_on is not None:
        return _as_date(verified_on).year >= year
    if status is Status.RECURRED and item.get("recurred_year") is not None:
        return int(item["recurred_year"]) >= year
    return True


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def carried_into(items: Iterable[Mapping[str, Any]], year: int) -> Carried:
    """The remediation facts of a subject for the cycle of ``year``."""
    carried = sorted(
        (i for i in items if is_carried(i, year)),
        key=lambda i: (int(i["year"]), str(i["shortcoming_id"])),
    )
    return Carried(
        year=year,
        carried=tuple(str(i["shortcoming_id"]) for i in carried),
        verified=tuple(
            str(i["shortcoming_id"])
            for i in carried
            if Status(i["status"]) is Status.VERIFIED
        ),
    )


def urgency(deadline: date | None, status: Status, today: date, soon_days: int) -> str:
    """``overdue``, ``due_soon`` or ``""`` — computed when asked (views have no
    clock): an item not yet claimed or settled whose deadline has passed, or is
    within ``soon_days``."""
    if deadline is None or status in SETTLED or status is Status.DONE:
        return ""
    if deadline < today:
        return "overdue"
    if (deadline - today).days <= soon_days:
        return "due_soon"
    return ""


# -- the aggregate ---------------------------------------------------------------
