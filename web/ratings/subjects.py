"""Một đối tượng: the subject page, its printout, opening a review, ordering it
redone, and the subject's own steps in a round (self-rating, proposal)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from flask import Response, abort, flash, redirect, render_template, request, url_for

from services import rating_commands as rc
from services.printouts.reviews import (
    COLLECTIVE_SECTIONS,
    FORM_TITLES,
    OMITTED_WHY,
    NotPrintable,
    ReviewSource,
    collective_report_pdf,
    section_plan,
    self_review_pdf,
)
from services.ratings import review_id, round_id
from services.read_gateway_authors import AuthorChoices
from web.catalogue.flashes import done
from web.catalogue.ratings import SECTION_LABELS
from web.catalogue.remediation import STATUS_LABELS as REMEDIATION_STATUS_LABELS
from web.deferred_forms import Deferred
from web.dispatch import form_status
from web.errors import refusal
from web.forms import BaseForm, choices
from web.identity import requires, user
from web.ratings import bp
from web.ratings.forms import (
    CommentForm,
    MeetingForm,
    NoteForm,
    OpenReviewForm,
    OpinionForm,
    ProposalForm,
    ReportForm,
    ReReviewForm,
    SelfRatingForm,
    SelfReviewForm,
    SuggestionForm,
)
from web.ratings.shared import (
    found_cycle,
    found_round,
    found_subject,
    send,
    with_choices,
)
from web.reads import authors, marks_once, reads, todo
from web.templating import may


def subject_org_names(subject: dict[str, Any], *more: Any) -> dict[str, str]:
    """The names of the organisations the subject's page and printouts name
    (its path, venues, posts, deciding level, temporary chi bộ, and ``more``)
    that the viewer may read: a read of those only, never the whole tree."""
    return reads().organisation_names(
        [
            subject.get("decides"),
            subject.get("temporary_cell_id"),
            *subject.get("path", ()),
            *subject.get("venues", ()),
            *(subject.get("posts") or {}),
            *more,
        ]
    )


def comment_authors(reviews: dict[str, Any]) -> dict[str, AuthorChoices]:
    """The comment form's people at each venue with an open review, for those
    who record reviews (nobody else sees the form): the venue's participants
    only (``services.read_gateway_authors``)."""
    if not may("review.record"):
        return {}
    found = authors()
    return {venue: found.choices(venue) for venue in reviews}


def subject_page(cycle_id: UUID, key: str, status: int = 200, **forms: Any):
    """The subject's page with its forms (``forms`` bound after a refusal)."""
    ratings = reads()
    cycle_row = found_cycle(cycle_id)
    subject = found_subject(cycle_id, key)
    read = ratings.reviews(cycle_id, key)
    reviews = {r["venue_id"]: r for r in read}
    timeline = ratings.timeline(cycle_id, key)
    orders = ratings.rereview_orders(cycle_id, key)
    names = subject_org_names(
        subject,
        *(t.get("venue_id") for t in timeline),
        *(o.get("ordering_org_id") for o in orders),
        *(
            r.get("venue_id")
            for o in orders
            for r in (o.get("superseded") or {}).get("reviews", ())
        ),
    )
    rid = round_id(cycle_id, subject["decides"]) if subject["decides"] else None
    rating_round = ratings.round_row(rid) if rid else None
    book = ratings.cycle_rulebook(cycle_id)
    form_code = book.form_of(subject["appendix"])
    criteria = ratings.cycle_criteria(cycle_id, subject["appendix"])

    def self_rating_form() -> SelfRatingForm:
        made = forms.get("self_rating") or SelfRatingForm(formdata=None, prefix="sr")
        if not book.scored:
            made.met.choices = choices((c.code, c.title) for c in criteria)
        return made

    def suggestion_form() -> Any:
        return with_choices(
            forms.get("suggestion") or SuggestionForm(formdata=None, prefix="sg"),
            "issuer_org_id",
            [(UUID(o), names[o]) for o in subject["path"][1:] if o in names],
        )

    def given(name: str, build: Callable[[], Any]) -> Any:
        """The form sent back (bound, after a refusal), or one built on first use."""
        return forms.get(name) or Deferred(build)

    context = {
        "cycle": cycle_row,
        "subject": subject,
        "names": names,
        "reviews": reviews,
        "review_ids": {v: review_id(cycle_id, key, v) for v in subject["venues"]},
        "timeline": timeline,
        "flags": ratings.subject_flags(cycle_id, key),
        "next_step": todo().subject_step(cycle_id, key, read),
        "round": rating_round,
        "form_code": form_code,
        # Every section of the template in its order; one the form does not
        # have (V for 2B and 2C) is shown with the reason, as on the printout.
        "sections": [
            (s, SECTION_LABELS[s], applies)
            for s, _, applies in section_plan(form_code or "")
        ],
        "omitted_why": OMITTED_WHY,
        # A submitted self-review's sections, by its form, as the printout has them.
        "submitted_plans": {f: section_plan(f) for f in FORM_TITLES},
        "collective_sections": COLLECTIVE_SECTIONS,
        "criteria": criteria,
        "scored": book.scored,
        # Each form built only if the template shows it (``web.deferred_forms``).
        "open_review": given("open_review", lambda: OpenReviewForm(None, prefix="or")),
        "report": given("report", lambda: ReportForm(None, prefix="rp")),
        "self_review": given("self_review", lambda: SelfReviewForm(None, prefix="sv")),
        "meeting": given("meeting", lambda: MeetingForm(None, prefix="mt")),
        "self_rating": Deferred(self_rating_form),
        "proposal": given("proposal", lambda: ProposalForm(None, prefix="pr")),
        "failed_review": forms.get("failed_review"),
        "comment": given("comment", lambda: CommentForm(None, prefix="cm")),
        "authors": comment_authors(reviews),
        "suggestion": Deferred(suggestion_form),
        "opinion": given("opinion", lambda: OpinionForm(None, prefix="op")),
        "residence": given("residence", lambda: NoteForm(None, prefix="rs")),
        "temporary": given("temporary", lambda: NoteForm(None, prefix="tc")),
        "points_in": request.form if request.method == "POST" else {},
        "carried": reads().remediation.carried(key, cycle_row["year"]),
        "carried_items": reads().remediation.carried_items(key, cycle_row["year"]),
        "found_items": reads().remediation.items(
            subject_key=key, year=cycle_row["year"]
        ),
        "orders": orders,
        "rereview": given("rereview", lambda: ReReviewForm(None, prefix="rv")),
    }
    return render_template("ratings/subject.html", **context), status


@bp.get("/cycles/<uuid:cycle_id>/subjects/<key>")
@marks_once
def subject(cycle_id: UUID, key: str):
    return subject_page(cycle_id, key)


@bp.get("/cycles/<uuid:cycle_id>/subjects/<key>/venues/<venue>/ban-in.pdf")
def review_pdf(cycle_id: UUID, key: str, venue: str):
    """Mẫu 01 (tập thể) or Mẫu 2A / 2B / 2C (cá nhân) of one venue, printed from
    the reads of the subject page, so printed by whoever reads that page (the
    read gate's subject rule): the member prints their own Mẫu 2A to sign, as
    the paper record still needs."""
    cycle_row = found_cycle(cycle_id)
    subject = found_subject(cycle_id, key)
    if venue not in [str(v) for v in subject["venues"]]:
        abort(404)
    source = ReviewSource(
        cycle=cycle_row,
        subject=subject,
        venue_id=venue,
        names=subject_org_names(subject),
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
    form = (
        "01"
        if collective
        else reads().cycle_rulebook(cycle_id).form_of(subject["appendix"])
    )
    return Response(
        data,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="mau-{form}-{key}.pdf"'},
    )


def subject_post(
    cycle_id: UUID,
    key: str,
    form: BaseForm,
    name: str,
    build: Any,
    confirmation: str,
    back: str | None = None,
) -> Any:
    """A step recorded from the subject page: ``build(form)`` is the command;
    success goes to ``back`` (the subject page), a refusal shows on ``form``."""
    if form.validate_on_submit() and send(build(form), form) is not None:
        flash(confirmation, "success")
        return redirect(back or url_for(".subject", cycle_id=cycle_id, key=key))
    return subject_page(cycle_id, key, form_status(form), **{name: form})


@bp.post("/cycles/<uuid:cycle_id>/subjects/<key>/reviews")
@requires("review.record")
def open_review(cycle_id: UUID, key: str):
    found_subject(cycle_id, key)
    return subject_post(
        cycle_id,
        key,
        OpenReviewForm(prefix="or"),
        "open_review",
        lambda f: rc.OpenReview(
            actor_id=user().actor,
            cycle_id=cycle_id,
            subject_key=key,
            venue_id=f.venue_id.data,
        ),
        done("review.opened"),
    )


@bp.post("/cycles/<uuid:cycle_id>/subjects/<key>/rereview")
@requires("review.order_redo")
def rereview(cycle_id: UUID, key: str):
    """The higher committee orders the review and/or the rating redone (§5.4)."""
    found_subject(cycle_id, key)
    return subject_post(
        cycle_id,
        key,
        ReReviewForm(prefix="rv"),
        "rereview",
        lambda f: rc.OrderReReview(
            actor_id=user().actor,
            cycle_id=cycle_id,
            subject_key=key,
            scope=f.scope.data,
            reason=f.reason.data,
            deadline=f.deadline.data,
            chair_responsibility=bool(f.chair_responsibility.data),
        ),
        done("review.redo_ordered"),
    )


@bp.post("/rounds/<uuid:rid>/subjects/<key>/self-rating")
@requires("rating.self_rate")
def self_rating(rid: UUID, key: str):
    cycle_id = UUID(found_round(rid)["cycle_id"])
    subject_row = found_subject(cycle_id, key)
    form = SelfRatingForm(prefix="sr")
    form.met.choices = choices(
        (c.code, c.title)
        for c in reads().cycle_criteria(cycle_id, subject_row["appendix"])
    )
    points = {
        name[len("points-") :]: value.strip()
        for name, value in request.form.items()
        if name.startswith("points-") and value.strip()
    }
    return subject_post(
        cycle_id,
        key,
        form,
        "self_rating",
        lambda f: rc.SelfRate(
            actor_id=user().actor,
            round_id=rid,
            subject_key=key,
            level=f.level.data,
            tasks_total=f.tasks_total.data,
            tasks_on_time=f.tasks_on_time.data,
            tasks_exceeded=f.tasks_exceeded.data,
            tasks_late=f.tasks_late.data,
            tasks_not_done=f.tasks_not_done.data,
            points=points,
            met=tuple(f.met.data or ()),
        ),
        done("rating.self_rated"),
    )


@bp.post("/rounds/<uuid:rid>/subjects/<key>/proposal")
@requires("rating.propose")
def proposal(rid: UUID, key: str):
    cycle_id = UUID(found_round(rid)["cycle_id"])
    return subject_post(
        cycle_id,
        key,
        ProposalForm(prefix="pr"),
        "proposal",
        lambda f: rc.ProposeRating(
            actor_id=user().actor,
            round_id=rid,
            subject_key=key,
            level=f.level.data,
            note=f.note.data or "",
        ),
        done("rating.proposed"),
        url_for(".decision", rid=rid, key=key),
    )
