"""Vote pages: the list, one vote with the counting committee's steps, the booth,
tracking codes and the 96-QĐ/TW results with their exports.

Reads come from the ``vote_results`` projection and the vote service's read
methods; every step is a signed command of :class:`services.votes.VoteService`.
The booth pages and the ballot POST need no login in mode A: holding an issued slip
is the authorisation, as with a paper ballot (votes.md §6.1 step 5).
"""

from __future__ import annotations

import hashlib
import json
import logging
from base64 import b64encode
from typing import Any
from uuid import UUID

from flask import (
    Response,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user

from domain import permissions
from domain.accounts import Role
from domain.errors import DomainError
from services import booth as booth_files
from services import vote_commands as vc
from services.read_gateway_more import VoteReads
from services.votes import VoteService
from votes.results import display_percent
from web.auth.throttle import LoginThrottle
from web.catalogue import message_for
from web.catalogue.flashes import done
from web.dispatch import form_status, submit
from web.errors import json_error, status_for
from web.forms import BaseForm
from web.identity import requires, services, user
from web.reads import found_or_404, org_choices, reads
from web.security import CSP
from web.votes import bp, exports
from web.votes.forms import (
    LEADER_ROWS,
    AbandonForm,
    ActionForm,
    AttendanceForm,
    CreateVoteForm,
    MessageForm,
)

log = logging.getLogger(__name__)
PHASE_LABELS = {
    "ceremony": "Đang tạo khóa (Ban kiểm phiếu)",
    "key_published": "Đã công bố khóa bỏ phiếu",
    "credentials_published": "Đã công bố danh sách phiếu",
    "attendance_recorded": "Đã ghi nhận số người có mặt",
    "open": "Đang bỏ phiếu",
    "closed": "Đã kết thúc bỏ phiếu, chờ giải mã",
    "tallied": "Đã công bố kết quả",
    "abandoned": "Đã hủy",
}
BAND_LABELS = {
    "NONE": "Không thuộc diện",
    "GT_HALF": "Trên 1/2 tín nhiệm thấp",
    "GTE_TWO_THIRDS": "Từ 2/3 trở lên tín nhiệm thấp",
}
# What each band (decided by votes.results) entails, shown on its row (§9.3).
_KHTNV = (
    "Năm lấy phiếu xếp loại không hoàn thành nhiệm vụ (366-QĐ/TW); "
    "đưa ra khỏi quy hoạch chức danh cao hơn"
)
BAND_CONSEQUENCES = {
    "NONE": "",
    "GT_HALF": (
        f"{_KHTNV}; xem xét cho thôi giữ chức vụ, điều chuyển, từ chức hoặc bỏ "
        "phiếu tín nhiệm mà không chờ hết nhiệm kỳ."
    ),
    "GTE_TWO_THIRDS": (
        f"{_KHTNV}; cấp có thẩm quyền cho thôi giữ chức vụ hoặc miễn nhiệm mà "
        "không chờ hết nhiệm kỳ."
    ),
}


def _votes() -> VoteReads:
    """The vote reads of the signed-in user (scope-checked by the gateway)."""
    return reads().votes


def _vote_service() -> VoteService:
    """The vote service, for commands only."""
    return services().votes


def _submit(command: Any, form: BaseForm) -> Any | None:
    """``web.dispatch.submit``: the command bus, refusals on the form."""
    return submit(command, form)


def _row(vote_id: UUID):
    return found_or_404(_votes().vote_row(vote_id), "vote.not_found")


def _public_row(vote_id: UUID):
    """The vote as the booth's public bulletin shows it (no account scope)."""
    return found_or_404(_votes().booth_row(vote_id), "vote.not_found")


@bp.app_template_filter("phase_label")
def phase_label(value: str) -> str:
    return PHASE_LABELS.get(value, value)


@bp.app_template_filter("band_label")
def band_label(value: str | None) -> str:
    return BAND_LABELS.get(value or "", value or "")


@bp.app_template_filter("band_consequence")
def band_consequence(value: str | None) -> str:
    return BAND_CONSEQUENCES.get(value or "", "")


# ---------------------------------------------------------------------------
# List and detail
# ---------------------------------------------------------------------------
@bp.get("/")
def index():
    return render_template("votes/index.html", rows=_votes().votes())


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
    if not _votes().allow_remote_mode:
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
        vote_id = _submit(_create_command(form), form)
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
    row = _row(vote_id)
    data = _votes().booth_data(vote_id)
    vote = _votes().vote(vote_id)
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
        trustees=_votes().trustee_rows(vote_id),
    )


def _head(vote_id: UUID) -> str | None:
    try:
        return _votes().closing_head(vote_id).hex()
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
    row = _row(vote_id)
    data = _votes().booth_data(vote_id)
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
        vote=_votes().vote(vote_id),
        booth=_booth_state(data["manifest"]["booth_sha256"]),
        forms=forms,
        head=_head(vote_id),
        trustees=_votes().trustee_rows(vote_id),
    )
    return html, form_status(form)


@bp.post("/<uuid:vote_id>/step/<step>")
def step(vote_id: UUID, step: str):
    if step not in STEPS:
        abort(404)
    action, command_class, confirmation = STEPS[step]
    _row(vote_id)
    permissions.require(user().roles, action)
    form = ActionForm(prefix="action")
    command = command_class(user().actor, vote_id)
    if form.validate_on_submit() and _submit(command, form) is not None:
        flash(confirmation, "success")
        return redirect(url_for(".detail", vote_id=vote_id))
    return _rerender(vote_id, "action", form)


@bp.post("/<uuid:vote_id>/eligible")
@requires("vote.manage")
def eligible(vote_id: UUID):
    """Mode B: publish the members with an account, from the roster (§6.2)."""
    _row(vote_id)
    form = ActionForm(prefix="action")
    if form.validate_on_submit():
        members = tuple(_votes().roster_with_accounts(vote_id))
        command = vc.PublishEligibleAccounts(user().actor, vote_id, members)
        if _submit(command, form) is not None:
            flash(
                done("vote.eligible_published", count=len(members)),
                "success",
            )
            return redirect(url_for(".detail", vote_id=vote_id))
    return _rerender(vote_id, "action", form)


@bp.post("/<uuid:vote_id>/attendance")
@requires("vote.manage")
def attendance(vote_id: UUID):
    _row(vote_id)
    form = AttendanceForm(prefix="attendance")
    if form.validate_on_submit():
        command = vc.RecordAttendance(user().actor, vote_id, form.present.data)
        if _submit(command, form) is not None:
            flash(done("vote.attendance_recorded", count=form.present.data), "success")
            return redirect(url_for(".detail", vote_id=vote_id))
    return _rerender(vote_id, "attendance", form)


@bp.post("/<uuid:vote_id>/abandon")
@requires("vote.manage")
def abandon(vote_id: UUID):
    _row(vote_id)
    form = AbandonForm(prefix="abandon")
    if form.validate_on_submit():
        command = vc.AbandonVote(user().actor, vote_id, form.reason.data)
        if _submit(command, form) is not None:
            flash(done("vote.abandoned"), "success")
            return redirect(url_for(".detail", vote_id=vote_id))
    return _rerender(vote_id, "abandon", form)


@bp.post("/<uuid:vote_id>/message")
@requires("vote.count")
def message(vote_id: UUID):
    """A trustee's message from the local tool: ceremony, slips, voiding, decryption."""
    _row(vote_id)
    form = MessageForm(prefix="message")
    if form.validate_on_submit():
        try:
            parsed = json.loads(form.message.data)
            if not isinstance(parsed, dict) or parsed.get("vote") != str(vote_id):
                raise ValueError("another vote")
            command = _vote_service().command_from_message(user().actor, parsed)
        except (ValueError, DomainError):
            form.add_error("vote.message_invalid")
            g.refusal_code = "vote.message_invalid"
            return _rerender(vote_id, "message", form)
        if _submit(command, form) is not None:
            flash(done("vote.trustee_message"), "success")
            return redirect(url_for(".detail", vote_id=vote_id))
    return _rerender(vote_id, "message", form)


@bp.get("/<uuid:vote_id>/record.jsonl")
def record(vote_id: UUID):
    """The election record (§10.1): input of the verifier and the trustee tool."""
    _row(vote_id)
    data = _votes().export_record(vote_id)
    response = Response(data, mimetype="application/x-ndjson")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="vote-{vote_id}.jsonl"'
    )
    return response


# ---------------------------------------------------------------------------
# Results (96-QĐ/TW) and exports of the tally sheet
# ---------------------------------------------------------------------------
@bp.get("/<uuid:vote_id>/results")
def results(vote_id: UUID):
    row = _row(vote_id)
    rows = _votes().results(vote_id)
    return render_template("votes/results.html", row=row, results=rows)


@bp.get("/<uuid:vote_id>/results.<fmt>")
def results_export(vote_id: UUID, fmt: str):
    row = _row(vote_id)
    rows = _votes().results(vote_id)
    if not rows:
        abort(404)
    if fmt == "xlsx":
        data, mimetype = exports.tally_xlsx(row, rows), exports.XLSX
    elif fmt == "pdf":
        data, mimetype = exports.tally_pdf(row, rows), "application/pdf"
    else:
        abort(404)
    return send_file(
        exports.stream(data),
        mimetype=mimetype,
        as_attachment=True,
        download_name=f"bien-ban-kiem-phieu-{row.code or vote_id}.{fmt}",
    )


# ---------------------------------------------------------------------------
# The booth (public in mode A) and tracking codes
# ---------------------------------------------------------------------------
@bp.get("/booth/static/<path:path>")
def booth_static(path: str):
    try:
        bundle = booth_files.bundle()
    except booth_files.BoothMissing:
        abort(404)
    file = bundle.files.get(path)
    if file is None:
        abort(404)
    response = Response(file.read_bytes(), mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    return response


def _mode_b_login(vote_id: UUID, mode: str) -> Any | None:
    if mode == "B" and not current_user.is_authenticated:
        flash(message_for("vote.login_required"), "info")
        return redirect(url_for("auth.login", next=request.path))
    return None


@bp.get("/<uuid:vote_id>/booth")
def booth(vote_id: UUID):
    row = _public_row(vote_id)
    need_login = _mode_b_login(vote_id, row.mode)
    if need_login is not None:
        return need_login
    data = _votes().booth_data(vote_id)
    try:
        bundle = booth_files.bundle()
    except booth_files.BoothMissing:
        bundle = None
    import_map = json.dumps(bundle.import_map, sort_keys=True) if bundle else "{}"
    entry = booth_files.URL_BASE + booth_files.ENTRY
    html = render_template(
        "votes/booth.html",
        row=row,
        manifest=data["manifest"],
        phase=data["phase"],
        import_map=import_map,
        entry=entry,
        entry_integrity=bundle.integrity(booth_files.ENTRY) if bundle else "",
        served=bundle.sha256.hex() if bundle else None,
        bare=True,
    )
    response = Response(html)
    digest = b64encode(hashlib.sha256(import_map.encode()).digest()).decode()
    response.headers["Content-Security-Policy"] = CSP.replace(
        "script-src 'self'", f"script-src 'self' 'sha256-{digest}'"
    )
    if row.mode == "A":
        # The booth may read the slip's QR code with this page's own camera access.
        response.headers["Permissions-Policy"] = (
            "camera=(self), microphone=(), geolocation=()"
        )
    return response


@bp.get("/<uuid:vote_id>/booth/election.json")
def booth_data(vote_id: UUID):
    row = _public_row(vote_id)
    if row.mode == "B" and not current_user.is_authenticated:
        return json_error("vote.login_required", 401)
    return jsonify(_votes().booth_data(vote_id))


@bp.get("/<uuid:vote_id>/booth/my-key.json")
def booth_key(vote_id: UUID):
    """Mode B (§6.2, §7.1 step 2): the signed-in member's own wrapped key record,
    checked for eligibility at the start; the booth opens it in the browser with
    the password, which is not sent for this step, and signs the ballot there."""
    row = _public_row(vote_id)
    if row.mode != "B":
        return json_error("vote.wrong_mode", 404)
    if not current_user.is_authenticated:
        return json_error("vote.login_required", 401)
    try:
        record = _votes().wrapped_key(vote_id)
    except DomainError as exc:
        return json_error(exc.code, 403)
    response = jsonify(record)
    response.headers["Cache-Control"] = "no-store"
    return response


SLIP_THROTTLE = "kiemdiem_slip_throttle"


def _slip_throttle() -> LoginThrottle:
    """Unknown slip keys per address, counted as failed sign-ins are (one per app)."""
    found = current_app.extensions.get(SLIP_THROTTLE)
    if found is None:
        config = current_app.config
        found = current_app.extensions.setdefault(
            SLIP_THROTTLE,
            LoginThrottle(
                config["LOGIN_ADDRESS_FAILURE_LIMIT"],
                config["LOGIN_FAILURE_WINDOW_SECONDS"],
            ),
        )
    return found  # type: ignore[no-any-return]


@bp.post("/<uuid:vote_id>/booth/slip-status")
def slip_status(vote_id: UUID):
    """§7.1 step 2: may this slip still cast?  ``usable``, ``used``, ``voided`` or
    ``unknown`` for the credential public key the booth derived from the code; the
    code itself (the slip's secret) never leaves the voter's device, and the answer
    names no ballot.  The key comes in the body, never in the URL, so no access log
    line pairs an address with it.  Unknown keys count against the address like
    failed logins."""
    row = _public_row(vote_id)
    if row.mode == "B" and not current_user.is_authenticated:
        return json_error("vote.login_required", 401)
    address = [request.remote_addr or "unknown"]
    wait = _slip_throttle().retry_after(address)
    if wait:
        minutes = {"minutes": -(-wait // 60)}
        message = message_for("vote.slip_too_many", minutes)
        return json_error("vote.slip_too_many", 429, message)
    body = request.get_json(silent=True)
    text = body.get("credential") if isinstance(body, dict) else None
    if not isinstance(text, str) or len(text) != 64 or text.strip("0123456789abcdef"):
        return json_error("vote.slip_key_invalid", 400)
    try:
        status = _votes().slip_status(vote_id, bytes.fromhex(text))
    except DomainError as exc:
        return json_error(exc.code, 409 if exc.code == "vote.not_open" else 422)
    if status == "unknown":
        _slip_throttle().failed(address)
    response = jsonify({"status": status})
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/<uuid:vote_id>/ballots")
def cast(vote_id: UUID):
    """§7.2: the raw canonical body; the answer is the signed receipt (§7.3).

    Mode B: the session names the member; the ballot was signed on their device,
    so the server's copy of the unlocked key is not used (or needed) here."""
    row = _public_row(vote_id)
    session = None
    if row.mode == "B":
        if not current_user.is_authenticated:
            return json_error("vote.login_required", 401)
        session = user().actor
    body = request.get_data(cache=False)
    try:
        receipt = _vote_service().cast_ballot(vc.CastBallot(vote_id, body), session)
    except DomainError as exc:
        # No ballot content and no identity in the log (§7.2).
        log.info("ballot refused: %s", exc.code)
        reason = exc.details.get("reason")
        return json_error(exc.code, status_for(exc.code), reason=reason)
    return jsonify(receipt.to_json())


@bp.get("/<uuid:vote_id>/track")
def track(vote_id: UUID):
    row = _public_row(vote_id)
    code = request.args.get("code", "").strip()
    position = _votes().find_tracking_code(vote_id, code) if code else None
    if request.accept_mimetypes.best == "application/json":
        return jsonify({"code": code, "found": position is not None})
    return render_template(
        "votes/track.html", row=row, code=code, position=position, bare=True
    )


@bp.app_template_filter("percent")
def percent(fraction: str | None) -> str:
    """``count/returned`` shown to two decimals (display only, §9.2)."""
    if not fraction:
        return ""
    num, den = (int(x) for x in fraction.split("/"))
    return display_percent(num, den)
