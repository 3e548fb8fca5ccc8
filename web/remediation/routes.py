"""Remediation pages: read the ``remediation`` view through
``services.remediation``; forms send signed commands. Refusals come back on the
form in Vietnamese. Nothing here decides a rule."""

from __future__ import annotations

import logging
from typing import Any
from uuid import UUID

from flask import flash, redirect, render_template, request, url_for

from domain import permissions
from domain.errors import DomainError
from domain.permissions import Read
from domain.subjects import SubjectKey
from services import remediation_commands as mc
from services.queries import OrganisationRow
from services.read_pages import Page
from web.catalogue.flashes import done
from web.catalogue.remediation import (
    CAUSE_LABELS,
    SOURCE_LABELS,
    STATUS_LABELS,
    STEP_LABELS,
    SUPERVISOR_LABELS,
    URGENCY_LABELS,
)
from web.dispatch import form_refusal, form_status, submit
from web.forms import BaseForm, choices
from web.identity import requires, user
from web.reads import (
    cursor_arg,
    directory,
    form_choices,
    found_or_404,
    reads,
    typed_label,
)
from web.remediation import bp
from web.remediation.forms import (
    ORG_CHOICES_ID,
    ClaimForm,
    FilterForm,
    PlanForm,
    ProgressForm,
    RecordShortcomingForm,
    RefuseForm,
    VerifyForm,
)

log = logging.getLogger(__name__)
LABELS = {
    "status": STATUS_LABELS,
    "source": SOURCE_LABELS,
    "cause": CAUSE_LABELS,
    "supervisor": SUPERVISOR_LABELS,
    "urgency": URGENCY_LABELS,
    "step": STEP_LABELS,
}


@bp.app_template_filter("remediation_label")
def remediation_label(value: str | None, table: str = "status") -> str:
    if not value:
        return "—"
    return LABELS[table].get(value, value)


def send(command: Any, form: BaseForm) -> Any | None:
    """Run a remediation command signed by the current user; a refusal goes on
    ``form``."""
    return submit(command, form)


def _tracks() -> bool:
    return permissions.may(user().roles, "remediation.track")


# -- tracking view ------------------------------------------------------------------
@bp.get("/")
def index():
    gate = reads()
    if not _tracks():
        if gate.viewer.member_id is None:
            raise DomainError("auth.forbidden", action="remediation.track")
        return redirect(
            url_for(".subject", key=str(SubjectKey.of_member(gate.viewer.member_id)))
        )
    remediation = gate.remediation
    form = FilterForm(request.args, meta={"csrf": False})
    form.validate()
    form.status.choices = choices([("", "Tất cả"), *STATUS_LABELS.items()])
    form.urgency.choices = choices([("", "Tất cả"), *URGENCY_LABELS.items()])
    found = directory().organisations_in_reach(Read.REMEDIATION, ORG_CHOICES)
    org = _chosen_org(form, found.rows)
    years = remediation.years_of(org) if org is not None else []
    form.year.choices = choices([("", "Tất cả"), *((str(y), str(y)) for y in years)])
    year = int(form.year.data) if (form.year.data or "").isdigit() else None
    status = form.status.data if form.status.data in STATUS_LABELS else None
    urgency = form.urgency.data if form.urgency.data in URGENCY_LABELS else None
    filters = {"year": year, "status": status, "urgency_filter": urgency}
    page = (
        remediation.tracking_page(
            org, after=cursor_arg("sau"), before=cursor_arg("truoc"), **filters
        )
        if org is not None
        else Page([], None, None)
    )
    row = gate.organisation(org) if org is not None else None
    if row is not None:
        form.org_id.data = org_label(row)
    kept = {"org_id": str(org) if org else None, "year": year, "status": status}
    kept["urgency"] = urgency
    return render_template(
        "remediation/index.html",
        form=form,
        org_name=row.name if row is not None else "",
        counts=remediation.status_counts(org, year) if org is not None else {},
        page=page,
        items=page.rows,
        kept={k: v for k, v in kept.items() if v},
        orgs=[org_label(o) for o in found.rows],
        more_orgs=found.more,
        list_id=ORG_CHOICES_ID,
    )


ORG_CHOICES = 200  # organisations suggested in the page at most; typing finds more


def org_label(row: OrganisationRow) -> str:
    return f"{row.name} ({row.code})"


def _chosen_org(form: FilterForm, first: list[OrganisationRow]) -> UUID | None:
    """The organisation typed (its refusal on the field when it names none or
    several), else the viewer's own, else the first in reach."""
    typed = (form.org_id.data or "").strip()
    if typed:
        try:
            return directory().organisation_named(typed, Read.REMEDIATION)
        except DomainError as exc:
            form_refusal(exc, form)
            return None
    own = reads().viewer.org_id
    if own is not None and reads().sees(Read.REMEDIATION, own):
        return own
    return first[0].org_id if first else None


@bp.get("/worklist")
@requires("remediation.verify")
def worklist():
    gate = reads()
    found = gate.remediation.worklist()
    names = gate.organisation_names([gate.viewer.org_id])
    return render_template(
        "remediation/worklist.html",
        awaiting=found["awaiting"],
        overdue=found["overdue"],
        awaiting_count=found["awaiting_count"],
        overdue_count=found["overdue_count"],
        org_name=names.get(str(gate.viewer.org_id), ""),
    )


# -- a subject's file --------------------------------------------------------------
def _numbered(form: BaseForm, number: int) -> BaseForm:
    """Distinct element ids for the same form repeated once per shortcoming
    (the field names, which the POST reads, stay the same)."""
    for field in form:
        if field.name != "csrf_token":
            field.id = f"{field.name}-{number}"
    return form


def _subject_page(key: str, status: int = 200, **forms: Any):
    remediation = reads().remediation
    items, plans = remediation.subject_file(key)
    name = (
        items[0]["subject_name"]
        if items
        else (plans[0]["subject_name"] if plans else key)
    )
    histories = {
        i["shortcoming_id"]: remediation.history(UUID(i["shortcoming_id"]))
        for i in items
    }
    plan = forms.get("plan") or PlanForm(formdata=None, prefix="pl")
    plan.shortcoming_ids.choices = choices(
        (i["shortcoming_id"], i["description"])
        for i in items
        if i["status"] in ("OPEN", "NOT_DONE")
    )
    failed: dict[str, Any] | None = forms.get("failed")
    steps: dict[str, dict[str, BaseForm]] = {}
    for number, i in enumerate(items, start=1):
        mine: dict[str, BaseForm] = {}
        for step, (_a, form_class, prefix, _b, _d) in STEPS.items():
            form = (
                failed["form"]
                if failed is not None
                and failed["item"] == i["shortcoming_id"]
                and failed["step"] == step
                else form_class(formdata=None, prefix=prefix)
            )
            mine[step] = _numbered(form, number)
        steps[i["shortcoming_id"]] = mine
    years = sorted({p["year"] for p in plans}, reverse=True)
    next_year = (max(years) + 1) if years else None
    carried = remediation.carried(key, next_year) if next_year else None
    return (
        render_template(
            "remediation/subject.html",
            key=key,
            name=name,
            items=items,
            plans=plans,
            histories=histories,
            plan=plan,
            failed=failed,
            steps=steps,
            carried=carried,
            next_year=next_year,
            supervisor_orgs=[
                typed_label(o.name, o.code) for o in form_choices().own_line()
            ],
        ),
        status,
    )


@bp.get("/subjects/<key>")
def subject(key: str):
    return _subject_page(key)


@bp.post("/subjects/<key>/plan")
@requires("remediation.plan")
def adopt_plan(key: str):
    form = PlanForm(prefix="pl")
    form.shortcoming_ids.choices = choices(
        (i["shortcoming_id"], i["description"])
        for i in reads().remediation.items(subject_key=key)
    )
    if form.validate_on_submit() and (typed := _plan_people(form)) is not None:
        command = mc.AdoptRemediationPlan(
            actor_id=user().actor,
            shortcoming_ids=tuple(UUID(s) for s in form.shortcoming_ids.data or ()),
            measures=tuple(
                line.strip() for line in form.measures.data.splitlines() if line.strip()
            ),
            responsible_member_id=typed[0],
            deadline=form.deadline.data,
            supervisor=form.supervisor.data,
            supervisor_org_id=typed[1],
            adopted_on=form.adopted_on.data,
        )
        if send(command, form) is not None:
            flash(done("remediation.plan_adopted"), "success")
            return redirect(url_for(".subject", key=key))
    return _subject_page(key, form_status(form), plan=form)


def _plan_people(form: PlanForm) -> tuple[UUID, UUID] | None:
    """The responsible member and the supervising organisation as typed, read
    in the user's scope; None with each refusal beside its field."""
    choices = form_choices()
    member = org = None
    try:
        member = choices.member_named(form.responsible_member_id.data or "")
    except DomainError as exc:
        form_refusal(exc, form)
    try:
        org = choices.readable_organisation_named(form.supervisor_org_id.data or "")
    except DomainError as exc:
        form_refusal(exc, form)
    return (member, org) if member is not None and org is not None else None


def _item(shortcoming_id: UUID) -> dict[str, Any]:
    return found_or_404(
        reads().remediation.item(shortcoming_id), "remediation.shortcoming_not_found"
    )


STEPS: dict[str, tuple[str, type[BaseForm], str, Any, str]] = {
    "progress": (
        "remediation.report",
        ProgressForm,
        "pg",
        lambda i, f: mc.ReportRemediationProgress(
            actor_id=user().actor,
            shortcoming_id=i,
            text=f.text.data,
            document_reference=f.document_reference.data or "",
            document_sha256=f.document_sha256.data or "",
            reported_on=f.reported_on.data,
        ),
        done("remediation.progress_reported"),
    ),
    "claim": (
        "remediation.claim",
        ClaimForm,
        "cl",
        lambda i, f: mc.ClaimRemediation(
            actor_id=user().actor,
            shortcoming_id=i,
            summary=f.summary.data,
            claimed_on=f.claimed_on.data,
        ),
        done("remediation.completion_claimed"),
    ),
    "verify": (
        "remediation.verify",
        VerifyForm,
        "vf",
        lambda i, f: mc.VerifyRemediation(
            actor_id=user().actor,
            shortcoming_id=i,
            note=f.note.data or "",
            verified_on=f.verified_on.data,
        ),
        done("remediation.verified"),
    ),
    "refuse": (
        "remediation.verify",
        RefuseForm,
        "rf",
        lambda i, f: mc.RefuseRemediation(
            actor_id=user().actor,
            shortcoming_id=i,
            reason=f.reason.data or "",
            refused_on=f.refused_on.data,
        ),
        done("remediation.rejected"),
    ),
}


def _step_view(step: str) -> Any:
    action, form_class, prefix, build, confirmation = STEPS[step]

    def view(shortcoming_id: UUID) -> Any:
        row = _item(shortcoming_id)
        form = form_class(prefix=prefix)
        if form.validate_on_submit() and send(build(shortcoming_id, form), form):
            flash(confirmation, "success")
            return redirect(url_for(".subject", key=row["subject_key"]))
        return _subject_page(
            row["subject_key"],
            form_status(form),
            failed={"item": str(shortcoming_id), "step": step, "form": form},
        )

    view.__name__ = f"item_{step}"
    return requires(action)(view)


for _step in STEPS:
    bp.add_url_rule(
        f"/items/<uuid:shortcoming_id>/{_step}",
        endpoint=f"item_{_step}",
        view_func=_step_view(_step),
        methods=["POST"],
    )


# -- recording a shortcoming --------------------------------------------------------
def _record_page(cycle_id: UUID, key: str, form: RecordShortcomingForm, status: int):
    ratings = reads()
    cycle = found_or_404(ratings.cycle_row(cycle_id), "cycle.not_found")
    row = found_or_404(ratings.subject_row(cycle_id, key), "rating.subject_not_found")
    reviews = [r for r in ratings.reviews(cycle_id) if r["subject_key"] == key]
    names = ratings.organisation_names(r["venue_id"] for r in reviews)
    form.review_id.set_choices(
        [
            (UUID(r["review_id"]), f"Tại {names.get(r['venue_id'], '')}")
            for r in reviews
        ],
        empty="(không gắn với hội nghị)",
    )
    earlier = [
        i
        for i in reads().remediation.items(subject_key=key)
        if i["year"] < cycle["year"] and i["status"] != "RECURRED"
    ]
    form.recurrence_of.set_choices(
        [
            (UUID(i["shortcoming_id"]), f"{i['year']}: {i['description']}")
            for i in earlier
        ],
        empty="(không phải tái diễn)",
    )
    persons = []
    if row["kind"] == "collective":
        for other in ratings.post_holders(cycle_id, row["org_id"]):
            role = other["posts"].get(row["org_id"]) if other["member_id"] else None
            if role:
                persons.append(
                    {
                        "member_id": other["member_id"],
                        "name": other["name"],
                        "role": role,
                    }
                )
    return (
        render_template(
            "remediation/record.html",
            cycle=cycle,
            subject=row,
            form=form,
            persons=persons,
            person_values=request.form if request.method == "POST" else {},
        ),
        status,
    )


def _person_field(name: str) -> bool:
    if not name.startswith("person-"):
        return False
    try:
        UUID(name.removeprefix("person-"))
    except ValueError:
        return False
    return True


@bp.route("/cycles/<uuid:cycle_id>/subjects/<key>/record", methods=["GET", "POST"])
@requires("remediation.record")
def record(cycle_id: UUID, key: str):
    form = RecordShortcomingForm(prefix="sc")
    if request.method == "POST":
        ratings = reads()
        found_or_404(ratings.subject_row(cycle_id, key), "rating.subject_not_found")
        if form.validate_on_submit():
            persons = tuple(
                (UUID(name.removeprefix("person-")), value)
                for name, value in request.form.items()
                if _person_field(name) and value.strip()
            )
            command = mc.RecordShortcoming(
                actor_id=user().actor,
                cycle_id=cycle_id,
                subject_key=key,
                source=form.source.data,
                description=form.description.data,
                cause=form.cause.data,
                collective_responsibility=form.collective_responsibility.data or "",
                persons=persons,
                review_id=form.review_id.data,
                recurrence_of=form.recurrence_of.data,
                recorded_on=form.recorded_on.data,
            )
            if send(command, form) is not None:
                flash(done("remediation.shortcoming_recorded"), "success")
                return redirect(url_for(".subject", key=key))
        return _record_page(cycle_id, key, form, form_status(form))
    return _record_page(cycle_id, key, form, 200)
