"""Issue 14: the remediation reads that once read every item or subject. The
API's item list is a keyset page (``limit``, the opaque ``after`` of the
page before's ``next``) of the web list's indexed query; a bad cursor or
limit is a 400 naming the parameter, storing nothing. The record page of a
collective reads only the cycle's holders of a post there (by index)."""

from __future__ import annotations

import base64
import uuid
from datetime import date

import pytest

from domain.subjects import SubjectKey
from services import rating_commands as rc
from services import remediation_commands as mc
from web.api.remediation import LIMIT_MAX, cursor_of

A = "/api/v1/remediation/items"


@pytest.fixture
def listed(kiemdiem, world):
    """Three shortcomings of the member and one of the standing committee, in
    the district's 2024 cycle; the member heads the committee."""
    admin = kiemdiem.authenticate("admin", world.password("admin"))
    sec = kiemdiem.authenticate("thuky", world.password("secretary"))
    kiemdiem.handle(
        rc.AssignPost(
            admin.actor,
            world.member_id,
            world.orgs["collective"],
            "head",
            date(2024, 1, 1),
        ),
        admin.signer,
    )
    cycle = kiemdiem.handle(
        rc.OpenCycle(
            sec.actor, world.orgs["district"], 2024, reference_date=date(2024, 12, 1)
        ),
        sec.signer,
    )
    member = str(SubjectKey.of_member(world.member_id))
    collective = str(SubjectKey.of_org(world.orgs["collective"]))
    items = [
        kiemdiem.handle(
            mc.RecordShortcoming(
                sec.actor, cycle, key, "SUGGESTION", text, "SUBJECTIVE"
            ),
            sec.signer,
        )
        for key, text in (
            (member, "Chưa dự sinh hoạt đều"),
            (member, "Chậm nộp đảng phí"),
            (member, "Chưa gương mẫu"),
            (collective, "Chưa sâu sát cơ sở"),
        )
    ]
    return {"cycle": cycle, "member": member, "collective": collective, "items": items}


def _walk(client, query: str) -> list[list[str]]:
    pages: list[list[str]] = []
    after = ""
    while len(pages) < 10:
        data = client.get(f"{A}?{query}{after}").get_json()
        assert set(data) == {"items", "next"}
        pages.append([r["shortcoming_id"] for r in data["items"]])
        if data["next"] is None:
            return pages
        after = f"&after={data['next']}"
    raise AssertionError("the pages never ended")


def test_an_organisation_list_pages_without_overlap_or_gap(
    client, auth, kiemdiem, world, listed
):
    auth.login("secretary")
    district = world.orgs["district"]
    pages = _walk(client, f"org_id={district}&limit=3")
    assert [len(p) for p in pages] == [3, 1]
    seen = [i for p in pages for i in p]
    assert sorted(seen) == sorted(str(i) for i in listed["items"])
    # the order of the web list (projections.remediation_tracking)
    web, _ = kiemdiem.remediation.tracking_page(district, limit=10)
    assert seen == [r["shortcoming_id"] for r in web]
    assert _walk(client, f"org_id={district}&limit=3&status=VERIFIED") == [[]]


def test_an_old_client_gets_the_first_page_of_the_same_items(
    client, auth, kiemdiem, listed
):
    """No parameter: the viewer's organisation's list, first page; each item
    as ``GET /items/<id>`` gives it."""
    auth.login("secretary")
    data = client.get(A).get_json()
    assert len(data["items"]) == 4
    assert data["next"] is None
    one = data["items"][0]
    alone = client.get(f"{A}/{one['shortcoming_id']}").get_json()["item"]
    assert one == alone


def test_a_subject_list_pages_too(client, auth, listed):
    auth.login("member")  # their own file, without naming it
    pages = _walk(client, "limit=2")
    assert [len(p) for p in pages] == [2, 1]
    auth.logout()
    auth.login("secretary")
    assert _walk(client, f"subject_key={listed['collective']}&limit=1") == [
        [str(listed["items"][3])]
    ]


# A fixed id: a random one would name the case differently in each xdist worker.
NOT_LISTED = uuid.UUID("0e74f599-a197-41a6-bd72-2e12a4d96400")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "limit"),
        (f"limit={LIMIT_MAX + 1}", "limit"),
        ("limit=abc", "limit"),
        ("limit=-1", "limit"),
        ("after=zzz", "after"),
        ("after=%00", "after"),
        ("after=" + base64.urlsafe_b64encode(b"short").decode(), "after"),
        ("after=" + cursor_of(NOT_LISTED), "after"),  # not in the list
    ],
)
def test_a_bad_limit_or_cursor_is_a_400_storing_nothing(
    client, auth, kiemdiem, world, listed, query, field
):
    auth.login("secretary")
    before = kiemdiem.ledger.max_notification_id()
    for scope in (
        f"org_id={world.orgs['district']}&",
        f"subject_key={listed['member']}&",
    ):
        response = client.get(f"{A}?{scope}{query}")
        assert response.status_code == 400, response.get_data(as_text=True)
        body = response.get_json()
        assert body["code"] in ("form.invalid", "text.control_character")
        if body["code"] == "form.invalid":
            assert field in body["fields"]
    assert kiemdiem.ledger.max_notification_id() == before


def test_a_cursor_of_another_list_is_refused_and_scope_holds(
    client, auth, world, listed
):
    auth.login("secretary")
    district = world.orgs["district"]
    first = client.get(f"{A}?org_id={district}&limit=1").get_json()
    elsewhere = client.get(f"{A}?org_id={world.orgs['cell_b']}&after={first['next']}")
    assert elsewhere.status_code == 400
    auth.logout()
    auth.login("member")  # a member reads their own file, not the district's list
    response = client.get(f"{A}?org_id={district}&limit=1")
    assert response.status_code == 403
    assert client.get(f"{A}?org_id={district}&after=zzz").status_code == 400


def test_the_record_page_of_a_collective_names_its_post_holders(
    client, auth, kiemdiem, world, listed
):
    """The same people as the cycle's subjects holding a post there (the
    whole cycle read, as before), read now by the posts index."""
    cycle, org = listed["cycle"], str(world.orgs["collective"])
    everyone = kiemdiem.ratings.subjects(cycle)
    before = [s for s in everyone if s["member_id"] and s["posts"].get(org)]
    assert before, "the member heads the committee"
    assert kiemdiem.ratings.post_holders(cycle, org) == before
    auth.login("secretary")
    page = client.get(
        f"/remediation/cycles/{cycle}/subjects/{listed['collective']}/record"
    ).get_data(as_text=True)
    for s in before:
        assert f"Trách nhiệm của người đứng đầu {s['name']}" in page
        assert f'name="person-{s["member_id"]}"' in page
    assert page.count('name="person-') == len(before)
