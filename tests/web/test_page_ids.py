"""Every element id on the review and rating pages is unique (a leader reviewed at
several places draws the same forms once per place), and the member-facts page is
reachable from the member page and the subject list."""

from __future__ import annotations

from collections import Counter
from datetime import date
from html.parser import HTMLParser
from uuid import UUID

import pytest

from services import rating_commands as rc
from services.rating_ids import round_id

R = "/ratings"


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: Counter[str] = Counter()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "id" and value is not None:
                self.ids[value] += 1


def duplicate_ids(html: str) -> list[str]:
    parser = _Ids()
    parser.feed(html)
    return sorted(i for i, n in parser.ids.items() if n > 1)


def test_the_checker_finds_a_repeated_id():
    assert duplicate_ids('<p id="a"></p><div id="b"><i id="a"></i></div>') == ["a"]
    assert duplicate_ids('<p id="a"></p><p id="b"></p>') == []


@pytest.fixture
def leader_world(kiemdiem, world):
    """The seeded member heads the leadership collective: two review places."""
    admin = kiemdiem.authenticate("admin", world.password("admin"))
    sec = kiemdiem.authenticate("thuky", world.password("secretary"))
    dm = kiemdiem.authenticate("captuy", world.password("decision_maker"))
    collective = world.orgs["collective"]
    kiemdiem.handle(
        rc.AssignPost(
            admin.actor, world.member_id, collective, "head", date(2024, 1, 1)
        ),
        admin.signer,
    )
    cycle = kiemdiem.handle(
        rc.OpenCycle(
            sec.actor, world.orgs["district"], 2025, reference_date=date(2025, 12, 1)
        ),
        sec.signer,
    )
    key = f"m:{world.member_id}"
    subject = kiemdiem.ratings.subject_row(cycle, key)
    assert subject is not None
    assert len(subject["venues"]) == 2
    for venue in subject["venues"]:
        kiemdiem.handle(rc.OpenReview(sec.actor, cycle, key, UUID(venue)), sec.signer)
    rnd = None
    if subject["decides"]:
        rnd = kiemdiem.handle(
            rc.OpenRound(dm.actor, cycle, UUID(subject["decides"])), dm.signer
        )
    return {"cycle": cycle, "key": key, "round": rnd, "subject": subject}


@pytest.mark.parametrize("role", ["secretary", "decision_maker", "member"])
def test_no_page_repeats_an_element_id(client, auth, world, leader_world, role):
    ids = leader_world
    cycle, key = ids["cycle"], ids["key"]
    pages = [
        f"{R}/",
        f"{R}/cycles/{cycle}",
        f"{R}/cycles/{cycle}/subjects",
        f"{R}/cycles/{cycle}/subjects/{key}",
        f"{R}/cycles/{cycle}/issues",
        f"{R}/members/{world.member_id}",
        f"/members/{world.member_id}",
    ]
    if role != "member":  # statistics are for the district's keepers
        pages.append(f"{R}/cycles/{cycle}/statistics")
    if ids["round"] is not None:
        pages += [
            f"{R}/rounds/{ids['round']}",
            f"{R}/rounds/{ids['round']}/subjects/{key}",
        ]
    auth.login(role)
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        html = response.get_data(as_text=True)
        assert duplicate_ids(html) == [], page
    # the leader's page really draws the review forms twice (for the secretary)
    if role == "secretary":
        html = client.get(f"{R}/cycles/{cycle}/subjects/{key}").get_data(as_text=True)
        assert html.count('name="mt-held_on"') == 2
        assert round_id(cycle, ids["subject"]["decides"]) == ids["round"]


def test_member_facts_are_linked_from_the_member_and_the_subject_list(
    client, auth, world, leader_world
):
    auth.login("secretary")
    target = f"{R}/members/{world.member_id}"
    member_page = client.get(f"/members/{world.member_id}").get_data(as_text=True)
    assert f'href="{target}"' in member_page
    listing = client.get(f"{R}/cycles/{leader_world['cycle']}/subjects").get_data(
        as_text=True
    )
    assert f'href="{target}"' in listing
