"""Lấy phiếu tín nhiệm: the list of votes, creating one, a vote's page with the
counting committee's steps (eligible voters, attendance, messages, abandon)
and the signed record of the vote."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from flask import (
    Response,
    abort,
    flash,
    g,
    redirect,
    render_template,
    url_for,
)

from domain import permissions
from domain.errors import DomainError
from services import booth as booth_files
from services import vote_commands as vc
from web.catalogue import message_for
from web.catalogue.flashes import done
from web.dispatch import form_refusal, form_status
from web.forms import BaseForm
from web.identity import requires, user
from web.reads import cursor_arg, form_choices, lists, typed_label
from web.votes import bp
from web.votes.forms import (
    LEADER_ROWS,
    AbandonForm,
    ActionForm,
    AttendanceForm,
    CreateVoteForm,
    MessageForm,
)
from web.votes.shared import (
    found_vote,
    send,
    vote_reads,
    vote_service,
)


# ---------------------------------------------------------------------------
# List and detail
# ---------------------------------------------------------------------------
@bp.get("/")
def index():
    """The votes the user reads, a keyset page of 50 by title."""
    page = lists().votes(after=cursor_arg("sau"), before=cursor_arg("truoc"))
    return render_template("votes/index.html", rows=page.rows, page=page)


def _account_label(row: Any) -> str:
    return f"{row.full_name} ({row.username})"


def _member_label(row: Any) -> str:
    return f"{row.full_name} — {row.party_card_no} — {row.cell_name}"


ORG_CHOICES = 200  # organisations suggested in the page at most; typing finds more


def _create_form() -> CreateVoteForm:
    """The form with its choices: the first accounts of the ban kiểm phiếu (role
    ``counting``, a bounded read), the modes this deployment offers. The
    organisation and the people voted on are typed, with suggestions."""
    form = CreateVoteForm()
    counting, _more = form_choices().counting_accounts()
    form.trustees.choices = [(str(r.account_id), _account_label(r)) for r in counting]
    form.chair_id.set_choices(
        [(r.account_id, _account_label(r)) for r in counting],
        empty="— Chọn Trưởng Ban —",
    )
    if not vote_reads().allow_remote_mode:
        form.mode.choices = [c for c in form.mode.choices if c.value == "A"]
    return form


def _create_page(form: CreateVoteForm, status: int = 200):
    found = form_choices().organisations_acting("vote.create", ORG_CHOICES)
    _more, more_trustees = form_choices().counting_accounts()
    return (
        render_template(
            "votes/create.html",
            form=form,
            orgs=[typed_label(o.name, o.code) for o in found.rows],
            more_orgs=found.more,
            more_trustees=more_trustees,
        ),
        status,
    )


Typed = tuple[UUID, list[UUID | None], list[UUID]]


def _typed(form: CreateVoteForm) -> Typed | None:
    """The organisation and the people voted on as typed, read in the user's
    scope; None with each refusal beside its field (nothing is sent)."""
    choices = form_choices()
    org: UUID | None = None
    try:
        org = choices.organisation_acting_named(form.org_id.data or "", "vote.create")
    except DomainError as exc:
        form_refusal(exc, form)
    people: list[UUID | None] = []
    refused = org is None
    for row in form.leaders:
        typed = (row.member_id.data or "").strip()
        try:
            people.append(choices.member_named(typed) if typed else None)
        except DomainError as exc:
            message = message_for(exc.code, exc.details)
            row.member_id.errors = [*row.member_id.errors, message]
            g.refusal_code = exc.code
            refused = True
    others: list[UUID] = []
    try:
        others = choices.accounts_named(form.other_trustees.data or "")
    except DomainError as exc:
        form_refusal(exc, form)
        refused = True
    if refused or org is None:
        return None
    return org, people, others


def _create_command(
    form: CreateVoteForm, org: UUID, people: list[UUID | None], others: list[UUID]
) -> vc.CreateVote:
    leaders = tuple(
        vc.LeaderInput(
            person,
            row.post.data or "",
            row.appointed_or_elected_on.data,
            bool(row.pending_retirement_notice.data),
        )
        for row, person in zip(form.leaders, people, strict=True)
        if person is not None
    )
    trustees = (*(UUID(value) for value in form.trustees.data or []), *others)
    chair = form.chair_id.data
    # A chair outside the chosen trustees is index 0: the domain refuses it.
    chair_index = trustees.index(chair) + 1 if chair in trustees else 0
    if chair is None and trustees:
        chair_index = 1
    return vc.CreateVote(
        user().actor,
        org_id=org,
        code=form.code.data,
        title=form.title.data,
        vote_year=form.vote_year.data,
        conference_date=form.conference_date.data,
        leaders=leaders,
        trustees=trustees,
        convened=form.convened.data,
        threshold=form.threshold.data,
        slip_count=form.slip_count.data,
        mode=form.mode.data,
        chair_index=chair_index,
        min_ballots=form.min_ballots.data,
    )


@bp.route("/new", methods=["GET", "POST"])
@requires("vote.create")
def create():
    """The organiser's form: the manifest, fixed before the key ceremony."""
    form = _create_form()
    if form.is_submitted() and form.more.data:
        # More leader rows: nothing is sent, what was typed is kept.
        for _ in range(LEADER_ROWS):
            form.leaders.append_entry()
        return _create_page(form)
    if form.validate_on_submit() and (typed := _typed(form)) is not None:
        vote_id = send(_create_command(form, *typed), form)
        if vote_id is not None:
            flash(done("vote.created", title=form.title.data), "success")
            return redirect(url_for(".detail", vote_id=vote_id))
    return _create_page(form, form_status(form))


def _booth_state(manifest_hash: str) -> dict[str, Any]:
    try:
        served = booth_files.bundle().sha256.hex()
    except booth_files.BoothMissing:
        served = None
    return {"pinned": manifest_hash, "served": served}


@bp.get("/<uuid:vote_id>")
def detail(vote_id: UUID):
    row = found_vote(vote_id)
    data = vote_reads().booth_data(vote_id)
    vote = vote_reads().vote(vote_id)
    forms = {
        "attendance": AttendanceForm(prefix="attendance"),
        "message": MessageForm(prefix="message"),
        "abandon": AbandonForm(prefix="abandon"),
        "action": ActionForm(prefix="action"),
    }
    return render_template(
        "votes/detail.html",
        row=row,
        manifest=data["manifest"],
        vote=vote,
        booth=_booth_state(data["manifest"]["booth_sha256"]),
        forms=forms,
        head=_head(vote_id),
        trustees=vote_reads().trustee_rows(vote_id),
    )


def _head(vote_id: UUID) -> str | None:
    try:
        return vote_reads().closing_head(vote_id).hex()
    except DomainError:
        return None


STEPS = {
    "publish_key": ("vote.manage", vc.PublishElectionKey, done("vote.key_published")),
    "open": ("vote.manage", vc.OpenVoting, done("vote.opened")),
    "close": ("vote.manage", vc.CloseVoting, done("vote.closed")),
    "tally": ("vote.count", vc.PublishTally, done("vote.tallied")),
    "minutes": ("vote.count", vc.SignMinutes, done("vote.minutes_signed")),
}


def _rerender(vote_id: UUID, name: str, form: BaseForm):
    row = found_vote(vote_id)
    data = vote_reads().booth_data(vote_id)
    forms: dict[str, BaseForm] = {
        "attendance": AttendanceForm(prefix="attendance", formdata=None),
        "message": MessageForm(prefix="message", formdata=None),
        "abandon": AbandonForm(prefix="abandon", formdata=None),
        "action": ActionForm(prefix="action", formdata=None),
    }
    forms[name] = form
    html = render_template(
        "votes/detail.html",
        row=row,
        manifest=data["manifest"],
        vote=vote_reads().vote(vote_id),
        booth=_booth_state(data["manifest"]["booth_sha256"]),
        forms=forms,
        head=_head(vote_id),
        trustees=vote_reads().trustee_rows(vote_id),
    )
    return html, form_status(form)


@bp.post("/<uuid:vote_id>/step/<step>")
def step(vote_id: UUID, step: str):
    if step not in STEPS:
        abort(404)
    action, command_class, confirmation = STEPS[step]
    found_vote(vote_id)
    permissions.require(user().roles, action)
    form = ActionForm(prefix="action")
    command = command_class(user().actor, vote_id)
    if form.validate_on_submit() and send(command, form) is not None:
        flash(confirmation, "success")
        return redirect(url_for(".detail", vote_id=vote_id))
    return _rerender(vote_id, "action", form)


@bp.post("/<uuid:vote_id>/eligible")
@requires("vote.manage")
def eligible(vote_id: UUID):
    """Mode B: publish the members with an account, from the roster (§6.2)."""
    found_vote(vote_id)
    form = ActionForm(prefix="action")
    if form.validate_on_submit():
        members = tuple(vote_reads().roster_with_accounts(vote_id))
        command = vc.PublishEligibleAccounts(user().actor, vote_id, members)
        if send(command, form) is not None:
            flash(
                done("vote.eligible_published", count=len(members)),
                "success",
            )
            return redirect(url_for(".detail", vote_id=vote_id))
    return _rerender(vote_id, "action", form)


@bp.post("/<uuid:vote_id>/attendance")
@requires("vote.manage")
def attendance(vote_id: UUID):
    found_vote(vote_id)
    form = AttendanceForm(prefix="attendance")
    if form.validate_on_submit():
        command = vc.RecordAttendance(user().actor, vote_id, form.present.data)
        if send(command, form) is not None:
            flash(done("vote.attendance_recorded", count=form.present.data), "success")
            return redirect(url_for(".detail", vote_id=vote_id))
    return _rerender(vote_id, "attendance", form)


@bp.post("/<uuid:vote_id>/abandon")
@requires("vote.manage")
def abandon(vote_id: UUID):
    found_vote(vote_id)
    form = AbandonForm(prefix="abandon")
    if form.validate_on_submit():
        command = vc.AbandonVote(user().actor, vote_id, form.reason.data)
        if send(command, form) is not None:
            flash(done("vote.abandoned"), "success")
            return redirect(url_for(".detail", vote_id=vote_id))
    return _rerender(vote_id, "abandon", form)


@bp.post("/<uuid:vote_id>/message")
@requires("vote.count")
def message(vote_id: UUID):
    """A trustee's message from the local tool: ceremony, slips, voiding, decryption."""
    found_vote(vote_id)
    form = MessageForm(prefix="message")
    if form.validate_on_submit():
        try:
            parsed = json.loads(form.message.data)
            if not isinstance(parsed, dict) or parsed.get("vote") != str(vote_id):
                raise ValueError("another vote")
            command = vote_service().command_from_message(user().actor, parsed)
        except (ValueError, DomainError):
            form.add_error("vote.message_invalid")
            g.refusal_code = "vote.message_invalid"
            return _rerender(vote_id, "message", form)
        if send(command, form) is not None:
            flash(done("vote.trustee_message"), "success")
            return redirect(url_for(".detail", vote_id=vote_id))
    return _rerender(vote_id, "message", form)


@bp.get("/<uuid:vote_id>/record.jsonl")
def record(vote_id: UUID):
    """The election record (§10.1): input of the verifier and the trustee tool."""
    found_vote(vote_id)
    data = vote_reads().export_record(vote_id)
    response = Response(data, mimetype="application/x-ndjson")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="vote-{vote_id}.jsonl"'
    )
    return response
