"""`kiemdiem import members FILE`: every bad row reported in plain words, nothing
stored until all rows are valid, `--dry-run` stores nothing, `--cell` fills the
chi bộ of rows that name none."""

from __future__ import annotations

import io

import pytest
from click.testing import CliRunner
from openpyxl import Workbook

from cli.main import cli
from tests.conftest import ACCOUNTS, ADMIN_PASSWORD

HEADER = "Họ và tên,Số thẻ đảng viên,Ngày sinh,Ngày vào Đảng,Tình trạng,Mã chi bộ\n"
GOOD = (
    "Đào Văn Mới,DV77000001,1990-01-01,2015-05-05,chính thức,chi-bo-xom-b\n"
    "Đào Thị Hai,DV77000002,02/03/1991,2016-05-05,dự bị,\n"
)


@pytest.fixture
def store(store_dir, monkeypatch):
    monkeypatch.setenv("KIEMDIEM_PASSWORD", ACCOUNTS["secretary"][2])
    monkeypatch.delenv("KIEMDIEM_ADMIN_PASSWORD", raising=False)
    return store_dir


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def _state():
    from ledger.config import settings_from_environ
    from services.app import Kiemdiem

    services = Kiemdiem(settings_from_environ())
    try:
        return (
            services.ledger.max_notification_id(),
            sorted(m.full_name for m in services.members()),
        )
    finally:
        services.close()


def test_bad_rows_are_all_reported_in_plain_words_and_nothing_is_stored(
    store, tmp_path
):
    sheet = tmp_path / "ds.csv"
    sheet.write_text(
        HEADER
        + GOOD
        + ",DV77000003,1990-01-01,2015-05-05,chính thức,chi-bo-xom-a\n"
        + "Lê Sai,DV77000001,31/02/1990,2015-05-05,khác,khong-co\n",
        encoding="utf-8",
    )
    before = _state()
    result = run("import", "members", str(sheet), "--user", "thuky", "--dry-run")
    assert result.exit_code == 1
    out = result.output
    assert "dòng 3, Mã chi bộ: Thiếu giá trị bắt buộc." in out
    assert "dòng 4, Họ và tên: Thiếu giá trị bắt buộc." in out
    assert "dòng 5, Số thẻ đảng viên: Số thẻ đảng viên trùng với dòng 2." in out
    assert "dòng 5, Ngày sinh: Ngày không hợp lệ" in out
    assert "dòng 5, Tình trạng: Tình trạng đảng viên không hợp lệ." in out
    assert "(xem `kiemdiem orgs list`)" in out  # the unknown chi bộ code
    assert "3 trên 4 dòng không hợp lệ; chưa nhập dòng nào." in out
    # without --dry-run the same file is refused just as wholly
    again = run("import", "members", str(sheet), "--user", "thuky")
    assert again.exit_code == 1
    assert _state() == before


def test_dry_run_then_import_with_a_default_cell(store, tmp_path):
    sheet = tmp_path / "ds.csv"
    sheet.write_text(HEADER + GOOD, encoding="utf-8")
    before = _state()
    args = ("import", "members", str(sheet), "--user", "thuky", "--cell")
    missing = run(*args, "chi-bo-xom-a", "--dry-run")
    assert missing.exit_code == 0, missing.output
    assert "Cả 2 dòng đều hợp lệ (chạy thử: chưa nhập gì)." in missing.output
    assert _state() == before
    done = run(*args, "chi-bo-xom-a")
    assert done.exit_code == 0, done.output
    assert "Đã nhập 2 đảng viên." in done.output
    count, names = _state()
    assert count > before[0]
    assert {"Đào Văn Mới", "Đào Thị Hai"} <= set(names)
    # the same file again: every card is taken now, nothing more is stored
    twice = run(*args, "chi-bo-xom-a")
    assert twice.exit_code == 1
    assert "Số thẻ đảng viên “DV77000001” đã có trong hệ thống." in twice.output
    assert _state() == (count, names)


def test_xlsx_without_a_cell_column_takes_the_cell_option(store, tmp_path):
    from ledger.config import settings_from_environ
    from services.app import Kiemdiem

    services = Kiemdiem(settings_from_environ())
    try:
        cell_id = next(
            o.org_id for o in services.organisations() if o.code == "chi-bo-xom-b"
        )
    finally:
        services.close()
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(
        ["full_name", "party_card_no", "birth_date", "admission_date", "status"]
    )
    sheet.append(["Vũ Văn Ba", "DV77000009", "1985-01-01", "2010-01-01", "full"])
    buffer = io.BytesIO()
    book.save(buffer)
    path = tmp_path / "ds.xlsx"
    path.write_bytes(buffer.getvalue())
    no_cell = run("import", "members", str(path), "--user", "thuky")
    assert no_cell.exit_code == 2
    assert "Tệp thiếu cột bắt buộc: cell_code." in no_cell.output
    done = run(
        "import", "members", str(path), "--user", "thuky", "--cell", str(cell_id)
    )
    assert done.exit_code == 0, done.output
    assert "Vũ Văn Ba" in _state()[1]


def test_refusals_in_plain_words(store, tmp_path, monkeypatch):
    sheet = tmp_path / "ds.txt"
    sheet.write_text(HEADER, encoding="utf-8")
    unreadable = run("import", "members", str(sheet), "--user", "thuky")
    assert unreadable.exit_code == 2
    assert "Chỉ nhận tệp .csv hoặc .xlsx." in unreadable.output
    good = tmp_path / "ds.csv"
    good.write_text(HEADER + GOOD, encoding="utf-8")
    monkeypatch.setenv("KIEMDIEM_PASSWORD", ACCOUNTS["member"][2])
    member = run("import", "members", str(good), "--user", "dangvien")
    assert member.exit_code == 1
    assert "Bạn không có quyền thực hiện thao tác này." in member.output
    monkeypatch.setenv("KIEMDIEM_PASSWORD", "sai")
    wrong = run("import", "members", str(good), "--user", "thuky")
    assert wrong.exit_code == 2
    assert "sai tên tài khoản hoặc mật khẩu" in wrong.output
    monkeypatch.delenv("KIEMDIEM_PASSWORD")
    monkeypatch.setenv("KIEMDIEM_ADMIN_PASSWORD", ADMIN_PASSWORD)
    admin = run("import", "members", str(good), "--cell", "chi-bo-xom-a", "--dry-run")
    assert admin.exit_code == 0, admin.output


def test_the_progress_bar_counts_rows(capsys):
    from cli.import_cmd import _progress

    with _progress(True) as update:
        assert update is not None
        update(1, 2)
        update(2, 2)
    assert "dòng đã kiểm tra" in capsys.readouterr().err
    with _progress(False) as nothing:
        assert nothing is None
