"""Organisation pages: read the projection; forms send signed commands."""

from __future__ import annotations

from uuid import UUID

from flask import flash, redirect, render_template, request, url_for

from services import commands as c
from services.read_gateway_temporary import AWAY, HERE
from web.catalogue.flashes import done
from web.catalogue.temporary import TEMPORARY_TEXT
from web.dispatch import form_status, submit
from web.forms import optional_uuid
from web.identity import requires, user
from web.organisations import bp
from web.organisations.forms import (
    DissolveOrganisationForm,
    FoundOrganisationForm,
    RenameOrganisationForm,
)
from web.reads import (
    cursor_arg,
    directory,
    found_or_404,
    org_choices,
    reads,
    shows_personal,
    temporary_activity,
)


@bp.get("/")
def index():
    """The tree's top level (opened level by level: each row leads to its
    children), a page at a time."""
    page = directory().children(
        None, after=cursor_arg("sau"), before=cursor_arg("truoc")
    )
    return render_template("organisations/index.html", page=page)


@bp.get("/<uuid:org_id>")
def detail(org_id: UUID):
    org = found_or_404(reads().organisation(org_id), "org.not_found")
    listing = directory()
    children = listing.children(
        org.org_id, after=cursor_arg("sau"), before=cursor_arg("truoc")
    )
    members = None
    if org.kind == "cell" and listing.lists_members(org.org_id):
        members = listing.members(
            org.org_id, after=cursor_arg("dv_sau"), before=cursor_arg("dv_truoc")
        )
    return render_template(
        "organisations/detail.html",
        org=org,
        crumbs=listing.breadcrumbs(org.org_id),
        children=children,
        members=members,
        total=listing.member_count(org.org_id),
        personal=shows_personal(),
        temporary_text=TEMPORARY_TEXT,
        **reads().reorganisation_history(org_id),
    )


@bp.get("/<uuid:org_id>/sinh-hoat-tam-thoi")
def temporary(org_id: UUID):
    """Who is on temporary party activity at the organisation's chi bộ, and
    which of its own members are attached elsewhere: two keyset pages by name
    (``sau``/``truoc`` and ``ngoai_sau``/``ngoai_truoc``); the gateway decides
    whether the viewer lists the organisation's members."""
    org = found_or_404(reads().organisation(org_id), "org.not_found")
    lists = temporary_activity()
    here = lists.page(org_id, HERE, after=cursor_arg("sau"), before=cursor_arg("truoc"))
    away = lists.page(
        org_id, AWAY, after=cursor_arg("ngoai_sau"), before=cursor_arg("ngoai_truoc")
    )
    return render_template(
        "organisations/temporary.html",
        org=org,
        crumbs=directory().breadcrumbs(org.org_id),
        here=here,
        away=away,
        text=TEMPORARY_TEXT,
    )


@bp.route("/new", methods=["GET", "POST"])
@requires("organisation.found")
def found():
    form = FoundOrganisationForm()
    form.parent_id.set_choices(
        org_choices(reads().organisations()),
        empty="— Không trực thuộc (cấp cao nhất) —",
    )
    if not form.is_submitted():
        try:
            form.parent_id.data = optional_uuid(request.args.get("parent"))
        except ValueError:
            form.parent_id.data = None
    if form.validate_on_submit():
        command = c.FoundOrganisation(
            actor_id=user().actor,
            code=form.code.data,
            name=form.name.data,
            kind=form.kind.data,
            parent_id=form.parent_id.data,
        )
        org_id = submit(command, form)
        if org_id is not None:
            flash(done("org.founded", name=form.name.data), "success")
            return redirect(url_for(".detail", org_id=org_id))
    return render_template("organisations/found.html", form=form), form_status(form)


@bp.route("/<uuid:org_id>/rename", methods=["GET", "POST"])
@requires("organisation.rename")
def rename(org_id: UUID):
    org = found_or_404(reads().organisation(org_id), "org.not_found")
    form = RenameOrganisationForm()
    if not form.is_submitted():
        form.name.data = org.name
    if form.validate_on_submit():
        command = c.RenameOrganisation(
            actor_id=user().actor, org_id=org_id, name=form.name.data
        )
        if submit(command, form) is not None:
            flash(done("org.renamed"), "success")
            return redirect(url_for(".detail", org_id=org_id))
    html = render_template("organisations/rename.html", form=form, org=org)
    return html, form_status(form)


@bp.route("/<uuid:org_id>/dissolve", methods=["GET", "POST"])
@requires("organisation.dissolve")
def dissolve(org_id: UUID):
    org = found_or_404(reads().organisation(org_id), "org.not_found")
    form = DissolveOrganisationForm()
    if form.validate_on_submit():
        command = c.DissolveOrganisation(
            actor_id=user().actor, org_id=org_id, reason=form.reason.data
        )
        if submit(command, form) is not None:
            flash(done("org.dissolved", name=org.name), "success")
            return redirect(url_for(".detail", org_id=org_id))
    html = render_template("organisations/dissolve.html", form=form, org=org)
    return html, form_status(form)
