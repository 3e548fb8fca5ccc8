"""`kiemdiem verify` on the command line: report shapes, exit codes (§8.2–§8.3),
incremental runs (§8.4) and cosignatures (§8.1 item 10)."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from click.testing import CliRunner
from eventsourcing.domain import Aggregate, event

from cli.verify_cmd import verify as verify_command
from ledger import note
from ledger import verify as ledger_verify
from ledger.signing import signing_as
from ledger.verify import KINDS
from ledger.verify.store import _Store

if TYPE_CHECKING:
    from tests.store.conftest import Store, World


def run(*args: str, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(verify_command, list(args), env=env)


def write(path: Path, data: bytes) -> str:
    path.write_bytes(data)
    return str(path)


FAILURE_KEYS = {
    "index",
    "notification_id",
    "stream",
    "version",
    "kind",
    "detail",
    "consequences",
}


def test_json_report_shape(world: World, backend: Store, tmp_path: Path) -> None:
    note_path = write(tmp_path / "a.checkpoint", backend.checkpoint())
    trust = str(backend.trust_root_file())

    ok = run(backend.url, "--trust-root", trust, "--checkpoint", note_path, "--json")
    assert ok.exit_code == 0, ok.output
    report = json.loads(ok.stdout)
    assert list(report) == [
        "ok",
        "origin",
        "events",
        "counts",
        "checks",
        "first_failure",
        "failures",
        "latest_verified_checkpoint",
        "elapsed_s",
    ]
    assert report["ok"] is True
    assert report["origin"] == backend.trust_root["origin"]
    assert report["events"] == report["counts"]["events"] > 0
    assert set(report["counts"]) == {
        "events",
        "streams",
        "keys",
        "checkpoints",
        "cosignatures",
    }
    assert report["counts"]["events"] == 10
    assert [set(c) for c in report["checks"]] == [{"name", "status", "count"}] * len(
        report["checks"]
    )
    assert {c["status"] for c in report["checks"]} == {"OK"}
    assert report["first_failure"] is None
    assert report["failures"] == []
    assert report["latest_verified_checkpoint"] == Path(note_path).read_text()
    assert isinstance(report["elapsed_s"], float)

    nid, state = backend.row(world.r1.id, 2)
    backend.set_state(nid, state.replace("Hoàn".encode(), b"Hoan"))
    bad = run(backend.url, "--trust-root", trust, "--checkpoint", note_path, "--json")
    assert bad.exit_code == 1, bad.output
    report = json.loads(bad.stdout)
    assert report["ok"] is False
    first = report["first_failure"]
    assert set(first) == FAILURE_KEYS
    assert (first["kind"], first["notification_id"], first["version"]) == (
        "bad_signature",
        nid,
        2,
    )
    assert first["stream"] == str(world.r1.id)
    assert report["failures"][0] == first
    kinds = {c["kind"] for c in first["consequences"]}
    assert kinds == {"leaf_mismatch", "chain_break", "checkpoint_root_mismatch"}
    assert all(f["kind"] in KINDS for f in report["failures"])
    statuses = {c["name"]: c["status"] for c in report["checks"]}
    assert statuses["signatures"] == "FAIL"


def test_human_report(world: World, backend: Store) -> None:
    trust = str(backend.trust_root_file())
    backend.checkpoint()
    ok = run(backend.url, "--trust-root", trust)
    assert ok.exit_code == 0, ok.output
    assert "OK    signatures" in ok.stdout
    assert "Tổng cộng: 10 sự kiện, 5 luồng, 3 khóa, 1 checkpoint" in ok.stdout
    assert (
        "Checkpoint mới nhất đã kiểm tra:\nkiemdiem.test/dang-bo-x\n10\n" in ok.stdout
    )
    assert ok.stdout.rstrip().endswith("Kết quả: HỢP LỆ")
    assert ok.stderr == ""  # no progress bar when stderr is not a terminal

    nid, state = backend.row(world.r2.id, 1)
    backend.set_state(nid, state.replace(b"Tr", b"Tx", 1))
    bad = run(backend.url, "--trust-root", trust, "--max-failures", "1")
    assert bad.exit_code == 1
    assert "FAIL  signatures" in bad.stdout
    assert f"Lỗi đầu tiên: bad_signature tại #7, thông báo {nid}" in bad.stdout
    assert "└ leaf_mismatch" in bad.stdout
    assert bad.stdout.rstrip().endswith("Kết quả: KHÔNG HỢP LỆ")


def test_database_url_and_trust_root_defaults(backend: Store, tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    instance.mkdir()
    env = {"KIEMDIEM_DATABASE_URL": backend.url, "KIEMDIEM_INSTANCE_DIR": str(instance)}
    missing = run(env=env)
    assert missing.exit_code == 2
    assert "không có gốc tin cậy" in missing.stderr
    assert str(instance / "trust-root.json") in missing.stderr

    (instance / "trust-root.json").write_text(json.dumps(backend.trust_root))
    backend.integrate()
    assert run(env=env).exit_code == 0


def test_usage_and_input_errors_exit_2(backend: Store, tmp_path: Path) -> None:
    trust = str(backend.trust_root_file())
    assert run(backend.url, "--trust-root", str(tmp_path / "nope.json")).exit_code == 2
    garbage = write(tmp_path / "garbage.json", b"{not json")
    result = run(backend.url, "--trust-root", garbage)
    assert result.exit_code == 2
    assert "không phải JSON hợp lệ (dòng 1, cột 2)" in result.stderr
    result = run(backend.url, "--trust-root", trust, "--checkpoint", garbage)
    assert result.exit_code == 2
    assert "không hợp lệ (chi tiết kỹ thuật:" in result.stderr
    missing = str(tmp_path / "missing.checkpoint")
    assert (
        run(backend.url, "--trust-root", trust, "--checkpoint", missing).exit_code == 2
    )
    assert run(backend.url, "--trust-root", trust, "--jobs", "0").exit_code == 2
    result = run("sqlite:///:memory:", "--trust-root", trust)
    assert result.exit_code == 2
    assert ":memory:" in result.stderr
    assert run("mysql://x/y", "--trust-root", trust).exit_code == 2
    # A checkpoint signed by a key the trust root does not list is refused.
    stranger = note.NoteSigner(
        backend.trust_root["origin"], backend.new_signer().private_key
    )
    foreign = note.sign_note(
        note.Checkpoint(backend.trust_root["origin"], 1, b"\0" * 32).body(), [stranger]
    )
    path = write(tmp_path / "foreign.checkpoint", foreign)
    assert run(backend.url, "--trust-root", trust, "--checkpoint", path).exit_code == 2


def test_unreadable_store_exits_3(backend: Store, tmp_path: Path) -> None:
    trust = str(backend.trust_root_file())
    result = run(f"sqlite:///{tmp_path / 'absent.db'}", "--trust-root", trust)
    assert result.exit_code == 3
    assert "không có kho SQLite ở" in result.stderr
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    result = run(f"sqlite:///{empty}", "--trust-root", trust)
    assert result.exit_code == 3
    if backend.backend == "postgres":
        url = backend.url.rsplit("=", 1)[0] + "=t_no_such_schema"
        result = run(url, "--trust-root", trust)
        assert result.exit_code == 3
        url = "postgresql://postgres@127.0.0.1:1/test"
        assert run(url, "--trust-root", trust).exit_code == 3


def test_verify_is_read_only(world: World, backend: Store) -> None:
    """Nothing is created or written: a second run sees the very same store."""
    backend.checkpoint()
    before = (
        backend.rows(),
        backend.sql(f"SELECT * FROM {backend.table('ledger_leaves')} ORDER BY idx"),
    )
    assert (
        run(backend.url, "--trust-root", str(backend.trust_root_file())).exit_code == 0
    )
    after = (
        backend.rows(),
        backend.sql(f"SELECT * FROM {backend.table('ledger_leaves')} ORDER BY idx"),
    )
    assert before == after


def test_strict_turns_not_integrated_into_a_failure(
    world: World, backend: Store
) -> None:
    backend.comment(world.alice, world.r1, "Chưa tích hợp")  # integrator not run
    trust = str(backend.trust_root_file())
    relaxed = run(backend.url, "--trust-root", trust, "--json")
    assert relaxed.exit_code == 0
    checks = {c["name"]: c["status"] for c in json.loads(relaxed.stdout)["checks"]}
    assert checks["global_log"] == "WARN"
    strict = run(backend.url, "--trust-root", trust, "--json", "--strict")
    assert strict.exit_code == 1
    report = json.loads(strict.stdout)
    assert report["first_failure"]["kind"] == "not_integrated"
    assert report["first_failure"]["notification_id"] == backend.rows()[-1][0]


def test_since_and_save_state(world: World, backend: Store, tmp_path: Path) -> None:
    trust = str(backend.trust_root_file())
    state = tmp_path / "verify.state"
    first = run(backend.url, "--trust-root", trust, "--save-state", str(state))
    assert first.exit_code == 0, first.output
    saved = json.loads(state.read_text())
    assert saved["size"] == 10
    assert saved["origin"] == backend.trust_root["origin"]

    backend.comment(world.bob, world.r2, "Ý kiến mới sau lần kiểm tra trước")
    backend.integrate()
    again = run(backend.url, "--trust-root", trust, "--since", str(state), "--json")
    assert again.exit_code == 0, again.output
    report = json.loads(again.stdout)
    checks = {c["name"]: (c["status"], c["count"]) for c in report["checks"]}
    assert checks["prefix"] == ("OK", 10)
    assert checks["signatures"] == ("OK", 1)  # only the new event is re-checked
    assert report["counts"]["events"] == 11

    # A new event whose chain link is wrong is still caught after the prefix.
    nid, row = backend.row(world.r2.id, 3)
    backend.set_state(nid, row.replace("kiểm tra".encode(), "kiểm soát".encode()))
    report = json.loads(
        run(backend.url, "--trust-root", trust, "--since", str(state), "--json").stdout
    )
    assert report["first_failure"]["kind"] == "bad_signature"

    # Rewriting an old event is caught by the hash-only prefix pass.
    backend.set_state(nid, row)
    old_nid, old = backend.row(world.r1.id, 2)
    backend.set_state(old_nid, old.replace("Hoàn".encode(), b"Hoan"))
    result = run(backend.url, "--trust-root", trust, "--since", str(state), "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert [f["kind"] for f in report["failures"]] == ["prefix_rewritten"]
    prefix = report["failures"][0]
    assert f"notification {old_nid}" in prefix["detail"]
    assert [(c["kind"], c["notification_id"]) for c in prefix["consequences"]] == [
        ("leaf_mismatch", old_nid)
    ]


def test_save_state_only_after_success(
    world: World, backend: Store, tmp_path: Path
) -> None:
    state = tmp_path / "verify.state"
    nid, row = backend.row(world.r1.id, 2)
    backend.set_state(nid, row.replace("Hoàn".encode(), b"Hoan"))
    trust = str(backend.trust_root_file())
    assert (
        run(backend.url, "--trust-root", trust, "--save-state", str(state)).exit_code
        == 1
    )
    assert not state.exists()
    state.write_text("{}")
    assert run(backend.url, "--trust-root", trust, "--since", str(state)).exit_code == 2


# -- cosignatures ----------------------------------------------------------------------


class Cosigning(Aggregate):
    """Stand-in for the service's record of a committee member's cosignature."""

    @event("CheckpointCosigned")
    def __init__(self, size: int, root: str, cosigner_name: str, line: str) -> None:
        self.size = size


def test_cosignature_events_and_witness_lines(
    world: World, backend: Store, tmp_path: Path
) -> None:
    origin = backend.trust_root["origin"]
    stored = backend.checkpoint()
    checkpoint = note.parse_checkpoint(stored.decode().split("\n\n")[0] + "\n")
    member = backend.new_signer()
    name = f"{origin}/ubkt/{member.actor[2:]}"
    backend.register(member, cosigner_name=name)
    line = note.cosign(checkpoint.body(), name, member.private_key, int(time.time()))
    root = base64.b64encode(checkpoint.root).decode()
    with signing_as(member):
        backend.app.save(Cosigning(checkpoint.size, root, name, line))
    forged = line[:-10] + ("A" if line[-10] != "A" else "B") + line[-9:]
    with signing_as(member):
        backend.app.save(Cosigning(checkpoint.size, root, name, forged))
    backend.integrate()

    # A witness listed in the trust root cosigns the checkpoint note.
    witness = backend.new_signer()
    witness_name = "witness.example/w1"
    trust_root = dict(backend.trust_root)
    trust_root["witness_keys"] = [
        note.cosigner_key_string(witness_name, witness.private_key.public_key())
    ]
    witness_line = note.cosign(
        checkpoint.body(), witness_name, witness.private_key, int(time.time())
    )
    unknown_line = note.cosign(
        checkpoint.body(), "someone.else/w9", witness.private_key, int(time.time())
    )
    held = stored + witness_line.encode() + unknown_line.encode()

    report = ledger_verify.verify(
        backend.url, trust_root, checkpoints=[("held", held)], jobs=1
    )
    assert report.counts["cosignatures"] == 2  # the good event and the witness
    assert [(f.kind, f.version) for f in report.failures] == [
        ("cosignature_invalid", 1)
    ]
    assert name in report.failures[0].detail

    bad_witness = stored + witness_line.replace(witness_line[-6:-1], "AAAAA").encode()
    with pytest.raises(ledger_verify.VerifyInputError):
        ledger_verify.verify(  # the note itself does not parse with a broken line
            backend.url, trust_root, checkpoints=[("held", b"x" + bad_witness)], jobs=1
        )
    report = ledger_verify.verify(
        backend.url, trust_root, checkpoints=[("held", bad_witness)], jobs=1
    )
    kinds = [f.kind for f in report.failures]
    assert kinds.count("cosignature_invalid") == 2


def test_store_is_read_in_one_read_only_snapshot(backend: Store) -> None:
    store = _Store(ledger_verify.settings_for(backend.url))
    try:
        if backend.backend == "postgres":
            mode = store.query(
                "SELECT current_setting('transaction_isolation'), "
                "current_setting('transaction_read_only')"
            )
            assert mode == [("repeatable read", "on")]
        with pytest.raises(ledger_verify.StoreUnreadableError):
            store.query(f"DELETE FROM {store.events}")
    finally:
        store.close()
    assert len(backend.rows()) == 1
