"""The inspection committee's pages. Every page reads through
``services().audit``, which checks the role and the scope (the inspector's
organisation and below); reads of a member's file are recorded there too."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any
from uuid import UUID

from flask import (
    Response,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)

from domain.errors import DomainError
from services import audit_commands as ac
from services.audit_results import Subject
from web.audit import bp
from web.audit.access import record_read
from web.audit.forms import (
    CompareForm,
    CosignForm,
    IssueCheckpointForm,
    VerifyForm,
    keyset_after,
    moment_from_text,
)
from web.audit.present import Field, raw_json, raw_json_of_stored, readable
from web.catalogue.audit import (
    BODY_FIELD_LABELS,
    CHECK_LABELS,
    FIELD_LABELS,
    INCIDENT_TEXT,
    KEY_ROLE_LABELS,
    SUBJECT_KIND_LABELS,
    VERIFY_CHECK_LABELS,
    VERIFY_STATUS_LABELS,
    VIEW_LABELS,
    event_label,
)
from web.catalogue.flashes import done
from web.dispatch import form_refusal, form_status, submit
from web.identity import requires, services, user
from web.reads import reads

log = logging.getLogger(__name__)
MEMBER_FILE = "PartyMember"


# -- helpers ---------


def _record_read(subject: Subject, view: str) -> None:
    """Reads of a member's file are recorded, signed by the reader (never failing
    the page: see services.audit)."""
    if subject.kind != MEMBER_FILE:
        return
    record_read(subject.subject_id, view)


def _positive(name: str) -> int | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    if not raw.isdigit() or int(raw) < 1:
        raise DomainError("audit.version_unknown", last="?")
    return int(raw)


def _after() -> int:
    """The keyset cursor of a history page (``after``: a notification id)."""
    return keyset_after(request.args.get("after", ""))


def _download(payload: bytes, filename: str, mimetype: str) -> Response:
    response = Response(payload, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _submit(command: Any, form: Any) -> Any | None:
    """Send an audit command signed by the current user; a refusal goes on the
    form (the page-level ones to the error handlers)."""
    return submit(command, form)


# -- workspace ---------


@bp.get("/")
@requires("audit.read")
def index():
    raw = request.args.get("subject", "").strip()
    if raw:
        try:
            return redirect(url_for(".subject", subject_id=UUID(raw)))
        except ValueError:
            raise DomainError("audit.subject_invalid", value=raw) from None
    audit = reads().audit
    organisations = audit.in_scope_organisations()
    latest = audit.latest_checkpoint()
    return render_template(
        "audit/index.html",
        organisations=organisations,
        latest=latest,
        incidents=audit.incidents(),
        alerts=audit.alerts(),
    )


# Events a history page shows: each is checked and rendered as a form, and a
# member's file grows by one signed access record per view (issue 14: 50 a
# page cost ~100 ms at 10,000 members; the API's pages stay at 50).
HISTORY_PAGE = 25


@bp.get("/subjects/<uuid:subject_id>")
@requires("audit.read")
def subject(subject_id: UUID):
    """One page of the subject's file (25 events, in log order); "Trang sau"
    continues after the last notification id shown."""
    by = request.args.get("actor", "").strip() or None
    kind = request.args.get("kind", "").strip() or None
    since = moment_from_text(request.args.get("from"), end_of_day=False)
    until = moment_from_text(request.args.get("to"))
    found = reads().audit.history(
        subject_id,
        by=by,
        kind=kind,
        since=since,
        until=until,
        after=_after(),
        limit=HISTORY_PAGE,
    )
    # The page shows what it read above; the signed record of this read is
    # projected while the page renders, and the answer waits for it (read
    # your own writes) as the block ends.
    with services().views_after():
        _record_read(found.subject, "history")
        members = []
        if found.subject.kind == "Organisation":
            members = reads().audit.members(subject_id)
        filters = {
            "actor": by or "",
            "kind": kind or "",
            "from": request.args.get("from", ""),
            "to": request.args.get("to", ""),
        }
        return render_template(
            "audit/subject.html",
            h=found,
            members=members,
            pending=reads().audit.pending_reads(subject_id),
            filters=filters,
            query={k: v for k, v in filters.items() if v},
        )


@bp.get("/events/<int:notification_id>")
@requires("audit.read")
def event(notification_id: int):
    """One event of a file with its checks and its whole signed body."""
    detail = reads().audit.event_detail(notification_id)
    # A view of the file's history (domain.audit.VIEWS): a view the access log
    # refused would stay pending and hold back the reader's later reads.
    _record_read(detail.subject, "history")
    return render_template("audit/event.html", d=detail)


@bp.get("/subjects/<uuid:subject_id>/as-of")
@requires("audit.read")
def as_of(subject_id: UUID):
    moment = moment_from_text(request.args.get("at"))
    if moment is None:
        subject = reads().audit.readable_subject(subject_id)
        return render_template("audit/as_of.html", subject=subject, result=None)
    result = reads().audit.as_of(subject_id, moment)
    _record_read(result.subject, "as_of")
    return render_template(
        "audit/as_of.html", subject=result.subject, result=result, at=moment
    )


@bp.get("/subjects/<uuid:subject_id>/diff")
@requires("audit.read")
def diff(subject_id: UUID):
    before, after = _positive("a"), _positive("b")
    subject = reads().audit.readable_subject(subject_id)
    if before is None or after is None:
        raise DomainError("audit.version_unknown", last=subject.version)
    changes = reads().audit.diff(subject_id, before, after)
    _record_read(subject, "diff")
    return render_template(
        "audit/diff.html", subject=subject, changes=changes, a=before, b=after
    )


@bp.get("/subjects/<uuid:subject_id>/bundle.json")
@requires("audit.read")
def bundle(subject_id: UUID):
    subject = reads().audit.readable_subject(subject_id)
    made = reads().audit.proof_bundle(subject_id)
    _record_read(subject, "bundle")
    payload = json.dumps(made, ensure_ascii=False, indent=1).encode("utf-8")
    return _download(payload, f"bundle-{subject_id}.json", "application/json")


@bp.get("/events/<int:notification_id>/proof.json")
@requires("audit.read")
def event_proof(notification_id: int):
    subject = reads().audit.event_subject(notification_id)
    made = reads().audit.event_proof(notification_id)
    _record_read(subject, "proof")
    payload = json.dumps(made, ensure_ascii=False, indent=1).encode("utf-8")
    return _download(payload, f"proof-{notification_id}.json", "application/json")


# -- checkpoints ---------


def _checkpoints_page(cosign_form: CosignForm, compare_form: CompareForm, **extra):
    status = reads().audit.checkpoint_status()
    if status.latest is not None and not cosign_form.is_submitted():
        cosign_form.size.data = status.latest.size
    return render_template(
        "audit/checkpoints.html",
        status=status,
        cosign_form=cosign_form,
        compare_form=compare_form,
        issue_form=IssueCheckpointForm(prefix="issue"),
        **extra,
    )


@bp.get("/checkpoints")
@requires("audit.read")
def checkpoints():
    return _checkpoints_page(CosignForm(prefix="cosign"), CompareForm(prefix="compare"))


@bp.post("/checkpoints/issue")
@requires("ledger.checkpoint")
def issue_checkpoint():
    form = IssueCheckpointForm(prefix="issue")
    if form.validate_on_submit():
        stored = services().audit.issue_checkpoint(user().actor)
        flash(done("audit.checkpoint_signed", size=stored.size), "success")
        return redirect(url_for(".checkpoints"))
    page = _checkpoints_page(CosignForm(prefix="cosign"), CompareForm(prefix="compare"))
    return page, 400


@bp.get("/checkpoints/latest.checkpoint")
@requires("audit.read")
def latest_checkpoint():
    latest = reads().audit.latest_checkpoint()
    if latest is None:
        raise DomainError("audit.no_checkpoint")
    return _download(latest.note, f"{latest.size}.checkpoint", "text/plain")


@bp.get("/checkpoints/<int:size>/cosigned.checkpoint")
@requires("audit.read")
def cosigned_checkpoint(size: int):
    note = reads().audit.cosigned_note(size)
    return _download(note, f"{size}-cosigned.checkpoint", "text/plain")


@bp.post("/checkpoints/cosign")
@requires("audit.cosign")
def cosign():
    form = CosignForm(prefix="cosign")
    if form.validate_on_submit():
        command = ac.CosignCheckpoint(
            actor_id=user().actor, size=form.size.data, line=form.line.data
        )
        if _submit(command, form) is not None:
            flash(done("audit.cosigned", size=form.size.data), "success")
            return redirect(url_for(".checkpoints"))
    page = _checkpoints_page(form, CompareForm(prefix="compare"))
    return page, form_status(form)


@bp.post("/checkpoints/compare")
@requires("audit.read")
def compare():
    form = CompareForm(prefix="compare")
    comparison = None
    if form.validate_on_submit():
        text = form.note.data.replace("\r\n", "\n")
        try:
            comparison = reads().audit.compare_checkpoint(text.encode("utf-8"))
        except DomainError as exc:
            form_refusal(exc, form)
    page = _checkpoints_page(CosignForm(prefix="cosign"), form, comparison=comparison)
    return page, form_status(form)


# -- verification ---------


@bp.route("/verify", methods=["GET", "POST"])
@requires("audit.verify")
def verify():
    form = VerifyForm()
    if form.validate_on_submit():
        job_id = services().audit.start_verification(user().actor)
        return redirect(url_for(".verify_job", job_id=job_id))
    return render_template("audit/verify.html", form=form, job=None), form_status(form)


@bp.get("/verify/<job_id>")
@requires("audit.verify")
def verify_job(job_id: str):
    job = reads().audit.job(job_id)
    return render_template("audit/verify.html", form=VerifyForm(), job=job)


@bp.get("/verify/<job_id>/status.json")
@requires("audit.verify")
def verify_status(job_id: str):
    job = reads().audit.job(job_id)
    body = job.to_json()
    body["html"] = (
        render_template("audit/_report.html", job=job) if job.finished else None
    )
    return jsonify(body)


# -- template helpers ---------


@bp.app_context_processor
def audit_banner() -> dict[str, Any]:
    """Inspectors see a loud banner on every page while a fork or a rollback is
    on record."""
    try:
        if not user().is_authenticated or not user().may("audit.read"):
            return {"audit_incidents": 0}
    except AttributeError:
        return {"audit_incidents": 0}
    try:
        return {"audit_incidents": len(reads().audit.incidents())}
    except Exception:  # a banner must never break a page
        log.exception("could not read the audit incidents")
        return {"audit_incidents": 0}


@bp.app_template_filter("check_label")
def check_label(kind: str) -> str:
    return CHECK_LABELS.get(kind, kind)


@bp.app_template_filter("field_label")
def field_label(name: str) -> str:
    return FIELD_LABELS.get(name, name)


@bp.app_template_filter("event_label")
def event_label_filter(topic: str) -> str:
    return event_label(topic)


@bp.app_template_global("readable_form")
def readable_form(
    topic: str, body: Mapping[str, Any], names: Mapping[str, str]
) -> list[Field]:
    """The signed entry as a readable Vietnamese form (web.audit.present)."""
    return readable(topic, body, names)


@bp.app_template_global("raw_signed_json")
def raw_signed_json(body: Mapping[str, Any], stored: bytes | int = 0) -> str | None:
    """The raw JSON of an entry's body: ``stored`` is the event's stored bytes
    (the dump is kept per process under them) or just their size."""
    if isinstance(stored, bytes):
        return raw_json_of_stored(stored, body)
    return raw_json(body, stored)


@bp.app_template_filter("body_label")
def body_label(name: str) -> str:
    """The Vietnamese name of a stored field or attribute; "" when it has none."""
    return BODY_FIELD_LABELS.get(name, "")


@bp.app_template_filter("view_label")
def view_label(view: str) -> str:
    return VIEW_LABELS.get(view, view)


@bp.app_template_filter("verify_check")
def verify_check_label(name: str) -> str:
    return VERIFY_CHECK_LABELS.get(name, name)


@bp.app_template_filter("verify_status")
def verify_status_label(status: str) -> str:
    return VERIFY_STATUS_LABELS.get(status, status)


@bp.app_template_filter("key_role")
def key_role(role: str) -> str:
    return KEY_ROLE_LABELS.get(role, role)


@bp.app_template_filter("subject_kind")
def subject_kind(kind: str) -> str:
    return SUBJECT_KIND_LABELS.get(kind, kind)


@bp.app_template_filter("incident_text")
def incident_text(kind: str) -> str:
    return INCIDENT_TEXT.get(kind, "")
