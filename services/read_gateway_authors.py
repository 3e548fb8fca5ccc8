"""Who may be named as the author of a comment on a review (người góp ý), for
the subject page: the people who take part in the meeting at the review's venue
(``domain.reviews.review_participants``, the rule the ``AddComment`` handler
applies), read through indexed queries of that venue only, never the cycle's
subjects nor the whole directory.

A venue with few people is offered as a list (``choices``); a larger one as a
search field whose text (a card number, a name, or the id a suggestion picked)
``resolve`` turns into one person, or a refusal in the catalogue's words. The
suggestions (``find``) come from the search view (``projections.search``)
narrowed to the viewer, then kept to the venue's participants.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from uuid import UUID

from domain.errors import DomainError
from domain.members import card_is_valid, normalise_card
from domain.permissions import Read
from domain.reviews import Participant, ReviewParticipants, review_participants
from domain.text import fold
from projections import directory_reads
from projections import search as index
from services import ids
from services.read_gateway_search import DirectoryReads

if TYPE_CHECKING:
    from services.read_gateway import ReadGateway

LISTED = 60  # people offered as a list at most; a larger venue: a search field
FOUND = 20  # suggestions of a search at most
MAX_TEXT = 200  # characters of a typed author read at most


@dataclass(frozen=True)
class Author:
    """A person who may be named as a comment's author: ``card`` is empty
    where the viewer may not read card numbers."""

    member_id: UUID
    name: str
    card: str

    @property
    def label(self) -> str:
        return f"{self.name} ({self.card})" if self.card else self.name


@dataclass(frozen=True)
class AuthorChoices:
    """The people of one venue as the comment form offers them: ``listed``
    with every one of them, or not (too many: a search field)."""

    venue_id: str
    people: list[Author]
    listed: bool


class CommentAuthorReads:
    """``web.reads.authors()``: the comment form's people, of one viewer."""

    def __init__(self, gate: ReadGateway) -> None:
        self.gate = gate
        self.runtime = gate.app.projections

    def participants(self, venue_id: str) -> ReviewParticipants:
        """The domain's rule for the venue (its kind read by primary key)."""
        place = directory_reads.organisation_place(self.runtime, str(venue_id))
        if place is None:
            raise DomainError("org.not_found", id=str(venue_id))
        return review_participants(str(venue_id), str(place["kind"]))

    def choices(self, venue_id: str) -> AuthorChoices:
        """The venue's participants by name, when at most ``LISTED`` of them."""
        rule = self.participants(venue_id)
        rows = directory_reads.venue_people(
            self.runtime, rule.cell_members_of, rule.post_holders_at, LISTED + 1
        )
        if len({str(r["member_id"]) for r in rows}) > LISTED:
            return AuthorChoices(str(venue_id), [], listed=False)
        return AuthorChoices(str(venue_id), self._kept(rule, rows), listed=True)

    def find(self, venue_id: str, text: str) -> list[Author]:
        """The venue's participants ``text`` names: an id, a card number or
        (some words of) a name, as the search page finds them."""
        rule = self.participants(venue_id)
        wanted = " ".join(text.split())[:MAX_TEXT]
        if not wanted:
            return []
        candidates = as_id(wanted) or by_card(wanted)
        rows = self._people(rule, candidates)
        if not rows:
            hits = DirectoryReads(self.gate).search(wanted, (index.MEMBER,)).hits
            rows = self._people(rule, [str(h.entity_id) for h in hits])
        return self._kept(rule, rows)[:FOUND]

    def resolve(self, venue_id: str, text: str) -> UUID:
        """The one participant ``text`` names, or a refusal that says why."""
        wanted = " ".join(text.split())
        if not wanted:
            raise DomainError("review.author_required")
        found = self.find(venue_id, wanted)
        if not found:
            raise DomainError("review.author_unknown", text=wanted[:MAX_TEXT])
        if len(found) > 1:
            raise DomainError(
                "review.author_ambiguous", text=wanted[:MAX_TEXT], count=len(found)
            )
        return found[0].member_id

    # -- rows -----------------------------------------------------------------------
    def _people(
        self, rule: ReviewParticipants, member_ids: Iterable[str]
    ) -> list[dict[str, Any]]:
        wanted = list(member_ids)
        if not wanted:
            return []
        return directory_reads.people_at(self.runtime, wanted, rule.post_holders_at)

    def _kept(
        self, rule: ReviewParticipants, rows: list[dict[str, Any]]
    ) -> list[Author]:
        """The rows the rule includes and the viewer may read, one per person,
        by name."""
        merged: dict[str, dict[str, Any]] = {}
        for row in rows:
            ident = str(row["member_id"])
            held = merged.get(ident, {}).get("post_here", 0)
            merged[ident] = {**row, "post_here": max(int(row["post_here"]), held)}
        included = [
            r
            for r in merged.values()
            if rule.includes(
                Participant(
                    member_id=str(r["member_id"]),
                    cell_id=str(r["cell_id"]),
                    post_org_ids=(
                        frozenset({rule.post_holders_at})
                        if r["post_here"]
                        else frozenset()
                    ),
                )
            )
        ]
        readable = self.gate.keep(Read.MEMBER_LIST, included, lambda r: r["cell_id"])
        cards = self.gate.shows_personal()
        people = [
            Author(
                UUID(str(r["member_id"])),
                str(r["full_name"]),
                str(r["party_card_no"]) if cards else "",
            )
            for r in readable
        ]
        return sorted(people, key=lambda a: (fold(a.name), str(a.member_id)))


def as_id(text: str) -> list[str]:
    """The id ``text`` is, if it is one."""
    try:
        return [str(UUID(text))]
    except ValueError:
        return []


def by_card(text: str) -> list[str]:
    """The member id of the card number ``text`` is, if it is a valid one."""
    card = normalise_card(text)
    return [str(ids.member_id(card))] if card_is_valid(card) else []
