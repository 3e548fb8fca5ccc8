"""The directory's ancestor table (``org_ancestors``): a target's path from the
root in one indexed query, kept incrementally and equal after a rebuild, on
SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from uuid import UUID

import pytest

from domain.organisations import Organisation
from projections.directory import Directory, ancestor_path, ancestor_paths
from tests.store.test_projections_runtime import (
    BACKENDS,
    Store,
    open_store,
    require_postgres,
)


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    if request.param == "postgres":
        require_postgres()
    with open_store(request.param, mode="inline") as opened:
        yield opened


def found(store: Store, code: str, kind: str, parent: Organisation | None) -> UUID:
    org = Organisation.found(
        org_id=uuid.uuid4(),
        code=code,
        name=code.replace("-", " ").title(),
        kind=kind,
        parent=parent.facts() if parent is not None else None,
        founded_by=store.signer.actor,
    )
    store.save(org)
    return org.id


def tree(store: Store) -> dict[str, UUID]:
    made: dict[str, Organisation] = {}
    plan = [
        ("tinh", "provincial_committee", None),
        ("huyen-dong", "district_committee", "tinh"),
        ("huyen-tay", "district_committee", "tinh"),
        ("xa-dong", "grassroots_committee", "huyen-dong"),
        ("chi-bo-a", "cell", "xa-dong"),
        ("chi-bo-tay", "cell", "huyen-tay"),
    ]
    for code, kind, parent in plan:
        org_id = found(store, code, kind, made.get(parent) if parent else None)
        made[code] = store.app.repository.get(org_id)
    return {code: org.id for code, org in made.items()}


def test_the_path_runs_from_the_root_down_to_the_target(store: Store) -> None:
    ids = tree(store)
    runtime = store.runtime(Directory())
    runtime.catch_up()
    assert ancestor_path(runtime, ids["chi-bo-a"]) == (
        ids["tinh"],
        ids["huyen-dong"],
        ids["xa-dong"],
        ids["chi-bo-a"],
    )
    assert ancestor_path(runtime, ids["tinh"]) == (ids["tinh"],)
    assert ancestor_path(runtime, uuid.uuid4()) == ()
    paths = ancestor_paths(runtime, [ids["chi-bo-tay"], ids["huyen-dong"]])
    assert paths == {
        ids["chi-bo-tay"]: (ids["tinh"], ids["huyen-tay"], ids["chi-bo-tay"]),
        ids["huyen-dong"]: (ids["tinh"], ids["huyen-dong"]),
    }
    assert len(ancestor_paths(runtime)) == len(ids)
    # the branch below an organisation, by the descendants index
    below = runtime.query(
        "directory",
        "SELECT org_id FROM {org_ancestors} WHERE ancestor_id = ? ORDER BY depth",
        [str(ids["huyen-dong"])],
    )
    assert [UUID(r["org_id"]) for r in below] == [
        ids["huyen-dong"],
        ids["xa-dong"],
        ids["chi-bo-a"],
    ]


def test_incremental_rows_equal_a_rebuild(store: Store) -> None:
    ids = tree(store)
    runtime = store.runtime(Directory())
    runtime.catch_up()
    before = runtime.digest_details(["directory"])["directory"]
    runtime.rebuild(["directory"])
    after = runtime.digest_details(["directory"])["directory"]
    assert before == after
    assert ancestor_path(runtime, ids["chi-bo-tay"])[-1] == ids["chi-bo-tay"]


def test_the_path_query_uses_the_key_index(store: Store) -> None:
    if store.kind == "postgres":
        plan = store.runtime(Directory())
        plan.catch_up()
        found_index = plan.query(
            "directory",
            "SELECT indexname FROM pg_indexes WHERE indexname LIKE ?",
            ["%org_descendants%"],
        )
        assert found_index
        return
    runtime = store.runtime(Directory())
    runtime.catch_up()
    rows = runtime.query(
        "directory",
        "EXPLAIN QUERY PLAN SELECT ancestor_id FROM {org_ancestors} "
        "WHERE org_id = ? ORDER BY depth DESC",
        ["x"],
    )
    detail = " ".join(str(r["detail"]) for r in rows)
    assert "USING INDEX" in detail or "USING PRIMARY KEY" in detail, detail
    rows = runtime.query(
        "directory",
        "EXPLAIN QUERY PLAN SELECT org_id FROM {org_ancestors} WHERE ancestor_id = ?",
        ["x"],
    )
    assert "org_descendants" in " ".join(str(r["detail"]) for r in rows)
