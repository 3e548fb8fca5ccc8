"""Member pages: read the projection; forms send signed commands."""

from __future__ import annotations

from uuid import UUID

from flask import flash, redirect, render_template, request, url_for

from services import commands as c
from web.audit.access import record_read
from web.catalogue.flashes import done
from web.catalogue.reorganisation import MEMBER_PLACE_LABELS
from web.dispatch import form_status, submit
from web.forms import optional_uuid
from web.identity import requires, user
from web.members import bp
from web.members.forms import EnrolMemberForm, TransferMemberForm
from web.reads import (
    cursor_arg,
    directory,
    found_or_404,
    org_choices,
    reads,
    shows_personal,
)

CELL = ("cell",)


def _cell_from_args() -> UUID | None:
    try:
        return optional_uuid(request.args.get("cell"))
    except ValueError:
        return None


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
        places=reads().member_places(member_id),
        place_labels=MEMBER_PLACE_LABELS,
    )


@bp.route("/new", methods=["GET", "POST"])
@requires("member.enrol")
def enrol():
    form = EnrolMemberForm()
    form.cell_id.set_choices(
        org_choices(reads().organisations(), CELL), empty="— Chọn chi bộ —"
    )
    if not form.is_submitted():
        form.cell_id.data = _cell_from_args()
    if form.validate_on_submit():
        reads().require_act("member.enrol", form.cell_id.data)
        command = c.EnrolMember(
            actor_id=user().actor,
            full_name=form.full_name.data,
            party_card_no=form.party_card_no.data,
            birth_date=form.birth_date.data,
            admission_date=form.admission_date.data,
            status=form.status.data,
            cell_id=form.cell_id.data,
        )
        member_id = submit(command, form)
        if member_id is not None:
            flash(done("member.enrolled", name=form.full_name.data), "success")
            return redirect(url_for(".detail", member_id=member_id))
    return render_template("members/enrol.html", form=form), form_status(form)


@bp.route("/<uuid:member_id>/transfer", methods=["GET", "POST"])
@requires("member.transfer")
def transfer(member_id: UUID):
    member = found_or_404(reads().member(member_id), "member.not_found")
    form = TransferMemberForm()
    form.cell_id.set_choices(
        org_choices(reads().organisations(), CELL), empty="— Chọn chi bộ —"
    )
    if form.validate_on_submit():
        reads().require_act("member.transfer", member.cell_id)
        reads().require_act("member.transfer", form.cell_id.data)
        command = c.TransferMember(
            actor_id=user().actor, member_id=member_id, cell_id=form.cell_id.data
        )
        if submit(command, form) is not None:
            flash(done("member.transferred", name=member.full_name), "success")
            return redirect(url_for(".detail", member_id=member_id))
    html = render_template("members/transfer.html", form=form, member=member)
    return html, form_status(form)
