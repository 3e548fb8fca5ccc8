"""``kiemdiem demo --province --members N``: a generated province and its whole
2025 cycle through the real services, at a size a test can afford."""

import json
import os
import unicodedata
from uuid import UUID

import pytest
from click.testing import CliRunner

from cli.context import open_services
from cli.main import cli
from services.demo_province import PHASES
from services.demo_province_plan import plan_province
from web.catalogue.demo import PHASE_LABELS

PASSWORD = "mat-khau-quan-tri"


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("KIEMDIEM_DATABASE_URL", f"sqlite:///{tmp_path}/k.db")
    monkeypatch.setenv("KIEMDIEM_INSTANCE_DIR", str(tmp_path))
    monkeypatch.setenv("KIEMDIEM_ARGON2_MEMORY_KIB", "1024")
    monkeypatch.setenv("KIEMDIEM_ADMIN_PASSWORD", PASSWORD)
    # Outside the demo the log key's passphrase comes from the environment.
    monkeypatch.setenv("KIEMDIEM_LOG_KEY_PASSPHRASE", "cum-tu-bao-ve-khoa-nhat-ky")
    monkeypatch.delenv("KIEMDIEM_PROJECTIONS", raising=False)
    return tmp_path


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_the_plan_is_deterministic_realistic_and_unique():
    plan = plan_province(1000, 7)
    again = plan_province(1000, 7)
    other = plan_province(1000, 8)
    assert [m.name for m in plan.members] == [m.name for m in again.members]
    assert [m.name for m in plan.members] != [m.name for m in other.members]
    members = plan.members
    assert len(members) == 1000
    assert len({m.card for m in members}) == 1000
    sizes = [len(c.members) for c in plan.cells]
    assert 20 <= sum(sizes) / len(sizes) <= 30
    assert min(sizes) >= 15
    assert len({c.code for c in plan.cells}) == len(plan.cells)
    # Vietnamese names with their diacritics, in NFC.
    assert any("ễ" in m.name or "ươ" in m.name or "ư" in m.name for m in members)
    assert all(unicodedata.is_normalized("NFC", m.name) for m in members)
    assert all(m.admitted > m.birth for m in members)
    for level in plan.levels:
        roles = [m.leader_role for m in level.leaders]
        assert roles == ["head", "deputy", "member"]
    with pytest.raises(ValueError, match="at least"):
        plan_province(5, 1)


def test_province_of_thirty_members_with_its_whole_cycle(env):
    assert run("init").exit_code == 0
    result = run("demo", "--province", "--members", "30", "--seed", "11")
    assert result.exit_code == 0, result.output
    assert "Đã tạo tỉnh mẫu:" in result.output
    for phase in PHASES:  # by its Vietnamese name, not the internal one
        assert f"  {PHASE_LABELS[phase]} " in result.output
    assert "org_tree" not in result.output
    assert "cycle_open" not in result.output

    accounts = env / "demo-accounts.txt"
    assert accounts.stat().st_mode & 0o777 == 0o600
    lines = [line.split("\t") for line in accounts.read_text().splitlines()]
    assert [(name, role) for name, role, _ in lines] == [
        ("thuky", "secretary"),
        ("captuy", "decision_maker"),
        ("ubkt", "inspector"),
        ("dangvien", "member"),
        ("bankiemphieu", "counting"),
    ]

    plan = plan_province(30, 11)
    with open_services() as services:
        for name, _role, password in lines:
            assert services.authenticate(name, password) is not None, name
        members = services.members()
        assert len(members) == 30
        assert {m.party_card_no for m in members} == {m.card for m in plan.members}
        cycles = services.ratings.cycles()
        assert [(c["year"], c["org_name"]) for c in cycles] == [
            (2025, "Tỉnh ủy Hồng Lam")
        ]
        cycle = UUID(cycles[0]["cycle_id"])
        subjects = services.ratings.subjects(cycle)
        assert len(subjects) == 30 + plan.organisations
        undecided = [
            s["name"] for s in subjects if s["status"] != "decided" and not s["exempt"]
        ]
        assert undecided == ["Tỉnh ủy Hồng Lam"]  # decided outside the province
        leaders = [s for s in subjects if s["klass"] == "leader"]
        assert len(leaders) == 3 * len(plan.levels)
        assert all(s["level"] for s in leaders)
        held = {
            (r["subject_key"], r["venue_id"])
            for r in services.ratings.reviews(cycle)
            if r["held_on"] is not None
        }
        for s in subjects:
            if not s["exempt"]:
                assert {(s["subject_key"], v) for v in s["venues"]} <= held
        statistics = services.ratings.statistics(cycle, plan.province.org_id)
        assert statistics["members"]["pending"] == 0
        assert statistics["leaders"]["pending"] == 0
        rated = statistics["members"]["rated"] + statistics["leaders"]["rated"]
        assert rated == len(
            [s for s in subjects if s["kind"] == "individual" and not s["exempt"]]
        )

    verified = run("verify", "--json")
    assert verified.exit_code == 0, verified.output
    assert json.loads(verified.output)["ok"] is True

    again = run("demo", "--province", "--members", "30", "--seed", "11")
    assert again.exit_code == 1
    assert "không tạo được tỉnh mẫu" in again.output


def test_province_needs_a_member_count(env):
    assert run("demo", "--province").exit_code == 2
    assert run("demo", "--members", "30").exit_code == 2
    too_few = run("demo", "--province", "--members", "3")
    assert too_few.exit_code == 2
    assert not os.path.exists(env / "demo-accounts.txt")
