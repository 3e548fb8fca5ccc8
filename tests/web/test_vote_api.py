"""JSON reads of the votes under /api/v1 (list, one vote, results) for every role,
and their description in the OpenAPI document (every documented vote path answers,
every answer has the documented keys)."""

from __future__ import annotations

import uuid

import pytest

from services import vote_commands as vc
from tests.conftest import ACCOUNTS, ROLES
from tests.service.test_votes import SmallVote, closed_partial, small_vote


@pytest.fixture
def small(kiemdiem, world) -> SmallVote:
    admin = kiemdiem.authenticate("admin", ACCOUNTS["admin"][2])
    return small_vote(
        kiemdiem, admin, convened=3, leaders=2, org=world.orgs["district"]
    )


def _tally(small: SmallVote) -> None:
    """Three ballots (leader 1: 2 of 3 low, two thirds), closed, counted."""
    small.organiser(vc.RecordAttendance, 3)
    small.organiser(vc.OpenVoting)
    ballots: list[list[int | None]] = [[0, 2], [1, 2], [None, 0]]
    for slip, choices in zip(small.slips, ballots, strict=True):
        small.cast(slip, choices)
    small.organiser(vc.CloseVoting)
    for index in (1, 2):
        small.submit(small.trustees[index - 1], closed_partial(small, index))
    chair = small.trustees[0]
    small.handle(vc.PublishTally(chair.actor, small.vote_id), chair)


def _required(doc: dict, schema: dict) -> list[str]:
    if "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema.get("required", [])


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_the_votes(client, auth, small, role):
    auth.login(role)
    vid = str(small.vote_id)
    votes = client.get("/api/v1/votes")
    assert votes.status_code == 200
    assert [v["vote_id"] for v in votes.get_json()["votes"]] == [vid]
    one = client.get(f"/api/v1/votes/{vid}").get_json()
    assert one["vote"]["state"] == "credentials_published"
    assert [leader["name"] for leader in one["leaders"]] == ["Lãnh đạo 0", "Lãnh đạo 1"]
    assert len(one["booth_sha256"]) == 64
    results = client.get(f"/api/v1/votes/{vid}/results").get_json()
    assert results == {
        "vote_id": vid,
        "state": "credentials_published",
        "published": False,
        "results": [],
    }


def test_anonymous_and_unknown_votes(client, auth, small):
    assert client.get("/api/v1/votes").status_code == 401
    auth.login("member")
    missing = client.get(f"/api/v1/votes/{uuid.uuid4()}")
    assert missing.status_code == 404
    assert missing.get_json()["code"] == "vote.not_found"
    assert missing.get_json()["message"] == "Không tìm thấy cuộc bỏ phiếu."
    assert client.get(f"/api/v1/votes/{uuid.uuid4()}/results").status_code == 404


def test_results_carry_exact_shares_and_bands(client, auth, small):
    _tally(small)
    auth.login("inspector")
    results = client.get(f"/api/v1/votes/{small.vote_id}/results").get_json()
    assert results["published"] is True
    first, second = results["results"]
    assert (first["returned"], first["valid"], first["invalid"]) == (3, 2, 1)
    assert (first["high"], first["normal"], first["low"]) == (1, 1, 0)
    assert first["pct_high"] == {"num": 1, "den": 3, "display": "33,33%"}
    assert first["band"] == "NONE"
    assert (second["low"], second["band"]) == (2, "GTE_TWO_THIRDS")
    assert second["pct_low"] == {"num": 2, "den": 3, "display": "66,67%"}
    assert second["issued"] == 3


def test_the_openapi_document_describes_what_the_vote_paths_answer(client, auth, small):
    _tally(small)
    auth.login("admin")
    doc = client.get("/api/v1/openapi.json").get_json()
    vid = str(small.vote_id)
    for path, url in (
        ("/votes", "/api/v1/votes"),
        ("/votes/{vote_id}", f"/api/v1/votes/{vid}"),
        ("/votes/{vote_id}/results", f"/api/v1/votes/{vid}/results"),
    ):
        operation = doc["paths"][path]["get"]
        assert {"401", "404"} <= set(operation["responses"])
        schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
        body = client.get(url).get_json()
        assert set(_required(doc, schema)) <= set(body), path
    vote_schema = doc["components"]["schemas"]["Vote"]
    listed = client.get("/api/v1/votes").get_json()["votes"][0]
    assert set(vote_schema["required"]) == set(listed)
    result_schema = doc["components"]["schemas"]["LeaderResult"]
    row = client.get(f"/api/v1/votes/{vid}/results").get_json()["results"][0]
    assert set(result_schema["required"]) == set(row)
    assert set(doc["components"]["schemas"]["ExactShare"]["required"]) == set(
        row["pct_low"]
    )
