"""Rating pages: read the ``ratings`` projection; forms send signed commands to
``services.ratings``. Refusals come back on the form in Vietnamese."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any
from uuid import UUID

from flask import (
    Response,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)

from domain.errors import DomainError
from domain.explain import RULE_LABELS
from domain.rulebooks import Appendix, rulebook, rulebook_for_year
from services import rating_commands as rc
from services.errors import SignatureRequiredError
from services.printouts.reviews import (
    COLLECTIVE_SECTIONS,
    OMITTED_WHY,
    NotPrintable,
    ReviewSource,
    collective_report_pdf,
    section_plan,
    self_review_pdf,
)
from services.ratings import review_id, round_id
from web.catalogue import message_for
from web.catalogue import ratings as labels
from web.catalogue.flashes import done
from web.catalogue.ratings import SECTION_LABELS
from web.catalogue.remediation import STATUS_LABELS as REMEDIATION_STATUS_LABELS
from web.dispatch import form_refusal, form_status, submit
from web.errors import refusal
from web.forms import BaseForm, choices
from web.identity import requires, services, signer, user
from web.ratings import bp
from web.ratings.forms import (
    APPENDIX_LABELS,
    CombinedConferenceForm,
    CommentForm,
    ConfidenceFactForm,
    CriteriaForm,
    DeadlineForm,
    DecisionForm,
    DegradationFactForm,
    DisciplineFactForm,
    EndOversightFactForm,
    EndPostFactForm,
    ExemptionFactForm,
    HoldForm,
    ImportMembersForm,
    LeaveFactForm,
    MeetingForm,
    MitigationForm,
    NoteForm,
    OpenCycleForm,
    OpenReviewForm,
    OpenRoundForm,
    OpinionForm,
    OversightFactForm,
    PeerGroupForm,
    PostFactForm,
    ProposalForm,
    QuotaExceptionForm,
    ReportForm,
    ReRateForm,
    ReReviewForm,
    SelfRatingForm,
    SelfReviewForm,
    SuggestionForm,
    TemporaryCellFactForm,
    WorkSituationFactForm,
    criteria_lines,
)
from web.reads import found_or_404, org_choices, reads, todo

log = logging.getLogger(__name__)
COMMITTEES = (
    "provincial_committee",
    "district_committee",
    "grassroots_committee",
    "partial_committee",
    "cell",
)
FORM_SECTIONS = {
    "2A": (
        "strengths",
        "shortcomings",
        "remediation",
        "suggestions",
        "responsibility",
        "measures",
    ),
    "2B": ("strengths", "shortcomings", "remediation", "suggestions", "measures"),
    "2C": ("strengths", "shortcomings", "remediation", "suggestions", "measures"),
}
FORM_OF_APPENDIX = {"PL2": "2A", "PL3": "2A", "PL4": "2B", "PL5": "2C"}


def send(command: Any, form: BaseForm) -> Any | None:
    """Run a rating command signed by the current user; a refusal goes on ``form``."""
    return submit(command, form)


def _cycle(cycle_id: UUID) -> dict[str, Any]:
    return found_or_404(reads().cycle_row(cycle_id), "cycle.not_found")


def _subject(cycle_id: UUID, key: str) -> dict[str, Any]:
    row = reads().subject_row(cycle_id, key)
    return found_or_404(row, "rating.subject_not_found")


def _names() -> dict[str, str]:
    return {str(o.org_id): o.name for o in reads().organisations()}


@bp.app_template_filter("rating_label")
def rating_label(value: str | None, table: str = "level") -> str:
    """A code in Vietnamese: ``{{ s.level | rating_label }}``."""
    if value is None:
        return "—"
    names = {
        "level": labels.LEVEL_LABELS,
        "status": labels.STATUS_LABELS,
        "exempt": labels.EXEMPT_LABELS,
        "population": labels.POPULATION_LABELS,
        "step": labels.STEP_LABELS,
        "klass": labels.KLASS_LABELS,
        "deadline": labels.DEADLINE_LEVELS,
        "milestone": labels.MILESTONES,
        "issue": labels.ISSUE_LABELS,
        "rule": {**labels.ISSUE_RULES, **RULE_LABELS},
        "hold": labels.HOLD_REASONS,
        "section": labels.SECTION_LABELS,
        "scope": labels.REREVIEW_SCOPES,
    }[table]
    return names.get(value, value)


@bp.app_template_filter("error_message")
def error_message(code: str, details: dict[str, Any] | None = None) -> str:
    return message_for(code, details)


# -- cycles -------------------------------------------------------------------------
@bp.get("/")
def index(form: OpenCycleForm | None = None):
    form = form or OpenCycleForm(formdata=None)
    form.org_id.set_choices(
        org_choices(reads().organisations(), COMMITTEES), empty="— Chọn tổ chức —"
    )
    if form.year.data is None:
        form.year.data = date.today().year  # noqa: DTZ011 - a default in a form
    return render_template("ratings/index.html", cycles=reads().cycles(), form=form)


@bp.post("/cycles")
@requires("cycle.open")
def open_cycle():
    form = OpenCycleForm()
    if form.validate_on_submit():
        cycle_id = send(
            rc.OpenCycle(
                actor_id=user().actor,
                org_id=form.org_id.data,
                year=form.year.data,
                reference_date=form.reference_date.data,
            ),
            form,
        )
        if cycle_id is not None:
            flash(done("cycle.opened"), "success")
            return redirect(url_for(".cycle", cycle_id=cycle_id))
    return index(form), form_status(form)


@bp.get("/cycles/<uuid:cycle_id>")
def cycle(
    cycle_id: UUID,
    round_form: OpenRoundForm | None = None,
    deadline_form: DeadlineForm | None = None,
    combined_form: CombinedConferenceForm | None = None,
):
    ratings = reads()
    row = _cycle(cycle_id)
    subjects = ratings.subjects(cycle_id)
    counts: dict[str, int] = {}
    for s in subjects:
        counts[s["status"]] = counts.get(s["status"], 0) + 1
    names = _names()
    authorities = sorted(
        {s["decides"] for s in subjects if s["decides"] and s["decides"] in names}
    )
    opened = {r["authority_org_id"] for r in ratings.rounds(cycle_id)}
    form = round_form or OpenRoundForm(formdata=None)
    form.authority_org_id.set_choices(
        [(UUID(a), names[a]) for a in authorities if a not in opened],
        empty="— Chọn cấp có thẩm quyền —",
    )
    return render_template(
        "ratings/cycle.html",
        cycle=row,
        counts=counts,
        total=len(subjects),
        rounds=ratings.rounds(cycle_id),
        issues=ratings.open_items(cycle_id),
        form=form,
        deadline=deadline_form or DeadlineForm(formdata=None, prefix="dl"),
        **_combined_context(row, subjects, names, combined_form),
    )


def _combined_context(
    row: dict[str, Any],
    subjects: list[dict[str, Any]],
    names: dict[str, str],
    bound: CombinedConferenceForm | None,
) -> dict[str, Any]:
    """The leadership collectives of the cycle and where each is reviewed."""
    collectives = [
        s
        for s in subjects
        if s["kind"] == "collective" and s["org_kind"] == ("leadership_collective")
    ]
    committees = [
        s
        for s in subjects
        if s["kind"] == "collective"
        and s["org_kind"] not in ("leadership_collective", "cell")
    ]
    form = bound or CombinedConferenceForm(formdata=None, prefix="cb")
    form.collective_id.set_choices(
        [(UUID(s["org_id"]), s["name"]) for s in collectives],
        empty="— Chọn tập thể —",
    )
    form.committee_id.set_choices(
        [(UUID(s["org_id"]), s["name"]) for s in committees],
        empty="Tại cấp mình (không gộp)",
    )
    combined = row["options"].get("combined", {})
    return {
        "combined_form": form,
        "collectives": [
            {**s, "combined_with": names.get(combined.get(s["org_id"], ""))}
            for s in collectives
        ],
    }


@bp.post("/cycles/<uuid:cycle_id>/combined")
@requires("cycle.open")
def set_combined(cycle_id: UUID):
    """43-HD mục 2.4: the secretary records where a leadership collective whose
    members are the committee's members is reviewed."""
    _cycle(cycle_id)
    form = CombinedConferenceForm(prefix="cb")
    form.collective_id.set_choices([])
    form.committee_id.set_choices([])
    if form.validate_on_submit():
        command = rc.SetCombinedConference(
            actor_id=user().actor,
            cycle_id=cycle_id,
            collective_id=form.collective_id.data,
            committee_id=form.committee_id.data,
        )
        if send(command, form) is not None:
            flash(done("cycle.combined_set"), "success")
            return redirect(url_for(".cycle", cycle_id=cycle_id))
    return cycle(cycle_id, None, None, form), form_status(form)


@bp.post("/cycles/<uuid:cycle_id>/rounds")
@requires("rating.decide")
def open_round(cycle_id: UUID):
    _cycle(cycle_id)
    form = OpenRoundForm()
    if form.validate_on_submit():
        command = rc.OpenRound(
            actor_id=user().actor,
            cycle_id=cycle_id,
            authority_org_id=form.authority_org_id.data,
        )
        if send(command, form) is not None:
            flash(done("round.opened"), "success")
            return redirect(url_for(".cycle", cycle_id=cycle_id))
    return cycle(cycle_id, form), form_status(form)


@bp.get("/cycles/<uuid:cycle_id>/subjects")
def subjects(cycle_id: UUID):
    row = _cycle(cycle_id)
    status = request.args.get("status") or None
    rows = reads().subjects(cycle_id)
    if status:
        rows = [s for s in rows if s["status"] == status]
    return render_template(
        "ratings/subjects.html", cycle=row, subjects=rows, status=status
    )


@bp.get("/cycles/<uuid:cycle_id>/statistics")
def statistics(cycle_id: UUID):
    row = _cycle(cycle_id)
    ratings = reads()
    orgs = [
        (UUID(s["org_id"]), s["name"])
        for s in ratings.subjects(cycle_id)
        if s["kind"] == "collective" and s["org_kind"] != "leadership_collective"
    ]
    raw = request.args.get("org")
    try:
        org_id = UUID(raw) if raw else UUID(row["org_id"])
    except ValueError:
        abort(404)
    if org_id not in {o for o, _ in orgs} and org_id != UUID(row["org_id"]):
        abort(404)
    return render_template(
        "ratings/statistics.html",
        cycle=row,
        orgs=orgs,
        org_id=org_id,
        stats=ratings.statistics(cycle_id, org_id),
    )


@bp.get("/cycles/<uuid:cycle_id>/issues")
def issues(cycle_id: UUID):
    row = _cycle(cycle_id)
    return render_template(
        "ratings/issues.html", cycle=row, issues=reads().open_items(cycle_id)
    )


# -- one subject: reviews and the rating steps --------------------------------------
def _criteria(cycle_row: dict[str, Any], appendix: str) -> list[dict[str, Any]]:
    book = rulebook(cycle_row["rulebook_id"])
    if book.scored:
        custom = cycle_row["options"].get("criteria", {}).get(appendix)
        if custom:
            return [dict(c) for c in custom]
        found = book.criteria.get(Appendix(appendix))
        return [
            {
                "code": c.code,
                "title": c.title,
                "group": c.group,
                "max_points": c.max_points,
            }
            for c in (found.criteria if found else ())
        ]
    return [
        {"code": c.code, "title": c.title, "group": level.value, "max_points": 0}
        for level, items in book.level_criteria.items()
        for c in items
    ]


def _with_choices(form: Any, name: str, items: list[tuple[UUID, str]]) -> Any:
    getattr(form, name).set_choices(items, empty="— Chọn —")
    return form


def _subject_page(cycle_id: UUID, key: str, status: int = 200, **forms: Any):
    ratings = reads()
    cycle_row = _cycle(cycle_id)
    subject = _subject(cycle_id, key)
    names = _names()
    reviews = {
        r["venue_id"]: r for r in ratings.reviews(cycle_id) if r["subject_key"] == key
    }
    rid = round_id(cycle_id, subject["decides"]) if subject["decides"] else None
    rating_round = ratings.round_row(rid) if rid else None
    form_code = FORM_OF_APPENDIX.get(subject["appendix"])
    self_rating = forms.get("self_rating") or SelfRatingForm(formdata=None, prefix="sr")
    criteria = _criteria(cycle_row, subject["appendix"])
    if not rulebook(cycle_row["rulebook_id"]).scored:
        self_rating.met.choices = choices((c["code"], c["title"]) for c in criteria)
    context = {
        "cycle": cycle_row,
        "subject": subject,
        "names": names,
        "reviews": reviews,
        "review_ids": {v: review_id(cycle_id, key, v) for v in subject["venues"]},
        "timeline": ratings.timeline(cycle_id, key),
        "flags": ratings.subject_flags(cycle_id, key),
        "next_step": todo().subject_step(cycle_id, key),
        "round": rating_round,
        "form_code": form_code,
        # Every section of the template in its order; one the form does not
        # have (V for 2B and 2C) is shown with the reason, as on the printout.
        "sections": [
            (s, SECTION_LABELS[s], applies)
            for s, _, applies in section_plan(form_code or "")
        ],
        "omitted_why": OMITTED_WHY,
        "collective_sections": COLLECTIVE_SECTIONS,
        "criteria": criteria,
        "scored": rulebook(cycle_row["rulebook_id"]).scored,
        "open_review": forms.get("open_review")
        or OpenReviewForm(formdata=None, prefix="or"),
        "report": forms.get("report") or ReportForm(formdata=None, prefix="rp"),
        "self_review": forms.get("self_review")
        or SelfReviewForm(formdata=None, prefix="sv"),
        "meeting": forms.get("meeting") or MeetingForm(formdata=None, prefix="mt"),
        "self_rating": self_rating,
        "proposal": forms.get("proposal") or ProposalForm(formdata=None, prefix="pr"),
        "failed_review": forms.get("failed_review"),
        "comment": _with_choices(
            forms.get("comment") or CommentForm(formdata=None, prefix="cm"),
            "author_member_id",
            [
                (UUID(s["member_id"]), s["name"])
                for s in ratings.subjects(cycle_id)
                if s["member_id"]
            ],
        ),
        "suggestion": _with_choices(
            forms.get("suggestion") or SuggestionForm(formdata=None, prefix="sg"),
            "issuer_org_id",
            [(UUID(o), names[o]) for o in subject["path"][1:] if o in names],
        ),
        "opinion": forms.get("opinion") or OpinionForm(formdata=None, prefix="op"),
        "residence": forms.get("residence") or NoteForm(formdata=None, prefix="rs"),
        "temporary": forms.get("temporary") or NoteForm(formdata=None, prefix="tc"),
        "points_in": request.form if request.method == "POST" else {},
        "carried": reads().remediation.carried(key, cycle_row["year"]),
        "carried_items": reads().remediation.carried_items(key, cycle_row["year"]),
        "found_items": reads().remediation.items(
            subject_key=key, year=cycle_row["year"]
        ),
        "orders": ratings.rereview_orders(cycle_id, key),
        "rereview": forms.get("rereview") or ReReviewForm(formdata=None, prefix="rv"),
    }
    return render_template("ratings/subject.html", **context), status


@bp.get("/cycles/<uuid:cycle_id>/subjects/<key>")
def subject(cycle_id: UUID, key: str):
    return _subject_page(cycle_id, key)


@bp.get("/cycles/<uuid:cycle_id>/subjects/<key>/venues/<venue>/ban-in.pdf")
@requires("report.read")
def review_pdf(cycle_id: UUID, key: str, venue: str):
    """Mẫu 01 (tập thể) or Mẫu 2A / 2B / 2C (cá nhân) of one venue, printed from
    the reads of the subject page; the signed texts in full, so read by those who
    read the other printouts (Mẫu 03, 04), as the reports' routes are."""
    cycle_row = _cycle(cycle_id)
    subject = _subject(cycle_id, key)
    if venue not in [str(v) for v in subject["venues"]]:
        abort(404)
    source = ReviewSource(
        cycle=cycle_row,
        subject=subject,
        venue_id=venue,
        names=_names(),
        timeline=reads().timeline(cycle_id, key),
        carried_items=reads().remediation.carried_items(key, cycle_row["year"]),
        remediation_labels=REMEDIATION_STATUS_LABELS,
    )
    collective = subject["kind"] == "collective"
    build = collective_report_pdf if collective else self_review_pdf
    try:
        data = build(source)
    except NotPrintable as exc:
        return refusal(str(exc.args[0]))
    form = "01" if collective else FORM_OF_APPENDIX.get(subject["appendix"], "2")
    return Response(
        data,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="mau-{form}-{key}.pdf"'},
    )


@bp.post("/cycles/<uuid:cycle_id>/subjects/<key>/reviews")
@requires("review.record")
def open_review(cycle_id: UUID, key: str):
    _subject(cycle_id, key)
    form = OpenReviewForm(prefix="or")
    if form.validate_on_submit():
        command = rc.OpenReview(
            actor_id=user().actor,
            cycle_id=cycle_id,
            subject_key=key,
            venue_id=form.venue_id.data,
        )
        if send(command, form) is not None:
            flash(done("review.opened"), "success")
            return redirect(url_for(".subject", cycle_id=cycle_id, key=key))
    return _subject_page(cycle_id, key, form_status(form), open_review=form)


@bp.post("/cycles/<uuid:cycle_id>/subjects/<key>/rereview")
@requires("review.order_redo")
def rereview(cycle_id: UUID, key: str):
    """The higher committee orders the review and/or the rating redone (§5.4)."""
    _subject(cycle_id, key)
    form = ReReviewForm(prefix="rv")
    if form.validate_on_submit():
        command = rc.OrderReReview(
            actor_id=user().actor,
            cycle_id=cycle_id,
            subject_key=key,
            scope=form.scope.data,
            reason=form.reason.data,
            deadline=form.deadline.data,
            chair_responsibility=bool(form.chair_responsibility.data),
        )
        if send(command, form) is not None:
            flash(done("review.redo_ordered"), "success")
            return redirect(url_for(".subject", cycle_id=cycle_id, key=key))
    return _subject_page(cycle_id, key, form_status(form), rereview=form)


def _review_target(review: UUID) -> tuple[UUID, str, dict[str, Any]]:
    row = found_or_404(reads().review_row(review), "review.not_found")
    return UUID(row["cycle_id"]), row["subject_key"], row


def _review_post(
    review: UUID, form: BaseForm, name: str, build: Any, confirmation: str
):
    cycle_id, key, row = _review_target(review)
    if form.validate_on_submit() and send(build(form), form) is not None:
        flash(confirmation, "success")
        return redirect(url_for(".subject", cycle_id=cycle_id, key=key))
    g.failed_venue = row["venue_id"]
    return _subject_page(
        cycle_id, key, form_status(form), failed_review=row["venue_id"], **{name: form}
    )


@bp.post("/reviews/<uuid:review>/report")
@requires("review.record")
def report(review: UUID):
    return _review_post(
        review,
        ReportForm(prefix="rp"),
        "report",
        lambda f: rc.CirculateReport(
            actor_id=user().actor,
            review_id=review,
            summary=f.summary.data,
            circulated_on=f.circulated_on.data,
        ),
        done("review.report_circulated"),
    )


@bp.post("/reviews/<uuid:review>/self-review")
@requires("review.record")
def self_review(review: UUID):
    form_code = request.form.get("form_code", "")
    names = FORM_SECTIONS.get(form_code, ())
    return _review_post(
        review,
        SelfReviewForm(prefix="sv"),
        "self_review",
        lambda f: rc.SubmitSelfReview(
            actor_id=user().actor,
            review_id=review,
            form=form_code,
            sections={n: getattr(f, n).data or "" for n in names},
        ),
        done("review.self_review_submitted"),
    )


@bp.post("/reviews/<uuid:review>/meeting")
@requires("review.record")
def meeting(review: UUID):
    return _review_post(
        review,
        MeetingForm(prefix="mt"),
        "meeting",
        lambda f: rc.HoldMeeting(
            actor_id=user().actor,
            review_id=review,
            held_on=f.held_on.data,
            attendees=f.attendees.data,
            minutes=f.minutes.data,
            conclusion=f.conclusion.data,
        ),
        done("review.meeting_held"),
    )


def _round(rid: UUID) -> dict[str, Any]:
    return found_or_404(reads().round_row(rid), "rating.round_not_found")


@bp.post("/rounds/<uuid:rid>/subjects/<key>/self-rating")
@requires("rating.self_rate")
def self_rating(rid: UUID, key: str):
    cycle_id = UUID(_round(rid)["cycle_id"])
    subject_row = _subject(cycle_id, key)
    form = SelfRatingForm(prefix="sr")
    form.met.choices = choices(
        (c["code"], c["title"])
        for c in _criteria(_cycle(cycle_id), subject_row["appendix"])
    )
    if form.validate_on_submit():
        points = {
            name[len("points-") :]: value.strip()
            for name, value in request.form.items()
            if name.startswith("points-") and value.strip()
        }
        command = rc.SelfRate(
            actor_id=user().actor,
            round_id=rid,
            subject_key=key,
            level=form.level.data,
            tasks_total=form.tasks_total.data,
            tasks_on_time=form.tasks_on_time.data,
            tasks_exceeded=form.tasks_exceeded.data,
            tasks_late=form.tasks_late.data,
            tasks_not_done=form.tasks_not_done.data,
            points=points,
            met=tuple(form.met.data or ()),
        )
        if send(command, form) is not None:
            flash(done("rating.self_rated"), "success")
            return redirect(url_for(".subject", cycle_id=cycle_id, key=key))
    return _subject_page(cycle_id, key, form_status(form), self_rating=form)


@bp.post("/rounds/<uuid:rid>/subjects/<key>/proposal")
@requires("rating.propose")
def proposal(rid: UUID, key: str):
    cycle_id = UUID(_round(rid)["cycle_id"])
    form = ProposalForm(prefix="pr")
    if form.validate_on_submit():
        command = rc.ProposeRating(
            actor_id=user().actor,
            round_id=rid,
            subject_key=key,
            level=form.level.data,
            note=form.note.data or "",
        )
        if send(command, form) is not None:
            flash(done("rating.proposed"), "success")
            return redirect(url_for(".decision", rid=rid, key=key))
    return _subject_page(cycle_id, key, form_status(form), proposal=form)


# -- the decision page ---------------------------------------------------------------
def _decision_page(rid: UUID, key: str, status: int = 200, **forms: Any):
    ratings = reads()
    found = _round(rid)
    cycle_id = UUID(found["cycle_id"])
    cycle_row = _cycle(cycle_id)
    subject_row = _subject(cycle_id, key)
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
        exception_limit=rulebook(cycle_row["rulebook_id"]).quota_exception_max_pct,
    ), status


@bp.get("/rounds/<uuid:rid>/subjects/<key>")
def decision(rid: UUID, key: str):
    return _decision_page(rid, key)


@bp.post("/rounds/<uuid:rid>/subjects/<key>/decision")
@requires("rating.decide")
def decide(rid: UUID, key: str):
    _round(rid)
    form = DecisionForm(prefix="dc")
    if form.validate_on_submit():
        command = rc.DecideRating(
            actor_id=user().actor,
            round_id=rid,
            subject_key=key,
            level=form.level.data,
            decision_no=form.decision_no.data,
            decided_on=form.decided_on.data,
            justification=form.justification.data or "",
        )
        if send(command, form) is not None:
            flash(done("rating.decided"), "success")
            return redirect(url_for(".decision", rid=rid, key=key))
    return _decision_page(rid, key, form_status(form), decision=form)


@bp.post("/rounds/<uuid:rid>/subjects/<key>/hold")
@requires("rating.hold")
def hold(rid: UUID, key: str):
    _round(rid)
    form = HoldForm(prefix="hd")
    if form.validate_on_submit():
        command = rc.HoldRating(
            actor_id=user().actor,
            round_id=rid,
            subject_key=key,
            reason=form.reason.data,
            note=form.note.data,
        )
        if send(command, form) is not None:
            flash(done("rating.held"), "success")
            return redirect(url_for(".decision", rid=rid, key=key))
    return _decision_page(rid, key, form_status(form), hold=form)


@bp.post("/rounds/<uuid:rid>/subjects/<key>/mitigation")
@requires("rating.decide")
def mitigation(rid: UUID, key: str):
    _round(rid)
    form = MitigationForm(prefix="mg")
    if form.validate_on_submit():
        command = rc.DecideMitigation(
            actor_id=user().actor,
            round_id=rid,
            subject_key=key,
            trigger=form.trigger.data,
            mitigated=True,
            justification=form.justification.data or "",
        )
        if send(command, form) is not None:
            flash(done("rating.mitigation_decided"), "success")
            return redirect(url_for(".decision", rid=rid, key=key))
    return _decision_page(rid, key, form_status(form), mitigation=form)


@bp.post("/rounds/<uuid:rid>/subjects/<key>/rerate")
@requires("rating.decide")
def rerate(rid: UUID, key: str):
    _round(rid)
    form = ReRateForm(prefix="rr")
    if form.validate_on_submit():
        command = rc.ReRate(
            actor_id=user().actor,
            round_id=rid,
            subject_key=key,
            level=form.level.data,
            decision_no=form.decision_no.data,
            decided_on=form.decided_on.data,
            reason=form.reason.data,
            chair_responsibility=bool(form.chair_responsibility.data),
        )
        if send(command, form) is not None:
            flash(done("rating.rerated"), "success")
            return redirect(url_for(".decision", rid=rid, key=key))
    return _decision_page(rid, key, form_status(form), rerate=form)


# -- peer groups and the quota exception -------------------------------------------
def _group_candidates(rid: UUID) -> list[tuple[str, str]]:
    found = _round(rid)
    ratings = reads()
    grouped = {k for g in ratings.peer_groups(rid) for k in g["members"]}
    return [
        (s["subject_key"], s["name"])
        for s in ratings.subjects(UUID(found["cycle_id"]))
        if s["decides"] == found["authority_org_id"]
        and not s["exempt"]
        and s["subject_key"] not in grouped
    ]


@bp.get("/rounds/<uuid:rid>")
def round_page(rid: UUID, group_form: PeerGroupForm | None = None):
    found = _round(rid)
    ratings = reads()
    form = group_form or PeerGroupForm(formdata=None, prefix="pg")
    form.members.choices = choices(_group_candidates(rid))
    subjects = [
        s
        for s in ratings.subjects(UUID(found["cycle_id"]))
        if s["decides"] == found["authority_org_id"]
    ]
    return render_template(
        "ratings/round.html",
        round=found,
        cycle=_cycle(UUID(found["cycle_id"])),
        groups=ratings.peer_groups(rid),
        subjects=subjects,
        form=form,
    )


@bp.post("/rounds/<uuid:rid>/groups")
@requires("rating.peer_group")
def define_group(rid: UUID):
    _round(rid)
    form = PeerGroupForm(prefix="pg")
    form.members.choices = choices(_group_candidates(rid))
    if form.validate_on_submit():
        command = rc.DefinePeerGroup(
            actor_id=user().actor,
            round_id=rid,
            code=form.code.data,
            name=form.name.data,
            members=tuple(form.members.data or ()),
        )
        if send(command, form) is not None:
            flash(done("rating.peer_group_defined"), "success")
            return redirect(url_for(".round_page", rid=rid))
    return round_page(rid, form), form_status(form)


@bp.post("/rounds/<uuid:rid>/groups/<code>/exception")
@requires("rating.decide")
def quota_exception(rid: UUID, code: str):
    _round(rid)
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
        return _decision_page(rid, key, form_status(form), exception=form)
    return round_page(rid), form_status(form)


# -- comments, suggestions, opinions -------------------------------------------------
@bp.post("/reviews/<uuid:review>/comment")
@requires("review.record")
def comment(review: UUID):
    return _review_post(
        review,
        CommentForm(prefix="cm"),
        "comment",
        lambda f: rc.AddComment(
            actor_id=user().actor,
            review_id=review,
            author_member_id=f.author_member_id.data,
            text=f.text.data,
        ),
        done("review.comment_added"),
    )


@bp.post("/reviews/<uuid:review>/suggestion")
@requires("review.record")
def suggestion(review: UUID):
    return _review_post(
        review,
        SuggestionForm(prefix="sg"),
        "suggestion",
        lambda f: rc.AddSuggestion(
            actor_id=user().actor,
            review_id=review,
            issuer_org_id=f.issuer_org_id.data,
            text=f.text.data,
        ),
        done("review.suggestion_added"),
    )


@bp.post("/reviews/<uuid:review>/opinion")
@requires("review.record")
def opinion(review: UUID):
    return _review_post(
        review,
        OpinionForm(prefix="op"),
        "opinion",
        lambda f: rc.RecordOpinion(
            actor_id=user().actor,
            review_id=review,
            evaluator_kind=f.evaluator_kind.data,
            evaluator=f.evaluator.data,
            text=f.text.data,
            proposed_level=f.proposed_level.data or None,
        ),
        done("review.opinion_recorded"),
    )


@bp.post("/reviews/<uuid:review>/residence")
@requires("review.record")
def residence(review: UUID):
    return _review_post(
        review,
        NoteForm(prefix="rs"),
        "residence",
        lambda f: rc.RecordResidenceComment(
            actor_id=user().actor, review_id=review, text=f.text.data
        ),
        done("review.residence_comment"),
    )


@bp.post("/reviews/<uuid:review>/temporary")
@requires("review.record")
def temporary(review: UUID):
    cycle_id, key, _row = _review_target(review)
    temporary_cell = _subject(cycle_id, key).get("temporary_cell_id")
    return _review_post(
        review,
        NoteForm(prefix="tc"),
        "temporary",
        lambda f: rc.RecordTemporaryCellComment(
            actor_id=user().actor,
            review_id=review,
            cell_id=UUID(temporary_cell) if temporary_cell else UUID(int=0),
            text=f.text.data,
        ),
        done("review.temporary_cell_comment"),
    )


# -- criteria refined by a province or unit (366 Điều 10) ------------------------------
def _default_criteria() -> dict[str, list[dict[str, Any]]]:
    """The 366 frame of each appendix, as a model to refine."""
    book = rulebook_for_year(2025)
    return {
        a.value: [
            {
                "code": c.code,
                "group": c.group,
                "max_points": c.max_points,
                "title": c.title,
            }
            for c in book.criteria_for(a).criteria
        ]
        for a in Appendix
    }


def _criteria_page(form: CriteriaForm | None = None, status: int = 200):
    """Criteria sets refined by provinces and units; the form for those who may."""
    form = form or CriteriaForm(formdata=None, prefix="ct")
    form.org_id.set_choices(
        org_choices(reads().organisations()), empty="— Chọn tổ chức —"
    )
    return (
        render_template(
            "ratings/criteria.html",
            form=form,
            refinements=reads().criteria_refinements(),
            defaults=_default_criteria(),
            appendices=APPENDIX_LABELS,
        ),
        status,
    )


@bp.get("/criteria")
def criteria_page():
    return _criteria_page()


@bp.post("/criteria")
@requires("criteria.define")
def define_criteria():
    form = CriteriaForm(prefix="ct")
    form.org_id.set_choices([])
    if form.validate_on_submit():
        command = rc.DefineCriteria(
            actor_id=user().actor,
            org_id=form.org_id.data,
            appendix=form.appendix.data,
            from_year=form.from_year.data,
            items=criteria_lines(form.items.data or ""),
        )
        if send(command, form) is not None:
            flash(done("criteria.defined"), "success")
            return redirect(url_for(".criteria_page"))
    return _criteria_page(form, form_status(form))


# -- bulk import of members ------------------------------------------------------------
@bp.route("/import", methods=["GET", "POST"])
@requires("member.enrol")
def import_members():
    from services.member_import import import_members as run_import

    form = ImportMembersForm()
    report = None
    status = 200
    if form.validate_on_submit():
        upload = form.file.data
        try:
            report = run_import(
                services(),
                signer(),
                upload.read(),
                upload.filename or "",
                dry_run=bool(form.dry_run.data),
            )
        except SignatureRequiredError:
            raise
        except DomainError as exc:
            form_refusal(exc, form)
            status = form_status(form)
        else:
            if report.errors:
                status = 422
            elif report.imported:
                flash(done("member.imported", count=report.imported), "success")
    elif form.is_submitted():
        status = 400
    return render_template("ratings/import.html", form=form, report=report), status


# -- facts about a member ------------------------------------------------------------
FACT_FORMS: dict[str, tuple[type[BaseForm], Any]] = {
    "post": (
        PostFactForm,
        lambda m, f: rc.AssignPost(
            user().actor, m, f.org_id.data, f.role.data, f.since.data
        ),
    ),
    "end-post": (
        EndPostFactForm,
        lambda m, f: rc.EndPost(user().actor, m, f.org_id.data, f.until.data),
    ),
    "oversight": (
        OversightFactForm,
        lambda m, f: rc.AssignOversight(user().actor, m, f.org_id.data, f.since.data),
    ),
    "end-oversight": (
        EndOversightFactForm,
        lambda m, f: rc.EndOversight(user().actor, m, f.org_id.data, f.until.data),
    ),
    "temporary-cell": (
        TemporaryCellFactForm,
        lambda m, f: rc.AttachTemporaryCell(
            user().actor, m, f.cell_id.data, f.since.data
        ),
    ),
    "exemption": (
        ExemptionFactForm,
        lambda m, f: rc.RecordExemption(
            user().actor, m, f.kind.data, f.start.data, f.reference.data, f.end.data
        ),
    ),
    "leave": (
        LeaveFactForm,
        lambda m, f: rc.RecordLeave(
            user().actor, m, f.kind.data, f.start.data, f.end.data
        ),
    ),
    "discipline": (
        DisciplineFactForm,
        lambda m, f: rc.RecordDiscipline(
            user().actor,
            m,
            f.level.data,
            bool(f.duty_related.data),
            f.decided_on.data,
            f.reference.data,
            f.conduct_org_id.data,
        ),
    ),
    "degradation": (
        DegradationFactForm,
        lambda m, f: rc.RecordDegradation(
            user().actor, m, f.concluded_on.data, f.reference.data
        ),
    ),
    "confidence": (
        ConfidenceFactForm,
        lambda m, f: rc.RecordConfidenceResult(
            user().actor,
            m,
            f.held_on.data,
            f.returned.data,
            f.low.data,
            f.reference.data,
        ),
    ),
    "work-situation": (
        WorkSituationFactForm,
        lambda m, f: rc.SetWorkSituation(
            user().actor, m, bool(f.outside_political_system.data)
        ),
    ),
}


def _fact_forms(bound: dict[str, BaseForm] | None = None) -> dict[str, BaseForm]:
    rows = reads().organisations()
    posts = org_choices(
        rows,
        (
            "leadership_collective",
            "grassroots_committee",
            "partial_committee",
            "district_committee",
            "provincial_committee",
            "cell",
        ),
    )
    cells = org_choices(rows, ("cell",))
    forms: dict[str, BaseForm] = {}
    for kind, (cls, _build) in FACT_FORMS.items():
        prefix = kind.replace("-", "_")
        form = (bound or {}).get(kind) or cls(formdata=None, prefix=prefix)
        for name, items in (
            ("org_id", posts),
            ("cell_id", cells),
            ("conduct_org_id", posts),
        ):
            if hasattr(form, name):
                getattr(form, name).set_choices(items, empty="— Chọn —")
        forms[kind] = form
    return forms


@bp.get("/members/<uuid:member_id>")
def member_facts(member_id: UUID, bound: dict[str, BaseForm] | None = None):
    member = found_or_404(reads().member(member_id), "member.not_found")
    return render_template(
        "ratings/member.html",
        member=member,
        facts=reads().member_facts(member_id),
        kinds=labels.FACT_KIND_LABELS,
        names=_names(),
        forms=_fact_forms(bound),
    )


@bp.post("/members/<uuid:member_id>/<kind>")
@requires("member.record_fact")
def record_fact(member_id: UUID, kind: str):
    found_or_404(reads().member(member_id), "member.not_found")
    if kind not in FACT_FORMS:
        abort(404)
    cls, build = FACT_FORMS[kind]
    form = _fact_forms({kind: cls(prefix=kind.replace("-", "_"))})[kind]
    if form.validate_on_submit() and send(build(member_id, form), form) is not None:
        flash(done("recorded"), "success")
        return redirect(url_for(".member_facts", member_id=member_id))
    return member_facts(member_id, {kind: form}), form_status(form)


@bp.post("/cycles/<uuid:cycle_id>/deadlines")
@requires("cycle.open")
def set_deadline(cycle_id: UUID):
    _cycle(cycle_id)
    form = DeadlineForm(prefix="dl")
    if form.validate_on_submit():
        command = rc.SetDeadline(
            actor_id=user().actor,
            cycle_id=cycle_id,
            level=form.level.data,
            milestone=form.milestone.data,
            due=form.due.data,
        )
        if send(command, form) is not None:
            flash(done("cycle.deadline_set"), "success")
            return redirect(url_for(".cycle", cycle_id=cycle_id))
    return cycle(cycle_id, None, form), form_status(form)
