"""A province at scale (``kiemdiem demo --province --members N``), built through
the real services: every organisation, member, post, account, review and rating
is a command signed by a real account, exactly as the web sends it.

Who signs: the administrator founds the tree, enrols the members (the CSV import
path, one signed transaction per batch of about a thousand rows) and opens the
demo's role accounts at the tỉnh ủy (``thuky``, ``captuy``, ``ubkt``…, reused from
:mod:`services.demo`); ``thuky`` (secretary) opens the 2025 cycle, records every
review and the self-ratings and proposals; ``captuy`` (the committee) opens the
rounds, defines each chi bộ's peer group and decides. The order is the one the
rules prescribe (366-QĐ/TW Điều 12.2): members, then the Ban Thường vụ, then its
head and members, then the chi bộ, then the đảng ủy xã; HTXSNV last in each peer
group and within the quota.

Commands are written :data:`WRITE_BATCH` at a time, many commands in one
transaction of the ledger (``UnitOfWork.batch``: each command's handler, rules
and refusals as when sent alone, every event signed by its own command's
signer); the log and the views are brought up every :data:`BATCH_COMMANDS`
commands and at every phase's end through ``catch_up`` (by default
:meth:`Kiemdiem.work_once`, what ``kiemdiem worker`` runs), not after each
command, so the generator works in the inline and the worker mode alike.
``batched=False`` sends one command per transaction with the post-commit work
after each (the generator before batches: the bench's baseline). Each phase's
wall time is returned: the numbers issue 14 asks for.
"""

from __future__ import annotations

import csv
import io
import random
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from domain.errors import DomainError
from domain.rulebooks import FORM_OF_APPENDIX
from domain.subjects import Subject
from ledger.signing import Signer
from services import commands as c
from services import rating_commands as rc
from services.app import Kiemdiem
from services.command_batch import CommandBatch
from services.demo import DemoAccount, demo_signer, open_demo_accounts
from services.demo_history import deadlines_of
from services.demo_province_plan import (
    CellPlan,
    LevelPlan,
    MemberPlan,
    ProvincePlan,
    plan_province,
)
from services.demo_province_ratings import YEAR as YEAR
from services.demo_province_ratings import ProvinceRatings
from services.demo_province_worker import worker_beside
from services.demo_reports import collective_report
from services.member_import import import_members

PHASES = ("org_tree", "members", "accounts", "cycle_open", "reviews", "ratings")
IMPORT_ROWS = 1000
IMPORT_COLUMNS = (
    "full_name",
    "party_card_no",
    "birth_date",
    "admission_date",
    "status",
    "cell_code",
)
BATCH_COMMANDS = 500
WRITE_BATCH = 250
REPORT_ON = date(2025, 11, 17)
HELD_ON = {
    "cell": date(2025, 12, 1),
    "cell_member": date(2025, 12, 2),
    "btv": date(2025, 12, 3),
    "head": date(2025, 12, 4),
    "leader": date(2025, 12, 5),
    "grassroots_committee": date(2025, 12, 8),
    "provincial_committee": date(2025, 12, 10),
}
STRENGTHS = (
    "Chấp hành nghiêm chủ trương của Đảng, pháp luật của Nhà nước.",
    "Hoàn thành tốt nhiệm vụ được giao, tích cực tham gia sinh hoạt chi bộ.",
    "Giữ gìn phẩm chất đạo đức, lối sống; đoàn kết với đồng chí, đồng nghiệp.",
)
SHORTCOMINGS = (
    "Có lúc chậm tiến độ báo cáo.",
    "Việc nghiên cứu, học tập nghị quyết chưa thường xuyên.",
    "Phát biểu ý kiến xây dựng trong sinh hoạt chi bộ còn ít.",
)
MEASURES = (
    "Lập kế hoạch công việc theo tuần, bám sát tiến độ.",
    "Dành thời gian tự học, nghiên cứu văn kiện.",
    "Chủ động tham gia ý kiến trong sinh hoạt chi bộ.",
)

Progress = Callable[[str, int, int], None]


@dataclass
class ProvinceResult:
    """What was built, the role logins, and each phase's seconds and commands."""

    organisations: int
    members: int
    cycle_id: UUID
    rounds: int
    reviews: int
    decisions: int
    exempt: int
    accounts: list[DemoAccount]
    seconds: dict[str, float] = field(default_factory=dict)
    cpu_seconds: dict[str, float] = field(default_factory=dict)  # this process's
    # of it, bringing the log and the views up (what a worker beside left)
    catch_up_cpu_seconds: dict[str, float] = field(default_factory=dict)
    commands: dict[str, int] = field(default_factory=dict)
    events: dict[str, int] = field(default_factory=dict)  # events written


def generate_province(
    services: Kiemdiem,
    admin: Signer,
    members: int,
    seed: int = 2025,
    *,
    progress: Progress | None = None,
    catch_up: Callable[[], None] | None = None,
    batched: bool = True,
    with_worker: bool = False,
) -> ProvinceResult:
    """Build the province and its whole 2025 cycle; the administrator signs the
    directory, the demo's role accounts sign the cycle. ``with_worker``: a
    worker process beside the build integrates and projects while it writes
    (:mod:`services.demo_province_worker`); the build then catches up only at
    each phase's end."""
    plan = plan_province(members, seed)
    with ExitStack() as stack:
        beside = with_worker and stack.enter_context(worker_beside(services.settings))
        builder = _Builder(
            services,
            admin,
            plan,
            progress,
            catch_up or services.work_once,
            batched,
            catch_up_every=None if beside else BATCH_COMMANDS,
        )
        return builder.run()


class _Builder(ProvinceRatings):
    """One province being built: the plan, the signers, the phase clock, and the
    ids the later phases need (cycle, subjects, rounds and their numbering)."""

    def __init__(
        self,
        services: Kiemdiem,
        admin: Signer,
        plan: ProvincePlan,
        progress: Progress | None,
        catch_up: Callable[[], None],
        batched: bool = True,
        *,
        catch_up_every: int | None = BATCH_COMMANDS,
    ) -> None:
        self.services = services
        self.batched = batched
        self.catch_up_every = catch_up_every
        self.batch: CommandBatch | None = None
        self.admin = admin
        self.plan = plan
        self.rng = random.Random(plan.seed + 1)  # noqa: S311 - demo data
        self.progress = progress
        self._catch_up = catch_up
        self.sent = 0
        self.since_catch_up = 0
        self.phase = ""
        self.done = 0
        self.total = 0
        self.seconds: dict[str, float] = {}
        self.cpu_seconds: dict[str, float] = {}
        self.catch_up_cpu = 0.0
        self.catch_up_cpu_seconds: dict[str, float] = {}
        self.commands: dict[str, int] = {}
        self.events: dict[str, int] = {}
        self.numbers: dict[UUID, int] = {}
        self.reviews = 0
        self.decisions = 0
        self.sec: Signer = admin
        self.dm: Signer = admin
        self.cycle = UUID(int=0)
        self.subjects: dict[str, Subject] = {}

    # -- plumbing ----------------------------------------------------------------
    def send(self, command: c.Command, signer: Signer) -> Any:
        """The one way every command goes in: the command bus."""
        self.sent += 1
        self.since_catch_up += 1
        return self.services.handle(command, signer)

    def catch_up(self, *, force: bool = False) -> None:
        every = self.catch_up_every
        if force or (every is not None and self.since_catch_up >= every):
            if self.batch is not None:
                self.batch.flush()
            cpu = time.process_time()
            self._catch_up()
            self.catch_up_cpu += time.process_time() - cpu
            self.since_catch_up = 0

    def level_done(self) -> None:
        """A level done: caught up, or with a worker beside only written (no later
        level reads a view an earlier one changes; each phase ends caught up)."""
        if self.catch_up_every is not None:
            self.catch_up(force=True)
        elif self.batch is not None:
            self.batch.flush()

    @contextmanager
    def written_in_batches(self) -> Iterator[None]:
        """The block's commands many to a transaction (``UnitOfWork.batch``),
        the post-commit work left to :meth:`catch_up`; one by one unbatched."""
        if not self.batched:
            yield
            return
        with self.services.uow.batch(size=WRITE_BATCH, post_commit=False) as batch:
            self.batch = batch
            try:
                yield
            finally:
                self.batch = None

    def step(self, count: int = 1) -> None:
        self.done += count
        self.catch_up()
        if self.progress is not None:
            self.progress(self.phase, self.done, self.total)

    @contextmanager
    def timed(self, phase: str, total: int) -> Iterator[None]:
        self.phase, self.done, self.total = phase, 0, total
        sent, start, cpu = self.sent, time.perf_counter(), time.process_time()
        self.catch_up_cpu = 0.0
        tip = self.services.ledger.max_notification_id()
        if self.progress is not None:
            self.progress(phase, 0, total)
        with self.written_in_batches():
            yield
            self.catch_up(force=True)
        self.seconds[phase] = time.perf_counter() - start
        self.cpu_seconds[phase] = time.process_time() - cpu
        self.catch_up_cpu_seconds[phase] = self.catch_up_cpu
        self.commands[phase] = self.sent - sent
        self.events[phase] = self.services.ledger.max_notification_id() - tip

    # -- the phases ------------------------------------------------------------------
    def run(self) -> ProvinceResult:
        plan = self.plan
        with self.timed("org_tree", plan.organisations):
            self.found_tree()
        with self.timed("members", len(plan.members)):
            self.enrol_members()
            self.assign_posts()
        with self.timed("accounts", 1):
            accounts = self.open_accounts()
            self.step()
        with self.timed("cycle_open", 1):
            self.open_cycle()
        subjects = [s for s in self.subjects.values() if not s.exempt]
        venues = sum(len(s.venues) for s in subjects)
        with self.timed("reviews", venues):
            for level in [*plan.communes, plan.province]:
                self.review_level(level)
        rated = [s for s in subjects if s.decides not in (None, "outside")]
        with self.timed("ratings", len(rated)):
            for level in plan.communes:
                self.rate_level(level)
            self.rate_province()
        return ProvinceResult(
            organisations=plan.organisations,
            members=len(plan.members),
            cycle_id=self.cycle,
            rounds=len(self.numbers),
            reviews=self.reviews,
            decisions=self.decisions,
            exempt=sum(1 for s in self.subjects.values() if s.exempt),
            accounts=accounts,
            seconds=self.seconds,
            cpu_seconds=self.cpu_seconds,
            catch_up_cpu_seconds=self.catch_up_cpu_seconds,
            commands=self.commands,
            events=self.events,
        )

    def found_tree(self) -> None:
        actor = self.admin.actor

        def found(code: str, name: str, kind: str, parent: UUID | None) -> None:
            self.send(c.FoundOrganisation(actor, code, name, kind, parent), self.admin)
            self.step()

        province = self.plan.province
        found(province.code, province.name, province.kind, None)
        for level in self.plan.levels:
            if level is not province:
                found(level.code, level.name, level.kind, province.org_id)
            found(level.btv_code, level.btv_name, "leadership_collective", level.org_id)
            for cell in level.cells:
                found(cell.code, cell.name, "cell", level.org_id)

    def enrol_members(self) -> None:
        """The import path: one signed transaction per batch of whole chi bộ."""
        batch: list[tuple[CellPlan, MemberPlan]] = []
        for cell in self.plan.cells:
            batch += [(cell, m) for m in cell.members]
            if len(batch) >= IMPORT_ROWS:
                self.import_batch(batch)
                batch = []
        if batch:
            self.import_batch(batch)

    def import_batch(self, rows: list[tuple[CellPlan, MemberPlan]]) -> None:
        out = io.StringIO()
        sheet = csv.writer(out)
        sheet.writerow(IMPORT_COLUMNS)
        for cell, m in rows:
            birth, admitted = m.birth.isoformat(), m.admitted.isoformat()
            sheet.writerow((m.name, m.card, birth, admitted, m.status, cell.code))
        self.sent += 1
        self.since_catch_up += len(rows)
        report = import_members(
            self.services,
            self.admin,
            out.getvalue().encode(),
            "province.csv",
            dry_run=False,
        )
        if report.errors:
            first = report.errors[0]
            raise DomainError(first.code, row=first.row, **first.details)
        self.step(len(rows))

    def assign_posts(self) -> None:
        for level in self.plan.levels:
            for leader in level.leaders:
                self.send(
                    rc.AssignPost(
                        self.admin.actor,
                        leader.member_id,
                        level.btv_id,
                        leader.leader_role or "member",
                        date(2020, 10, 1),
                    ),
                    self.admin,
                )

    def open_accounts(self) -> list[DemoAccount]:
        # ``dangvien`` is a plain member of a chi bộ (not a leader, not exempt).
        member = next(
            m
            for level in [*self.plan.communes, self.plan.province]
            for cell in level.cells
            for m in cell.members
            if not m.leader_role and m.admitted.year < YEAR
        )
        accounts = open_demo_accounts(
            self.services,
            self.admin,
            self.plan.province.org_id,
            (member.member_id, member.name),
        )
        self.sent += len(accounts)
        logins = {a.username: a.password for a in accounts}
        self.sec = demo_signer(self.services, "thuky", logins["thuky"])
        self.dm = demo_signer(self.services, "captuy", logins["captuy"])
        return accounts

    def open_cycle(self) -> None:
        self.cycle = self.send(
            rc.OpenCycle(
                self.sec.actor,
                self.plan.province.org_id,
                YEAR,
                reference_date=date(YEAR, 12, 1),
                deadlines=tuple(deadlines_of(YEAR)),
            ),
            self.sec,
        )
        self.subjects = dict(self.services.ratings.cycle(self.cycle).subjects)
        authorities = sorted(
            {str(s.decides) for s in self.subjects.values()} - {"None", "outside"}
        )
        for authority in authorities:
            ident = self.send(
                rc.OpenRound(self.dm.actor, self.cycle, UUID(authority)), self.dm
            )
            self.numbers[ident] = 0
        self.step()

    # -- reviews ---------------------------------------------------------------------
    def review_level(self, level: LevelPlan) -> None:
        for cell in level.cells:
            self.review_collective(cell.key, len(cell.members), HELD_ON["cell"])
            for member in cell.members:
                self.review_member(member, str(cell.org_id), HELD_ON["cell_member"])
        leaders = level.leaders
        self.review_collective(level.btv_key, len(leaders), HELD_ON["btv"])
        for leader in leaders:
            held = HELD_ON["head" if leader.leader_role == "head" else "leader"]
            self.review_member(leader, str(level.btv_id), held)
        self.review_collective(level.key, 15, HELD_ON[level.kind])
        self.level_done()

    def review_collective(self, key: str, attendees: int, held_on: date) -> None:
        subject = self.subjects[key]
        sec = self.sec.actor
        venue = subject.venues[0]
        review = self.send(rc.OpenReview(sec, self.cycle, key, UUID(venue)), self.sec)
        self.send(
            rc.CirculateReport(
                sec,
                review,
                summary="",
                circulated_on=REPORT_ON,
                sections=collective_report(subject.org_kind, subject.name, YEAR),
            ),
            self.sec,
        )
        self.send(
            rc.HoldMeeting(
                sec,
                review,
                held_on,
                max(attendees, 1),
                f"Biên bản hội nghị kiểm điểm {subject.name} năm {YEAR}",
                "Hội nghị thống nhất báo cáo kiểm điểm.",
            ),
            self.sec,
        )
        self.reviews += 1
        self.step()

    def review_member(self, member: MemberPlan, venue: str, held_on: date) -> None:
        subject = self.subjects[member.key]
        if subject.exempt:
            return
        sec = self.sec.actor
        review = self.send(
            rc.OpenReview(sec, self.cycle, member.key, UUID(venue)), self.sec
        )
        form = FORM_OF_APPENDIX[subject.appendix]
        sections = {
            "strengths": self.rng.choice(STRENGTHS),
            "shortcomings": self.rng.choice(SHORTCOMINGS),
            "measures": self.rng.choice(MEASURES),
        }
        self.send(rc.SubmitSelfReview(sec, review, form, sections), self.sec)
        self.send(
            rc.HoldMeeting(
                sec,
                review,
                held_on,
                max(3, self.rng.randint(5, 25)),
                f"Biên bản kiểm điểm đồng chí {member.name}",
                "Hội nghị nhất trí với bản kiểm điểm.",
            ),
            self.sec,
        )
        self.reviews += 1
        self.step()
