"""The inspection committee's workspace at the service level (issue 5), on SQLite
and PostgreSQL: history with signature status, as-of equals a replay, proof
bundles checked offline, cosigning, rollback, access records, scope."""

from __future__ import annotations

import base64
import json
import sqlite3
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from uuid import UUID

import psycopg
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from domain.errors import DomainError
from domain.members import PartyMember
from ledger import bundle, history, note
from ledger.envelope import unpack
from services import audit_commands as ac
from services import commands as c

PASSWORDS = {
    "ubkt": "mat-khau-kiem-tra",
    "ubkt-xa": "mat-khau-kiem-tra-xa",
    "thuky": "mat-khau-thu-ky",
}


@dataclass
class Seed:
    province: UUID
    district: UUID
    cell_a: UUID
    cell_b: UUID
    member: UUID
    inspector: object  # services.app.Session
    local_inspector: object
    secretary: object


@pytest.fixture
def seed(services, admin) -> Seed:
    def found(code, name, kind, parent):
        return services.handle(
            c.FoundOrganisation(admin.actor, code, name, kind, parent), admin.signer
        )

    province = found("tinh-uy", "Tỉnh ủy Thử", "provincial_committee", None)
    district = found("huyen-uy", "Huyện ủy Đông", "district_committee", province)
    cell_a = found("chi-bo-a", "Chi bộ A", "cell", district)
    cell_b = found("chi-bo-b", "Chi bộ B", "cell", district)
    member = services.handle(
        c.EnrolMember(
            admin.actor,
            "Nguyễn Văn An",
            "DV00000001",
            date(1980, 5, 17),
            date(2005, 2, 3),
            "full",
            cell_a,
        ),
        admin.signer,
    )
    for username, roles, org in (
        ("ubkt", ("inspector",), province),
        ("ubkt-xa", ("inspector",), cell_b),
        ("thuky", ("secretary",), province),
    ):
        services.handle(
            c.OpenAccount(
                admin.actor, username, username, roles, PASSWORDS[username], org_id=org
            ),
            admin.signer,
        )

    def login(username):
        session = services.authenticate(username, PASSWORDS[username])
        assert session is not None
        return session

    return Seed(
        province,
        district,
        cell_a,
        cell_b,
        member,
        login("ubkt"),
        login("ubkt-xa"),
        login("thuky"),
    )


def _tamper(services, database_url: str, statement: str, params=()) -> None:
    """The DBA adversary: plain SQL on a separate connection, triggers off."""
    sql = services.ledger.sql
    if sql.postgres:
        schema = services.settings.pg_schema
        with psycopg.connect(
            "host=127.0.0.1 port=5432 dbname=test user=postgres", autocommit=True
        ) as conn:
            for name in ("ledger_events", "ledger_leaves"):
                conn.execute(f'ALTER TABLE "{schema}".{name} DISABLE TRIGGER USER')
            conn.execute(statement.replace("?", "%s"), tuple(params))
        return
    lite = sqlite3.connect(str(services.settings.sqlite_path))
    try:
        with lite:
            lite.execute(statement, tuple(params))
    finally:
        lite.close()


def test_history_lists_every_event_with_actor_key_and_status(services, admin, seed):
    services.handle(
        c.TransferMember(admin.actor, seed.member, seed.cell_b), admin.signer
    )
    found = services.audit.history(seed.inspector.actor, seed.member)
    own = [i for i in found.items if i.own]
    assert [i.kind for i in own] == ["Enrolled", "Transferred"]
    assert all(i.entry.ok for i in found.items)
    assert own[0].actor_name == "Quản trị hệ thống"
    assert own[0].entry.key_id == admin.signer.key_id.hex()
    assert own[0].entry.key_role == "admin"
    assert found.versions == [1, 2]
    # filters: by kind and by period
    only = services.audit.history(seed.inspector.actor, seed.member, kind="Transferred")
    assert [i.kind for i in only.items] == ["Transferred"]
    later = datetime.now(UTC) + timedelta(days=1)
    assert (
        services.audit.history(seed.inspector.actor, seed.member, since=later).items
        == []
    )


def test_history_of_an_organisation_names_what_mentions_it(services, seed):
    found = services.audit.history(seed.inspector.actor, seed.cell_a)
    kinds = {i.kind for i in found.items}
    assert {"Founded", "Enrolled"} <= kinds  # its own founding and the enrolment


def test_edited_row_shows_as_failed_signature_at_its_place(
    services, admin, seed, database_url
):
    services.handle(
        c.TransferMember(admin.actor, seed.member, seed.cell_b), admin.signer
    )
    rows = history.stream_rows(services.ledger.sql, seed.member)
    first = rows[0]
    edited = first.state.replace("Nguyễn Văn An".encode(), "Nguyễn Văn Ân".encode())
    assert edited != first.state
    sql = services.ledger.sql
    _tamper(
        services,
        database_url,
        f"UPDATE {sql.events_table} SET state = ? WHERE {sql.notification_id} = ?",
        (edited, first.notification_id),
    )
    found = services.audit.history(seed.inspector.actor, seed.member)
    own = [i for i in found.items if i.own]
    assert own[0].entry.status == "bad_signature"
    assert own[0].entry.row.notification_id == first.notification_id
    assert own[1].entry.status == "chain_break"  # the next version's prev
    assert found.failures >= 2


def test_state_as_of_equals_a_replay_up_to_that_moment(services, admin, seed):
    before = services.audit.state_at(
        seed.inspector.actor, seed.member, datetime.now(UTC)
    )
    time.sleep(0.01)
    middle = datetime.now(UTC)
    time.sleep(0.01)
    services.handle(
        c.TransferMember(admin.actor, seed.member, seed.cell_b), admin.signer
    )
    at_middle = services.audit.state_at(seed.inspector.actor, seed.member, middle)
    now = services.audit.state_at(seed.inspector.actor, seed.member, datetime.now(UTC))
    assert at_middle == before
    assert at_middle.state["cell_id"] == str(seed.cell_a)
    assert now.state["cell_id"] == str(seed.cell_b)
    # the library's own replay of the first version gives the same state
    replayed = services.ledger.repository.get(seed.member, version=1)
    assert isinstance(replayed, PartyMember)
    assert at_middle.state["cell_id"] == str(replayed.cell_id)
    # the organisation as of the middle: the member was still in cell A
    as_of = services.audit.as_of(seed.inspector.actor, seed.cell_a, middle)
    assert [s.subject_id for s in as_of.related if s.kind == "PartyMember"] == [
        seed.member
    ]
    assert as_of.main.state["name"] == "Chi bộ A"
    after = services.audit.as_of(seed.inspector.actor, seed.cell_a, datetime.now(UTC))
    assert [s for s in after.related if s.kind == "PartyMember"] == []
    # and before anything existed: nothing
    empty = services.audit.state_at(
        seed.inspector.actor, seed.member, datetime(2000, 1, 1, tzinfo=UTC)
    )
    assert empty.version == 0


def test_diff_between_versions(services, admin, seed):
    services.handle(
        c.TransferMember(admin.actor, seed.member, seed.cell_b), admin.signer
    )
    changes = services.audit.diff(seed.inspector.actor, seed.member, 1, 2)
    assert [(ch.field, ch.before, ch.after) for ch in changes] == [
        ("cell_id", str(seed.cell_a), str(seed.cell_b))
    ]
    with pytest.raises(DomainError) as refused:
        services.audit.diff(seed.inspector.actor, seed.member, 1, 9)
    assert refused.value.code == "audit.version_unknown"


def test_proof_bundle_verifies_offline_and_detects_a_changed_byte(services, seed):
    made = services.audit.proof_bundle(None, seed.member)
    obj = json.loads(json.dumps(made))  # as written to a file
    report = bundle.verify_bundle(obj, services.trust_root)
    assert report.ok, report.failures
    assert [e.version for e in report.events if e.stream == str(seed.member)] == [1]
    assert report.keys >= 1  # the admin key's registration judges the signer
    # one changed byte of the member's envelope: signature and inclusion both fail
    event = next(e for e in obj["events"] if e["index"] == report.events[0].index)
    raw = bytearray(base64.b64decode(event["envelope"]))
    raw[-5] ^= 1
    event["envelope"] = base64.b64encode(bytes(raw)).decode()
    broken = bundle.verify_bundle(obj, services.trust_root)
    assert not broken.ok
    assert {"inclusion_failed"} <= {f.kind for f in broken.failures}


def test_bundle_proofs_follow_rfc9162_as_written(services, seed):
    """An independent verifier written from RFC 9162 §2.1.3.2 accepts the proofs."""
    from rfc9162 import verify_inclusion

    made = services.audit.proof_bundle(None, seed.member)
    size = made["checkpoint"]["size"]
    root = base64.b64decode(made["checkpoint"]["root"])
    for entry in made["events"] + made["keys"]:
        leaf = b"\x00" + base64.b64decode(entry["envelope"])
        proof = [base64.b64decode(h) for h in entry["proof"]]
        assert verify_inclusion(leaf, entry["index"], size, proof, root)


def _cosign(services, session, size: int) -> str:
    stored = services.integrator.checkpoint(size)
    name = services.audit.cosigner_name(session.actor)
    assert name is not None
    body = note.open_note(stored.note, [n for n in _verifiers(services)]).text
    return note.cosign(body, name, session.signer.private_key, int(time.time()))


def _verifiers(services):
    from ledger.trustroot import log_verifiers

    return log_verifiers(services.trust_root)


def test_cosignature_is_an_event_and_deleting_the_last_event_is_a_rollback(
    services, seed, database_url
):
    stored = services.issue_checkpoint()
    line = _cosign(services, seed.inspector, stored.size)
    services.handle(
        ac.CosignCheckpoint(seed.inspector.actor, stored.size, line),
        seed.inspector.signer,
    )
    status = services.audit.checkpoint_status(seed.inspector.actor)
    assert status.incidents == []
    assert [h.size for h in status.held] == [stored.size]
    assert services.audit.cosigned_note(seed.inspector.actor, stored.size).endswith(
        line.encode()
    )
    # verify accepts the cosignature event
    from ledger import verify

    report = verify.verify(database_url, services.trust_root, jobs=1)
    assert report.ok
    assert report.counts["cosignatures"] == 1
    # the DBA deletes the last event (here: the cosignature itself)
    sql = services.ledger.sql
    tip = history.tip(sql)
    _tamper(
        services,
        database_url,
        f"DELETE FROM {sql.events_table} WHERE {sql.notification_id} = ?",
        (tip,),
    )
    status = services.audit.checkpoint_status(seed.inspector.actor)
    kinds = {i.kind for i in status.new_incidents}
    assert "rollback" in kinds
    assert "cosignature_missing" in kinds
    assert any(stored.note.decode() in i.evidence for i in status.incidents)
    # the incident is kept: the next look still shows it, without recording it twice
    again = services.audit.checkpoint_status(seed.inspector.actor)
    assert again.new_incidents == []
    assert len(again.incidents) == len(status.incidents)


def test_deleting_an_event_under_a_held_checkpoint_is_a_rollback(
    services, seed, database_url
):
    stored = services.issue_checkpoint()
    line = _cosign(services, seed.inspector, stored.size)
    services.handle(
        ac.CosignCheckpoint(seed.inspector.actor, stored.size, line),
        seed.inspector.signer,
    )
    sql = services.ledger.sql
    rows = history.rows_up_to(sql, history.tip(sql))
    # delete the last event the checkpoint covers, and everything after it
    for row in rows[stored.size - 1 :]:
        _tamper(
            services,
            database_url,
            f"DELETE FROM {sql.events_table} WHERE {sql.notification_id} = ?",
            (row.notification_id,),
        )
    status = services.audit.checkpoint_status(seed.inspector.actor)
    details = [i.detail for i in status.new_incidents if i.kind == "rollback"]
    assert any(f"fewer than the {stored.size}" in d for d in details)
    # the web's verification job holds the cosigned checkpoint too
    job = services.audit.wait(services.audit.start_verification(seed.inspector.actor))
    assert job.report is not None
    assert job.report["ok"] is False
    kinds = {f["kind"] for f in job.report["failures"]}
    kinds |= {c["kind"] for f in job.report["failures"] for c in f["consequences"]}
    assert "log_shorter_than_checkpoint" in kinds


def test_cosignature_refusals_leave_the_store_unchanged(services, admin, seed):
    stored = services.issue_checkpoint()
    before = services.ledger.max_notification_id()
    line = _cosign(services, seed.inspector, stored.size)
    cases = [
        (seed.inspector, ac.CosignCheckpoint(seed.inspector.actor, stored.size, "x"),
         "audit.cosignature_invalid"),
        (seed.inspector, ac.CosignCheckpoint(seed.inspector.actor, 999, line),
         "audit.checkpoint_not_found"),
        (seed.secretary, ac.CosignCheckpoint(seed.secretary.actor, stored.size, line),
         "auth.forbidden"),
        (admin, ac.CosignCheckpoint(admin.actor, stored.size, line), "auth.forbidden"),
    ]  # fmt: skip
    for session, command, code in cases:
        with pytest.raises(DomainError) as refused:
            services.handle(command, session.signer)
        assert refused.value.code == code
    # a line made by another member's key does not pass for this member's
    other = _cosign(services, seed.local_inspector, stored.size)
    with pytest.raises(DomainError) as refused:
        services.handle(
            ac.CosignCheckpoint(seed.inspector.actor, stored.size, other),
            seed.inspector.signer,
        )
    assert refused.value.code == "audit.cosignature_invalid"
    assert services.ledger.max_notification_id() == before


def test_uploaded_checkpoints_are_compared(services, admin, seed):
    old = services.issue_checkpoint()
    services.handle(
        c.TransferMember(admin.actor, seed.member, seed.cell_b), admin.signer
    )
    services.issue_checkpoint()
    result = services.audit.compare_checkpoint(seed.inspector.actor, old.note)
    assert result.outcome == "consistent"
    # a note signed by an unknown key is refused
    key = note.NoteSigner("kiemdiem.test/tinh-uy", Ed25519PrivateKey.generate())
    forged = note.sign_note(
        note.Checkpoint("kiemdiem.test/tinh-uy", 3, bytes(32)).body(), [key]
    )
    with pytest.raises(DomainError) as refused:
        services.audit.compare_checkpoint(seed.inspector.actor, forged)
    assert refused.value.code == "audit.checkpoint_invalid"
    # a checkpoint of the real log key with another root at a known size: a fork
    fork = note.sign_note(
        note.Checkpoint("kiemdiem.test/tinh-uy", old.size, bytes(32)).body(),
        [services.log_signer],
    )
    result = services.audit.compare_checkpoint(seed.inspector.actor, fork)
    assert result.outcome == "fork"
    assert any(i.kind == "fork" for i in services.audit.incidents())


def test_reads_are_recorded_signed_or_kept_pending(services, seed):
    before = services.ledger.max_notification_id()
    assert (
        services.audit.record_access(None, seed.secretary.actor, seed.member, "member")
        is False
    )
    assert services.ledger.max_notification_id() == before  # nothing signed yet
    assert [p[0] for p in services.audit.pending_reads(seed.member)] == [
        seed.secretary.actor
    ]
    assert services.audit.record_access(
        seed.secretary.signer, seed.secretary.actor, seed.member, "member"
    )
    assert services.audit.pending_reads(seed.member) == []
    found = services.audit.history(
        seed.inspector.actor, seed.member, kind="FileAccessed"
    )
    reads = [i.entry for i in found.items]
    assert [(e.actor, e.body["late"]) for e in reads] == [
        (seed.secretary.actor, True),
        (seed.secretary.actor, False),
    ]
    assert all(e.ok for e in reads)
    # signed by the reader's own key
    assert {e.key_id for e in reads} == {seed.secretary.signer.key_id.hex()}


def test_scope_and_role_refusals(services, seed):
    with pytest.raises(DomainError) as refused:
        services.audit.history(seed.local_inspector.actor, seed.member)
    assert refused.value.code == "audit.out_of_scope"
    with pytest.raises(DomainError) as refused:
        services.audit.history(seed.secretary.actor, seed.member)
    assert refused.value.code == "auth.forbidden"
    # the local inspector reads their own chi bộ
    assert services.audit.history(seed.local_inspector.actor, seed.cell_b).items
    names = {
        r.name
        for r in services.audit.in_scope_organisations(seed.local_inspector.actor)
    }
    assert names == {"Chi bộ B"}


def test_inspector_keys_carry_a_cosigner_name(services, seed):
    name = services.audit.cosigner_name(seed.inspector.actor)
    assert name == f"kiemdiem.test/tinh-uy/ubkt/{seed.inspector.account_id}"
    assert services.audit.cosigner_name(seed.secretary.actor) is None


@pytest.mark.slow
def test_verification_job_reports_like_the_cli(services, seed):
    job_id = services.audit.start_verification(seed.inspector.actor)
    job = services.audit.wait(job_id)
    assert job.finished
    assert job.error is None
    assert job.report is not None
    assert job.report["ok"] is True
    assert job.done == job.total == job.report["counts"]["events"]
    with pytest.raises(DomainError):
        services.audit.start_verification(seed.secretary.actor)


def test_envelope_of_bundle_is_the_stored_row(services, seed):
    made = services.audit.proof_bundle(None, seed.member)
    rows = {
        r.notification_id: r.state
        for r in history.stream_rows(services.ledger.sql, seed.member)
    }
    for entry in made["events"]:
        if entry["notification_id"] in rows:
            assert base64.b64decode(entry["envelope"]) == rows[entry["notification_id"]]
            unpack(rows[entry["notification_id"]])


def test_decision_fields_are_shown_as_the_explanation():
    from services.audit_values import explanation as _explanation

    body = {
        "level": "good",
        "decision_no": "12-QĐ/TU",
        "rulebook_id": "366-2025",
        "rules": ["quota", "head_rule"],
        "explanation": "Hoàn thành tốt nhiệm vụ vì …",
        "decided_by": "u:1",
    }
    assert _explanation(body) == [
        ("explanation", "Hoàn thành tốt nhiệm vụ vì …"),
        ("decision_no", "12-QĐ/TU"),
        ("rulebook_id", "366-2025"),
        ("rules", "[quota, head_rule]"),
    ]
    assert _explanation({"name": "x"}) == []


def test_as_of_equals_a_replay_at_every_moment(services, admin, seed):
    """At each moment between writes: the page's state equals the library's own
    rebuild at that version, and the organisation-wide replay's copy of it."""
    moments = []
    cells = [seed.cell_b, seed.cell_a, seed.cell_b]
    for cell in cells:
        time.sleep(0.005)
        moments.append(datetime.now(UTC))
        time.sleep(0.005)
        services.handle(c.TransferMember(admin.actor, seed.member, cell), admin.signer)
    moments.append(datetime.now(UTC))
    for version, moment in enumerate(moments, start=1):
        page = services.audit.state_at(seed.inspector.actor, seed.member, moment)
        assert page.version == version
        rebuilt = services.ledger.repository.get(seed.member, version=version)
        assert page.state["cell_id"] == str(rebuilt.cell_id)
        _, world = services.audit.replay_until(moment)
        assert world[seed.member].version == version
        assert world[seed.member].cell_id == rebuilt.cell_id


def test_nested_state_is_compared_field_by_field():
    from services.audit_values import state_of as _state_of

    class Round:
        id = UUID(int=1)
        version = 2

        def __init__(self):
            self.entries = {"member:a": {"decision": {"level": "good", "no": "1"}}}
            self._private = 1

    state = _state_of(Round()).state  # type: ignore[arg-type]
    assert state == {
        "entries.member:a.decision.level": "good",
        "entries.member:a.decision.no": "1",
    }


def test_bundle_needs_its_key_events_its_whole_stream_and_one_history(
    services, admin, seed
):
    services.handle(
        c.TransferMember(admin.actor, seed.member, seed.cell_b), admin.signer
    )
    services.audit.record_access(
        seed.secretary.signer, seed.secretary.actor, seed.member, "member"
    )
    made = json.loads(json.dumps(services.audit.proof_bundle(None, seed.member)))
    assert bundle.verify_bundle(made, services.trust_root).ok
    # without the key events, the secretary's signed read has no known key
    no_keys = {**made, "keys": []}
    kinds = {
        f.kind for f in bundle.verify_bundle(no_keys, services.trust_root).failures
    }
    assert "unknown_key" in kinds
    # without version 1 of the member's stream, the chain has a gap
    first = next(
        e
        for e in made["events"]
        if json.loads(base64.b64decode(e["envelope"])[84:])["stream"]
        == str(seed.member)
    )
    gap = {**made, "events": [e for e in made["events"] if e is not first]}
    kinds = {f.kind for f in bundle.verify_bundle(gap, services.trust_root).failures}
    assert "version_gap" in kinds
    # a checkpoint the auditor holds, same size, another root: equivocation
    size = made["checkpoint"]["size"]
    other = note.sign_note(
        note.Checkpoint("kiemdiem.test/tinh-uy", size, bytes(32)).body(),
        [services.log_signer],
    )
    report = bundle.verify_bundle(made, services.trust_root, [other])
    assert [f.kind for f in report.failures] == ["equivocation"]
    # a bundle for another log is refused as such
    foreign = {**made, "origin": "kiemdiem.test/khac"}
    report = bundle.verify_bundle(foreign, services.trust_root)
    assert [f.kind for f in report.failures] == ["wrong_origin"]
