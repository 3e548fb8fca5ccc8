"""The JSON API under /api/v1: reads, signed writes, errors as code + message,
CSRF rules and the OpenAPI document."""

from __future__ import annotations

import json
from uuid import UUID

import pytest

XHR = {"X-Requested-With": "XMLHttpRequest"}
UNKNOWN = "00000000-0000-4000-8000-000000000000"


def _enrol_body(world, **overrides):
    body = {
        "full_name": "Đinh Công Tráng",
        "party_card_no": "DV-API-1",
        "birth_date": "1985-01-02",
        "admission_date": "2010-03-04",
        "status": "full",
        "cell_id": str(world.orgs["cell_b"]),
    }
    body.update(overrides)
    return body


def test_list_organisations(client, auth, world):
    auth.login("member")
    data = client.get("/api/v1/organisations").get_json()
    codes = [o["code"] for o in data["organisations"]]
    assert codes[0] == "tinh-uy-thu"
    first = data["organisations"][0]
    assert first["name"] == "Tỉnh ủy Thử Nghiệm"
    assert first["depth"] == 0
    assert first["parent_id"] is None


def test_get_organisation(client, auth, world):
    auth.login("member")
    data = client.get(f"/api/v1/organisations/{world.orgs['cell_a']}").get_json()
    assert data["organisation"]["members"] == 1
    assert data["organisation"]["parent_id"] == str(world.orgs["district"])


def test_unknown_organisation_is_json_404(client, auth):
    auth.login("member")
    response = client.get(f"/api/v1/organisations/{UNKNOWN}")
    assert response.status_code == 404
    assert response.get_json() == {
        "code": "org.not_found",
        "message": "Không tìm thấy tổ chức đảng.",
    }


def test_list_members_by_cell(client, auth, world):
    auth.login("secretary")
    data = client.get(f"/api/v1/members?cell_id={world.orgs['cell_a']}").get_json()
    assert [m["party_card_no"] for m in data["members"]] == ["DV00000001"]
    assert data["members"][0]["birth_date"] == "1980-05-17"
    assert client.get(f"/api/v1/members?cell_id={UNKNOWN}").status_code == 404
    assert client.get("/api/v1/members?cell_id=xyz").status_code == 404


def test_accounts_for_admins(client, auth):
    auth.login("admin")
    data = client.get("/api/v1/accounts").get_json()
    usernames = {a["username"] for a in data["accounts"]}
    assert {"admin", "thuky", "dangvien"} <= usernames
    assert all(a["key_id"] for a in data["accounts"])


def test_enrol_with_x_requested_with(client, auth, kiemdiem, world):
    auth.login("secretary")
    response = client.post("/api/v1/members", json=_enrol_body(world), headers=XHR)
    assert response.status_code == 201
    data = response.get_json()
    assert data["member"]["full_name"] == "Đinh Công Tráng"
    assert response.headers["Location"] == f"/api/v1/members/{data['id']}"
    assert kiemdiem.member(UUID(data["id"])) is not None


def test_json_without_x_requested_with_needs_a_csrf_token(
    client, auth, kiemdiem, world
):
    auth.login("secretary")
    before = kiemdiem.ledger.max_notification_id()
    response = client.post("/api/v1/members", json=_enrol_body(world))
    assert response.status_code == 400
    assert response.get_json()["code"] == "form.csrf"
    assert kiemdiem.ledger.max_notification_id() == before
    token = auth.csrf_token()
    ok = client.post(
        "/api/v1/members", json=_enrol_body(world), headers={"X-CSRFToken": token}
    )
    assert ok.status_code == 201


def test_form_encoded_post_with_the_header_still_needs_csrf(client, auth, world):
    auth.login("secretary")
    response = client.post("/api/v1/members", data=_enrol_body(world), headers=XHR)
    assert response.status_code == 400
    assert response.get_json()["code"] == "form.csrf"


def test_malformed_body(client, auth, kiemdiem, world):
    auth.login("secretary")
    before = kiemdiem.ledger.max_notification_id()
    body = _enrol_body(world, birth_date="hôm qua", full_name="")
    response = client.post("/api/v1/members", json=body, headers=XHR)
    assert response.status_code == 400
    data = response.get_json()
    assert data["code"] == "form.invalid"
    assert data["fields"]["birth_date"] == [
        "Ngày không hợp lệ (định dạng năm-tháng-ngày)."
    ]
    assert data["fields"]["full_name"] == ["Vui lòng điền trường này."]
    assert kiemdiem.ledger.max_notification_id() == before


@pytest.mark.parametrize("body", [[1, 2], "text", {"full_name": {"x": 1}}])
def test_body_must_be_a_flat_object(client, auth, body):
    auth.login("secretary")
    response = client.post(
        "/api/v1/members",
        data=json.dumps(body),
        headers=XHR,
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.get_json()["code"] == "form.invalid"


def test_refusal_has_code_message_and_field(client, auth, kiemdiem, world):
    auth.login("secretary")
    before = kiemdiem.ledger.max_notification_id()
    body = _enrol_body(world, cell_id=str(world.orgs["district"]))
    response = client.post("/api/v1/members", json=body, headers=XHR)
    assert response.status_code == 422
    assert response.get_json() == {
        "code": "member.not_a_cell",
        "message": (
            "Đảng viên chỉ sinh hoạt tại chi bộ; tổ chức đã chọn không phải là chi bộ."
        ),
        "field": "cell_id",
        "details": {"kind": "district_committee"},
    }
    assert kiemdiem.ledger.max_notification_id() == before


def test_found_rename_and_dissolve(client, auth, kiemdiem, world):
    auth.login("admin")
    created = client.post(
        "/api/v1/organisations",
        json={
            "code": "dang-uy-xa-tay",
            "name": "Đảng ủy xã Tây",
            "kind": "grassroots_committee",
            "parent_id": str(world.orgs["district"]),
        },
        headers=XHR,
    )
    assert created.status_code == 201
    org_id = created.get_json()["id"]
    renamed = client.post(
        f"/api/v1/organisations/{org_id}/rename",
        json={"name": "Đảng ủy xã Tây Sơn"},
        headers=XHR,
    )
    assert renamed.get_json()["organisation"]["name"] == "Đảng ủy xã Tây Sơn"
    dissolved = client.post(
        f"/api/v1/organisations/{org_id}/dissolve",
        json={"reason": "Sắp xếp đơn vị hành chính"},
        headers=XHR,
    )
    assert dissolved.get_json()["organisation"]["dissolved"] is True


def test_transfer(client, auth, kiemdiem, world):
    auth.login("secretary")
    response = client.post(
        f"/api/v1/members/{world.member_id}/transfer",
        json={"cell_id": str(world.orgs["cell_b"])},
        headers=XHR,
    )
    assert response.status_code == 200
    assert response.get_json()["member"]["cell_id"] == str(world.orgs["cell_b"])


def test_account_commands(client, auth, kiemdiem, world):
    auth.login("admin")
    opened = client.post(
        "/api/v1/accounts",
        json={
            "username": "tranbinh",
            "full_name": "Trần Bình",
            "roles": ["secretary", "member"],
            "password": "mat-khau-api-01",
        },
        headers=XHR,
    )
    assert opened.status_code == 201
    account = opened.get_json()["account"]
    assert account["roles"] == ["member", "secretary"]
    assert account["key_id"]
    account_id = account["account_id"]
    roles = client.post(
        f"/api/v1/accounts/{account_id}/roles",
        json={"roles": ["inspector"]},
        headers=XHR,
    )
    assert roles.get_json()["account"]["roles"] == ["inspector"]
    reset = client.post(
        f"/api/v1/accounts/{account_id}/password",
        json={"new_password": "mat-khau-api-02"},
        headers=XHR,
    )
    assert reset.get_json()["account"]["key_id"] != account["key_id"]
    disabled = client.post(
        f"/api/v1/accounts/{account_id}/disable",
        json={"reason": "Hết nhiệm kỳ"},
        headers=XHR,
    )
    assert disabled.get_json()["account"]["disabled"] is True


def test_anonymous_api_is_401(client):
    response = client.post("/api/v1/members", json={}, headers=XHR)
    assert response.status_code == 401
    assert response.get_json()["message"] == "Vui lòng đăng nhập để tiếp tục."


def test_conflict_is_409(client, auth, kiemdiem, world, monkeypatch):
    from services.errors import ConflictError

    def conflict(command, signer):
        raise ConflictError("store.conflict")

    auth.login("secretary")
    monkeypatch.setattr(kiemdiem, "handle", conflict)
    response = client.post("/api/v1/members", json=_enrol_body(world), headers=XHR)
    assert response.status_code == 409
    assert response.get_json()["code"] == "store.conflict"


def test_database_lock_timeout_is_503(client, auth, kiemdiem, world, monkeypatch):
    from eventsourcing.persistence import OperationalError

    def locked(cell_id=None):
        raise OperationalError("database is locked")

    auth.login("secretary")
    monkeypatch.setattr(kiemdiem, "members", locked)
    response = client.get("/api/v1/members")
    assert response.status_code == 503
    assert response.get_json() == {
        "code": "store.busy",
        "message": "Hệ thống đang bận. Vui lòng thử lại sau ít phút.",
    }


# -- OpenAPI ------------------------------------------------------------------------
def test_openapi_document(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = json.loads(response.get_data(as_text=True))
    assert doc["openapi"] == "3.1.0"
    assert set(doc["paths"]) >= {
        "/organisations",
        "/organisations/{org_id}",
        "/organisations/{org_id}/rename",
        "/organisations/{org_id}/dissolve",
        "/members",
        "/members/{member_id}",
        "/members/{member_id}/transfer",
        "/accounts",
        "/accounts/{account_id}/roles",
        "/accounts/{account_id}/disable",
        "/accounts/{account_id}/password",
        "/openapi.json",
    }
    error = doc["components"]["schemas"]["Error"]
    assert error["required"] == ["code", "message"]


def test_openapi_references_resolve(client):
    doc = client.get("/api/v1/openapi.json").get_json()

    def refs(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "$ref":
                    yield value
                else:
                    yield from refs(value)
        elif isinstance(node, list):
            for item in node:
                yield from refs(item)

    for ref in refs(doc):
        target = doc
        for part in ref.removeprefix("#/").split("/"):
            target = target[part]
        assert target


def test_openapi_paths_exist_in_the_app(app):
    doc_paths = {
        "/api/v1" + p.replace("{", "<").replace("}", ">")
        for p in app.test_client().get("/api/v1/openapi.json").get_json()["paths"]
    }
    rules = {
        str(rule).replace("<uuid:", "<")
        for rule in app.url_map.iter_rules()
        if str(rule).startswith("/api/v1")
    }
    assert doc_paths == rules


def test_every_operation_documents_its_errors(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if path == "/openapi.json":
                continue
            assert {"401", "403"} <= set(op["responses"]), (method, path)
            if method == "post":
                assert {"400", "409", "422"} <= set(op["responses"])
