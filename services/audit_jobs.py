"""The full verification of the store as a background job (issue 5): the
committee starts ``ledger.verify.verify`` with the checkpoints it holds as
auditor checkpoints, and its page polls the job's progress and report."""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from ledger import verify as ledger_verify
from services.audit_results import VerificationJob
from services.context import AppContext
from services.errors import NotFoundError

log = logging.getLogger(__name__)

MAX_JOBS_KEPT = 20


class VerificationJobs:
    """The jobs of this process (the last ``MAX_JOBS_KEPT`` finished kept)."""

    def __init__(
        self, app: AppContext, held_notes: Callable[[], list[tuple[str, bytes]]]
    ) -> None:
        self.app = app
        self.held_notes = held_notes
        self._jobs: dict[str, VerificationJob] = {}
        self._jobs_lock = threading.Lock()
        self._threads: list[threading.Thread] = []

    def close(self) -> None:
        for thread in self._threads:
            thread.join(timeout=60)

    def start_verification(self, actor: str) -> str:
        """Run ``ledger.verify.verify`` on this store in a background thread, with
        the checkpoints the committee holds as auditor checkpoints."""
        self.app.uow.authorise(actor, "audit.verify")
        job = VerificationJob(
            job_id=uuid.uuid4().hex,
            requested_by=actor,
            started_at=datetime.now(UTC).isoformat(),
        )
        with self._jobs_lock:
            self._jobs[job.job_id] = job
            while len(self._jobs) > MAX_JOBS_KEPT:
                oldest = next(iter(self._jobs))
                if not self._jobs[oldest].finished:
                    break
                del self._jobs[oldest]
        thread = threading.Thread(
            target=self._run_job,
            args=(job,),
            name=f"verify-{job.job_id[:8]}",
            daemon=True,
        )
        self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()
        return job.job_id

    def _run_job(self, job: VerificationJob) -> None:
        def progress(done: int, total: int) -> None:
            job.done, job.total = done, total

        try:
            report = ledger_verify.verify(
                self.app.settings.database_url,
                self.app.trust_root,
                checkpoints=self.held_notes(),
                jobs=1,
                progress=progress,
            )
            job.report = report.to_json()
            job.done = job.total = int(report.counts.get("events", job.total))
        except Exception as exc:
            log.exception("verification job %s failed", job.job_id)
            job.error = str(exc)
        finally:
            job.finished = True

    def job(self, actor: str, job_id: str) -> VerificationJob:
        self.app.uow.authorise(actor, "audit.verify")
        with self._jobs_lock:
            found = self._jobs.get(job_id)
        if found is None:
            raise NotFoundError("audit.job_not_found", id=job_id)
        return found

    def wait(self, job_id: str, timeout: float = 60.0) -> VerificationJob:
        """Block until the job ends (tests and the CLI)."""
        for thread in list(self._threads):
            if thread.name == f"verify-{job_id[:8]}":
                thread.join(timeout)
        return self._jobs[job_id]
