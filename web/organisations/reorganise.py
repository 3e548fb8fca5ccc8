"""Sắp xếp, tổ chức lại (issue 12): the page of a common parent, with a form per
operation on the organisations under it. Each form sends one reorganising
command (services.reorganisation_commands); the services check the decision,
the scope (the cấp ủy of the common parent, or the province) and the tree."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import flash, redirect, render_template, request, url_for

from services import reorganisation_commands as ro
from services.queries import OrganisationRow
from web.catalogue.flashes import done
from web.dispatch import form_status, submit
from web.identity import requires, user
from web.organisations import bp
from web.organisations.reorganise_forms import (
    OPERATION_FORMS,
    DecisionForm,
    KindForm,
    MergeForm,
    MoveForm,
    RenameForm,
    SplitForm,
)
from web.reads import directory, found_or_404, org_choices, reads

ACTION = "organisation.reorganise"


def _forms(chosen: str | None) -> dict[str, DecisionForm]:
    """Every operation's form; only the chosen one takes the posted data."""
    return {
        op: cls(prefix=op, formdata=None if op != chosen else request.form)
        for op, cls in OPERATION_FORMS.items()
    }


def _fill(forms: dict[str, DecisionForm], org: OrganisationRow) -> None:
    rows = reads().organisations()
    children = [r for r in rows if r.parent_id == org.org_id and not r.dissolved]
    below = [(r.org_id, r.name) for r in children]
    anywhere = org_choices(rows)
    for form in forms.values():
        target = getattr(form, "target", None)
        if target is not None:
            target.set_choices(below)
    forms["move"].parent_id.set_choices(anywhere)
    forms["kind"].parent_id.set_choices(anywhere, empty="— Giữ nguyên —")
    merge = forms["merge"]
    merge.absorbed.choices = [(str(i), n) for i, n in below]
    merge.successor_id.set_choices(anywhere, empty="— Thành lập tổ chức mới —")
    merge.new_parent_id.set_choices(anywhere)
    if merge.new_parent_id.data is None:
        merge.new_parent_id.data = org.org_id
    forms["split"].successors.choices = [(str(r.org_id), r.name) for r in children]
    forms["split"].plans_to.set_choices(below, empty="— Không có —")


def _placements(form: SplitForm, target: UUID) -> ro.SplitOrganisation | None:
    """The split command, its placements read from the lines "X = Y" (X a member's
    card number or an organisation's code, Y a successor's code)."""
    rows = {r.code: r for r in reads().organisations()}
    shown = [*reads().members_shown(target), *directory().temporary_members(target)]
    cards = {m.party_card_no: m.member_id for m in shown}
    members: list[tuple[UUID, UUID]] = []
    children: list[tuple[UUID, UUID]] = []
    for line in (form.placements.data or "").splitlines():
        if not line.strip():
            continue
        left, sep, right = (part.strip() for part in line.partition("="))
        successor = rows.get(right)
        if not sep or successor is None or (left not in cards and left not in rows):
            form.add_error("org.placement_unknown", {"line": line.strip()})
            return None
        if left in cards:
            members.append((cards[left], successor.org_id))
        else:
            children.append((rows[left].org_id, successor.org_id))
    return ro.SplitOrganisation(
        user().actor,
        form.decision_no.data,
        form.effective_on.data,
        org_id=target,
        successor_ids=tuple(UUID(s) for s in form.successors.data or ()),
        member_moves=tuple(members),
        child_moves=tuple(children),
        plans_to=form.plans_to.data,
        peer_groups_follow=form.peer_groups.data != "no",
    )


def _command(op: str, form: Any, org: OrganisationRow) -> Any:
    """The command a valid form asks for (None when its placements are wrong)."""
    head = (user().actor, form.decision_no.data, form.effective_on.data)
    if isinstance(form, RenameForm):
        return ro.RenameByDecision(*head, org_id=form.target.data, name=form.name.data)
    if isinstance(form, MoveForm):
        return ro.MoveOrganisation(
            *head, org_id=form.target.data, parent_id=form.parent_id.data
        )
    if isinstance(form, KindForm):
        return ro.ChangeOrganisationKind(
            *head,
            org_id=form.target.data,
            kind=form.kind.data,
            parent_id=form.parent_id.data,
        )
    if isinstance(form, MergeForm):
        new = None
        if form.successor_id.data is None:
            new = ro.NewSuccessor(
                code=form.new_code.data or "",
                name=form.new_name.data or "",
                kind=form.new_kind.data,
                parent_id=form.new_parent_id.data or org.org_id,
            )
        return ro.MergeOrganisations(
            *head,
            absorbed_ids=tuple(UUID(i) for i in form.absorbed.data or ()),
            successor_id=form.successor_id.data,
            new_successor=new,
            peer_groups_follow=form.peer_groups.data != "no",
        )
    if isinstance(form, SplitForm):
        return _placements(form, form.target.data)
    return ro.DissolveByDecision(
        *head, org_id=form.target.data, reason=form.reason.data
    )


@bp.route("/<uuid:org_id>/reorganise", methods=["GET", "POST"])
@requires(ACTION)
def reorganise(org_id: UUID):
    org = found_or_404(reads().organisation(org_id), "org.not_found")
    reads().require_act(ACTION, org_id)
    op = request.form.get("operation") if request.method == "POST" else None
    forms = _forms(op)
    _fill(forms, org)
    status = 200
    if request.method == "POST":
        form = forms.get(op or "")
        if form is None:
            forms["rename"].add_error("org.operation_unknown")
            status = 400
        elif form.validate():
            command = _command(op or "", form, org)
            if command is not None and submit(command, form) is not None:
                flash(
                    done("org.reorganised", decision_no=command.decision_no),
                    "success",
                )
                return redirect(url_for(".reorganise", org_id=org_id))
            status = max(form_status(form), 400)
        else:
            status = 400
    history = reads().reorganisation_history(org_id)
    html = render_template(
        "organisations/reorganise.html", org=org, forms=forms, chosen=op, **history
    )
    return html, status
