"""JSON endpoints: the same reads as the pages, the same commands as the forms.

POST bodies are JSON objects with the form's field names. CSRF: a JSON request
carrying ``X-Requested-With`` is exempt (see web.security); any other request
needs the ``X-CSRFToken`` header.
"""

from __future__ import annotations

import logging
from typing import Any, TypeVar
from uuid import UUID

from flask import jsonify, request, url_for
from werkzeug.datastructures import MultiDict

from domain import permissions
from services import commands as c
from web.admin import AREA_ACTION
from web.admin.forms import (
    ChangeRolesForm,
    DisableAccountForm,
    OpenAccountForm,
    ResetPasswordForm,
)
from web.api import bp
from web.api.openapi import document
from web.api.serialise import row
from web.audit.access import record_read
from web.catalogue import message_for
from web.dispatch import send_json
from web.errors import Refused, json_error
from web.forms import BaseForm
from web.identity import requires, user
from web.members.forms import EnrolMemberForm, TransferMemberForm
from web.organisations.forms import (
    DissolveOrganisationForm,
    FoundOrganisationForm,
    RenameOrganisationForm,
)
from web.reads import PERSONAL_FIELDS, found_or_404, reads, shows_personal

log = logging.getLogger(__name__)
F = TypeVar("F", bound=BaseForm)


class OpenAccountBody(OpenAccountForm):
    """The API takes the password once: confirming it is the caller's business."""

    confirm = None


class ResetPasswordBody(ResetPasswordForm):
    confirm = None


def _formdata() -> MultiDict[str, str]:
    """The JSON body as form data: scalars become text, lists repeat the key."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise Refused(
            json_error(
                "form.invalid", 400, fields={"_form": [message_for("form.invalid")]}
            )
        )
    data: MultiDict[str, str] = MultiDict()
    for key, value in body.items():
        items = value if isinstance(value, list) else [value]
        for item in items:
            if item is None:
                continue
            if isinstance(item, dict | list):
                raise Refused(
                    json_error(
                        "form.invalid",
                        400,
                        fields={key: [message_for("http.bad_request")]},
                    )
                )
            data.add(str(key), item if isinstance(item, str) else str(item))
    return data


def _form(cls: type[F]) -> F:
    form = cls(formdata=_formdata(), meta={"csrf": False})
    if not form.validate():
        raise Refused(json_error("form.invalid", 400, fields=form.field_errors()))
    return form


def _run(command: c.Command, form: BaseForm) -> Any:
    """Send the command signed by the current user; refusals as JSON."""
    return send_json(command, form=form)


def _created(payload: dict[str, Any], location: str):
    response = jsonify(payload)
    response.status_code = 201
    response.headers["Location"] = location
    return response


def _organisation(org_id: UUID) -> dict[str, Any]:
    return row(found_or_404(reads().organisation(org_id), "org.not_found"))


def _member(member_id: UUID) -> dict[str, Any]:
    member = row(found_or_404(reads().member(member_id), "member.not_found"))
    return _shown(member, shows_personal(reads().member(member_id)))


def _shown(member: dict[str, Any], personal: bool) -> dict[str, Any]:
    """A member's record without personal data for those who may not see it."""
    if personal:
        return member
    return {k: v for k, v in member.items() if k not in PERSONAL_FIELDS}


def _account(account_id: UUID) -> dict[str, Any]:
    account = reads().account_row(account_id)
    return row(found_or_404(account, "account.not_found"))


def _admins_only() -> None:
    permissions.require(user().roles, AREA_ACTION)


# -- documentation ----------------------------------------------------------------
@bp.get("/openapi.json")
def openapi():
    return jsonify(document())


# -- organisations ------------------------------------------------------------------
@bp.get("/organisations")
def list_organisations():
    return jsonify({"organisations": [row(r) for r in reads().organisations()]})


@bp.get("/organisations/<uuid:org_id>")
def get_organisation(org_id: UUID):
    return jsonify({"organisation": _organisation(org_id)})


@bp.post("/organisations")
@requires("organisation.found")
def found_organisation():
    form = _form(FoundOrganisationForm)
    org_id = _run(
        c.FoundOrganisation(
            actor_id=user().actor,
            code=form.code.data,
            name=form.name.data,
            kind=form.kind.data,
            parent_id=form.parent_id.data,
        ),
        form,
    )
    return _created(
        {"id": str(org_id), "organisation": _organisation(org_id)},
        url_for(".get_organisation", org_id=org_id),
    )


@bp.post("/organisations/<uuid:org_id>/rename")
@requires("organisation.rename")
def rename_organisation(org_id: UUID):
    form = _form(RenameOrganisationForm)
    _run(
        c.RenameOrganisation(actor_id=user().actor, org_id=org_id, name=form.name.data),
        form,
    )
    return jsonify({"organisation": _organisation(org_id)})


@bp.post("/organisations/<uuid:org_id>/dissolve")
@requires("organisation.dissolve")
def dissolve_organisation(org_id: UUID):
    form = _form(DissolveOrganisationForm)
    _run(
        c.DissolveOrganisation(
            actor_id=user().actor, org_id=org_id, reason=form.reason.data
        ),
        form,
    )
    return jsonify({"organisation": _organisation(org_id)})


# -- members --------------------------------------------------------------------
@bp.get("/members")
def list_members():
    cell_id = None
    raw = request.args.get("cell_id", "").strip()
    if raw:
        try:
            cell_id = UUID(raw)
        except ValueError:
            return json_error("org.not_found", 404)
        found_or_404(reads().organisation(cell_id), "org.not_found")
    personal = shows_personal()
    members = [_shown(row(m), personal) for m in reads().members(cell_id=cell_id)]
    return jsonify({"members": members})


@bp.get("/members/<uuid:member_id>")
def get_member(member_id: UUID):
    member = _member(member_id)
    record_read(member_id, "api")  # every read of a member's file is recorded
    return jsonify({"member": member})


@bp.post("/members")
@requires("member.enrol")
def enrol_member():
    form = _form(EnrolMemberForm)
    reads().require_act("member.enrol", form.cell_id.data)
    member_id = _run(
        c.EnrolMember(
            actor_id=user().actor,
            full_name=form.full_name.data,
            party_card_no=form.party_card_no.data,
            birth_date=form.birth_date.data,
            admission_date=form.admission_date.data,
            status=form.status.data,
            cell_id=form.cell_id.data,
        ),
        form,
    )
    return _created(
        {"id": str(member_id), "member": _member(member_id)},
        url_for(".get_member", member_id=member_id),
    )


@bp.post("/members/<uuid:member_id>/transfer")
@requires("member.transfer")
def transfer_member(member_id: UUID):
    form = _form(TransferMemberForm)
    member = reads().member(member_id)  # the member's own chi bộ: in scope
    if member is not None:
        reads().require_act("member.transfer", member.cell_id)
    reads().require_act("member.transfer", form.cell_id.data)
    _run(
        c.TransferMember(
            actor_id=user().actor, member_id=member_id, cell_id=form.cell_id.data
        ),
        form,
    )
    return jsonify({"member": _member(member_id)})


# -- accounts ---------------------------------------------------------------------
@bp.get("/accounts")
def list_accounts():
    _admins_only()
    return jsonify({"accounts": [row(a) for a in reads().accounts()]})


@bp.post("/accounts")
@requires("account.open")
def open_account():
    form = _form(OpenAccountBody)
    account_id = _run(
        c.OpenAccount(
            actor_id=user().actor,
            username=form.username.data,
            full_name=form.full_name.data,
            roles=tuple(form.roles.data or ()),
            password=form.password.data,
            org_id=form.org_id.data,
            member_id=form.member_id.data,
        ),
        form,
    )
    return _created(
        {"id": str(account_id), "account": _account(account_id)},
        url_for(".list_accounts"),
    )


@bp.post("/accounts/<uuid:account_id>/roles")
@requires("account.change_roles")
def change_roles(account_id: UUID):
    form = _form(ChangeRolesForm)
    _run(
        c.ChangeRoles(
            actor_id=user().actor,
            account_id=account_id,
            roles=tuple(form.roles.data or ()),
        ),
        form,
    )
    return jsonify({"account": _account(account_id)})


@bp.post("/accounts/<uuid:account_id>/disable")
@requires("account.disable")
def disable_account(account_id: UUID):
    form = _form(DisableAccountForm)
    _run(
        c.DisableAccount(
            actor_id=user().actor, account_id=account_id, reason=form.reason.data
        ),
        form,
    )
    return jsonify({"account": _account(account_id)})


@bp.post("/accounts/<uuid:account_id>/password")
@requires("account.reset_password")
def reset_password(account_id: UUID):
    form = _form(ResetPasswordBody)
    _run(
        c.ResetPassword(
            actor_id=user().actor,
            account_id=account_id,
            new_password=form.new_password.data,
        ),
        form,
    )
    return jsonify({"account": _account(account_id)})
