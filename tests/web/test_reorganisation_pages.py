"""Sắp xếp, tổ chức lại through the web and the JSON API: the district's cấp ủy
merges two of its chi bộ by a decision; the old chi bộ's page keeps its history
and names its successor; a refusal is shown in Vietnamese and stores nothing."""

from __future__ import annotations

from datetime import UTC, datetime

XHR = {"X-Requested-With": "XMLHttpRequest"}


def _merge(world, **overrides):
    form = {
        "operation": "merge",
        "merge-decision_no": "15-QĐ/HU",
        "merge-effective_on": datetime.now(UTC).date().isoformat(),
        "merge-absorbed": str(world.orgs["cell_b"]),
        "merge-successor_id": str(world.orgs["cell_a"]),
    }
    form.update(overrides)
    return form


def test_the_decision_maker_merges_two_chi_bo(client, auth, world):
    auth.login("decision_maker")
    district = world.orgs["district"]
    detail = client.get(f"/organisations/{district}").get_data(as_text=True)
    assert "Sắp xếp, tổ chức lại" in detail
    page = client.get(f"/organisations/{district}/reorganise")
    assert page.status_code == 200
    assert "Hợp nhất, sáp nhập" in page.get_data(as_text=True)
    response = auth.post(f"/organisations/{district}/reorganise", _merge(world))
    assert response.status_code == 302, response.get_data(as_text=True)
    old = client.get(f"/organisations/{world.orgs['cell_b']}").get_data(as_text=True)
    assert "Đã giải thể" in old
    assert "Kế tục (hợp nhất, chia tách)" in old
    assert "15-QĐ/HU" in old
    assert "Chi bộ xóm A" in old


def test_a_missing_decision_number_is_refused_in_vietnamese(client, auth, world):
    auth.login("decision_maker")
    url = f"/organisations/{world.orgs['district']}/reorganise"
    response = auth.post(url, _merge(world, **{"merge-decision_no": ""}))
    assert response.status_code == 400
    assert "Vui lòng" in response.get_data(as_text=True)


def test_no_operation_is_a_400(client, auth, world):
    auth.login("admin")
    response = auth.post(f"/organisations/{world.orgs['district']}/reorganise", {})
    assert response.status_code == 400
    assert "Vui lòng chọn một thao tác" in response.get_data(as_text=True)


def test_the_api_renames_by_decision_and_refuses_nonsense(client, auth, world):
    auth.login("decision_maker")
    body = {
        "operation": "rename",
        "decision_no": "16-QĐ/HU",
        "effective_on": datetime.now(UTC).date().isoformat(),
        "org_id": str(world.orgs["cell_a"]),
        "name": "Chi bộ xóm A mới",
    }
    response = client.post("/api/v1/reorganisations", json=body, headers=XHR)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["org_id"] == str(world.orgs["cell_a"])
    body["operation"] = "move"
    body["parent_id"] = str(world.orgs["cell_b"])
    refused = client.post("/api/v1/reorganisations", json=body, headers=XHR)
    assert refused.status_code == 422
    assert refused.get_json()["code"] == "org.parent_not_allowed"
    unknown = client.post(
        "/api/v1/reorganisations", json={**body, "operation": "x"}, headers=XHR
    )
    assert unknown.status_code == 400


def test_the_report_says_which_tree_it_rolls_up_by(client, auth, world):
    auth.login("admin")
    url = f"/api/v1/reports/{world.orgs['district']}/2025"
    default = client.get(url).get_json()["report"]
    # the default is the tree at the report date (issue 12), and it says so
    assert default["tree_on"] == default["today"]
    assert default["tree_is_report_date"] is True
    dated = client.get(url + "?tree_on=2025-07-01").get_json()["report"]
    assert dated["tree_on"] == "2025-07-01"
    assert dated["tree_is_report_date"] is False
    assert client.get(url + "?tree_on=01/07/2025").status_code == 400


def test_the_report_page_offers_the_tree_of_a_day(client, auth, world):
    auth.login("admin")
    url = f"/reports/{world.orgs['district']}/2025"
    default = client.get(url).get_data(as_text=True)
    assert "tại ngày báo cáo" in default
    assert "bao-cao.xlsx?tree_on" not in default
    dated = client.get(url + "?tree_on=2025-07-01")
    assert dated.status_code == 200
    page = dated.get_data(as_text=True)
    assert "như tại ngày 01/07/2025" in page
    assert "bao-cao.xlsx?tree_on=2025-07-01" in page
    assert client.get(url + "/bao-cao.xlsx?tree_on=2025-07-01").status_code == 200
    assert client.get(url + "?tree_on=hom-qua").status_code == 422


def test_the_split_form_names_who_takes_on_the_open_plans(client, auth, world):
    """Issue 12: a split organisation's own open remediation plans go to the
    successor the decision names (docs/rules.md "What follows the decision");
    the form asks for it among the successors."""
    auth.login("decision_maker")
    page = client.get(f"/organisations/{world.orgs['district']}/reorganise")
    text = page.get_data(as_text=True)
    assert "tiếp nhận kế hoạch khắc phục còn mở" in text
    assert 'name="split-plans_to"' in text


def test_the_split_form_places_a_member_on_temporary_activity(
    client, auth, world, kiemdiem
):
    """Issue 12: a member on temporary party activity (sinh hoạt tạm thời) at
    the split chi bộ is placed by the decision like its own members (a line
    "card = successor"), and the attachment follows there."""
    from datetime import date

    from projections.directory_temporary import temporary_cell_row
    from services import commands as c
    from services import rating_commands as rc
    from tests.conftest import ADMIN_PASSWORD

    admin = kiemdiem.authenticate("admin", ADMIN_PASSWORD)

    def run(command):
        return kiemdiem.handle(command, admin.signer)

    own = run(
        c.EnrolMember(
            admin.actor, "Đỗ Văn Bình", "DV00000077", date(1985, 1, 1),
            date(2010, 1, 1), "full", world.orgs["cell_b"],
        )
    )  # fmt: skip
    today = kiemdiem.today()
    run(
        rc.AttachTemporaryCell(
            admin.actor, world.member_id, world.orgs["cell_b"], today
        )
    )
    district = world.orgs["district"]
    c_id, d_id = (
        run(c.FoundOrganisation(admin.actor, code, code, "cell", district))
        for code in ("chi-bo-xom-c", "chi-bo-xom-d")
    )
    auth.login("decision_maker")
    form = {
        "operation": "split",
        "split-decision_no": "18-QĐ/HU",
        "split-effective_on": today.isoformat(),
        "split-target": str(world.orgs["cell_b"]),
        "split-successors": [str(c_id), str(d_id)],
        "split-placements": "DV00000077 = chi-bo-xom-c",
    }
    url = f"/organisations/{district}/reorganise"
    refused = auth.post(url, form)
    assert refused.status_code == 422
    assert "kể cả đảng viên đang sinh hoạt tạm thời" in refused.get_data(as_text=True)
    form["split-placements"] += "\nDV00000001 = chi-bo-xom-d"
    response = auth.post(url, form)
    assert response.status_code == 302, response.get_data(as_text=True)
    row = temporary_cell_row(kiemdiem.projections, world.member_id)
    assert row is not None
    assert row["cell_id"] == str(d_id)
    assert row["decision_no"] == "18-QĐ/HU"
    assert kiemdiem.member(own).cell_id == c_id
