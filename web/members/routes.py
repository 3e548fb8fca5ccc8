"""Member pages: read the projection; forms send signed commands."""

from __future__ import annotations

from uuid import UUID

from flask import flash, redirect, render_template, request, url_for

from domain.errors import DomainError
from services import commands as c
from services.queries import OrganisationRow
from web.audit.access import record_read
from web.catalogue.flashes import done
from web.catalogue.reorganisation import MEMBER_PLACE_LABELS
from web.dispatch import form_refusal, form_status, submit
from web.forms import optional_uuid
from web.identity import requires, user
from web.members import bp
from web.members.forms import EnrolMemberPageForm, TransferMemberPageForm
from web.reads import (
    cursor_arg,
    directory,
    found_or_404,
    reads,
    shows_personal,
)

CELL = ("cell",)


def _cell_from_args() -> UUID | None:
    try:
        return optional_uuid(request.args.get("cell"))
    except ValueError:
        return None


def _cell_named_in_args() -> str:
    """The chi bộ of ``?cell=<id>`` (a chi bộ page's link) as the field shows
    it; nothing for an unknown one or one the user does not read."""
    cell_id = _cell_from_args()
    try:
        row = reads().organisation(cell_id) if cell_id else None
    except DomainError:
        return ""
    return cell_label(row) if row else ""


@bp.get("/")
def index():
    raw = request.args.get("cell", "").strip()
    cell = None
    if raw:
        cell_id = _cell_from_args()
        row = reads().organisation(cell_id) if cell_id else None
        cell = found_or_404(row, "org.not_found")
    page = directory().members(
        cell.org_id if cell else None,
        after=cursor_arg("sau"),
        before=cursor_arg("truoc"),
    )
    return render_template(
        "members/index.html",
        page=page,
        rows=page.rows,
        cell=cell,
        crumbs=directory().breadcrumbs(cell.org_id) if cell else [],
        personal=shows_personal(),
    )


@bp.get("/<uuid:member_id>")
def detail(member_id: UUID):
    member = found_or_404(reads().member(member_id), "member.not_found")
    record_read(member_id, "member")  # every read of a member's file is recorded
    return render_template(
        "members/detail.html",
        member=member,
        personal=shows_personal(member),
        crumbs=directory().breadcrumbs(member.cell_id),
        places=reads().member_places_shown(member_id),
        place_labels=MEMBER_PLACE_LABELS,
    )


CELL_CHOICES = 200  # chi bộ suggested in the page at most; beyond, typing finds


def cell_choices(action: str) -> dict[str, object]:
    """What the chi bộ field suggests: the first chi bộ of the user's reach by
    name as "name (code)", and whether more are in reach (typing searches)."""
    found = directory().cells_in_reach(action, CELL_CHOICES)
    return {"cells": [cell_label(c) for c in found.rows], "more_cells": found.more}


def cell_label(row: OrganisationRow) -> str:
    return f"{row.name} ({row.code})"


def chosen_cell(form: EnrolMemberPageForm | TransferMemberPageForm) -> UUID | None:
    """The chi bộ typed in the form, or None with the refusal beside the field."""
    try:
        return directory().cell_named(form.cell_id.data or "")
    except DomainError as exc:
        form_refusal(exc, form)
        return None


@bp.route("/new", methods=["GET", "POST"])
@requires("member.enrol")
def enrol():
    form = EnrolMemberPageForm()
    if not form.is_submitted():
        form.cell_id.data = _cell_named_in_args()
    if form.validate_on_submit() and (cell := chosen_cell(form)) is not None:
        reads().require_act("member.enrol", cell)
        command = c.EnrolMember(
            actor_id=user().actor,
            full_name=form.full_name.data,
            party_card_no=form.party_card_no.data,
            birth_date=form.birth_date.data,
            admission_date=form.admission_date.data,
            status=form.status.data,
            cell_id=cell,
        )
        member_id = submit(command, form)
        if member_id is not None:
            flash(done("member.enrolled", name=form.full_name.data), "success")
            return redirect(url_for(".detail", member_id=member_id))
    html = render_template(
        "members/enrol.html", form=form, **cell_choices("member.enrol")
    )
    return html, form_status(form)


@bp.route("/<uuid:member_id>/transfer", methods=["GET", "POST"])
@requires("member.transfer")
def transfer(member_id: UUID):
    member = found_or_404(reads().member(member_id), "member.not_found")
    form = TransferMemberPageForm()
    if form.validate_on_submit() and (cell := chosen_cell(form)) is not None:
        reads().require_act("member.transfer", member.cell_id)
        reads().require_act("member.transfer", cell)
        command = c.TransferMember(
            actor_id=user().actor, member_id=member_id, cell_id=cell
        )
        if submit(command, form) is not None:
            flash(done("member.transferred", name=member.full_name), "success")
            return redirect(url_for(".detail", member_id=member_id))
    html = render_template(
        "members/transfer.html",
        form=form,
        member=member,
        **cell_choices("member.transfer"),
    )
    return html, form_status(form)
