"""JSON endpoints: the same reads as the pages, the same commands as the forms.

POST bodies are JSON objects with the form's field names. CSRF: a JSON request
carrying ``X-Requested-With`` is exempt (see web.security); any other request
needs the ``X-CSRFToken`` header.
"""

from __future__ import annotations

import logging
from typing import Any
from uuid import UUID

from flask import jsonify, request, url_for

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
from web.api.bodies import body, created, post, run
from web.api.fields import Body, Date, ListOf, Text, Uuid, optional
from web.api.openapi import document
from web.api.serialise import row
from web.audit.access import record_read
from web.catalogue import KIND_LABELS, ROLE_LABELS, STATUS_LABELS
from web.errors import json_error
from web.identity import requires, user
from web.members.forms import EnrolMemberForm, TransferMemberForm
from web.organisations.forms import (
    DissolveOrganisationForm,
    FoundOrganisationForm,
    RenameOrganisationForm,
)
from web.reads import PERSONAL_FIELDS, found_or_404, reads, shows_personal

log = logging.getLogger(__name__)


def _line(limit: int) -> Text:
    """One line of text as the forms take it: trimmed, blank is none."""
    return Text(limit=limit, trimmed=True, one_line=True)


def _paragraph(limit: int) -> Text:
    return Text(limit=limit, trimmed=True)


ROLES = optional(ListOf(item=Text(known=tuple(ROLE_LABELS))), default=())
PASSWORD = Text(limit=1024, secret=True)
# The bodies take the forms' field names; ``error_fields`` names the field a
# refusal of the services is about (the same table the pages use).
FOUND_ORGANISATION = Body(
    {
        "code": _line(64),
        "name": _line(200),
        "kind": Text(known=tuple(KIND_LABELS), trimmed=True),
        "parent_id": optional(Uuid(), default=None),
    },
    FoundOrganisationForm.error_fields,
)
RENAME_ORGANISATION = Body({"name": _line(200)}, RenameOrganisationForm.error_fields)
DISSOLVE_ORGANISATION = Body(
    {"reason": _paragraph(1000)}, DissolveOrganisationForm.error_fields
)
ENROL_MEMBER = Body(
    {
        "full_name": _line(120),
        "party_card_no": _line(32),
        "birth_date": Date(),
        "admission_date": Date(),
        "status": Text(known=tuple(STATUS_LABELS), trimmed=True),
        "cell_id": Uuid(),
    },
    EnrolMemberForm.error_fields,
)
TRANSFER_MEMBER = Body({"cell_id": Uuid()}, TransferMemberForm.error_fields)
# The API takes a password once: confirming it is the caller's business.
OPEN_ACCOUNT = Body(
    {
        "username": _line(64),
        "full_name": _line(120),
        "roles": ROLES,
        "password": PASSWORD,
        "org_id": optional(Uuid()),
        "member_id": optional(Uuid()),
    },
    OpenAccountForm.error_fields,
)
CHANGE_ROLES = Body({"roles": ROLES}, ChangeRolesForm.error_fields)
DISABLE_ACCOUNT = Body({"reason": _paragraph(1000)}, DisableAccountForm.error_fields)
RESET_PASSWORD = Body({"new_password": PASSWORD}, ResetPasswordForm.error_fields)


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


@post("/organisations", FOUND_ORGANISATION)
@requires("organisation.found")
def found_organisation():
    org_id = run(c.FoundOrganisation(actor_id=user().actor, **body()))
    return created(
        {"id": str(org_id), "organisation": _organisation(org_id)},
        url_for(".get_organisation", org_id=org_id),
    )


@post("/organisations/<uuid:org_id>/rename", RENAME_ORGANISATION)
@requires("organisation.rename")
def rename_organisation(org_id: UUID):
    run(c.RenameOrganisation(actor_id=user().actor, org_id=org_id, **body()))
    return jsonify({"organisation": _organisation(org_id)})


@post("/organisations/<uuid:org_id>/dissolve", DISSOLVE_ORGANISATION)
@requires("organisation.dissolve")
def dissolve_organisation(org_id: UUID):
    run(c.DissolveOrganisation(actor_id=user().actor, org_id=org_id, **body()))
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


@post("/members", ENROL_MEMBER)
@requires("member.enrol")
def enrol_member():
    values = body()
    reads().require_act("member.enrol", values["cell_id"])
    member_id = run(c.EnrolMember(actor_id=user().actor, **values))
    return created(
        {"id": str(member_id), "member": _member(member_id)},
        url_for(".get_member", member_id=member_id),
    )


@post("/members/<uuid:member_id>/transfer", TRANSFER_MEMBER)
@requires("member.transfer")
def transfer_member(member_id: UUID):
    cell_id = body()["cell_id"]
    member = reads().member(member_id)  # the member's own chi bộ: in scope
    if member is not None:
        reads().require_act("member.transfer", member.cell_id)
    reads().require_act("member.transfer", cell_id)
    run(c.TransferMember(actor_id=user().actor, member_id=member_id, cell_id=cell_id))
    return jsonify({"member": _member(member_id)})


# -- accounts ---------------------------------------------------------------------
@bp.get("/accounts")
def list_accounts():
    _admins_only()
    return jsonify({"accounts": [row(a) for a in reads().accounts()]})


@post("/accounts", OPEN_ACCOUNT)
@requires("account.open")
def open_account():
    values = body()
    account_id = run(c.OpenAccount(actor_id=user().actor, **values))
    return created(
        {"id": str(account_id), "account": _account(account_id)},
        url_for(".list_accounts"),
    )


@post("/accounts/<uuid:account_id>/roles", CHANGE_ROLES)
@requires("account.change_roles")
def change_roles(account_id: UUID):
    run(c.ChangeRoles(actor_id=user().actor, account_id=account_id, **body()))
    return jsonify({"account": _account(account_id)})


@post("/accounts/<uuid:account_id>/disable", DISABLE_ACCOUNT)
@requires("account.disable")
def disable_account(account_id: UUID):
    run(c.DisableAccount(actor_id=user().actor, account_id=account_id, **body()))
    return jsonify({"account": _account(account_id)})


@post("/accounts/<uuid:account_id>/password", RESET_PASSWORD)
@requires("account.reset_password")
def reset_password(account_id: UUID):
    run(c.ResetPassword(actor_id=user().actor, account_id=account_id, **body()))
    return jsonify({"account": _account(account_id)})
