"""Kiểm điểm: what is recorded on one review (report, self-review, meeting,
comments, suggestions, opinions, residence and temporary chi bộ notes)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import flash, g, jsonify, redirect, request, url_for

from domain.errors import DomainError
from services import rating_commands as rc
from web.catalogue.flashes import done
from web.catalogue.ratings import REPORT_SECTION_LABELS
from web.dispatch import form_refusal, form_status
from web.forms import BaseForm
from web.identity import requires, user
from web.ratings import bp
from web.ratings.forms import (
    CommentForm,
    MeetingForm,
    NoteForm,
    OpinionForm,
    ReportForm,
    SelfReviewForm,
    SuggestionForm,
)
from web.ratings.shared import (
    found_subject,
    send,
)
from web.ratings.subjects import subject_page
from web.reads import authors, found_or_404, reads


def review_target(review: UUID) -> tuple[UUID, str, dict[str, Any]]:
    row = found_or_404(reads().review_row(review), "review.not_found")
    return UUID(row["cycle_id"]), row["subject_key"], row


def review_post(review: UUID, form: BaseForm, name: str, build: Any, confirmation: str):
    """A step recorded on a review: ``build(form)`` is the command (None when
    it already refused on the form)."""
    cycle_id, key, row = review_target(review)
    if (
        form.validate_on_submit()
        and (command := build(form)) is not None
        and send(command, form) is not None
    ):
        flash(confirmation, "success")
        return redirect(url_for(".subject", cycle_id=cycle_id, key=key))
    g.failed_venue = row["venue_id"]
    return subject_page(
        cycle_id, key, form_status(form), failed_review=row["venue_id"], **{name: form}
    )


@bp.post("/reviews/<uuid:review>/report")
@requires("review.record")
def report(review: UUID):
    return review_post(
        review,
        ReportForm(prefix="rp"),
        "report",
        lambda f: rc.CirculateReport(
            actor_id=user().actor,
            review_id=review,
            summary="",
            circulated_on=f.circulated_on.data,
            sections={k: f[k].data or "" for k in REPORT_SECTION_LABELS},
        ),
        done("review.report_circulated"),
    )


@bp.post("/reviews/<uuid:review>/self-review")
@requires("review.record")
def self_review(review: UUID):
    form_code = request.form.get("form_code", "")
    cycle_id, _key, _row = review_target(review)
    names = reads().cycle_rulebook(cycle_id).form_sections(form_code)
    return review_post(
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
    return review_post(
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


# -- comments, suggestions, opinions -------------------------------------------------
@bp.post("/reviews/<uuid:review>/comment")
@requires("review.record")
def comment(review: UUID):
    """Góp ý: the author as chosen from the list or typed (a card number or a
    name), found among the people of the review's venue; the command checks
    the rule again."""
    venue = review_target(review)[2]["venue_id"]
    form = CommentForm(prefix="cm")

    def build(f: CommentForm) -> rc.AddComment | None:
        try:
            author = authors().resolve(venue, f.author_member_id.data)
        except DomainError as exc:
            form_refusal(exc, f)
            return None
        return rc.AddComment(
            actor_id=user().actor,
            review_id=review,
            author_member_id=author,
            text=f.text.data,
        )

    return review_post(review, form, "comment", build, done("review.comment_added"))


@bp.get("/reviews/<uuid:review>/nguoi-gop-y")
@requires("review.record")
def comment_authors(review: UUID):
    """The suggestions of the comment form's search field (JSON): the people
    of the review's venue the typed text names, from the search view."""
    venue = review_target(review)[2]["venue_id"]
    text = request.args.get("q", "")[:200]
    found = authors().find(venue, text) if text.strip() else []
    return jsonify(
        {
            "query": text,
            "results": [
                {"id": str(a.member_id), "name": a.name, "label": a.label}
                for a in found
            ],
        }
    )


@bp.post("/reviews/<uuid:review>/suggestion")
@requires("review.record")
def suggestion(review: UUID):
    return review_post(
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
    return review_post(
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
    return review_post(
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
    cycle_id, key, _row = review_target(review)
    temporary_cell = found_subject(cycle_id, key).get("temporary_cell_id")
    return review_post(
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
