"""Đợt xếp loại: a round's page, its peer groups and the quota exception."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import flash, redirect, render_template, request, url_for

from services import rating_commands as rc
from web.catalogue.flashes import done
from web.dispatch import form_status
from web.forms import choices
from web.identity import requires, user
from web.ratings import bp
from web.ratings.decisions import decision_page
from web.ratings.forms import (
    PeerGroupForm,
    QuotaExceptionForm,
)
from web.ratings.shared import (
    found_cycle,
    found_round,
    send,
)
from web.reads import reads


# -- peer groups and the quota exception -------------------------------------------
def _round_subjects(found: dict[str, Any]) -> list[dict[str, Any]]:
    """The subjects the round's authority decides (an indexed read)."""
    authority = found["authority_org_id"]
    return reads().subjects(UUID(found["cycle_id"]), decides=authority)


def _group_candidates(
    subjects: list[dict[str, Any]], groups: list[dict[str, Any]]
) -> list[tuple[str, str]]:
    grouped = {k for g in groups for k in g["members"]}
    return [
        (s["subject_key"], s["name"])
        for s in subjects
        if not s["exempt"] and s["subject_key"] not in grouped
    ]


@bp.get("/rounds/<uuid:rid>")
def round_page(rid: UUID, group_form: PeerGroupForm | None = None):
    found = found_round(rid)
    ratings = reads()
    form = group_form or PeerGroupForm(formdata=None, prefix="pg")
    subjects = _round_subjects(found)
    groups = ratings.peer_groups(rid)
    form.members.choices = choices(_group_candidates(subjects, groups))
    return render_template(
        "ratings/round.html",
        round=found,
        cycle=found_cycle(UUID(found["cycle_id"])),
        groups=groups,
        subjects=subjects,
        form=form,
    )


@bp.post("/rounds/<uuid:rid>/groups")
@requires("rating.peer_group")
def define_group(rid: UUID):
    found = found_round(rid)
    form = PeerGroupForm(prefix="pg")
    candidates = _group_candidates(_round_subjects(found), reads().peer_groups(rid))
    form.members.choices = choices(candidates)
    if form.validate_on_submit():
        command = rc.DefinePeerGroup(
            actor_id=user().actor,
            round_id=rid,
            code=form.code.data,
            name=form.name.data,
            members=tuple(form.members.data or ()),
        )
        if send(command, form) is not None:
            flash(done("rating.peer_group_defined"), "success")
            return redirect(url_for(".round_page", rid=rid))
    return round_page(rid, form), form_status(form)


@bp.post("/rounds/<uuid:rid>/groups/<code>/exception")
@requires("rating.decide")
def quota_exception(rid: UUID, code: str):
    found_round(rid)
    form = QuotaExceptionForm(prefix="qe")
    key = request.args.get("subject", "")
    if form.validate_on_submit():
        command = rc.GrantQuotaException(
            actor_id=user().actor,
            round_id=rid,
            code=code,
            ratio_pct=form.ratio_pct.data,
            justification=form.justification.data or "",
        )
        if send(command, form) is not None:
            flash(done("rating.quota_raised"), "success")
            if key:
                return redirect(url_for(".decision", rid=rid, key=key))
            return redirect(url_for(".round_page", rid=rid))
    if key:
        return decision_page(rid, key, form_status(form), exception=form)
    return round_page(rid), form_status(form)
