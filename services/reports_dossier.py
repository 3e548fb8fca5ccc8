"""One subject's file (hồ sơ, Mẫu 04: the items of 366-QĐ/TW Điều 17, each
present or absent from the recorded events) and its last re-rating decision
(Mẫu 03), from the read models. A mixin of :class:`services.reports.ReportService`
(``reports.dossier(...)``, ``reports.rerating(...)`` as before).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal
from uuid import UUID

from domain.rulebooks import rulebook
from projections.ratings import subjects
from projections.ratings.reviews import reviews_of_subject
from projections.ratings.rounds import authority_name
from projections.ratings.timeline import subject_timeline
from services.errors import NotFoundError

if TYPE_CHECKING:
    from services.context import AppContext

DOSSIER_ITEMS = (  # 366-QĐ/TW Điều 17, in its order
    "self_reviews",
    "residence_comment",
    "minutes",
    "appraisal",
    "conclusion",
    "suggestions",
    "opinions",
    "complaints",
    "other",
)


class SubjectFileReports:
    """A subject's file (Mẫu 04) and re-rating decision (Mẫu 03)."""

    if TYPE_CHECKING:
        app: AppContext

    def _subject_row(self, cycle_id: UUID, key: str) -> dict[str, Any]:
        row = subjects.subject_of_cycle(self.app.projections, cycle_id, key)
        if row is None:
            raise NotFoundError("rating.subject_not_found", subject=key)
        return row

    def dossier(self, cycle_id: UUID, key: str) -> dict[str, Any]:
        """The file list of 366 Điều 17 (Mẫu 04), each item present or absent
        from the recorded events, with the dates that show it."""
        subject = self._subject_row(cycle_id, key)
        reviews = reviews_of_subject(self.app.projections, cycle_id, key)
        steps = subject_timeline(self.app.projections, cycle_id, key)

        def on(*names: str) -> list[str]:
            return [
                t["on_date"] or f"#{t['position']}" for t in steps if t["step"] in names
            ]

        def count(column: Literal["suggestions", "opinions"]) -> int:
            return sum(r[column] for r in reviews)

        evidence: dict[str, list[str]] = {
            "self_reviews": [
                r["report_on"] or f"Mẫu {r['self_review_form']}"
                for r in reviews
                if r["report_on"] or r["self_review_form"]
            ],
            "residence_comment": on("residence_comment"),
            "minutes": [r["held_on"] for r in reviews if r["held_on"]],
            "appraisal": on("proposed"),
            "conclusion": [
                f"{t['detail'].get('decision_no', '')} ({t['on_date']})"
                for t in steps
                if t["step"] in ("decided", "revised")
            ],
            "suggestions": [str(count("suggestions"))] if count("suggestions") else [],
            "opinions": [str(count("opinions"))] if count("opinions") else [],
            "complaints": on("held", "released"),
            "other": on("comment", "temporary_cell_comment", "mitigation")
            + on("chair_responsibility", "cancelled"),
        }
        return {
            "cycle_id": str(cycle_id),
            "subject_key": key,
            "name": subject["name"],
            "year": int(subject["year"]),
            "organisation": subject["org_name"],
            "level": subject["level"],
            "items": [
                {
                    "item": item,
                    "present": bool(evidence[item]),
                    "evidence": evidence[item],
                }
                for item in DOSSIER_ITEMS
            ],
        }

    def rerating(self, cycle_id: UUID, key: str) -> dict[str, Any]:
        """The last re-rating decision of a subject (Mẫu 03)."""
        subject = self._subject_row(cycle_id, key)
        steps = subject_timeline(self.app.projections, cycle_id, key)
        revised = [t for t in steps if t["step"] == "revised"]
        if not revised or not subject["round_id"]:
            raise NotFoundError("report.rerating_not_found", subject=key)
        last = revised[-1]
        # Revised by the successor of an authority that ended: it issues it.
        succession = last["detail"].get("succession")
        authority = (
            succession["successor_name"]
            if succession
            else authority_name(self.app.projections, subject["round_id"])
        )
        return {
            "cycle_id": str(cycle_id),
            "subject_key": key,
            "name": subject["name"],
            "kind": subject["kind"],
            "year": int(subject["year"]),
            "authority": authority or "",
            "regulation": rulebook(subject["rulebook_id"]).regulation,
            "previous_level": last["detail"]["previous_level"],
            "level": last["detail"]["level"],
            "decision_no": last["detail"]["decision_no"],
            "decided_on": last["on_date"],
            "reason": last["detail"]["reason"],
            "explanation": last["detail"]["explanation"],
            "succession": succession,
            "actor": last["actor"],
        }
