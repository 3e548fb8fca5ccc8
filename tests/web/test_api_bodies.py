"""One input validation for the JSON API (issue 10): every write route under
/api/ is registered with the spec it accepts (``web.api.bodies.ACCEPTED``), the
OpenAPI document's request body of each is the one generated from that spec,
a body built from the document is accepted by the validator, and a body that
is not of its shape gets the one 400 answer (``form.invalid`` with Vietnamese
messages by field) from every route, storing nothing."""

from __future__ import annotations

import base64
import copy
import uuid
from typing import Any

import pytest

from web.api.bodies import ACCEPTED
from web.api.fields import Body, BodyInvalid, OneOf
from web.api.openapi import document
from web.api.openapi_bodies import openapi_path
from web.catalogue import message_for

XHR = {"X-Requested-With": "XMLHttpRequest"}
WRITES = {"POST", "PUT", "PATCH", "DELETE"}
API = "/api/v1"
TEXT = "Nội dung kiểm thử"
# An account holding every office's role, so each request gets past the role
# check to the validation of its body.
EVERY_ROLE = ("admin", "secretary", "decision_maker", "inspector", "counting")
PASSWORD = "mat-khau-moi-vai-tro"


def _api_writes(app: Any) -> list[tuple[str, str, str]]:
    """(method, rule, endpoint) of every write route under /api/."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            for method in sorted(rule.methods & WRITES):
                found.append((method, rule.rule, rule.endpoint))
    return sorted(found)


def _resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _served_body(doc: dict[str, Any], path: str, method: str) -> dict[str, Any]:
    body = doc["paths"][path][method]["requestBody"]
    return {
        "required": body["required"],
        "schema": _resolve(doc, body["content"]["application/json"]["schema"]),
    }


# -- the registry and the document -----------------------------------------------
def test_every_api_write_route_has_a_spec_and_the_generated_request_body(app):
    doc = app.test_client().get(f"{API}/openapi.json").get_json()
    writes = _api_writes(app)
    assert len(writes) > 60  # the scan finds the routes
    wrong = []
    for method, rule, endpoint in writes:
        name = endpoint.removeprefix("api.")
        accepted = ACCEPTED.get(name)
        if method != "POST" or accepted is None:
            wrong.append(f"{method} {rule}: no registered spec")
            continue
        assert API + accepted.rule == rule
        served = _served_body(doc, openapi_path(accepted.rule), "post")
        generated = {
            "required": accepted.spec.required,
            "schema": accepted.spec.schema(),
        }
        if served != generated:
            wrong.append(f"{method} {rule}: the document's body is not the spec's")
    assert wrong == []
    routes = {endpoint.removeprefix("api.") for _m, _r, endpoint in writes}
    assert set(ACCEPTED) == routes, "a spec registered for no route"


def test_no_request_body_of_the_document_is_written_by_hand():
    doc = document()
    generated = {openapi_path(a.rule) for a in ACCEPTED.values()}
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            if "requestBody" in operation or method == "post":
                assert method == "post", (method, path)
                assert path in generated, path
                assert "requestBody" in operation, path


def test_the_document_shows_what_the_validator_takes(app):
    doc = app.test_client().get(f"{API}/openapi.json").get_json()
    schemas = doc["components"]["schemas"]
    found = schemas["FoundOrganisation"]
    assert found["required"] == ["code", "name", "kind"]
    assert found["properties"]["code"]["maxLength"] == 64
    assert "grassroots_committee" in found["properties"]["kind"]["enum"]
    assert found["properties"]["parent_id"] == {"type": "string", "format": "uuid"}
    enrol = schemas["EnrolMember"]["properties"]
    assert enrol["birth_date"] == {"type": "string", "format": "date"}
    password = schemas["OpenAccount"]["properties"]["password"]
    assert password["format"] == "password"
    assert password["writeOnly"] is True
    roles = schemas["ChangeRoles"]["properties"]["roles"]
    assert roles["default"] == []
    assert "secretary" in roles["items"]["enum"]
    cosign = schemas["AuditCosign"]
    assert cosign["properties"]["size"]["minimum"] == 1
    assert cosign["properties"]["line"]["maxLength"] == 1000
    operations = [
        v["properties"]["operation"]["const"] for v in schemas["Reorganise"]["oneOf"]
    ]
    assert operations == ["rename", "move", "kind", "merge", "split", "dissolve"]


# -- bodies built from the document ------------------------------------------------
def sample(schema: dict[str, Any]) -> Any:
    """A value the JSON schema describes (the first of each choice), as a client
    written today would send it: without the deprecated fields (one that
    replaces a field may not be sent with it, ``not: required``)."""
    if "oneOf" in schema:
        return sample(schema["oneOf"][0])
    for key in ("const", "default"):
        if key in schema and schema[key] not in ([], None):
            return schema[key]
    if "enum" in schema:
        return schema["enum"][0]
    if "examples" in schema:
        return schema["examples"][0]
    kind = schema["type"][0] if isinstance(schema["type"], list) else schema["type"]
    if kind == "string":
        if schema.get("format") == "uuid":
            return str(uuid.uuid4())
        if schema.get("format") == "date":
            return "2025-01-10"
        if schema.get("contentEncoding") == "base64":
            return base64.b64encode(TEXT.encode()).decode()
        return TEXT[: schema.get("maxLength", len(TEXT))]
    if kind == "integer":
        return max(schema.get("minimum", 1), min(1, schema.get("maximum", 1)))
    if kind == "boolean":
        return True
    if kind == "array":
        return [sample(schema["items"])] * max(1, schema.get("minItems", 1))
    assert kind == "object", schema
    if schema.get("properties"):
        return {
            name: sample(item)
            for name, item in schema["properties"].items()
            if not item.get("deprecated")
        }
    return {"khoa": sample(schema.get("additionalProperties", {"type": "string"}))}


def wrong_type(schema: dict[str, Any]) -> Any:
    """A value of another JSON type than the schema's."""
    kinds = schema.get("type", "object")
    return "không phải đối tượng" if "object" in kinds else {"sai": 1}


def _variants(spec: Body | OneOf) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(schema, fixed values) of each shape the spec takes."""
    schema = spec.schema()
    if "oneOf" not in schema:
        return [(schema, {})]
    return [
        (variant, {"operation": variant["properties"]["operation"]["const"]})
        for variant in schema["oneOf"]
    ]


SPECS = sorted(ACCEPTED.items())


def _refused(spec: Body | OneOf, data: Any) -> dict[str, list[str]]:
    with pytest.raises(BodyInvalid) as refused:
        spec.parse(data)
    return refused.value.fields


@pytest.mark.parametrize(("endpoint", "accepted"), SPECS, ids=[n for n, _ in SPECS])
def test_a_body_built_from_the_document_is_accepted_and_a_wrong_one_refused(
    endpoint, accepted
):
    spec = accepted.spec
    required = message_for("input.field_required")
    for schema, fixed in _variants(spec):
        good = {**sample(schema), **fixed}
        values = spec.parse(copy.deepcopy(good))
        assert set(values) >= set(schema.get("required", [])), endpoint
        for name in schema["properties"]:
            if name in fixed:
                continue
            errors = _refused(
                spec, {**good, name: wrong_type(schema["properties"][name])}
            )
            assert list(errors) == [name], (endpoint, name)
            assert errors[name][0] != required
            if name in schema.get("required", []):
                missing = {k: v for k, v in good.items() if k != name}
                assert _refused(spec, missing) == {name: [required]}, (endpoint, name)
    assert _refused(spec, ["không", "phải", "đối tượng"]) == {
        "_form": [message_for("form.invalid")]
    }


def test_blank_text_of_a_form_field_is_missing_and_lengths_are_counted_trimmed():
    spec = ACCEPTED["found_organisation"].spec
    good = {"code": " chi-bo-moi ", "name": "Chi bộ mới", "kind": "cell"}
    assert spec.parse(good)["code"] == "chi-bo-moi"
    assert spec.parse(good)["parent_id"] is None
    assert _refused(spec, {**good, "name": "   "}) == {
        "name": [message_for("input.field_required")]
    }
    assert _refused(spec, {**good, "code": "x" * 65}) == {
        "code": ["Không được dài quá 64 ký tự."]
    }
    assert "name" in _refused(spec, {**good, "name": "Chi bộ\nmới"})
    assert _refused(spec, {**good, "parent_id": "không-phải-mã"}) == {
        "parent_id": ["Mã định danh không hợp lệ."]
    }


def test_dates_are_written_year_month_day():
    spec = ACCEPTED["set_deadline"].spec
    good = {"level": "member", "milestone": "review", "due": "2025-03-01"}
    assert str(spec.parse(good)["due"]) == "2025-03-01"
    for bad in ("20250301", "2025-02-30", "01/03/2025", 20250301):
        assert _refused(spec, {**good, "due": bad}) == {
            "due": ["Ngày không hợp lệ (định dạng năm-tháng-ngày)."]
        }


def test_an_unknown_reorganisation_is_named_on_its_field():
    spec = ACCEPTED["reorganise"].spec
    assert _refused(spec, {"operation": "teleport"}) == {
        "operation": [message_for("org.operation_unknown")]
    }
    assert _refused(spec, {}) == {"operation": [message_for("input.field_required")]}


# -- every route answers a body of the wrong shape the same way ------------------------
@pytest.fixture
def every_role_client(app, kiemdiem, world):
    from services import commands as c
    from tests.conftest import AuthActions

    admin = kiemdiem.authenticate("admin", world.password("admin"))
    kiemdiem.handle(
        c.OpenAccount(
            admin.actor,
            "moi-vai-tro",
            "Người Giữ Mọi Vai Trò",
            EVERY_ROLE,
            PASSWORD,
            org_id=world.orgs["province"],
        ),
        admin.signer,
    )
    client = app.test_client()
    assert AuthActions(client).login_as("moi-vai-tro", PASSWORD).status_code == 302
    return client


def _url(rule: str) -> str:
    return openapi_path(rule).format_map(_AnyId())


class _AnyId(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return str(uuid.uuid4())


def test_every_write_route_answers_a_wrong_body_with_the_one_400(
    every_role_client, kiemdiem
):
    before = kiemdiem.ledger.max_notification_id()
    wrong = []
    for name, accepted in sorted(ACCEPTED.items()):
        spec = accepted.spec
        data: Any = {} if spec.required else ["không", "phải", "đối tượng"]
        response = every_role_client.post(
            API + _url(accepted.rule), json=data, headers=XHR
        )
        answer = response.get_json()
        shape = {
            "code": "form.invalid",
            "message": message_for("form.invalid"),
            "fields": _refused(spec, data),
        }
        if response.status_code != 400 or answer != shape:
            wrong.append(f"{name}: {response.status_code} {answer}")
    assert wrong == []
    assert kiemdiem.ledger.max_notification_id() == before


def test_the_report_takes_sections_and_still_the_deprecated_summary(app):
    from web.catalogue.ratings import REPORT_SECTION_LABELS

    spec = ACCEPTED["review_report"].spec
    on = "2025-12-01"
    full = {name: f"Mục {name}" for name in REPORT_SECTION_LABELS}
    assert spec.parse({"sections": full, "circulated_on": on})["sections"] == full
    old = spec.parse({"summary": "Báo cáo", "circulated_on": on})
    assert old["summary"] == "Báo cáo"
    assert "sections" not in old
    unknown = _refused(spec, {"sections": {"khac": "x"}, "circulated_on": on})
    known = ", ".join(REPORT_SECTION_LABELS)
    assert unknown == {
        "sections": [f"Không có mục “khac” (các mục được nhận: {known})."]
    }
    both = _refused(spec, {"sections": full, "summary": "x", "circulated_on": on})
    apart = "Chỉ gửi một trong các trường “sections”, “summary”, không gửi cùng lúc."
    assert both == {"sections": [apart], "summary": [apart]}
    doc = app.test_client().get(f"{API}/openapi.json").get_json()
    report = doc["components"]["schemas"]["ReviewReport"]
    assert report["required"] == ["circulated_on"]
    assert report["not"] == {"required": ["sections", "summary"]}
    assert report["properties"]["summary"]["deprecated"] is True
    assert "Deprecated" in report["properties"]["summary"]["description"]
    sections = report["properties"]["sections"]
    assert sections["additionalProperties"] is False
    assert set(sections["properties"]) == set(REPORT_SECTION_LABELS)
    assert sections["properties"]["results"]["description"].startswith("I. ")
