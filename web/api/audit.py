"""JSON endpoints of the inspection committee's workspace (issue 5), on the API
blueprint: history with signature status (one page of 50 events; ``next_after``
is the ``after`` of the next page; each event's signed body is in its proof),
state as of a moment, proof bundles, checkpoints, cosigning and verification
jobs. Same checks as the pages (role and
scope in ``services.audit``); reads of a member's file are recorded the same way.
"""

from __future__ import annotations

import logging
from typing import Any
from uuid import UUID

from flask import jsonify, request, url_for

from domain.errors import DomainError
from services import audit_commands as ac
from services.audit_results import HistoryItem, StateAt, Subject
from web.api import bp
from web.api.bodies import body, post, run
from web.api.fields import INT64, Body, Int, Text
from web.audit.access import record_read
from web.audit.forms import keyset_after, moment_from_text
from web.identity import requires, services, user
from web.reads import reads

log = logging.getLogger(__name__)
MEMBER_FILE = "PartyMember"


def _record_read(subject: Subject) -> None:
    if subject.kind != MEMBER_FILE:
        return
    record_read(subject.subject_id, "api")


def _subject(subject: Subject) -> dict[str, Any]:
    return {
        "id": str(subject.subject_id),
        "kind": subject.kind,
        "label": subject.label,
        "org_id": str(subject.org_id) if subject.org_id else None,
        "version": subject.version,
    }


def _event(item: HistoryItem) -> dict[str, Any]:
    e = item.entry
    return {
        "notification_id": e.row.notification_id,
        "stream": str(e.row.stream),
        "version": e.row.version,
        "topic": e.row.topic,
        "kind": item.kind,
        "own": item.own,
        "ts": e.ts,
        "actor": e.actor,
        "actor_name": item.actor_name,
        "key_id": e.key_id,
        "key_role": e.key_role,
        "ok": e.ok,
        "problems": [{"kind": p.kind, "detail": p.detail} for p in e.problems],
        "explanation": [{"field": f, "text": t} for f, t in item.explanation],
        "proof": url_for(".audit_event_proof", notification_id=e.row.notification_id),
    }


def _state(state: StateAt) -> dict[str, Any]:
    return {
        "id": str(state.subject_id),
        "kind": state.kind,
        "label": state.label,
        "version": state.version,
        "state": state.state,
    }


@bp.get("/audit/subjects/<uuid:subject_id>/history")
@requires("audit.read")
def audit_history(subject_id: UUID):
    args = request.args
    found = reads().audit.history(
        subject_id,
        by=args.get("actor") or None,
        kind=args.get("kind") or None,
        since=moment_from_text(args.get("from"), end_of_day=False),
        until=moment_from_text(args.get("to")),
        after=keyset_after(args.get("after", "")),
    )
    _record_read(found.subject)
    return jsonify(
        {
            "subject": _subject(found.subject),
            "failures": found.failures,
            "events": [_event(i) for i in found.items],
            "next_after": found.next_after,
        }
    )


@bp.get("/audit/subjects/<uuid:subject_id>/as-of")
@requires("audit.read")
def audit_as_of(subject_id: UUID):
    moment = moment_from_text(request.args.get("at"))
    if moment is None:
        raise DomainError("audit.date_invalid", value="")
    result = reads().audit.as_of(subject_id, moment)
    _record_read(result.subject)
    return jsonify(
        {
            "subject": _subject(result.subject),
            "at": result.moment.isoformat(),
            "position": result.position,
            "state": _state(result.main),
            "related": [_state(s) for s in result.related],
        }
    )


@bp.get("/audit/subjects/<uuid:subject_id>/bundle")
@requires("audit.read")
def audit_bundle(subject_id: UUID):
    subject = reads().audit.readable_subject(subject_id)
    made = reads().audit.proof_bundle(subject_id)
    _record_read(subject)
    return jsonify(made)


@bp.get("/audit/events/<notification_id>/proof")
@requires("audit.read")
def audit_event_proof(notification_id: str):
    if not notification_id.isdigit():
        raise DomainError("audit.event_not_found", id=notification_id)
    return _event_proof(int(notification_id))


def _event_proof(notification_id: int):
    subject = reads().audit.event_subject(notification_id)
    made = reads().audit.event_proof(notification_id)
    _record_read(subject)
    return jsonify(made)


@bp.get("/audit/checkpoints")
@requires("audit.read")
def audit_checkpoints():
    status = reads().audit.checkpoint_status()
    latest = status.latest
    return jsonify(
        {
            "log_size": status.log_size,
            "latest": None
            if latest is None
            else {"size": latest.size, "note": latest.note.decode("utf-8")},
            "held": [
                {
                    "size": h.size,
                    "root": h.root,
                    "holder": h.holder,
                    "seen_log_size": h.seen_log_size,
                    "note": h.note,
                }
                for h in status.held
            ],
            "incidents": [
                {
                    "kind": i.kind,
                    "detail": i.detail,
                    "evidence": i.evidence,
                    "detected_at": i.detected_at,
                }
                for i in status.incidents
            ],
            "cosigner_name": status.cosigner_name,
        }
    )


COSIGN = Body(
    {
        "size": Int(minimum=1, maximum=INT64),
        "line": Text(
            limit=1000,
            trimmed=True,
            description="The tlog-cosignature line made by `kiemdiem cosign`",
        ),
    }
)


@post("/audit/checkpoints/cosign", COSIGN)
@requires("audit.cosign")
def audit_cosign():
    values = body()
    run(ac.CosignCheckpoint(user().actor, values["size"], values["line"]))
    return jsonify(
        {"size": values["size"], "cosigner_name": reads().audit.cosigner_name()}
    )


@post("/audit/verifications", Body())
@requires("audit.verify")
def audit_start_verification():
    body()
    job_id = services().audit.start_verification(user().actor)
    response = jsonify({"job_id": job_id})
    response.status_code = 202
    response.headers["Location"] = url_for(".audit_verification", job_id=job_id)
    return response


@bp.get("/audit/verifications/<job_id>")
@requires("audit.verify")
def audit_verification(job_id: str):
    return jsonify(reads().audit.job(job_id).to_json())
