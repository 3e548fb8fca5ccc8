"""`kiemdiem cycles combine` (43-HD mục 2.4) and `kiemdiem criteria define|list`
(366 Điều 10) on the seeded store: the same commands as the web, refusals in
plain words that store nothing."""

from __future__ import annotations

import json
from datetime import date

import pytest
from click.testing import CliRunner

from cli.main import cli
from tests.conftest import ACCOUNTS


@pytest.fixture
def store(store_dir, monkeypatch, world):
    from ledger.config import settings_from_environ
    from services import rating_commands as rc
    from services.app import Kiemdiem

    services = Kiemdiem(settings_from_environ())
    try:
        admin = services.authenticate("admin", world.password("admin"))
        sec = services.authenticate("thuky", world.password("secretary"))
        assert admin is not None
        assert sec is not None
        for org in ("collective", "district"):
            services.handle(
                rc.AssignPost(
                    admin.actor,
                    world.member_id,
                    world.orgs[org],
                    "head",
                    date(2024, 1, 1),
                ),
                admin.signer,
            )
        cycle = services.handle(
            rc.OpenCycle(
                sec.actor,
                world.orgs["district"],
                2025,
                reference_date=date(2025, 12, 1),
            ),
            sec.signer,
        )
    finally:
        services.close()
    monkeypatch.setenv("KIEMDIEM_PASSWORD", ACCOUNTS["secretary"][2])
    return {"cycle": str(cycle)}


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def _position() -> int:
    from ledger.config import settings_from_environ
    from services.app import Kiemdiem

    services = Kiemdiem(settings_from_environ())
    try:
        return services.ledger.max_notification_id()
    finally:
        services.close()


def test_cycles_list_and_combine(store):
    listed = json.loads(run("cycles", "list", "--json").output)
    assert [c["cycle_id"] for c in listed] == [store["cycle"]]
    before = _position()
    bad = run(
        "cycles",
        "combine",
        store["cycle"],
        "btv-huyen-uy-dong",
        "--with",
        "chi-bo-xom-a",
        "--user",
        "thuky",
    )
    assert bad.exit_code == 1
    assert "Chỉ tập thể lãnh đạo trùng thành viên với cấp ủy" in bad.output
    assert _position() == before
    done = run(
        "cycles",
        "combine",
        store["cycle"],
        "btv-huyen-uy-dong",
        "--with",
        "huyen-uy-dong",
        "--user",
        "thuky",
    )
    assert done.exit_code == 0, done.output
    assert "Kiểm điểm tại: Huyện ủy Đông Hà" in done.output
    again = run(
        "cycles", "combine", store["cycle"], "btv-huyen-uy-dong", "--user", "thuky"
    )
    assert again.exit_code == 0, again.output
    assert "Kiểm điểm tại: Ban Thường vụ Huyện ủy Đông Hà" in again.output
    unknown = run("cycles", "combine", store["cycle"], "khong-co", "--user", "thuky")
    assert unknown.exit_code == 2
    assert "không có tổ chức có mã hoặc id" in unknown.output


def test_criteria_define_and_list(store, tmp_path, monkeypatch):
    monkeypatch.setenv("KIEMDIEM_PASSWORD", ACCOUNTS["decision_maker"][2])
    sheet = tmp_path / "tieu-chi.csv"
    sheet.write_text(
        "code,group,max_points,title\n"
        "1.1,chung,15,Bản lĩnh chính trị\n"
        "1.2,chung,15,Đạo đức lối sống\n"
        "2.1,nhiệm vụ,60,Nhiệm vụ chuyên môn\n",
        encoding="utf-8",
    )
    args = ("criteria", "define", "huyen-uy-dong", "pl4", "2026", str(sheet))
    before = _position()
    short = run(*args, "--user", "captuy")
    assert short.exit_code == 1
    assert "Tổng điểm chưa đúng khung: nhóm tiêu chí chung 30/30 điểm" in short.output
    assert _position() == before
    with sheet.open("a", encoding="utf-8") as out:
        out.write("2.2,nhiệm vụ,10,Nhiệm vụ đột xuất\n")
    done = run(*args, "--user", "captuy")
    assert done.exit_code == 0, done.output
    assert "Đã quy định 4 tiêu chí" in done.output
    listed = run("criteria", "list")
    assert "Huyện ủy Đông Hà  PL4  từ năm 2026  4 tiêu chí" in listed.output
    monkeypatch.setenv("KIEMDIEM_PASSWORD", ACCOUNTS["secretary"][2])
    forbidden = run(*args, "--user", "thuky")
    assert forbidden.exit_code == 1
    assert "Bạn không có quyền thực hiện thao tác này." in forbidden.output
