"""Account administration: read the projection; forms send signed commands."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from flask import flash, redirect, render_template, request, url_for

from services import commands as c
from services.queries import AccountRow
from web.admin import bp
from web.admin.forms import (
    ChangeRolesForm,
    DisableAccountForm,
    OpenAccountForm,
    ResetPasswordForm,
)
from web.catalogue.flashes import done
from web.catalogue.reorganisation import ENDED_OFFICE, ended_office_lines
from web.dispatch import form_status, submit
from web.identity import requires, user
from web.reads import cursor_arg, directory, found_or_404, org_choices, reads
from web.templating import vn_date


def _account(account_id: UUID) -> AccountRow:
    return found_or_404(reads().account_row(account_id), "account.not_found")


@dataclass(frozen=True)
class AccountForms:
    """The three forms of an account page; each posts to its own address."""

    roles: ChangeRolesForm
    disable: DisableAccountForm
    password: ResetPasswordForm

    @classmethod
    def for_account(cls, account: AccountRow) -> AccountForms:
        roles = ChangeRolesForm(prefix="roles")
        if not roles.is_submitted():
            roles.roles.data = list(account.roles)
        return cls(
            roles=roles,
            disable=DisableAccountForm(prefix="disable"),
            password=ResetPasswordForm(prefix="password"),
        )


def _detail_page(account: AccountRow, forms: AccountForms, status: int = 200):
    end = reads().ended_office(account.org_id) if account.org_id else None
    html = render_template(
        "admin/account.html",
        account=account,
        forms=forms,
        ended=ended_office_lines(end, vn_date(end["on"])) if end else None,
        successors=end["successors"] if end else [],
        ended_text=ENDED_OFFICE,
    )
    return html, status


MAX_QUERY = 200


@bp.get("/accounts")
def accounts():
    """The accounts, a keyset page of 50 by username, searched by username or
    name without diacritics (``?q=``); the organisations of the page's rows
    only are named."""
    query = request.args.get("q", "")[:MAX_QUERY].strip()
    page = directory().accounts(
        query, after=cursor_arg("sau"), before=cursor_arg("truoc")
    )
    rows: list[AccountRow] = page.rows
    names = reads().organisation_names(r.org_id for r in rows)
    return render_template(
        "admin/accounts.html",
        rows=rows,
        page=page,
        query=query,
        org_names={UUID(k): v for k, v in names.items()},
    )


@bp.get("/accounts/<uuid:account_id>")
def account(account_id: UUID):
    row = _account(account_id)
    return _detail_page(row, AccountForms.for_account(row))


@bp.route("/accounts/new", methods=["GET", "POST"])
@requires("account.open")
def open_account():
    form = OpenAccountForm()
    form.org_id.set_choices(
        org_choices(reads().organisations()), empty="— Không gắn với đơn vị —"
    )
    if not form.is_submitted():
        _suggested(form)
    form.member_id.set_choices(
        [
            (m.member_id, f"{m.full_name} ({m.party_card_no})")
            for m in reads().members()
        ],
        empty="— Không gắn với đảng viên —",
    )
    if form.validate_on_submit():
        command = c.OpenAccount(
            actor_id=user().actor,
            username=form.username.data,
            full_name=form.full_name.data,
            roles=tuple(form.roles.data or ()),
            password=form.password.data,
            org_id=form.org_id.data,
            member_id=form.member_id.data,
        )
        account_id = submit(command, form)
        if account_id is not None:
            flash(
                done("account.opened", username=form.username.data.lower()),
                "success",
            )
            return redirect(url_for(".account", account_id=account_id))
    return render_template("admin/open.html", form=form), form_status(form)


def _suggested(form: OpenAccountForm) -> None:
    """``?org_id=&full_name=&roles=``: the account page's suggestion (an
    account at the successor of an organisation that ended), prefilled."""
    org = request.args.get("org_id", "")
    try:
        form.org_id.data = UUID(org) if org else None
    except ValueError:
        form.org_id.data = None
    form.full_name.data = request.args.get("full_name", "")[:120] or None
    member = request.args.get("member_id", "")
    try:
        form.member_id.data = UUID(member) if member else None
    except ValueError:
        form.member_id.data = None
    form.roles.data = request.args.getlist("roles") or None


@bp.post("/accounts/<uuid:account_id>/roles")
@requires("account.change_roles")
def change_roles(account_id: UUID):
    row = _account(account_id)
    forms = AccountForms.for_account(row)
    form = forms.roles
    if form.validate_on_submit():
        command = c.ChangeRoles(
            actor_id=user().actor,
            account_id=account_id,
            roles=tuple(form.roles.data or ()),
        )
        if submit(command, form) is not None:
            flash(done("account.roles_changed"), "success")
            return redirect(url_for(".account", account_id=account_id))
    return _detail_page(row, forms, form_status(form))


@bp.post("/accounts/<uuid:account_id>/disable")
@requires("account.disable")
def disable(account_id: UUID):
    row = _account(account_id)
    forms = AccountForms.for_account(row)
    form = forms.disable
    if form.validate_on_submit():
        command = c.DisableAccount(
            actor_id=user().actor, account_id=account_id, reason=form.reason.data
        )
        if submit(command, form) is not None:
            flash(done("account.disabled"), "success")
            return redirect(url_for(".account", account_id=account_id))
    return _detail_page(row, forms, form_status(form))


@bp.post("/accounts/<uuid:account_id>/password")
@requires("account.reset_password")
def reset_password(account_id: UUID):
    row = _account(account_id)
    forms = AccountForms.for_account(row)
    form = forms.password
    if form.validate_on_submit():
        command = c.ResetPassword(
            actor_id=user().actor,
            account_id=account_id,
            new_password=form.new_password.data,
        )
        if submit(command, form) is not None:
            flash(done("account.password_reset"), "success")
            return redirect(url_for(".account", account_id=account_id))
    return _detail_page(row, forms, form_status(form))
