"""Bulk import of members: every bad row reported, nothing stored until all rows
are valid, then all in one signed transaction (SQLite and PostgreSQL)."""

import io

import pytest

from domain.errors import DomainError
from services import commands as c
from services.member_import import import_members

HEADER = "Họ và tên,Số thẻ đảng viên,Ngày sinh,Ngày vào Đảng,Tình trạng,Mã chi bộ\n"


@pytest.fixture
def cell(services, admin):
    province = services.handle(
        c.FoundOrganisation(
            admin.actor, "tinh", "Tỉnh ủy", "provincial_committee", None
        ),
        admin.signer,
    )
    return services.handle(
        c.FoundOrganisation(admin.actor, "chi-bo-a", "Chi bộ A", "cell", province),
        admin.signer,
    )


def run(services, admin, text, *, dry_run=False, name="ds.csv"):
    return import_members(
        services, admin.signer, text.encode("utf-8"), name, dry_run=dry_run
    )


def test_every_bad_row_is_reported_and_nothing_is_stored(services, admin, cell):
    sheet = HEADER + (
        "Nguyễn Văn An,DV0001,1980-01-02,2010-03-04,chính thức,chi-bo-a\n"
        ",DV0002,1980-01-02,2010-03-04,chính thức,chi-bo-a\n"
        "Trần Thị Bình,DV0001,02/01/1981,2011-03-04,dự bị,chi-bo-a\n"
        "Lê Văn Cường,DV0003,31/02/1980,2010-03-04,chính thức,chi-bo-x\n"
        "Phạm Thị Dung,DV0004,2012-01-01,2010-03-04,khác,chi-bo-a\n"
        "Hoàng Văn Em,DV0005,2012-01-01,2010-03-04,chính thức,chi-bo-a\n"
    )
    before = services.ledger.max_notification_id()
    report = run(services, admin, sheet)
    problems = {(e.row, e.column, e.code) for e in report.errors}
    assert problems == {
        (3, "full_name", "import.value_required"),
        (4, "party_card_no", "import.card_twice"),
        (5, "birth_date", "import.date_invalid"),
        (5, "cell_code", "import.cell_unknown"),
        (6, "status", "member.status_unknown"),
        (7, None, "member.birth_after_admission"),
    }
    assert report.imported == 0
    assert services.ledger.max_notification_id() == before


def test_dry_run_then_import_in_one_transaction(services, admin, cell):
    sheet = HEADER + (
        "Nguyễn Văn An,DV0001,1980-01-02,2010-03-04,chính thức,chi-bo-a\n"
        "Trần Thị Bình,dv0002,02/01/1981,2011-03-04,dự bị,chi-bo-a\n"
    )
    before = services.ledger.max_notification_id()
    checked = run(services, admin, sheet, dry_run=True)
    assert (checked.valid, checked.imported, checked.errors) == (2, 0, [])
    assert services.ledger.max_notification_id() == before
    done = run(services, admin, sheet)
    assert done.imported == 2
    assert {m.party_card_no for m in services.members(cell)} == {"DV0001", "DV0002"}
    again = run(services, admin, sheet)
    assert {e.code for e in again.errors} == {"member.card_taken"}


def test_xlsx_is_read_like_csv(services, admin, cell):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(
        [
            "full_name",
            "party_card_no",
            "birth_date",
            "admission_date",
            "status",
            "cell_code",
        ]
    )
    sheet.append(
        ["Nguyễn Văn An", "DV0009", "1980-01-02", "2010-03-04", "full", "chi-bo-a"]
    )
    data = io.BytesIO()
    book.save(data)
    report = import_members(
        services, admin.signer, data.getvalue(), "ds.xlsx", dry_run=False
    )
    assert report.imported == 1


def test_missing_columns_and_unknown_type_are_refused(services, admin, cell):
    with pytest.raises(DomainError) as info:
        run(services, admin, "full_name\nAn\n")
    assert info.value.code == "import.columns_missing"
    with pytest.raises(DomainError) as info:
        run(services, admin, HEADER, name="ds.txt")
    assert info.value.code == "import.file_type"


def test_rows_for_a_cell_outside_the_secretarys_branch_are_refused(
    services, admin, cell
):
    province = services.organisation(cell).parent_id
    district = services.handle(
        c.FoundOrganisation(
            admin.actor, "huyen-b", "Huyện ủy B", "district_committee", province
        ),
        admin.signer,
    )
    services.handle(
        c.FoundOrganisation(admin.actor, "chi-bo-b", "Chi bộ B", "cell", district),
        admin.signer,
    )
    services.handle(
        c.OpenAccount(
            admin.actor,
            "thuky-b",
            "Thư ký B",
            ("secretary",),
            "mat-khau-thu-ky-b",
            org_id=district,
        ),
        admin.signer,
    )
    secretary = services.authenticate("thuky-b", "mat-khau-thu-ky-b")
    sheet = HEADER + (
        "Nguyễn Văn An,DV0001,1980-01-02,2010-03-04,chính thức,chi-bo-b\n"
        "Trần Thị Bình,DV0002,1981-01-02,2011-03-04,chính thức,chi-bo-a\n"
    )
    before = services.ledger.max_notification_id()
    report = run(services, secretary, sheet)
    assert {(e.row, e.column, e.code) for e in report.errors} == {
        (3, "cell_code", "auth.out_of_scope")
    }
    assert report.imported == 0
    assert services.ledger.max_notification_id() == before
    report = run(services, secretary, HEADER + sheet.splitlines(True)[1])
    assert (report.errors, report.imported) == ([], 1)
