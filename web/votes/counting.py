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
from domain.accounts import Role
from domain.errors import DomainError
from services import booth as booth_files
from services import vote_commands as vc
from web.catalogue.flashes import done
from web.dispatch import form_status
from web.forms import BaseForm
from web.identity import requires, user
from web.reads import org_choices, reads
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
    return render_template("votes/index.html", rows=vote_reads().votes())


def _account_label(row: Any) -> str:
    return f"{row.full_name} ({row.username})"


def _member_label(row: Any) -> str:
    return f"{row.full_name} — {row.party_card_no} — {row.cell_name}"


def _create_form() -> CreateVoteForm:
    """The form with its choices: organisations, members, accounts of the ban
    kiểm phiếu (role ``counting``), the modes this deployment offers."""
    app = reads()
    form = CreateVoteForm()
    form.org_id.set_choices(org_choices(app.organisations()), empty="— Chọn tổ chức —")
    counting = [
        row
        for row in app.accounts()
        if Role.COUNTING.value in row.roles and not row.disabled
    ]
    form.trustees.choices = [(str(r.account_id), _account_label(r)) for r in counting]
    form.chair_id.set_choices(
        [(r.account_id, _account_label(r)) for r in counting],
        empty="— Chọn Trưởng Ban —",
    )
    members = [(m.member_id, _member_label(m)) for m in app.members()]
    for row in form.leaders:
        row.member_id.set_choices(members, empty="— Không chọn —")
    if not vote_reads().allow_remote_mode:
        form.mode.choices = [c for c in form.mode.choices if c.value == "A"]
    return form


def _create_command(form: CreateVoteForm) -> vc.CreateVote:
    leaders = tuple(
        vc.LeaderInput(
            row.member_id.data,
            row.post.data or "",
            row.appointed_or_elected_on.data,
            bool(row.pending_retirement_notice.data),
        )
        for row in form.leaders
        if row.member_id.data is not None
    )
    trustees = tuple(UUID(value) for value in form.trustees.data or [])
    chair = form.chair_id.data
    # A chair outside the chosen trustees is index 0: the domain refuses it.
    chair_index = trustees.index(chair) + 1 if chair in trustees else 0
    if chair is None and trustees:
        chair_index = 1
    return vc.CreateVote(
        user().actor,
        org_id=form.org_id.data,
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
        _create_form_choices(form)
        return render_template("votes/create.html", form=form)
    if form.validate_on_submit():
        vote_id = send(_create_command(form), form)
        if vote_id is not None:
            flash(done("vote.created", title=form.title.data), "success")
            return redirect(url_for(".detail", vote_id=vote_id))
    return render_template("votes/create.html", form=form), form_status(form)


def _create_form_choices(form: CreateVoteForm) -> None:
    """Choices for rows added after the form was built."""
    members = form.leaders[0].member_id.choices
    for row in form.leaders:
        row.member_id.choices = members


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
