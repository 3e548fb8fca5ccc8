"""The booth (public in mode A: holding an issued slip is the authorisation,
as with a paper ballot, votes.md §6.1 step 5), casting a ballot and tracking
codes."""

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
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from domain.errors import DomainError
from services import booth as booth_files
from services import vote_commands as vc
from web.auth.throttle import LoginThrottle
from web.catalogue import message_for
from web.errors import json_error, status_for
from web.identity import user
from web.security import CSP
from web.votes import bp
from web.votes.shared import (
    found_public_vote,
    vote_reads,
    vote_service,
)

log = logging.getLogger(__name__)


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
    row = found_public_vote(vote_id)
    need_login = _mode_b_login(vote_id, row.mode)
    if need_login is not None:
        return need_login
    data = vote_reads().booth_data(vote_id)
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
    row = found_public_vote(vote_id)
    if row.mode == "B" and not current_user.is_authenticated:
        return json_error("vote.login_required", 401)
    return jsonify(vote_reads().booth_data(vote_id))


@bp.get("/<uuid:vote_id>/booth/my-key.json")
def booth_key(vote_id: UUID):
    """Mode B (§6.2, §7.1 step 2): the signed-in member's own wrapped key record,
    checked for eligibility at the start; the booth opens it in the browser with
    the password, which is not sent for this step, and signs the ballot there."""
    row = found_public_vote(vote_id)
    if row.mode != "B":
        return json_error("vote.wrong_mode", 404)
    if not current_user.is_authenticated:
        return json_error("vote.login_required", 401)
    try:
        record = vote_reads().wrapped_key(vote_id)
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
    row = found_public_vote(vote_id)
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
        status = vote_reads().slip_status(vote_id, bytes.fromhex(text))
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
    row = found_public_vote(vote_id)
    session = None
    if row.mode == "B":
        if not current_user.is_authenticated:
            return json_error("vote.login_required", 401)
        session = user().actor
    body = request.get_data(cache=False)
    try:
        receipt = vote_service().cast_ballot(vc.CastBallot(vote_id, body), session)
    except DomainError as exc:
        # No ballot content and no identity in the log (§7.2).
        log.info("ballot refused: %s", exc.code)
        reason = exc.details.get("reason")
        return json_error(exc.code, status_for(exc.code), reason=reason)
    return jsonify(receipt.to_json())


@bp.get("/<uuid:vote_id>/track")
def track(vote_id: UUID):
    row = found_public_vote(vote_id)
    code = request.args.get("code", "").strip()
    position = vote_reads().find_tracking_code(vote_id, code) if code else None
    if request.accept_mimetypes.best == "application/json":
        return jsonify({"code": code, "found": position is not None})
    return render_template(
        "votes/track.html", row=row, code=code, position=position, bare=True
    )
