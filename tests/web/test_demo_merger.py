"""The demo's 2025 merger walked through the web (issue 12, "Done when"): two đảng
ủy xã of Huyện ủy Yên Thành merged on 1/7/2025 (125-QĐ/TU) into Đảng bộ xã Yên
Hòa directly under the tỉnh ủy. Signed in as its secretary (``thuky-xa``): the
merged members' 2024 ratings and the shortcoming still being remedied show, the
2025 round has rated them; the province's 2025 report shows the merged
organisation once, with "Hoàn thành tốt nhiệm vụ trở lên" from the exact counts."""

from __future__ import annotations

import html
from collections.abc import Iterator
from typing import Any

import pytest

from tests.web.demo_app import demo_app, signed_in

SUCCESSOR_NAME = "Đảng bộ xã Yên Hòa"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The demo province in its own store, and its logins."""
    with demo_app(tmp_path_factory, "demo-merger") as demo:
        yield demo


def page(client: Any, url: str) -> str:
    answer = client.get(url)
    assert answer.status_code == 200, url
    return html.unescape(answer.get_data(as_text=True))


def member_key(demo: dict[str, Any], slot: tuple[str, int]) -> str:
    return f"m:{demo['merger'].members[slot]}"


def test_the_secretary_reads_the_merged_members_2024_ratings(demo):
    from services.demo_merger import COMPLETED_SLOT, REMEDIATION_SLOT

    merger = demo["merger"]
    client = signed_in(demo, "thuky-xa")
    cycles = page(client, "/ratings/")
    for cycle in merger.cycles_2024.values():
        assert f"/ratings/cycles/{cycle}" in cycles
    assert f"/ratings/cycles/{merger.cycle_2025}" in cycles
    yen_lac = merger.cycles_2024["dang-uy-xa-yen-lac"]
    rated = page(
        client, f"/ratings/cycles/{yen_lac}/subjects/{member_key(demo, COMPLETED_SLOT)}"
    )
    assert "Hoàn thành nhiệm vụ" in rated
    yen_hoa = merger.cycles_2024["dang-uy-xa-yen-hoa"]
    key = member_key(demo, REMEDIATION_SLOT)
    rated = page(client, f"/ratings/cycles/{yen_hoa}/subjects/{key}")
    assert "Hoàn thành tốt nhiệm vụ" in rated


def test_the_open_remediation_follows_to_the_successor(demo):
    from services.demo_merger import REMEDIATION_SLOT, SHORTCOMING

    client = signed_in(demo, "thuky-xa")
    remedy = page(client, f"/remediation/subjects/{member_key(demo, REMEDIATION_SLOT)}")
    assert SHORTCOMING in remedy
    assert "30/06/2025" in remedy  # the plan's deadline, passed and not verified


def test_the_successors_tracking_lists_the_followed_plan(demo):
    """Issue 12: the open plan followed the merger (RemediationPlanFollowed,
    125-QĐ/TU): the successor's tracking page lists it, and its history names
    the decision."""
    from services.demo_merger import DECISION_NO, REMEDIATION_SLOT, SHORTCOMING

    merger = demo["merger"]
    client = signed_in(demo, "thuky-xa")
    assert SHORTCOMING in page(client, f"/remediation/?org_id={merger.successor}")
    key = member_key(demo, REMEDIATION_SLOT)
    item = page(client, f"/remediation/subjects/{key}")
    assert "Chuyển theo quyết định sắp xếp, tổ chức lại" in item
    api = client.get(f"/api/v1/remediation/items/{merger.shortcoming}").get_json()
    assert api["item"]["supervisor_org_id"] == str(merger.successor)
    assert api["history"][-1]["detail"]["decision_no"] == DECISION_NO


def test_a_member_page_shows_the_chi_bo_over_time(demo):
    """Issue 12: the member's chi bộ and its place in the tree over time: Chi
    bộ thôn Hòa Bình under Đảng ủy xã Yên Hòa until 1/7/2025, then under the
    đảng bộ xã by 125-QĐ/TU."""
    from services.demo_merger import DECISION_NO, REMEDIATION_SLOT

    member = demo["merger"].members[REMEDIATION_SLOT]
    text = page(signed_in(demo, "thuky-xa"), f"/members/{member}")
    assert "Quá trình sinh hoạt đảng" in text
    history = text[text.index("Quá trình sinh hoạt đảng") :]
    assert history.index("Đảng ủy xã Yên Hòa") < history.index(SUCCESSOR_NAME)
    assert f"Quyết định sắp xếp, tổ chức lại {DECISION_NO}" in history
    assert "01/07/2025" in history


def test_the_2025_round_rated_the_merged_members(demo):
    merger = demo["merger"]
    client = signed_in(demo, "thuky-xa")
    listed = page(client, f"/ratings/cycles/{merger.cycle_2025}/subjects")
    for member in merger.members.values():
        assert f"m:{member}" in listed
    stats = page(client, f"/ratings/cycles/{merger.cycle_2025}/statistics")
    assert "tại ngày báo cáo" in stats
    # 12 members, all HTTNV: 12/12 exactly
    assert "(12/12)" in stats
    # the đảng bộ xã existed only from 1/7/2025: flagged for the authority,
    # with words on its page (issue 12: the texts leave this case open)
    collective = page(
        client,
        f"/ratings/cycles/{merger.cycle_2025}/subjects/o:{merger.successor}",
    )
    assert "Tổ chức tồn tại một phần năm" in collective


def test_the_province_report_shows_the_merged_organisation_once(demo):
    from services.ids import organisation_id

    province = organisation_id("tinh-uy-song-hong")
    successor = demo["merger"].successor
    client = signed_in(demo, "thuky")
    report = client.get(f"/api/v1/reports/{province}/2025").get_json()["report"]
    assert report["tree_is_report_date"] is True
    children = [c for c in report["children"] if c["name"] == SUCCESSOR_NAME]
    assert [c["org_id"] for c in children] == [str(successor)]
    assert children[0]["members"]["rated"] == len(demo["merger"].members)
    # as a party organisation rated in 2025: the successor only, once (the two
    # đảng ủy xã ended on 30/6/2025 and are no subjects of 2025)
    assert report["party_org_types"]["grassroots_committee"]["rated"] == 1
    members = report["populations"]["members"]
    good = members["levels"]["HTXSNV"]["n"] + members["levels"]["HTTNV"]["n"]
    assert members["good_or_better"]["n"] == good
    assert members["good_or_better"]["fraction"] == f"{good}/{members['rated']}"
    text = page(client, f"/reports/{province}/2025")
    assert "Hoàn thành tốt nhiệm vụ trở lên" in text
    assert f"({good}/{members['rated']} đã xếp loại)" in text
    # the secretary of the đảng bộ xã reads its own report, not the province's
    own = signed_in(demo, "thuky-xa")
    assert own.get(f"/reports/{province}/2025").status_code == 403
    assert SUCCESSOR_NAME in page(own, f"/reports/{successor}/2025")
