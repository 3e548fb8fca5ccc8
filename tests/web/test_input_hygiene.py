"""Bad input refused with a clear message, never a 500, and never stored
(issue 11): deep JSON, lone surrogates, NUL and control characters, bidi
overrides, zero-width names, integers beyond 64 bits, look-alike card numbers."""

from __future__ import annotations

import hashlib
import json
import unicodedata
import uuid
from typing import Any

import pytest

from tests.conftest import MEMBER_CARD

XHR = {"X-Requested-With": "XMLHttpRequest"}


def events_digest(kiemdiem: Any) -> str:
    sql = kiemdiem.ledger.sql
    with sql.tx() as cur:
        rows = cur.execute(f"SELECT * FROM {sql.events_table} ORDER BY 1, 2").fetchall()
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def enrol_body(world: Any, **changes: Any) -> dict[str, Any]:
    body = {
        "full_name": "Lê Thị Hoa",
        "party_card_no": "DV00000077",
        "birth_date": "1990-01-02",
        "admission_date": "2015-03-04",
        "status": "full",
        "cell_id": str(world.orgs["cell_a"]),
    }
    body.update(changes)
    return body


def post_raw(client: Any, url: str, text: str) -> Any:
    return client.post(
        url,
        data=text.encode("utf-8", "surrogatepass"),
        content_type="application/json",
        headers=XHR,
    )


@pytest.fixture
def admin_client(client, auth):
    auth.login("admin")
    return client


def refused_unchanged(response: Any, code: str, kiemdiem: Any, before: str) -> dict:
    assert response.status_code == 400, response.get_data(as_text=True)
    body = response.get_json()
    assert body["code"] == code
    assert body["message"]
    assert "mã lỗi" not in body["message"]  # a real message, not the fallback
    assert events_digest(kiemdiem) == before
    return dict(body)


def test_json_nested_50000_deep_is_refused_with_a_clear_message(admin_client, kiemdiem):
    before = events_digest(kiemdiem)
    deep = '{"full_name": ' + "[" * 50_000 + "]" * 50_000 + "}"
    response = post_raw(admin_client, "/api/v1/members", deep)
    body = refused_unchanged(response, "input.json_too_deep", kiemdiem, before)
    assert "lồng nhau quá sâu" in body["message"]


def test_brackets_inside_strings_are_not_nesting(admin_client, world, kiemdiem):
    body = enrol_body(world, full_name="Lê [[[[{{{{ Hoa")
    response = admin_client.post("/api/v1/members", json=body, headers=XHR)
    assert response.status_code == 201, response.get_json()


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Lê \\ud800 Hoa", "text.surrogate"),
        ("Lê \\u0000 Hoa", "text.control_character"),
        ("Lê \\u0007 Hoa", "text.control_character"),
        ("Lê \\u202eaoH", "text.bidi_control"),
        ("\\u2066Hoa\\u2069", "text.bidi_control"),
        ("\\u200b\\u200b\\u200c", "text.invisible_only"),
        ("\\ufeff \\u200d", "text.invisible_only"),
    ],
)
def test_bad_characters_in_a_json_text_are_refused(
    admin_client, world, kiemdiem, name, code
):
    before = events_digest(kiemdiem)
    text = json.dumps(enrol_body(world, full_name="@@")).replace("@@", name)
    response = post_raw(admin_client, "/api/v1/members", text)
    body = refused_unchanged(response, code, kiemdiem, before)
    assert "full_name" in body["message"]


def test_json_numbers_beyond_64_bits_and_nan_are_refused(admin_client, kiemdiem):
    before = events_digest(kiemdiem)
    for text, code in (
        ('{"year": 123456789012345678901234567890}', "input.number_out_of_range"),
        ('{"year": NaN}', "input.number_not_finite"),
        ('{"year": 1e999}', "input.number_not_finite"),
        ('{"year": ', "input.json_invalid"),
    ):
        response = post_raw(admin_client, "/api/v1/cycles", text)
        refused_unchanged(response, code, kiemdiem, before)


def test_a_body_that_is_not_utf8_is_refused(admin_client, kiemdiem):
    before = events_digest(kiemdiem)
    response = admin_client.post(
        "/api/v1/members",
        data=b'{"full_name": "\xff\xfe"}',
        content_type="application/json",
        headers=XHR,
    )
    refused_unchanged(response, "input.json_invalid", kiemdiem, before)


def test_query_and_path_integers_beyond_64_bits_are_400_not_500(admin_client):
    huge = "9" * 30
    response = admin_client.get(f"/api/v1/remediation/items?year={huge}")
    assert response.status_code == 400
    assert response.get_json()["code"] == "input.number_out_of_range"
    response = admin_client.get(f"/api/v1/audit/events/{huge}/proof")
    assert response.status_code == 400
    # An <int:…> part of a URL beyond 64 bits matches no page.
    assert admin_client.get(f"/audit/events/{huge}/proof.json").status_code == 404
    # Within range the ordinary answer comes back.
    assert admin_client.get("/api/v1/remediation/items?year=2025").status_code == 200


def test_nul_in_a_query_or_path_parameter_is_refused(admin_client):
    response = admin_client.get("/api/v1/remediation/items?subject_key=a%00b")
    assert response.status_code == 400
    assert response.get_json()["code"] == "text.control_character"
    page = admin_client.get("/members/?q=%00")
    assert page.status_code == 400
    assert "ký tự điều khiển" in page.get_data(as_text=True)


def test_names_are_normalised_to_nfc(admin_client, world):
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Ánh")
    assert decomposed != "Nguyễn Thị Ánh"
    body = enrol_body(world, full_name=decomposed, party_card_no="DV00000078")
    response = admin_client.post("/api/v1/members", json=body, headers=XHR)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["member"]["full_name"] == "Nguyễn Thị Ánh"


def test_a_full_width_card_number_is_the_same_member(admin_client, world, kiemdiem):
    before = events_digest(kiemdiem)
    look_alike = "".join(chr(ord(ch) + 0xFEE0) for ch in MEMBER_CARD)  # ＤＶ０…
    assert look_alike != MEMBER_CARD
    body = enrol_body(world, party_card_no=look_alike)
    response = admin_client.post("/api/v1/members", json=body, headers=XHR)
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["code"] == "member.card_taken"
    lower = enrol_body(world, party_card_no=" " + MEMBER_CARD.lower() + " ")
    response = admin_client.post("/api/v1/members", json=lower, headers=XHR)
    assert response.get_json()["code"] == "member.card_taken"
    assert events_digest(kiemdiem) == before


def test_a_full_width_card_for_a_new_member_is_stored_plain(admin_client, world):
    look_alike = "ＤＶ００１０１８３８"
    body = enrol_body(world, party_card_no=look_alike)
    response = admin_client.post("/api/v1/members", json=body, headers=XHR)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["member"]["party_card_no"] == "DV00101838"
    again = admin_client.post(
        "/api/v1/members",
        json=enrol_body(world, party_card_no="DV00101838"),
        headers=XHR,
    )
    assert again.get_json()["code"] == "member.card_taken"


def test_ascii_card_ids_are_unchanged():
    """Member ids are uuid5 of the normalised card: an ASCII card keeps the id
    earlier stores gave it (trimmed, upper case)."""
    from domain.members import normalise_card
    from services import ids

    for card in ("DV00000001", " dv-001/2 ", "ab.12"):
        old = " ".join(unicodedata.normalize("NFC", card).split()).upper()
        assert normalise_card(card) == old
        assert ids.member_id(normalise_card(card)) == ids.member_id(old)


def test_a_card_outside_its_pattern_is_refused(admin_client, world, kiemdiem):
    before = events_digest(kiemdiem)
    for card in ("DV 0001", "ĐV0001", "DV0001٣", "-DV1"):
        body = enrol_body(world, party_card_no=card)
        response = admin_client.post("/api/v1/members", json=body, headers=XHR)
        assert response.status_code in (400, 422), response.get_json()
        assert response.get_json()["code"] in ("member.card_invalid", "form.invalid")
    assert events_digest(kiemdiem) == before


def test_a_web_form_refuses_bad_characters_next_to_the_field(auth, world, kiemdiem):
    auth.login("admin")
    before = events_digest(kiemdiem)
    for name in ("Chi bộ\x00 X", "Chi bộ \u202eX", "\u200b\u200b"):
        response = auth.post(
            "/organisations/new",
            {
                "code": f"chi-bo-{uuid.uuid4().hex[:6]}",
                "name": name,
                "kind": "cell",
                "parent_id": str(world.orgs["district"]),
            },
        )
        assert response.status_code == 400
        page = response.get_data(as_text=True)
        assert "không được phép" in page or "vô hình" in page
    assert events_digest(kiemdiem) == before


@pytest.mark.parametrize("content_type", ["application/json", "text/plain"])
def test_the_public_booth_refuses_deep_json_before_parsing(app, client, content_type):
    app.config["WTF_CSRF_ENABLED"] = False  # the booth sends its token; not here
    deep = "[" * 50_000 + "]" * 50_000
    response = client.post(
        f"/votes/{uuid.uuid4()}/ballots", data=deep, content_type=content_type
    )
    assert response.status_code == 400
    assert response.get_json()["code"] == "input.json_too_deep"
