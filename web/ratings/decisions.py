"""Quyết định xếp loại: the decision page of one subject in a round and the
authority's acts on it (decide, hold, mitigation, re-rate)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import flash, redirect, render_template, url_for

from services import rating_commands as rc
from web.catalogue.flashes import done
from web.dispatch import form_status
from web.forms import BaseForm
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


def decision_post(
    rid: UUID, key: str, form: BaseForm, name: str, build: Any, confirmation: str
) -> Any:
    """An act of the authority on the decision page: ``build(form)`` is the
    command; success goes back to the page, a refusal shows it on ``form``."""
    found_round(rid)
    if form.validate_on_submit() and send(build(form), form) is not None:
        flash(confirmation, "success")
        return redirect(url_for(".decision", rid=rid, key=key))
    return decision_page(rid, key, form_status(form), **{name: form})


@bp.post("/rounds/<uuid:rid>/subjects/<key>/decision")
@requires("rating.decide")
def decide(rid: UUID, key: str):
    return decision_post(
        rid,
        key,
        DecisionForm(prefix="dc"),
        "decision",
        lambda f: rc.DecideRating(
            actor_id=user().actor,
            round_id=rid,
            subject_key=key,
            level=f.level.data,
            decision_no=f.decision_no.data,
            decided_on=f.decided_on.data,
            justification=f.justification.data or "",
        ),
        done("rating.decided"),
    )


@bp.post("/rounds/<uuid:rid>/subjects/<key>/hold")
@requires("rating.hold")
def hold(rid: UUID, key: str):
    return decision_post(
        rid,
        key,
        HoldForm(prefix="hd"),
        "hold",
        lambda f: rc.HoldRating(
            actor_id=user().actor,
            round_id=rid,
            subject_key=key,
            reason=f.reason.data,
            note=f.note.data,
        ),
        done("rating.held"),
    )


@bp.post("/rounds/<uuid:rid>/subjects/<key>/mitigation")
@requires("rating.decide")
def mitigation(rid: UUID, key: str):
    return decision_post(
        rid,
        key,
        MitigationForm(prefix="mg"),
        "mitigation",
        lambda f: rc.DecideMitigation(
            actor_id=user().actor,
            round_id=rid,
            subject_key=key,
            trigger=f.trigger.data,
            mitigated=True,
            justification=f.justification.data or "",
        ),
        done("rating.mitigation_decided"),
    )


@bp.post("/rounds/<uuid:rid>/subjects/<key>/rerate")
@requires("rating.decide")
def rerate(rid: UUID, key: str):
    return decision_post(
        rid,
        key,
        ReRateForm(prefix="rr"),
        "rerate",
        lambda f: rc.ReRate(
            actor_id=user().actor,
            round_id=rid,
            subject_key=key,
            level=f.level.data,
            decision_no=f.decision_no.data,
            decided_on=f.decided_on.data,
            reason=f.reason.data,
            chair_responsibility=bool(f.chair_responsibility.data),
        ),
        done("rating.rerated"),
    )
