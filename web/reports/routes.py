"""Report pages: read ``services.reports`` and ``services.commendations`` (views
only); the award form sends a signed command. Exports are the same files as
``kiemdiem export``."""

from __future__ import annotations

import logging
from typing import Any
from uuid import UUID

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from markupsafe import Markup

from services import report_documents as docs
from services.commendations import GrantAward
from services.reports import POPULATIONS
from web.catalogue import reports as labels
from web.catalogue.flashes import done
from web.catalogue.ratings import LEVEL_LABELS, POPULATION_LABELS
from web.dispatch import form_status, submit
from web.identity import requires, user
from web.reads import found_or_404, marks_once, org_choices, reads
from web.reports import bp
from web.reports.charts import stacked_bars, table_rows
from web.reports.forms import GrantAwardForm
from web.reports.tree import tree_on_arg

log = logging.getLogger(__name__)
REPORT_KINDS = ("provincial_committee", "district_committee", "grassroots_committee")
PARTY_KINDS = (*REPORT_KINDS, "cell")


@bp.app_template_filter("report_label")
def report_label(value: str | None, table: str) -> str:
    if value is None:
        return "—"
    names = {
        "award": labels.AWARD_KINDS,
        "awarding": labels.AWARDING_LEVELS,
        "band": labels.BANDS,
        "dossier": docs.DOSSIER_NAMES,
    }[table]
    return names.get(value, value)


bp.add_app_template_filter(table_rows, "table_rows")


def _year(value: str) -> int:
    try:
        year = int(value)
    except ValueError:
        abort(404)
    if not 2000 <= year <= 2100:
        abort(404)
    return year


def _org(org_id: UUID) -> Any:
    return found_or_404(reads().organisation(org_id), "org.not_found")


def _orgs() -> list[tuple[UUID, str]]:
    return org_choices(reads().organisations(), PARTY_KINDS)


@bp.get("/")
@requires("report.read")
def index():
    raw_org, raw_year = request.args.get("org"), request.args.get("year")
    if raw_org and raw_year:
        try:
            return redirect(
                url_for(".report", org_id=UUID(raw_org), year=_year(raw_year))
            )
        except ValueError:
            abort(404)
    years = sorted({int(c["year"]) for c in reads().annual_cycles()})
    return render_template("reports/index.html", orgs=_orgs(), years=years)


def _charts(
    report: dict[str, Any], histories: dict[str, list[dict[str, Any]]]
) -> dict[str, Any]:
    charts = {}
    for pop in POPULATIONS:
        history = histories[pop]
        rows = [(f"Năm {h['year']}", h) for h in history]
        if any(int(r[1]["rated"]) for r in rows):
            charts[f"years-{pop}"] = stacked_bars(
                f"bieu-do-{pop}",
                f"{POPULATION_LABELS[pop]}: xếp loại theo năm",
                rows,
                LEVEL_LABELS,
            )
    children = [(c["name"], c["members"]) for c in report["children"]]
    if children:
        charts["children"] = stacked_bars(
            "bieu-do-to-chuc",
            f"Đảng viên theo tổ chức trực thuộc, năm {report['year']}",
            children,
            LEVEL_LABELS,
        )
    return charts


@bp.get("/<uuid:org_id>/<year>")
@marks_once
@requires("report.read")
def report(org_id: UUID, year: str):
    _org(org_id)
    payload, body = reads().report_page_shown(
        org_id,
        _year(year),
        POPULATIONS,
        tree_on_arg(),
        _report_body,
        request.script_root,
    )
    return render_template("reports/report.html", report=payload, body=body)


def _report_body(
    payload: dict[str, Any], histories: dict[str, list[dict[str, Any]]]
) -> tuple[dict[str, Any], Markup]:
    """The report page's content (charts, tables, lists): a function of the
    figures alone (and the application's root, a key of what is kept), rendered
    once and kept beside them (``ReportGatewayReads.report_page_shown``); the
    page around it (who is signed in, CSRF tokens, messages) per request."""
    template = current_app.jinja_env.get_template("reports/report_body.html")
    html = template.render(
        report=payload,
        charts=_charts(payload, histories),
        tables=docs.report_tables(payload),
    )
    return payload, Markup(html)  # noqa: S704 - rendered with autoescape


@bp.get("/<uuid:org_id>/<year>/chua-hoan-thanh/<level>")
@requires("report.read")
def still_open(org_id: UUID, year: str, level: str):
    """Every subject still open at a deadline level, 50 a page by name (the
    report names the first few); ``sau_ten`` / ``sau_ma``: where the page
    before ended."""
    _org(org_id)
    name, key = request.args.get("sau_ten"), request.args.get("sau_ma")
    after = (name, key) if name is not None and key else None
    page = reads().report_still_open(org_id, _year(year), level, after)
    return render_template("reports/still_open.html", page=page, after=after)


def _download(data: bytes, mimetype: str, name: str) -> Response:
    return Response(
        data,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.get("/<uuid:org_id>/<year>/bao-cao.xlsx")
@requires("report.read")
def report_xlsx(org_id: UUID, year: str):
    org = _org(org_id)
    payload = reads().report(org_id, _year(year), tree_on_arg())
    return _download(
        docs.report_xlsx(payload), docs.XLSX, f"bao-cao-{org.code}-{year}.xlsx"
    )


@bp.get("/<uuid:org_id>/<year>/bao-cao.pdf")
@requires("report.read")
def report_pdf(org_id: UUID, year: str):
    org = _org(org_id)
    payload = reads().report(org_id, _year(year), tree_on_arg())
    return _download(
        docs.report_pdf(payload), docs.PDF, f"bao-cao-{org.code}-{year}.pdf"
    )


@bp.get("/cycles/<uuid:cycle_id>/subjects/<key>/ho-so.pdf")
@requires("report.read")
def dossier_pdf(cycle_id: UUID, key: str):
    dossier = reads().dossier(cycle_id, key)
    return _download(docs.dossier_pdf(dossier), docs.PDF, "mau-04-ho-so.pdf")


@bp.get("/cycles/<uuid:cycle_id>/subjects/<key>/ho-so")
@requires("report.read")
def dossier(cycle_id: UUID, key: str):
    return render_template(
        "reports/dossier.html", dossier=reads().dossier(cycle_id, key)
    )


@bp.get("/cycles/<uuid:cycle_id>/subjects/<key>/xep-loai-lai.pdf")
@requires("report.read")
def rerating_pdf(cycle_id: UUID, key: str):
    decision = reads().rerating(cycle_id, key)
    return _download(docs.rerating_pdf(decision), docs.PDF, "mau-03-xep-loai-lai.pdf")


# -- commendations ------------------------------------------------------------------
def _commendations_page(
    org_id: UUID | None,
    year: int | None,
    form: GrantAwardForm | None = None,
    status: int = 200,
) -> tuple[str, int]:
    gate = reads()
    proposals = gate.proposals(org_id, year) if org_id and year else []
    forms = []
    for p in proposals:
        f = GrantAwardForm(
            formdata=None,
            prefix="kt",
            data={
                "subject_key": p["subject_key"],
                "kind": p["kind"],
                "year": p["year"],
            },
        )
        if (
            form is not None
            and form.subject_key.data == p["subject_key"]
            and form.kind.data == p["kind"]
        ):
            f = form
        f.awarding_org_id.set_choices(
            [(o["org_id"], o["name"]) for o in p["awarding_orgs"]]
        )
        forms.append((p, f))
    years = sorted({int(c["year"]) for c in reads().annual_cycles()})
    return render_template(
        "reports/commendations.html",
        org_id=org_id,
        year=year,
        orgs=_orgs(),
        years=years,
        proposals=forms,
        awards=gate.awards(org_id, year) if org_id else gate.awards(),
        five_year=gate.five_year_kind,
        may_grant=bool({"decision_maker"} & set(user().roles)),
        refused=form.form_errors if form is not None else [],
    ), status


def _args() -> tuple[UUID | None, int | None]:
    raw_org, raw_year = request.args.get("org"), request.args.get("year")
    try:
        org = UUID(raw_org) if raw_org else None
    except ValueError:
        abort(404)
    return org, (_year(raw_year) if raw_year else None)


@bp.get("/khen-thuong")
@requires("report.read")
def commendations():
    org_id, year = _args()
    return _commendations_page(org_id, year)


@bp.post("/khen-thuong")
@requires("commendation.grant")
def grant():
    org_id, year = _args()
    form = GrantAwardForm(prefix="kt")
    form.awarding_org_id.set_choices([])
    if form.validate_on_submit():
        try:
            award_year = int(form.year.data)
        except ValueError:
            abort(400)
        command = GrantAward(
            actor_id=user().actor,
            subject_key=form.subject_key.data,
            kind=form.kind.data,
            year=award_year,
            awarding_org_id=form.awarding_org_id.data,
            decision_no=form.decision_no.data,
            decided_on=form.decided_on.data,
        )
        if submit(command, form) is not None:
            flash(done("commendation.granted"), "success")
            return redirect(url_for(".commendations", org=org_id, year=year))
    return _commendations_page(org_id, year, form, form_status(form))
