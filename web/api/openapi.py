"""The OpenAPI 3.1 description of /api/v1 (served at /api/v1/openapi.json)."""

from __future__ import annotations

from typing import Any

from web.api.openapi_audit import audit_paths
from web.catalogue import KIND_LABELS, ROLE_LABELS, STATUS_LABELS

UUID_SCHEMA = {"type": "string", "format": "uuid"}
DATE_SCHEMA = {"type": "string", "format": "date"}
TEXT = {"type": "string"}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _object(
    properties: dict[str, Any], required: list[str] | None = None, **extra: Any
) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    schema.update(extra)
    return schema


SCHEMAS: dict[str, Any] = {
    "Error": _object(
        {
            "code": {
                "type": "string",
                "description": "Stable dotted error code, e.g. org.not_found",
                "examples": ["org.not_found", "store.conflict"],
            },
            "message": {
                "type": "string",
                "description": "The message in Vietnamese, for people",
            },
            "field": {
                "type": "string",
                "description": "The body field a refusal is about, when there is one",
            },
        },
        ["code", "message"],
    ),
    "FormError": _object(
        {
            "code": {"const": "form.invalid"},
            "message": TEXT,
            "fields": {
                "type": "object",
                "additionalProperties": {"type": "array", "items": TEXT},
                "description": "Vietnamese messages by field name",
            },
        },
        ["code", "message", "fields"],
    ),
    "OrganisationKind": {"type": "string", "enum": list(KIND_LABELS)},
    "Role": {"type": "string", "enum": list(ROLE_LABELS)},
    "MembershipStatus": {"type": "string", "enum": list(STATUS_LABELS)},
    "Organisation": _object(
        {
            "org_id": UUID_SCHEMA,
            "code": TEXT,
            "name": TEXT,
            "kind": _ref("OrganisationKind"),
            "parent_id": {"type": ["string", "null"], "format": "uuid"},
            "dissolved": {"type": "boolean"},
            "depth": {"type": "integer", "minimum": 0},
            "members": {"type": "integer", "minimum": 0},
        },
        ["org_id", "code", "name", "kind", "parent_id", "dissolved", "depth"],
    ),
    "Member": _object(
        {
            "member_id": UUID_SCHEMA,
            "full_name": TEXT,
            "party_card_no": TEXT,
            "birth_date": DATE_SCHEMA,
            "admission_date": DATE_SCHEMA,
            "status": _ref("MembershipStatus"),
            "cell_id": UUID_SCHEMA,
            "cell_name": TEXT,
        },
        # party_card_no and birth_date only for member.read_personal or oneself
        ["member_id", "full_name", "status", "cell_id"],
    ),
    "Account": _object(
        {
            "account_id": UUID_SCHEMA,
            "username": TEXT,
            "full_name": TEXT,
            "roles": {"type": "array", "items": _ref("Role")},
            "org_id": {"type": ["string", "null"], "format": "uuid"},
            "member_id": {"type": ["string", "null"], "format": "uuid"},
            "disabled": {"type": "boolean"},
            "key_id": {
                "type": ["string", "null"],
                "description": "Hex id of the account's valid signing key",
            },
        },
        ["account_id", "username", "full_name", "roles", "disabled"],
    ),
}


def _error(description: str, schema: str = "Error") -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": _ref(schema)}},
    }


ERRORS = {
    "401": _error(
        "Not signed in (auth.login_required), or the signing key must be unlocked "
        "again with the password (auth.signature_required, auth.key_not_valid)"
    ),
    "403": _error("The user's roles do not allow this (auth.forbidden)"),
    "503": _error("The database is busy: try again (store.busy)"),
}
WRITE_ERRORS = {
    "400": _error("Malformed body or missing CSRF protection", "FormError"),
    "404": _error("An organisation, member or account does not exist (*.not_found)"),
    "409": _error("Changed by someone else at the same time (store.conflict)"),
    "422": _error("Refused by a rule; nothing was stored"),
    **ERRORS,
}
READ_ERRORS = {"404": _error("Not found (*.not_found)"), **ERRORS}


def _json_response(description: str, key: str, schema: str, many: bool = False):
    item: dict[str, Any] = _ref(schema)
    value = {"type": "array", "items": item} if many else item
    return {
        "description": description,
        "content": {"application/json": {"schema": _object({key: value}, [key])}},
    }


def _created(key: str, schema: str) -> dict[str, Any]:
    return {
        "description": "Created and signed",
        "headers": {"Location": {"schema": {"type": "string"}}},
        "content": {
            "application/json": {
                "schema": _object({"id": UUID_SCHEMA, key: _ref(schema)}, ["id", key])
            }
        },
    }


def _path_id(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": UUID_SCHEMA}


def _write(
    operation_id: str,
    summary: str,
    ok: dict[str, Any],
    path_id: str | None = None,
    ok_status: str = "200",
) -> dict[str, Any]:
    """A write operation; its request body is generated from the spec its
    endpoint accepts (``web.api.openapi_bodies``)."""
    op: dict[str, Any] = {
        "operationId": operation_id,
        "summary": summary,
        "parameters": [
            {"$ref": "#/components/parameters/XRequestedWith"},
            {"$ref": "#/components/parameters/IdempotencyKey"},
        ],
        "responses": {ok_status: ok, **WRITE_ERRORS},
    }
    if path_id:
        op["parameters"].insert(0, _path_id(path_id))
    return op


def _read(
    operation_id: str, summary: str, ok: dict[str, Any], path_id: str | None = None
) -> dict[str, Any]:
    op: dict[str, Any] = {
        "operationId": operation_id,
        "summary": summary,
        "responses": {"200": ok, **READ_ERRORS},
    }
    if path_id:
        op["parameters"] = [_path_id(path_id)]
    return op


def document() -> dict[str, Any]:
    import web.api  # noqa: F401 - every endpoint registered with what it accepts
    from web.api.openapi_bodies import add_request_bodies
    from web.api.openapi_ratings import paths as rating_paths
    from web.api.openapi_remediation import paths as remediation_paths
    from web.api.openapi_reorganisation import paths as reorganisation_paths
    from web.api.openapi_reports import paths as report_paths
    from web.api.openapi_search import paths as search_paths
    from web.api.openapi_votes import paths as vote_paths
    from web.api.openapi_votes import schemas as vote_schemas

    org = ("organisation", "Organisation")
    member = ("member", "Member")
    account = ("account", "Account")
    schemas = {**SCHEMAS, **vote_schemas()}
    paths = _paths(org, member, account)
    paths.update(
        {
            **rating_paths(_read, _write),
            **remediation_paths(_read, _write),
            **reorganisation_paths(_write),
            **report_paths(_read, _write),
            **audit_paths(),
            **vote_paths(_read, _json_response),
            **search_paths(READ_ERRORS),
        }
    )
    add_request_bodies(paths, schemas)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "kiemdiem API",
            "version": "1",
            "description": (
                "Organisations, members and accounts. Every write is signed with "
                "the signed-in user's own key. Authentication is the browser "
                "session (log in at /auth/login). Writes send JSON with the header "
                "X-Requested-With (or an X-CSRFToken header). Errors are JSON with a "
                "stable `code` and a Vietnamese `message`."
            ),
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"session": []}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "parameters": {
                "XRequestedWith": {
                    "name": "X-Requested-With",
                    "in": "header",
                    "required": False,
                    "description": (
                        "Send any value (e.g. XMLHttpRequest) with a JSON body to be "
                        "exempt from the CSRF token; otherwise send X-CSRFToken."
                    ),
                    "schema": {"type": "string"},
                },
                "IdempotencyKey": {
                    "name": "Idempotency-Key",
                    "in": "header",
                    "required": False,
                    "description": (
                        "A key of your choosing (1-200 printable ASCII characters): a "
                        "retry with the same key gets the first answer again "
                        "(Idempotent-Replayed: true) and signs nothing new; the same "
                        "key with another request is refused (422 "
                        "idempotency.key_reused). Kept for 24 hours per account."
                    ),
                    "schema": {"type": "string", "pattern": "^[!-~]{1,200}$"},
                },
            },
            "securitySchemes": {
                "session": {
                    "type": "apiKey",
                    "in": "cookie",
                    "name": "kiemdiem_session",
                    "description": "The session cookie set by /auth/login",
                }
            },
        },
    }


def _paths(
    org: tuple[str, str], member: tuple[str, str], account: tuple[str, str]
) -> dict[str, Any]:
    """The directory's and the accounts' paths, and this document's."""
    return {
        "/organisations": {
            "get": _read(
                "listOrganisations",
                "The organisation tree, in tree order",
                _json_response("Organisations", "organisations", org[1], True),
            ),
            "post": _write(
                "foundOrganisation",
                "Found an organisation",
                _created(*org),
                ok_status="201",
            ),
        },
        "/organisations/{org_id}": {
            "get": _read(
                "getOrganisation",
                "One organisation",
                _json_response("Organisation", *org),
                "org_id",
            )
        },
        "/organisations/{org_id}/rename": {
            "post": _write(
                "renameOrganisation",
                "Rename an organisation",
                _json_response("Renamed", *org),
                "org_id",
            )
        },
        "/organisations/{org_id}/dissolve": {
            "post": _write(
                "dissolveOrganisation",
                "Dissolve an organisation",
                _json_response("Dissolved", *org),
                "org_id",
            )
        },
        "/members": {
            "get": {
                **_read(
                    "listMembers",
                    "Members, optionally of one chi bộ",
                    _json_response("Members", "members", member[1], True),
                ),
                "parameters": [
                    {
                        "name": "cell_id",
                        "in": "query",
                        "required": False,
                        "schema": UUID_SCHEMA,
                    }
                ],
            },
            "post": _write(
                "enrolMember",
                "Enrol a member in a chi bộ",
                _created(*member),
                ok_status="201",
            ),
        },
        "/members/{member_id}": {
            "get": _read(
                "getMember",
                "One member",
                _json_response("Member", *member),
                "member_id",
            )
        },
        "/members/{member_id}/transfer": {
            "post": _write(
                "transferMember",
                "Move a member to another chi bộ",
                _json_response("Transferred", *member),
                "member_id",
            )
        },
        "/accounts": {
            "get": _read(
                "listAccounts",
                "Accounts with their valid key id (administrators)",
                _json_response("Accounts", "accounts", account[1], True),
            ),
            "post": _write(
                "openAccount",
                "Open an account; a key pair is made for it",
                _created(*account),
                ok_status="201",
            ),
        },
        "/accounts/{account_id}/roles": {
            "post": _write(
                "changeRoles",
                "Change an account's roles",
                _json_response("Changed", *account),
                "account_id",
            )
        },
        "/accounts/{account_id}/disable": {
            "post": _write(
                "disableAccount",
                "Disable an account and revoke its keys",
                _json_response("Disabled", *account),
                "account_id",
            )
        },
        "/accounts/{account_id}/password": {
            "post": _write(
                "resetPassword",
                "Set a new password; a new key replaces the old (lost) one",
                _json_response("Reset", *account),
                "account_id",
            )
        },
        "/openapi.json": {
            "get": {
                "operationId": "openapi",
                "summary": "This document",
                "security": [],
                "responses": {"200": {"description": "OpenAPI 3.1 document"}},
            }
        },
    }
