"""Tiêu chí refined by a province or unit (366 Điều 10): the frame and the
refinements."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import flash, redirect, render_template, url_for

from services import rating_commands as rc
from web.catalogue.flashes import done
from web.dispatch import form_status
from web.identity import requires, user
from web.ratings import bp
from web.ratings.forms import (
    APPENDIX_LABELS,
    CriteriaForm,
    criteria_lines,
)
from web.ratings.shared import (
    send,
)
from web.reads import org_choices, reads


# -- criteria refined by a province or unit (366 Điều 10) ------------------------------
def _default_criteria() -> dict[str, Any]:
    """The frame of each appendix in the regime in force this year, as a model
    to refine (366 Điều 10)."""
    year = date.today().year  # noqa: DTZ011 - the regime in force today
    return reads().rulebook_in_force(year).criteria_frame()


def _criteria_page(form: CriteriaForm | None = None, status: int = 200):
    """Criteria sets refined by provinces and units; the form for those who may."""
    form = form or CriteriaForm(formdata=None, prefix="ct")
    form.org_id.set_choices(
        org_choices(reads().organisations()), empty="— Chọn tổ chức —"
    )
    return (
        render_template(
            "ratings/criteria.html",
            form=form,
            refinements=reads().criteria_refinements(),
            defaults=_default_criteria(),
            appendices=APPENDIX_LABELS,
        ),
        status,
    )


@bp.get("/criteria")
def criteria_page():
    return _criteria_page()


@bp.post("/criteria")
@requires("criteria.define")
def define_criteria():
    form = CriteriaForm(prefix="ct")
    form.org_id.set_choices([])
    if form.validate_on_submit():
        command = rc.DefineCriteria(
            actor_id=user().actor,
            org_id=form.org_id.data,
            appendix=form.appendix.data,
            from_year=form.from_year.data,
            items=criteria_lines(form.items.data or ""),
        )
        if send(command, form) is not None:
            flash(done("criteria.defined"), "success")
            return redirect(url_for(".criteria_page"))
    return _criteria_page(form, form_status(form))
