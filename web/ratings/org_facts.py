"""The facts about an organisation the rating rules read: its sector (for the
order "chính quyền, chuyên môn, đoàn thể trước, cấp ủy sau"), conclusions about
the collective, the unit's task results and socio-economic targets, disciplined
cases of corruption, waste or negativity, and the discipline of the organisation.
Recorded by a secretary as signed events; read from the ``org_facts`` view."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from flask import abort, flash, redirect, render_template, url_for

from services import rating_commands as rc
from web.catalogue import ratings as labels
from web.catalogue.flashes import done
from web.dispatch import form_status
from web.forms import BaseForm
from web.identity import requires, user
from web.ratings import bp
from web.ratings.org_forms import (
    CaseForm,
    ConclusionForm,
    OrgDisciplineForm,
    SectorForm,
    TaskResultsForm,
)
from web.ratings.shared import send
from web.reads import found_or_404, reads

Build = Callable[[UUID, Any], Any]
ORG_FORMS: dict[str, tuple[type[BaseForm], Build]] = {
    "sector": (
        SectorForm,
        lambda o, f: rc.SetSector(user().actor, o, f.sector.data),
    ),
    "conclusion": (
        ConclusionForm,
        lambda o, f: rc.RecordConclusion(
            user().actor, o, f.kind.data, f.concluded_on.data, f.reference.data
        ),
    ),
    "task-results": (
        TaskResultsForm,
        lambda o, f: rc.RecordTaskResults(
            user().actor,
            o,
            f.year.data,
            f.tasks_planned.data,
            f.tasks_completed.data,
            f.reference.data,
            bool(f.targets_apply.data),
            tuple(f.targets_failed.data or ()),
        ),
    ),
    "case": (
        CaseForm,
        lambda o, f: rc.RecordCase(
            user().actor,
            o,
            f.kind.data,
            f.disciplined_on.data,
            f.reference.data,
            f.member_id.data,
        ),
    ),
    "discipline": (
        OrgDisciplineForm,
        lambda o, f: rc.RecordOrgDiscipline(
            user().actor, o, f.level.data, f.decided_on.data, f.reference.data
        ),
    ),
}


def _forms(kind: str, bound: dict[str, BaseForm] | None = None) -> dict[str, BaseForm]:
    members = [(m.member_id, m.full_name) for m in reads().members()]
    forms: dict[str, BaseForm] = {}
    for name, (cls, _build) in ORG_FORMS.items():
        if name == "sector" and kind != "leadership_collective":
            continue  # party organisations are always of the party's sector
        form = (bound or {}).get(name) or cls(
            formdata=None, prefix=name.replace("-", "_")
        )
        if hasattr(form, "member_id"):
            form.member_id.set_choices(members, empty="— Không —")
        forms[name] = form
    return forms


@bp.get("/organisations/<uuid:org_id>/facts")
def org_facts(org_id: UUID, bound: dict[str, BaseForm] | None = None):
    org = found_or_404(reads().organisation(org_id), "org.not_found")
    ratings = reads()
    names = {str(o.org_id): o.name for o in reads().organisations()}
    names.update({str(m.member_id): m.full_name for m in reads().members()})
    return render_template(
        "ratings/org_facts.html",
        org=org,
        sector=ratings.org_sector(org_id),
        facts=ratings.org_facts(org_id),
        kinds=labels.ORG_FACT_LABELS,
        values={
            **labels.SECTOR_LABELS,
            **labels.CONCLUSION_LABELS,
            **labels.TARGET_LABELS,
            **labels.CASE_LABELS,
            **labels.ORG_DISCIPLINE_LABELS,
            **names,
        },
        sectors=labels.SECTOR_LABELS,
        forms=_forms(org.kind, bound),
    )


@bp.post("/organisations/<uuid:org_id>/facts/<kind>")
@requires("organisation.record_fact")
def record_org_fact(org_id: UUID, kind: str):
    org = found_or_404(reads().organisation(org_id), "org.not_found")
    if kind not in ORG_FORMS:
        abort(404)
    cls, build = ORG_FORMS[kind]
    form = cls(prefix=kind.replace("-", "_"))
    bound = _forms(org.kind, {kind: form})
    form = bound.get(kind, form)
    if form.validate_on_submit() and send(build(org_id, form), form) is not None:
        flash(done("recorded"), "success")
        return redirect(url_for(".org_facts", org_id=org_id))
    return org_facts(org_id, {kind: form}), form_status(form)
