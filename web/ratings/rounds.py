"""Đợt xếp loại: a round's page, its peer groups and the quota exception."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from flask import flash, jsonify, redirect, render_template, request, url_for

from domain.errors import DomainError
from services import rating_commands as rc
from services.read_gateway_round import Candidate
from web.catalogue import message_for
from web.catalogue.flashes import done
from web.dispatch import form_status
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
from web.reads import directory, key_arg, marks_once, reads, round_subjects

MAX_MEMBERS = 500  # subjects a peer-group form names at most


# -- the round's page and its peer groups -----------------------------------------
def _grouped(groups: list[dict[str, Any]]) -> set[str]:
    return {k for g in groups for k in g["members"]}


@bp.get("/rounds/<uuid:rid>")
@marks_once
def round_page(rid: UUID, group_form: PeerGroupForm | None = None):
    """The round's groups and a keyset page of the subjects its authority
    decides (``sau``/``truoc``: the key of the subject a page continues from)."""
    found = found_round(rid)
    form = group_form or PeerGroupForm(formdata=None, prefix="pg")
    page = round_subjects().page(found, after=key_arg("sau"), before=key_arg("truoc"))
    chosen = _chosen(found, form.members.data or ())
    return render_template(
        "ratings/round.html",
        round=found,
        cycle=found_cycle(UUID(found["cycle_id"])),
        groups=reads().peer_groups(rid),
        page=page,
        crumbs=directory().breadcrumbs(UUID(found["authority_org_id"])),
        chosen=chosen,
        form=form,
    )


def _chosen(found: dict[str, Any], keys: Iterable[str]) -> list[Candidate]:
    """The subjects already chosen on a form sent back (their keys kept)."""
    return round_subjects().chosen(found, list(keys)[:MAX_MEMBERS])


@bp.get("/rounds/<uuid:rid>/group-candidates")
def group_candidates(rid: UUID):
    """The peer-group form's suggestions (JSON): the round's subjects the typed
    text names that may join a new group."""
    found = found_round(rid)
    text = request.args.get("q", "")[:200]
    grouped = _grouped(reads().peer_groups(rid))
    found_now = (
        round_subjects().candidates(found, text, grouped) if text.strip() else []
    )
    return jsonify(
        {
            "query": text,
            "results": [
                {"id": c.key, "name": c.name, "label": c.label} for c in found_now
            ],
        }
    )


def _members(found: dict[str, Any], form: PeerGroupForm, rid: UUID) -> tuple[str, ...]:
    """The keys chosen and those the typed lines name, one each; a line that
    names none or several of the round's subjects is an error on the field."""
    grouped = _grouped(reads().peer_groups(rid))
    keys = list(form.members.data or ())
    reader = round_subjects()
    for line in (form.typed.data or "").splitlines()[:MAX_MEMBERS]:
        if not line.strip():
            continue
        try:
            keys.append(reader.resolve(found, line, grouped))
        except DomainError as exc:
            form.typed.errors.append(message_for(exc.code, exc.details))
    return tuple(dict.fromkeys(keys))


@bp.post("/rounds/<uuid:rid>/groups")
@requires("rating.peer_group")
def define_group(rid: UUID):
    found = found_round(rid)
    form = PeerGroupForm(prefix="pg")
    if form.validate_on_submit():
        members = _members(found, form, rid)
        if form.typed.errors:
            form.members.data = list(members)
            return round_page(rid, form), 400
        command = rc.DefinePeerGroup(
            actor_id=user().actor,
            round_id=rid,
            code=form.code.data,
            name=form.name.data,
            members=members,
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
