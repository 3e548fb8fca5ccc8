"""A rating subject's facts gathered in a batch (remembered for its steps, the
views read for its chi bộ's members together) are exactly those gathered for it
alone: on the demo province, whose history has previous decisions, carried
shortcomings and confidence votes; on SQLite and PostgreSQL."""

from __future__ import annotations

from uuid import UUID

from services.demo import load_demo


def test_facts_in_a_batch_are_the_facts_alone(services, admin):
    load_demo(services, admin.signer)
    demo = services
    ratings = demo.ratings
    seen = {"previous": 0, "remediation": 0, "confidence": 0}
    for row in ratings.cycles():
        cycle = ratings.cycle(UUID(row["cycle_id"]))
        subjects = [s for s in cycle.subjects.values() if not s.exempt]
        alone = {s.key: ratings.facts(cycle, s) for s in subjects}
        with demo.uow.batch() as batch:
            together = {s.key: ratings.facts(cycle, s) for s in subjects}
            again = {s.key: ratings.facts(cycle, s) for s in subjects}
            assert batch.remembered >= len(subjects)
        assert together == alone
        assert again == alone
        for facts in alone.values():
            seen["previous"] += facts.previous is not None
            seen["remediation"] += bool(facts.remediation and facts.remediation.carried)
            seen["confidence"] += facts.confidence is not None
    # the demo's history exercises every fact the views give
    assert all(seen.values()), seen
