"""OpenAPI paths of the inspection committee's endpoints (``web.api.audit``),
merged into ``web.api.openapi.document``; the request bodies are generated from
what each endpoint accepts (``web.api.openapi_bodies``)."""

from __future__ import annotations

from typing import Any

UUID_SCHEMA = {"type": "string", "format": "uuid"}
OBJECT = {"type": "object"}
ERRORS_REF = "#/components/schemas/Error"


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": ERRORS_REF}}},
    }


READ_ERRORS = {
    "401": _error("Not signed in (auth.login_required)"),
    "403": _error(
        "Not an inspector (auth.forbidden), or the subject is outside the "
        "inspector's organisation and below (audit.out_of_scope)"
    ),
    "404": _error("No such subject, event, checkpoint or job (audit.*_not_found)"),
    "422": _error("A bad date or version (audit.date_invalid, audit.version_unknown)"),
    "503": _error("The database is busy: try again (store.busy)"),
}
WRITE_ERRORS = {
    **READ_ERRORS,
    "400": _error("Malformed body (form.invalid)"),
    "409": _error("Changed by someone else at the same time (store.conflict)"),
    "422": _error("Refused (audit.cosignature_invalid, audit.already_cosigned, …)"),
}


def _ok(description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": schema or OBJECT}},
    }


def _path(name: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": schema or UUID_SCHEMA,
    }


def _query(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": {"type": "string"},
    }


BUNDLE = {
    "type": "object",
    "description": (
        "kiemdiem-proof-bundle/v1: envelopes, RFC 9162 inclusion proofs and the "
        "signed checkpoint; check offline with `kiemdiem verify --bundle FILE`"
    ),
    "required": ["format", "origin", "subject", "checkpoint", "events", "keys"],
}


def audit_paths() -> dict[str, Any]:
    subject = _path("subject_id")
    return {
        "/audit/subjects/{subject_id}/history": {
            "get": {
                "operationId": "auditHistory",
                "summary": "One page (50 events, in log order) of a subject's "
                "file with each event's signature status; `next_after` is the "
                "`after` of the next page (null on the last)",
                "parameters": [
                    subject,
                    _query("after", "Events after this notification id (paging)"),
                    _query("actor", "Only this actor (u:<account id>)"),
                    _query("kind", "Only this event kind, e.g. Transferred"),
                    _query("from", "From this date (YYYY-MM-DD, Vietnam time)"),
                    _query("to", "Up to this date (YYYY-MM-DD, Vietnam time)"),
                ],
                "responses": {"200": _ok("The history"), **READ_ERRORS},
            }
        },
        "/audit/subjects/{subject_id}/as-of": {
            "get": {
                "operationId": "auditAsOf",
                "summary": "The subject (and, for an organisation, everything under "
                "it) as it stood at a moment, replayed from the events",
                "parameters": [
                    subject,
                    _query("at", "YYYY-MM-DD (end of day) or YYYY-MM-DDTHH:MM"),
                ],
                "responses": {"200": _ok("The state then"), **READ_ERRORS},
            }
        },
        "/audit/subjects/{subject_id}/bundle": {
            "get": {
                "operationId": "auditBundle",
                "summary": "The proof bundle of a subject's whole file",
                "parameters": [subject],
                "responses": {"200": _ok("The bundle", BUNDLE), **READ_ERRORS},
            }
        },
        "/audit/events/{notification_id}/proof": {
            "get": {
                "operationId": "auditEventProof",
                "summary": "One event's envelope and inclusion proof (a bundle)",
                "parameters": [_path("notification_id", {"type": "integer"})],
                "responses": {"200": _ok("The bundle", BUNDLE), **READ_ERRORS},
            }
        },
        "/audit/checkpoints": {
            "get": {
                "operationId": "auditCheckpoints",
                "summary": "The latest checkpoint, those the committee holds, and "
                "every rollback or fork found, with its evidence",
                "responses": {"200": _ok("Checkpoint status"), **READ_ERRORS},
            }
        },
        "/audit/checkpoints/cosign": {
            "post": {
                "operationId": "auditCosign",
                "summary": "Record a tlog-cosignature line made with `kiemdiem "
                "cosign` (signed by the member)",
                "responses": {"200": _ok("Recorded"), **WRITE_ERRORS},
            }
        },
        "/audit/verifications": {
            "post": {
                "operationId": "auditStartVerification",
                "summary": "Run `kiemdiem verify` on the store in the background",
                "responses": {
                    "202": _ok("Started; poll the Location"),
                    **WRITE_ERRORS,
                },
            }
        },
        "/audit/verifications/{job_id}": {
            "get": {
                "operationId": "auditVerification",
                "summary": "Progress of a verification job, and its report when done",
                "parameters": [_path("job_id", {"type": "string"})],
                "responses": {"200": _ok("The job"), **READ_ERRORS},
            }
        },
    }
