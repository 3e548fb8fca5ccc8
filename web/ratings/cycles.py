"""Kỳ kiểm điểm: the cycles list, a cycle's page and what the secretary sets on
it (rounds, deadlines, combined conferences), its subjects, statistics and open
items."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from flask import abort, flash, redirect, render_template, request, url_for

from domain.errors import DomainError
from services import rating_commands as rc
from web.catalogue.flashes import done
from web.dispatch import form_refusal, form_status
from web.forms import BaseForm
from web.identity import requires, user
from web.ratings import bp
from web.ratings.forms import (
    CombinedConferenceForm,
    DeadlineForm,
    OpenCycleForm,
    OpenRoundForm,
)
from web.ratings.shared import (
    COMMITTEES,
    found_cycle,
    send,
)
from web.reads import cursor_arg, form_choices, lists, marks_once, reads, typed_label
from web.reports.tree import tree_on_arg

# -- cycles -------------------------------------------------------------------------
ORG_CHOICES = 200  # organisations suggested in the page at most; typing finds more
ORG_LIST_ID = "to-chuc-mo-ky"


@bp.get("/")
def index(form: OpenCycleForm | None = None):
    """The cycles the user reads, a keyset page of 50 by organisation name,
    and the form that opens one (its organisation typed, suggested in reach)."""
    form = form or OpenCycleForm(formdata=None)
    if form.year.data is None:
        form.year.data = date.today().year  # noqa: DTZ011 - a default in a form
    page = lists().cycles(after=cursor_arg("sau"), before=cursor_arg("truoc"))
    found = (
        form_choices().organisations_acting("cycle.open", ORG_CHOICES, COMMITTEES)
        if user().may("cycle.open")
        else None
    )
    return render_template(
        "ratings/index.html",
        cycles=page.rows,
        page=page,
        form=form,
        orgs=[typed_label(o.name, o.code) for o in found.rows] if found else [],
        more_orgs=bool(found and found.more),
        list_id=ORG_LIST_ID,
    )


@bp.post("/cycles")
@requires("cycle.open")
def open_cycle():
    form = OpenCycleForm()
    if form.validate_on_submit() and (org := _typed_org(form)) is not None:
        cycle_id = send(
            rc.OpenCycle(
                actor_id=user().actor,
                org_id=org,
                year=form.year.data,
                reference_date=form.reference_date.data,
            ),
            form,
        )
        if cycle_id is not None:
            flash(done("cycle.opened"), "success")
            return redirect(url_for(".cycle", cycle_id=cycle_id))
    return index(form), form_status(form)


def _typed_org(form: OpenCycleForm) -> UUID | None:
    """The organisation typed, among those the user may open a cycle for; None
    with the refusal beside the field."""
    try:
        return form_choices().organisation_acting_named(
            form.org_id.data or "", "cycle.open", COMMITTEES
        )
    except DomainError as exc:
        form_refusal(exc, form)
        return None


@bp.get("/cycles/<uuid:cycle_id>")
@marks_once
def cycle(
    cycle_id: UUID,
    round_form: OpenRoundForm | None = None,
    deadline_form: DeadlineForm | None = None,
    combined_form: CombinedConferenceForm | None = None,
):
    ratings = reads()
    row = found_cycle(cycle_id)
    # Counters and the collectives only: never a read of every subject.
    tallies = ratings.cycle_tallies(cycle_id)
    counts: dict[str, int] = tallies["statuses"]
    # The leadership collectives and committees: never the thousands of chi bộ
    # (read first: the committees' paths serve the authorities' names below).
    collectives = ratings.collectives(cycle_id)
    # Only the organisations the page names (the deciding authorities and the
    # committees combined conferences go to), never the whole tree's names.
    combined = row["options"].get("combined", {})
    names = ratings.organisation_names(
        [*_org_ids(tallies["authorities"]), *_org_ids(combined.values())],
        kept=("cycle page", cycle_id),
    )
    authorities = sorted(a for a in tallies["authorities"] if a in names)
    rounds = _linked(ratings.rounds(cycle_id))
    opened = {r["authority_org_id"] for r in rounds}
    form = round_form or OpenRoundForm(formdata=None)
    form.authority_org_id.set_choices(
        [(a, names[a]) for a in authorities if a not in opened],
        empty="— Chọn cấp có thẩm quyền —",
    )
    return render_template(
        "ratings/cycle.html",
        cycle=row,
        counts=counts,
        total=sum(counts.values()),
        rounds=rounds,
        issues_count=ratings.open_items_count(cycle_id),
        form=form,
        deadline=deadline_form or DeadlineForm(formdata=None, prefix="dl"),
        **_combined_context(row, collectives, names, combined_form),
    )


def _linked(rounds: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rounds, each with its page's link (``href``): the path built once
    and each round's id put in it (a ``url_for`` per round was a tenth of the
    page's CPU at 100,000 members, some 200 rounds)."""
    marker = "00000000-0000-0000-0000-000000000000"
    path = url_for(".round_page", rid=UUID(marker))
    return [{**r, "href": path.replace(marker, str(r["round_id"]))} for r in rounds]


def _org_ids(values: Any) -> list[UUID]:
    """The organisation ids among ``values`` (a subject decided above the
    cycle's tree counts under "outside", which names no organisation)."""
    found = []
    for value in values:
        try:
            found.append(UUID(str(value)))
        except ValueError:
            continue
    return found


def _combined_context(
    row: dict[str, Any],
    collectives_of_cycle: list[dict[str, Any]],
    names: dict[str, str],
    bound: CombinedConferenceForm | None,
) -> dict[str, Any]:
    """The leadership collectives of the cycle and where each is reviewed."""
    collectives = [
        s for s in collectives_of_cycle if s["org_kind"] == "leadership_collective"
    ]
    committees = [
        s
        for s in collectives_of_cycle
        if s["org_kind"] not in ("leadership_collective", "cell")
    ]
    form = bound or CombinedConferenceForm(formdata=None, prefix="cb")
    # Choices by id text (each a UUID's own: set_choices writes str(value)).
    form.collective_id.set_choices(
        [(s["org_id"], s["name"]) for s in collectives],
        empty="— Chọn tập thể —",
    )
    form.committee_id.set_choices(
        [(s["org_id"], s["name"]) for s in committees],
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


def cycle_post(
    cycle_id: UUID, form: BaseForm, name: str, build: Any, confirmation: str
) -> Any:
    """A step set on the cycle page: ``build(form)`` is the command; success
    goes back to the page, a refusal shows on ``form`` (``name``: the page's
    argument for it)."""
    found_cycle(cycle_id)
    if form.validate_on_submit() and send(build(form), form) is not None:
        flash(confirmation, "success")
        return redirect(url_for(".cycle", cycle_id=cycle_id))
    return cycle(cycle_id, **{name: form}), form_status(form)


@bp.post("/cycles/<uuid:cycle_id>/combined")
@requires("cycle.open")
def set_combined(cycle_id: UUID):
    """43-HD mục 2.4: the secretary records where a leadership collective whose
    members are the committee's members is reviewed."""
    form = CombinedConferenceForm(prefix="cb")
    form.collective_id.set_choices([])
    form.committee_id.set_choices([])
    return cycle_post(
        cycle_id,
        form,
        "combined_form",
        lambda f: rc.SetCombinedConference(
            actor_id=user().actor,
            cycle_id=cycle_id,
            collective_id=f.collective_id.data,
            committee_id=f.committee_id.data,
        ),
        done("cycle.combined_set"),
    )


@bp.post("/cycles/<uuid:cycle_id>/rounds")
@requires("rating.decide")
def open_round(cycle_id: UUID):
    return cycle_post(
        cycle_id,
        OpenRoundForm(),
        "round_form",
        lambda f: rc.OpenRound(
            actor_id=user().actor,
            cycle_id=cycle_id,
            authority_org_id=f.authority_org_id.data,
        ),
        done("round.opened"),
    )


@bp.get("/cycles/<uuid:cycle_id>/subjects")
def subjects(cycle_id: UUID):
    row = found_cycle(cycle_id)
    status = request.args.get("status") or None
    rows = reads().subjects(cycle_id)
    if status:
        rows = [s for s in rows if s["status"] == status]
    return render_template(
        "ratings/subjects.html", cycle=row, subjects=rows, status=status
    )


@bp.get("/cycles/<uuid:cycle_id>/statistics")
@marks_once
def statistics(cycle_id: UUID):
    row = found_cycle(cycle_id)
    ratings = reads()
    # The committees to choose from (a chi bộ's own figures: ?org=, from its
    # page); never a list of the province's thousands of chi bộ.
    orgs = [
        (UUID(s["org_id"]), s["name"]) for s in ratings.statistics_committees(cycle_id)
    ]
    raw = request.args.get("org")
    try:
        org_id = UUID(raw) if raw else UUID(row["org_id"])
    except ValueError:
        abort(404)
    if org_id not in {o for o, _ in orgs} and org_id != UUID(row["org_id"]):
        cell = ratings.subject_row(cycle_id, f"o:{org_id}")
        if cell is None or cell["org_kind"] != "cell":
            abort(404)
        orgs.append((org_id, cell["name"]))
    tree_on = tree_on_arg()
    return render_template(
        "ratings/statistics.html",
        cycle=row,
        orgs=orgs,
        org_id=org_id,
        tree_on=tree_on,
        stats=ratings.statistics_on_tree(cycle_id, org_id, tree_on),
    )


@bp.get("/cycles/<uuid:cycle_id>/issues")
def issues(cycle_id: UUID):
    """The cycle's open items, 50 at a time (``sau``: where the page before
    ended); the day's deadlines and re-review orders on the first page."""
    row = found_cycle(cycle_id)
    page = reads().open_items_page(cycle_id, items_cursor(request.args.get("sau")))
    following = page["next"]
    return render_template(
        "ratings/issues.html",
        cycle=row,
        issues=page["items"],
        count=page["count"],
        page={
            "after": f"{following[0]}|{following[1]}" if following else None,
            "before": None,
        },
    )


def items_cursor(raw: str | None) -> tuple[str, int] | None:
    """The keyset cursor of a page of open items (``<position>|<seq>``); the
    first page for none or anything malformed."""
    position, _, seq = (raw or "").rpartition("|")
    if not position or not seq.isdigit() or len(raw or "") > 200:
        return None
    return position, int(seq)


@bp.post("/cycles/<uuid:cycle_id>/deadlines")
@requires("cycle.open")
def set_deadline(cycle_id: UUID):
    return cycle_post(
        cycle_id,
        DeadlineForm(prefix="dl"),
        "deadline_form",
        lambda f: rc.SetDeadline(
            actor_id=user().actor,
            cycle_id=cycle_id,
            level=f.level.data,
            milestone=f.milestone.data,
            due=f.due.data,
        ),
        done("cycle.deadline_set"),
    )
