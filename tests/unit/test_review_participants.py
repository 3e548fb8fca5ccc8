"""Who may be recorded as the author of a comment (góp ý) on a review: the
people who take part in its meeting at the venue (domain.md §3.1, §3.5), no
I/O: the rule itself, its agreement with where the cycle reviews each subject,
and the review refusing anyone else."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.reviews import Participant, Review, review_participants
from domain.subjects import MemberNode, OrgNode
from tests.unit.ratings_world import (
    ACTOR,
    BOARD,
    BTV,
    CELL,
    CELL2,
    OFFICE_CELL,
    TREE,
    cycle,
    member,
    mkey,
    oid,
)
from tests.unit.refusals import refused

CELLS = (CELL, CELL2, OFFICE_CELL)
POST_ORGS = (BTV, BOARD, CELL, OFFICE_CELL)
ROLES = ("head", "deputy", "member")


def participant(node: MemberNode) -> Participant:
    return Participant(
        member_id=str(node.member_id),
        cell_id=str(node.cell_id),
        post_org_ids=frozenset(node.posts),
    )


@st.composite
def members(draw: st.DrawFn) -> list[MemberNode]:
    count = draw(st.integers(min_value=1, max_value=6))
    found = []
    for index in range(count):
        cell = draw(st.sampled_from(CELLS))
        held = draw(st.lists(st.sampled_from(POST_ORGS), max_size=2, unique=True))
        posts = {str(o.org_id): draw(st.sampled_from(ROLES)) for o in held}
        found.append(member(f"p{index}", cell=cell, posts=posts))
    return found


@settings(max_examples=60, deadline=None)
@given(members())
def test_every_subject_takes_part_at_each_of_its_venues(people):
    """The rule agrees with where the cycle reviews each member: the subject is
    a participant at every venue of their review."""
    c = cycle(2025, people)
    for person in people:
        subject = c.subject(mkey(person))
        for venue in subject.venues:
            rule = review_participants(venue, TREE[oid_of(venue)].kind)
            assert rule.includes(participant(person)), (person, venue)


def oid_of(text: str):
    return next(o for o in TREE if str(o) == text)


@settings(max_examples=100, deadline=None)
@given(
    venue=st.sampled_from(sorted(TREE.values(), key=lambda o: o.name)),
    cell=st.sampled_from(CELLS),
    held=st.frozensets(st.sampled_from(sorted(str(o) for o in TREE))),
)
def test_a_chi_bo_s_members_and_the_venue_s_post_holders_only(
    venue: OrgNode, cell: OrgNode, held: frozenset[str]
):
    person = Participant(str(oid("someone")), str(cell.org_id), held)
    rule = review_participants(str(venue.org_id), venue.kind)
    expected = str(venue.org_id) in held or (
        venue.kind == "cell" and cell.org_id == venue.org_id
    )
    assert rule.includes(person) is expected


def test_members_of_a_chi_bo_take_part_a_committee_s_post_holders_only():
    at_cell = review_participants(str(CELL.org_id), "cell")
    at_btv = review_participants(str(BTV.org_id), "leadership_collective")
    fellow = Participant(str(oid("m/fellow")), str(CELL.org_id))
    outsider = Participant(str(oid("m/out")), str(CELL2.org_id))
    btv_member = Participant(
        str(oid("m/btv")), str(CELL2.org_id), frozenset({str(BTV.org_id)})
    )
    assert at_cell.includes(fellow)
    assert not at_cell.includes(outsider)
    assert not at_cell.includes(btv_member)
    assert at_btv.includes(btv_member)
    assert not at_btv.includes(fellow)  # a chi bộ's member is not the committee
    assert at_cell.cell_members_of == str(CELL.org_id)
    assert at_btv.cell_members_of is None
    assert at_btv.post_holders_at == str(BTV.org_id)


def _open_review(person: MemberNode) -> Review:
    c = cycle(2025, [person])
    return Review.open(
        review_id=oid("review/1"),
        cycle_id=c.id,
        subject=c.subject(mkey(person)),
        venue_id=str(CELL.org_id),
        opened_by=ACTOR,
    )


def test_the_review_refuses_a_comment_by_someone_not_at_the_meeting():
    person = member("An", admitted=date(2001, 1, 1))
    review = _open_review(person)
    at_cell = review_participants(str(CELL.org_id), "cell")
    outsider = Participant(str(oid("m/out")), str(CELL2.org_id))
    with refused("review.author_not_participant"):
        review.add_comment(
            author=outsider, participants=at_cell, text="Góp ý", commented_by=ACTOR
        )
    assert review.comments == []
    assert len(review.collect_events()) == 1  # only Opened
    elsewhere = review_participants(str(CELL2.org_id), "cell")
    with refused("review.venue_not_required"):
        review.add_comment(
            author=outsider, participants=elsewhere, text="Góp ý", commented_by=ACTOR
        )
    review.add_comment(
        author=participant(person),
        participants=at_cell,
        text="Góp ý",
        commented_by=ACTOR,
    )
    assert review.comments == [{"author_member_id": person.member_id, "text": "Góp ý"}]
