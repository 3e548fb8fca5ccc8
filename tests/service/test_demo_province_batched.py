"""The province generator written many commands to a transaction (and with a
worker process beside it) decides exactly what it decides one command per
transaction: the same subjects, reviews and levels, the same facts recorded in
every decision (gathered once per subject in a batch), every event signed by the
account that sent its command, the store verifies, and the views rebuilt from
the log equal those the worker built beside the batches."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from domain.ratings import RatingRound
from domain.rulebooks import FORM_SECTIONS
from ledger import verify
from ledger.config import settings_from_environ
from services.demo_province import generate_province
from tests.web.demo_app import demo_store


def build(database_url, *, batched: bool, with_worker: bool = False):
    settings = replace(
        settings_from_environ(database_url=database_url), projections_mode="worker"
    )
    with demo_store(settings) as (services, admin):
        result = generate_province(
            services, admin.signer, 30, 11, batched=batched, with_worker=with_worker
        )
        subjects = {
            s["subject_key"]: (s["status"], s["level"], s["exempt"])
            for s in services.ratings.subjects(result.cycle_id)
        }
        reviews = sorted(
            (r["subject_key"], r["held_on"])
            for r in services.ratings.reviews(result.cycle_id)
        )
        events = [
            services.ledger.decode(n)
            for n in services.ledger.recorder.select_notifications(start=1, limit=10**6)
        ]
        actors = Counter(e.actor for e in events)
        # every collective's Mẫu 01 has every section of the template
        reports = [
            e.event.sections
            for e in events
            if type(e.event).__name__ == "CollectiveReportCirculated"
        ]
        assert len(reports) == len(
            [k for k in subjects if k.startswith("o:") and subjects[k][2] is None]
        )
        assert [set(r) for r in reports] == [set(FORM_SECTIONS["01"])] * len(reports)
        facts = {
            e.event.subject_key: e.event.facts
            for e in events
            if isinstance(e.event, RatingRound.RatingDecided)
        }
        thuky = services.authenticate("thuky", _password(result, "thuky"))
        assert thuky is not None
        report = verify.verify(database_url, services.trust_root, jobs=1)
        if with_worker:  # a rebuild from the log equals the views built along
            built = services.projections.digest()
            services.projections.rebuild()
            assert services.projections.digest() == built
        return result, subjects, reviews, actors, thuky.actor, report, facts


def _password(result, username: str) -> str:
    return next(a.password for a in result.accounts if a.username == username)


def test_batched_and_one_by_one_decide_the_same(tmp_path, monkeypatch):
    monkeypatch.setenv("KIEMDIEM_ARGON2_MEMORY_KIB", "1024")
    for key in ("KIEMDIEM_TRUST_ROOT", "KIEMDIEM_LOG_KEY_FILE", "KIEMDIEM_PROJECTIONS"):
        monkeypatch.delenv(key, raising=False)
    runs = {}
    for name, batched, worker in (
        ("one_by_one", False, False),
        ("batched", True, True),
    ):
        monkeypatch.setenv("KIEMDIEM_INSTANCE_DIR", str(tmp_path / name))
        runs[name] = build(
            f"sqlite:///{tmp_path}/{name}.db", batched=batched, with_worker=worker
        )
    one, batched = runs["one_by_one"], runs["batched"]
    assert batched[0].commands == one[0].commands
    assert batched[0].events == one[0].events
    assert batched[1] == one[1]  # every subject's status and level
    assert batched[2] == one[2]  # every review held
    # the secretary signed the same number of events either way
    assert batched[3][batched[4]] == one[3][one[4]] > 0
    assert batched[6] == one[6]  # the facts each decision recorded
    assert len(batched[6]) == batched[0].decisions
    assert batched[5].ok, batched[5].failures
    assert one[5].ok, one[5].failures
