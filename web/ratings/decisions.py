"""Quyết định xếp loại: the decision page of one subject in a round and the
authority's acts on it (decide, hold, mitigation, re-rate)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import flash, redirect, render_template, url_for

from services import rating_commands as rc
from web.catalogue.flashes import done
from web.dispatch import form_status
from web.identity import requires, user
from web.ratings import bp
from web.ratings.forms import (
    DecisionForm,
    HoldForm,
    MitigationForm,
    QuotaExceptionForm,
    ReRateForm,
)
from web.ratings.shared import (
    found_cycle,
    found_round,
    found_subject,
    send,
)
from web.reads import reads


# -- the decision page ---------------------------------------------------------------
def decision_page(rid: UUID, key: str, status: int = 200, **forms: Any):
    ratings = reads()
    found = found_round(rid)
    cycle_id = UUID(found["cycle_id"])
    cycle_row = found_cycle(cycle_id)
    subject_row = found_subject(cycle_id, key)
    groups = [g for g in ratings.peer_groups(rid) if key in g["members"]]
    decision_form = forms.get("decision") or DecisionForm(formdata=None, prefix="dc")
    if decision_form.level.data is None and subject_row["proposed_level"]:
        decision_form.level.data = subject_row["proposed_level"]
    timeline = ratings.timeline(cycle_id, key)
    last_self = next((t for t in reversed(timeline) if t["step"] == "self_rated"), None)
    return render_template(
        "ratings/decision.html",
        cycle=cycle_row,
        round=found,
        subject=subject_row,
        group=groups[0] if groups else None,
        self_rating=last_self["detail"] if last_self else None,
        timeline=timeline,
        flags=ratings.subject_flags(cycle_id, key),
        decision=decision_form,
        hold=forms.get("hold") or HoldForm(formdata=None, prefix="hd"),
        mitigation=forms.get("mitigation")
        or MitigationForm(formdata=None, prefix="mg"),
        rerate=forms.get("rerate") or ReRateForm(formdata=None, prefix="rr"),
        exception=forms.get("exception")
        or QuotaExceptionForm(formdata=None, prefix="qe"),
        exception_limit=ratings.cycle_rulebook(cycle_id).quota_exception_max_pct,
    ), status


@bp.get("/rounds/<uuid:rid>/subjects/<key>")
def decision(rid: UUID, key: str):
    return decision_page(rid, key)


@bp.post("/rounds/<uuid:rid>/subjects/<key>/decision")
@requires("rating.decide")
def decide(rid: UUID, key: str):
    found_round(rid)
    form = DecisionForm(prefix="dc")
    if form.validate_on_submit():
        command = rc.DecideRating(
            actor_id=user().actor,
            round_id=rid,
            subject_key=key,
            level=form.level.data,
            decision_no=form.decision_no.data,
            decided_on=form.decided_on.data,
            justification=form.justification.data or "",
        )
        if send(command, form) is not None:
            flash(done("rating.decided"), "success")
            return redirect(url_for(".decision", rid=rid, key=key))
    return decision_page(rid, key, form_status(form), decision=form)


@bp.post("/rounds/<uuid:rid>/subjects/<key>/hold")
@requires("rating.hold")
def hold(rid: UUID, key: str):
    found_round(rid)
    form = HoldForm(prefix="hd")
    if form.validate_on_submit():
        command = rc.HoldRating(
            actor_id=user().actor,
            round_id=rid,
            subject_key=key,
            reason=form.reason.data,
            note=form.note.data,
        )
        if send(command, form) is not None:
            flash(done("rating.held"), "success")
            return redirect(url_for(".decision", rid=rid, key=key))
    return decision_page(rid, key, form_status(form), hold=form)


@bp.post("/rounds/<uuid:rid>/subjects/<key>/mitigation")
@requires("rating.decide")
def mitigation(rid: UUID, key: str):
    found_round(rid)
    form = MitigationForm(prefix="mg")
    if form.validate_on_submit():
        command = rc.DecideMitigation(
            actor_id=user().actor,
            round_id=rid,
            subject_key=key,
            trigger=form.trigger.data,
            mitigated=True,
            justification=form.justification.data or "",
        )
        if send(command, form) is not None:
            flash(done("rating.mitigation_decided"), "success")
            return redirect(url_for(".decision", rid=rid, key=key))
    return decision_page(rid, key, form_status(form), mitigation=form)


@bp.post("/rounds/<uuid:rid>/subjects/<key>/rerate")
@requires("rating.decide")
def rerate(rid: UUID, key: str):
    found_round(rid)
    form = ReRateForm(prefix="rr")
    if form.validate_on_submit():
        command = rc.ReRate(
            actor_id=user().actor,
            round_id=rid,
            subject_key=key,
            level=form.level.data,
            decision_no=form.decision_no.data,
            decided_on=form.decided_on.data,
            reason=form.reason.data,
            chair_responsibility=bool(form.chair_responsibility.data),
        )
        if send(command, form) is not None:
            flash(done("rating.rerated"), "success")
            return redirect(url_for(".decision", rid=rid, key=key))
    return decision_page(rid, key, form_status(form), rerate=form)
