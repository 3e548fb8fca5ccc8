"""A rating round's page at province scale (issue 14): its subjects a keyset
page at a time, by name then key, and the peer-group form's members chosen by
search — the few subjects of the round a typed name or card number names
(suggestions as one types, or the server resolving the typed lines without
JavaScript) — never a list of every subject the authority decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from uuid import UUID

from domain.errors import DomainError
from domain.permissions import Read
from domain.subjects import COLLECTIVE, INDIVIDUAL, subject_key
from domain.text import fold
from projections import search as index
from projections.ratings import round_pages
from services.read_gateway_authors import as_id, by_card
from services.read_gateway_search import DirectoryReads

if TYPE_CHECKING:
    from services.read_gateway import ReadGateway

PAGE = 50  # subjects of a round's page
FOUND = 20  # suggestions of a search at most
MAX_TEXT = 200  # characters of a typed member read at most


@dataclass(frozen=True)
class SubjectPage:
    """One keyset page of a round's subjects: the keys to ask the next page
    after (``after``) and the page before before (``before``), when there are."""

    rows: list[dict[str, Any]]
    after: str | None
    before: str | None


@dataclass(frozen=True)
class Candidate:
    """A subject the peer-group form may add: not exempt, in no group yet."""

    key: str
    name: str
    card: str

    @property
    def label(self) -> str:
        return f"{self.name} ({self.card})" if self.card else self.name


def _place(row: dict[str, Any]) -> str | None:
    return row.get("org_id") or row.get("cell_id")


class RoundSubjectReads:
    """``web.reads.round_subjects()``: a round's subjects, of one viewer."""

    def __init__(self, gate: ReadGateway) -> None:
        self.gate = gate
        self.runtime = gate.app.projections

    def _kept(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return self.gate.keep(Read.SUBJECT, rows, _place, lambda s: s.get("member_id"))

    # -- the page -------------------------------------------------------------------
    def page(
        self,
        found: dict[str, Any],
        *,
        after: str | None = None,
        before: str | None = None,
    ) -> SubjectPage:
        """A page of the subjects the round's authority decides, by name then
        key, continuing after (or ending before) the subject keyed so."""
        cycle = str(found["cycle_id"])

        def position(key: str | None) -> round_pages.Position:
            return (
                round_pages.subject_position(self.runtime, cycle, key) if key else None
            )

        start = position(after)
        end = position(before) if start is None else None
        rows = round_pages.round_subject_page(
            self.runtime,
            cycle,
            str(found["authority_org_id"]),
            after=start,
            before=end,
            limit=PAGE + 1,
        )
        backwards = end is not None
        more = len(rows) > PAGE
        rows = rows[-PAGE:] if backwards else rows[:PAGE]
        kept = self._kept(rows)
        if not rows:
            return SubjectPage([], None, None)
        first, last = str(rows[0]["subject_key"]), str(rows[-1]["subject_key"])
        if backwards:
            return SubjectPage(kept, last, first if more else None)
        return SubjectPage(kept, last if more else None, first if start else None)

    # -- the peer-group form's members ----------------------------------------------
    def candidates(
        self, found: dict[str, Any], text: str, grouped: set[str]
    ) -> list[Candidate]:
        """The subjects of the round ``text`` names (a subject's key, a card
        number, or some words of a name, as the search page finds them) that
        may join a new peer group: not exempt and in none of ``grouped``."""
        wanted = " ".join(text.split())[:MAX_TEXT]
        if not wanted:
            return []
        keys = [wanted] if ":" in wanted else []
        keys += [subject_key(INDIVIDUAL, UUID(m)) for m in as_id(wanted)]
        keys += [subject_key(COLLECTIVE, UUID(o)) for o in as_id(wanted)]
        cards = {subject_key(INDIVIDUAL, UUID(m)): wanted for m in by_card(wanted)}
        rows = self._rows(found, [*keys, *cards])
        if not rows:
            hits = (
                DirectoryReads(self.gate)
                .search(wanted, (index.MEMBER, index.ORGANISATION))
                .hits
            )
            cards = {
                subject_key(
                    INDIVIDUAL if h.kind == index.MEMBER else COLLECTIVE, h.entity_id
                ): h.code
                for h in hits
            }
            rows = self._rows(found, list(cards))
        shown = self.gate.shows_personal()
        people = [
            Candidate(
                str(r["subject_key"]),
                str(r["name"]),
                cards.get(str(r["subject_key"]), "") if shown else "",
            )
            for r in rows
            if not r["exempt"] and r["subject_key"] not in grouped
        ]
        return sorted(people, key=lambda c: (fold(c.name), c.key))[:FOUND]

    def resolve(self, found: dict[str, Any], text: str, grouped: set[str]) -> str:
        """The one subject of the round ``text`` names, or a refusal that says
        why (none, or several)."""
        wanted = " ".join(text.split())[:MAX_TEXT]
        matches = self.candidates(found, wanted, grouped)
        if not matches:
            raise DomainError("rating.group_member_unknown", text=wanted)
        exact = [c for c in matches if fold(c.name) == fold(wanted)]
        if len(matches) > 1 and len(exact) != 1:
            raise DomainError(
                "rating.group_member_ambiguous", text=wanted, count=len(matches)
            )
        return (exact or matches)[0].key

    def chosen(self, found: dict[str, Any], keys: list[str]) -> list[Candidate]:
        """The subjects of the round among ``keys`` (a form sent back keeps
        what was chosen), by name."""
        return [
            Candidate(str(r["subject_key"]), str(r["name"]), "")
            for r in self._rows(found, keys)
        ]

    def _rows(self, found: dict[str, Any], keys: list[str]) -> list[dict[str, Any]]:
        rows = round_pages.round_subjects_by_keys(
            self.runtime, str(found["cycle_id"]), str(found["authority_org_id"]), keys
        )
        return self._kept(rows)
