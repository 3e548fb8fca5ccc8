"""Đảng viên: the bulk import and the facts recorded about one member (posts,
oversight, exemptions, leave, discipline, confidence results)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import abort, flash, redirect, render_template, url_for

from domain.errors import DomainError
from services import rating_commands as rc
from services.errors import SignatureRequiredError
from web.catalogue import ratings as labels
from web.catalogue.flashes import done
from web.dispatch import form_refusal, form_status
from web.forms import BaseForm
from web.identity import requires, services, signer, user
from web.ratings import bp
from web.ratings.forms import (
    ConfidenceFactForm,
    DegradationFactForm,
    DisciplineFactForm,
    EndOversightFactForm,
    EndPostFactForm,
    ExemptionFactForm,
    ImportMembersForm,
    LeaveFactForm,
    OversightFactForm,
    PostFactForm,
    TemporaryCellFactForm,
    WorkSituationFactForm,
)
from web.ratings.shared import (
    org_names,
    send,
)
from web.reads import found_or_404, org_choices, reads


# -- bulk import of members ------------------------------------------------------------
@bp.route("/import", methods=["GET", "POST"])
@requires("member.enrol")
def import_members():
    from services.member_import import import_members as run_import

    form = ImportMembersForm()
    report = None
    status = 200
    if form.validate_on_submit():
        upload = form.file.data
        try:
            report = run_import(
                services(),
                signer(),
                upload.read(),
                upload.filename or "",
                dry_run=bool(form.dry_run.data),
            )
        except SignatureRequiredError:
            raise
        except DomainError as exc:
            form_refusal(exc, form)
            status = form_status(form)
        else:
            if report.errors:
                status = 422
            elif report.imported:
                flash(done("member.imported", count=report.imported), "success")
    elif form.is_submitted():
        status = 400
    return render_template("ratings/import.html", form=form, report=report), status


# -- facts about a member ------------------------------------------------------------
FACT_FORMS: dict[str, tuple[type[BaseForm], Any]] = {
    "post": (
        PostFactForm,
        lambda m, f: rc.AssignPost(
            user().actor, m, f.org_id.data, f.role.data, f.since.data
        ),
    ),
    "end-post": (
        EndPostFactForm,
        lambda m, f: rc.EndPost(user().actor, m, f.org_id.data, f.until.data),
    ),
    "oversight": (
        OversightFactForm,
        lambda m, f: rc.AssignOversight(user().actor, m, f.org_id.data, f.since.data),
    ),
    "end-oversight": (
        EndOversightFactForm,
        lambda m, f: rc.EndOversight(user().actor, m, f.org_id.data, f.until.data),
    ),
    "temporary-cell": (
        TemporaryCellFactForm,
        lambda m, f: rc.AttachTemporaryCell(
            user().actor, m, f.cell_id.data, f.since.data
        ),
    ),
    "exemption": (
        ExemptionFactForm,
        lambda m, f: rc.RecordExemption(
            user().actor, m, f.kind.data, f.start.data, f.reference.data, f.end.data
        ),
    ),
    "leave": (
        LeaveFactForm,
        lambda m, f: rc.RecordLeave(
            user().actor, m, f.kind.data, f.start.data, f.end.data
        ),
    ),
    "discipline": (
        DisciplineFactForm,
        lambda m, f: rc.RecordDiscipline(
            user().actor,
            m,
            f.level.data,
            bool(f.duty_related.data),
            f.decided_on.data,
            f.reference.data,
            f.conduct_org_id.data,
        ),
    ),
    "degradation": (
        DegradationFactForm,
        lambda m, f: rc.RecordDegradation(
            user().actor, m, f.concluded_on.data, f.reference.data
        ),
    ),
    "confidence": (
        ConfidenceFactForm,
        lambda m, f: rc.RecordConfidenceResult(
            user().actor,
            m,
            f.held_on.data,
            f.returned.data,
            f.low.data,
            f.reference.data,
        ),
    ),
    "work-situation": (
        WorkSituationFactForm,
        lambda m, f: rc.SetWorkSituation(
            user().actor, m, bool(f.outside_political_system.data)
        ),
    ),
}


def _fact_forms(bound: dict[str, BaseForm] | None = None) -> dict[str, BaseForm]:
    rows = reads().organisations()
    posts = org_choices(
        rows,
        (
            "leadership_collective",
            "grassroots_committee",
            "partial_committee",
            "district_committee",
            "provincial_committee",
            "cell",
        ),
    )
    cells = org_choices(rows, ("cell",))
    forms: dict[str, BaseForm] = {}
    for kind, (cls, _build) in FACT_FORMS.items():
        prefix = kind.replace("-", "_")
        form = (bound or {}).get(kind) or cls(formdata=None, prefix=prefix)
        for name, items in (
            ("org_id", posts),
            ("cell_id", cells),
            ("conduct_org_id", posts),
        ):
            if hasattr(form, name):
                getattr(form, name).set_choices(items, empty="— Chọn —")
        forms[kind] = form
    return forms


@bp.get("/members/<uuid:member_id>")
def member_facts(member_id: UUID, bound: dict[str, BaseForm] | None = None):
    member = found_or_404(reads().member(member_id), "member.not_found")
    return render_template(
        "ratings/member.html",
        member=member,
        facts=reads().member_facts(member_id),
        kinds=labels.FACT_KIND_LABELS,
        names={**labels.FACT_VALUE_LABELS, **org_names()},
        forms=_fact_forms(bound),
    )


@bp.post("/members/<uuid:member_id>/<kind>")
@requires("member.record_fact")
def record_fact(member_id: UUID, kind: str):
    found_or_404(reads().member(member_id), "member.not_found")
    if kind not in FACT_FORMS:
        abort(404)
    cls, build = FACT_FORMS[kind]
    form = _fact_forms({kind: cls(prefix=kind.replace("-", "_"))})[kind]
    if form.validate_on_submit() and send(build(member_id, form), form) is not None:
        flash(done("recorded"), "success")
        return redirect(url_for(".member_facts", member_id=member_id))
    return member_facts(member_id, {kind: form}), form_status(form)
