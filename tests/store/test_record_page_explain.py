"""The remediation record page of a collective reads the cycle's holders of a
post there by index (issue 14): one range of the ratings view's ``posts``
primary key, each subject by its own, never the cycle's every subject. The
rows are written straight into the view's tables of the generated province."""

from __future__ import annotations

import uuid

import psycopg
import pytest

from projections.ratings import subject_lists
from tests.store.explain_province import PG_ADMIN, problems

pytestmark = pytest.mark.postgres

SUBJECTS = 3_000
HOLDERS = 7


def test_the_post_holders_are_read_by_index(province):
    services, plan, schema = province
    cycle = str(uuid.uuid4())
    org = str(plan.province.org_id)
    other = str(uuid.uuid4())  # every other subject holds a post elsewhere
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        for n in range(SUBJECTS):
            key = f"m:{uuid.uuid5(uuid.NAMESPACE_URL, f'subject/{n}')}"
            where = org if n < HOLDERS else other
            posts = f'{{"{where}": "member"}}'
            conn.execute(
                f'INSERT INTO "{schema}".ratings_subjects (cycle_id, subject_key, '
                "kind, name, klass, appendix, member_id, venues, posts, path, "
                "population, deadline_level, status, revisions, updated_at) "
                "VALUES (%s, %s, 'individual', %s, 'member', '2B', %s, '[]', %s, "
                "%s, 'members', 'cell', 'pending', 0, 0)",
                (cycle, key, f"Đảng viên {n:05d}", key[2:], posts, f'["{org}"]'),
            )
            conn.execute(
                f'INSERT INTO "{schema}".ratings_posts (cycle_id, org_id, '
                "subject_key) VALUES (%s, %s, %s)",
                (cycle, where, key),
            )
        for table in ("subjects", "posts"):
            conn.execute(f'ANALYZE "{schema}".ratings_{table}')
    statement = subject_lists.post_holders_sql(cycle, org)
    assert problems(services, schema, statement, "ratings") == []
    found = subject_lists.post_holders(services.projections, cycle, org)
    assert [r["name"] for r in found] == [f"Đảng viên {n:05d}" for n in range(HOLDERS)]
    assert all(r["posts"] == {org: "member"} for r in found)
    # what the page read before: the cycle's every subject (flagged here)
    whole = ("SELECT * FROM {subjects} WHERE cycle_id = ?", [cycle])
    assert problems(services, schema, whole, "ratings") != []
