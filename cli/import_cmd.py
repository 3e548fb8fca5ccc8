"""``kiemdiem import members FILE``: the CSV/XLSX member import of the web page
(services/member_import.py) from the command line.

Every row is checked and every bad row reported in plain words; nothing is stored
unless all rows are valid, and ``--dry-run`` never stores. Exit status: 0 done
(or a clean dry run), 1 bad rows or a refusal, 2 an unreadable file or bad
arguments.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn
from uuid import UUID

import click

from cli.click_help import VietnameseGroup
from cli.context import open_services, secret_from_env_or_prompt
from cli.words import NO_TERMINAL, WRONG_LOGIN, fail, os_words, refusal
from domain.errors import DomainError
from services.app import Kiemdiem
from services.member_import import RowError, import_members

EXIT_BAD_ROWS = 1
EXIT_UNREADABLE = 2
COLUMN_WORDS = {
    "full_name": "Họ và tên",
    "party_card_no": "Số thẻ đảng viên",
    "birth_date": "Ngày sinh",
    "admission_date": "Ngày vào Đảng",
    "status": "Tình trạng",
    "cell_code": "Mã chi bộ",
}


def row_line(error: RowError) -> str:
    where = f"dòng {error.row}"
    if error.column:
        where += f", {COLUMN_WORDS.get(error.column, error.column)}"
    return f"{where}: {refusal(error.code, error.details)}"


def _fail(message: str, status: int) -> NoReturn:
    fail(message, status)


@contextmanager
def _progress(enabled: bool) -> Iterator[Callable[[int, int], None] | None]:
    if not enabled:
        yield None
        return
    state: dict[str, Any] = {"bar": None, "done": 0}

    def update(done: int, total: int) -> None:
        bar = state["bar"]
        if bar is None:
            bar = click.progressbar(
                length=max(total, 1), label="dòng đã kiểm tra", file=sys.stderr
            )
            bar.__enter__()
            state["bar"] = bar
        bar.update(done - state["done"])
        state["done"] = done

    try:
        yield update
    finally:
        if state["bar"] is not None:
            state["bar"].__exit__(None, None, None)


def _cell_code(services: Kiemdiem, value: str) -> str:
    """A chi bộ given by its code or its id, as its code."""
    try:
        wanted = UUID(value)
    except ValueError:
        return value.strip().lower()
    for row in services.organisations():
        if row.org_id == wanted:
            return row.code
    _fail(f"không có tổ chức có id {value}", EXIT_UNREADABLE)


@click.group("import", cls=VietnameseGroup)
def import_group() -> None:
    """Nhập hàng loạt từ tệp."""


@import_group.command("members")
@click.argument(
    "file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    metavar="TỆP",
)
@click.option(
    "--cell",
    default=None,
    metavar="CHI_BỘ",
    help="Chi bộ (mã hoặc id) của những dòng không ghi chi bộ, hoặc của mọi dòng "
    "khi tệp không có cột 'Mã chi bộ'.",
)
@click.option(
    "--dry-run", is_flag=True, help="Chạy thử: kiểm tra mọi dòng, không lưu gì."
)
@click.option(
    "--user",
    "username",
    default="admin",
    show_default=True,
    metavar="TÀI_KHOẢN",
    help="Tài khoản ký (thư ký hoặc quản trị viên).",
)
def import_members_cmd(
    file: Path, cell: str | None, dry_run: bool, username: str
) -> None:
    """Nhập các đảng viên có trong TỆP CSV (UTF-8) hoặc XLSX.

    Các cột: Họ và tên, Số thẻ đảng viên, Ngày sinh, Ngày vào Đảng, Tình trạng,
    Mã chi bộ (hoặc tên tiếng Anh của các cột). Mọi dòng được lưu trong một giao
    dịch đã ký, hoặc không dòng nào. Mật khẩu lấy từ KIEMDIEM_PASSWORD (với
    admin còn có KIEMDIEM_ADMIN_PASSWORD) hoặc được hỏi trên cửa sổ dòng lệnh.
    """
    password = secret_from_env_or_prompt("KIEMDIEM_PASSWORD", f"Mật khẩu {username}")
    if password is None and username == "admin":
        password = secret_from_env_or_prompt("KIEMDIEM_ADMIN_PASSWORD", "")
    if password is None:
        _fail(NO_TERMINAL, EXIT_UNREADABLE)
    try:
        data = file.read_bytes()
    except OSError as exc:
        _fail(f"không đọc được {file}: {os_words(exc)}", EXIT_UNREADABLE)
    with open_services() as services:
        session = services.authenticate(username, password)
        if session is None:
            _fail(WRONG_LOGIN, EXIT_UNREADABLE)
        code = _cell_code(services, cell) if cell else None
        show = sys.stderr.isatty()
        try:
            with _progress(show) as progress:
                report = import_members(
                    services,
                    session.signer,
                    data,
                    file.name,
                    dry_run=dry_run,
                    default_cell_code=code,
                    progress=progress,
                )
        except DomainError as exc:
            refused = exc.code.startswith(("auth.", "account.", "member."))
            status = EXIT_BAD_ROWS if refused else EXIT_UNREADABLE
            _fail(refusal(exc.code, exc.details), status)
    for error in report.errors:
        click.echo(row_line(error))
    if report.errors:
        bad = len({e.row for e in report.errors})
        click.echo(
            f"{bad} trên {report.rows} dòng không hợp lệ; chưa nhập dòng nào.",
            err=True,
        )
        raise click.exceptions.Exit(EXIT_BAD_ROWS)
    if dry_run:
        click.echo(f"Cả {report.valid} dòng đều hợp lệ (chạy thử: chưa nhập gì).")
        return
    click.echo(f"Đã nhập {report.imported} đảng viên.")
