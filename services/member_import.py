"""Bulk import of members from CSV or XLSX (issue 3, item 1).

Every row is checked first — shape, dates, the chi bộ by its code, the card
number free in the store and unique in the file, and the domain's own rules by
building the aggregate in memory — and every bad row is reported. Nothing is
stored unless all rows are valid; then all members are saved in one signed
transaction. ``dry_run`` stops after the checks.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from eventsourcing.domain import Aggregate

from domain.accounts import UserAccount
from domain.errors import DomainError
from domain.members import MemberFacts, MembershipStatus, PartyMember, normalise_card
from domain.organisations import Organisation
from ledger.signing import Signer
from services import ids
from services.app import Kiemdiem

MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024
# Accepted headers (lower case, NFC) -> field.
HEADERS = {
    "full_name": "full_name",
    "họ và tên": "full_name",
    "ho_ten": "full_name",
    "party_card_no": "party_card_no",
    "số thẻ đảng viên": "party_card_no",
    "so_the": "party_card_no",
    "birth_date": "birth_date",
    "ngày sinh": "birth_date",
    "ngay_sinh": "birth_date",
    "admission_date": "admission_date",
    "ngày vào đảng": "admission_date",
    "ngay_vao_dang": "admission_date",
    "status": "status",
    "tình trạng": "status",
    "tinh_trang": "status",
    "cell_code": "cell_code",
    "mã chi bộ": "cell_code",
    "ma_chi_bo": "cell_code",
}
REQUIRED = (
    "full_name",
    "party_card_no",
    "birth_date",
    "admission_date",
    "status",
    "cell_code",
)
STATUS_WORDS = {
    "full": "full",
    "chính thức": "full",
    "chinh thuc": "full",
    "probationary": "probationary",
    "dự bị": "probationary",
    "du bi": "probationary",
}


@dataclass(frozen=True)
class RowError:
    row: int  # 1-based line of the sheet, the header being line 1
    column: str | None
    code: str
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ImportReport:
    rows: int
    valid: int
    errors: list[RowError]
    imported: int
    dry_run: bool


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return unicodedata.normalize("NFC", str(value)).strip()


def read_table(data: bytes, filename: str) -> list[list[str]]:
    """The sheet as rows of text; CSV (UTF-8, comma or semicolon) or XLSX."""
    if len(data) > MAX_BYTES:
        raise DomainError("import.file_too_large", limit=MAX_BYTES)
    name = filename.lower()
    if name.endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # any unreadable workbook is the same refusal
            raise DomainError("import.file_unreadable") from None
        sheet = book.worksheets[0]
        return [[_text(c) for c in row] for row in sheet.iter_rows(values_only=True)]
    if name.endswith(".csv"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise DomainError("import.file_unreadable") from None
        dialect = (
            ";"
            if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",")
            else ","
        )
        return [
            [_text(c) for c in row]
            for row in csv.reader(io.StringIO(text), delimiter=dialect)
        ]
    raise DomainError("import.file_type", filename=filename)


def _date(value: str) -> date:
    for form in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(value, form).date()  # noqa: DTZ007 - a date
        except ValueError:
            continue
    raise ValueError(value)


def import_members(
    app: Kiemdiem,
    signer: Signer,
    data: bytes,
    filename: str,
    *,
    dry_run: bool,
    default_cell_code: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Check every row; store all of them in one transaction, or none.

    ``default_cell_code`` is the chi bộ of rows that name none (or of every row
    when the sheet has no chi bộ column); ``progress(done, total)`` is told of
    each row checked."""
    account = None  # the demo and setup import as a service, not a person
    if signer.actor.startswith("u:"):
        account = app.uow.authorise(signer.actor, "member.enrol")
    table = [r for r in read_table(data, filename) if any(c for c in r)]
    if not table:
        raise DomainError("import.empty")
    header = [HEADERS.get(h.lower()) for h in table[0]]
    missing = [
        name
        for name in REQUIRED
        if name not in header and not (name == "cell_code" and default_cell_code)
    ]
    if missing:
        raise DomainError("import.columns_missing", columns=", ".join(missing))
    rows = table[1:]
    if len(rows) > MAX_ROWS:
        raise DomainError("import.too_many_rows", limit=MAX_ROWS)
    errors: list[RowError] = []
    members: list[PartyMember] = []
    seen: dict[str, int] = {}
    today = app.today()
    for index, raw in enumerate(rows, start=2):
        values = {
            name: (raw[i] if i < len(raw) else "")
            for i, name in enumerate(header)
            if name is not None
        }
        if default_cell_code and not values.get("cell_code"):
            values["cell_code"] = default_cell_code
        member, problems = _check_row(
            app, values, index, seen, today, signer.actor, account
        )
        errors.extend(problems)
        if member is not None:
            members.append(member)
        if progress is not None:
            progress(index - 1, len(rows))
    if errors or dry_run or not members:
        return ImportReport(len(rows), len(members), errors, 0, dry_run)

    def work() -> list[Aggregate]:
        # Re-checked inside the transaction: a card taken meanwhile fails all.
        for member in members:
            if app.uow.exists(member.id):
                raise DomainError("member.card_taken", value=member.party_card_no)
        return list(members)

    app.uow.commit(signer, work)
    return ImportReport(len(rows), len(members), [], len(members), dry_run)


def _check_row(
    app: Kiemdiem,
    values: dict[str, str],
    row: int,
    seen: dict[str, int],
    today: date,
    actor: str,
    account: UserAccount | None,
) -> tuple[PartyMember | None, list[RowError]]:
    problems: list[RowError] = []
    for name in REQUIRED:
        if not values.get(name):
            problems.append(RowError(row, name, "import.value_required"))
    if problems:
        return None, problems
    dates: dict[str, date] = {}
    for name in ("birth_date", "admission_date"):
        try:
            dates[name] = _date(values[name])
        except ValueError:
            problems.append(RowError(row, name, "import.date_invalid"))
    status = STATUS_WORDS.get(values["status"].lower())
    if status is None:
        problems.append(RowError(row, "status", "member.status_unknown"))
    cell_id = ids.organisation_id(values["cell_code"].strip().lower())
    cell = None
    if not app.uow.exists(cell_id):
        problems.append(RowError(row, "cell_code", "import.cell_unknown"))
    else:
        cell = app.uow.get(Organisation, cell_id, "org.not_found").facts()
        if account is not None:
            try:  # enrolment is in scope of the target cell
                app.uow.check_scope(account, "member.enrol", cell_id)
            except DomainError as exc:
                problems.append(RowError(row, "cell_code", exc.code))
    card = normalise_card(values["party_card_no"])
    if card in seen:
        problems.append(
            RowError(row, "party_card_no", "import.card_twice", {"first": seen[card]})
        )
    else:
        seen[card] = row
    member_id = ids.member_id(card)
    if app.uow.exists(member_id):
        problems.append(
            RowError(row, "party_card_no", "member.card_taken", {"value": card})
        )
    if problems or cell is None or status is None:
        return None, problems
    try:
        member = PartyMember.enrol(
            member_id=member_id,
            facts=MemberFacts(
                full_name=values["full_name"],
                party_card_no=values["party_card_no"],
                birth_date=dates["birth_date"],
                admission_date=dates["admission_date"],
                status=MembershipStatus(status),
            ),
            cell=cell,
            today=today,
            enrolled_by=actor,
        )
    except DomainError as exc:
        return None, [RowError(row, None, exc.code, dict(exc.details))]
    return member, []
