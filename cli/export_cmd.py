"""``kiemdiem export report``: the report of an organisation's subtree for a year,
as XLSX or PDF — the same file the report page offers."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from contextlib import AbstractContextManager, nullcontext
from datetime import date
from pathlib import Path
from typing import Any, NoReturn
from uuid import UUID

import click

from cli.click_help import VietnameseGroup
from cli.context import open_services
from cli.words import fail, os_words
from services import report_documents as docs
from services.app import Kiemdiem

EXIT_BAD_INPUT = 2

export = VietnameseGroup("export", help="Xuất báo cáo ra tệp (XLSX, PDF).")


def _bad_input(message: str) -> NoReturn:
    fail(message, EXIT_BAD_INPUT)


def _organisation(services: Kiemdiem, value: str) -> UUID:
    """An organisation by id or by its code (``kiemdiem orgs list``)."""
    try:
        ident = UUID(value)
    except ValueError:
        found = [o.org_id for o in services.organisations() if o.code == value]
        if not found:
            _bad_input(
                f"không có tổ chức {value!r}: hãy ghi mã hoặc id của tổ chức "
                "(xem `kiemdiem orgs list`)"
            )
        return found[0]
    if services.organisation(ident) is None:
        _bad_input(f"không có tổ chức có id {value} (xem `kiemdiem orgs list`)")
    return ident


@export.command("report")
@click.option(
    "--org",
    "org",
    required=True,
    metavar="TỔ_CHỨC",
    help="Mã hoặc id của tổ chức.",
)
@click.option(
    "--year",
    type=int,
    required=True,
    metavar="NĂM",
    help="Năm kiểm điểm, ví dụ 2025.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["xlsx", "pdf"]),
    required=True,
    help="Định dạng tệp.",
)
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    required=True,
    help="Tệp sẽ ghi.",
)
@click.option(
    "--tree-on",
    "tree_on_text",
    default=None,
    metavar="NGÀY",
    help="Tổng hợp theo cây tổ chức như vào ngày này, dạng YYYY-MM-DD (mặc "
    "định: cây vào ngày lập báo cáo, tức hôm nay).",
)
def report(org: str, year: int, fmt: str, out: Path, tree_on_text: str | None) -> None:
    """Ghi báo cáo năm NĂM của TỔ_CHỨC và các tổ chức trực thuộc (số lượng và tỷ
    lệ theo mức xếp loại, miễn kiểm điểm, xếp loại lại, lấy phiếu tín nhiệm,
    thời hạn), tổng hợp theo cây tổ chức vào ngày lập báo cáo hoặc, với
    --tree-on, như vào ngày đó."""
    if not 2000 <= year <= 2100:
        _bad_input(f"{year} không phải một năm kiểm điểm")
    tree_on = _day(tree_on_text)
    if not out.parent.exists():
        _bad_input(f"thư mục {out.parent} không tồn tại")
    with open_services() as services:
        org_id = _organisation(services, org)
        with _progress(["read", "build", "write"]) as steps:
            data = b""
            payload: dict[str, Any] = {}
            for step in steps:
                if step == "read":
                    payload = services.reports.report(org_id, year, tree_on=tree_on)
                    if not payload["cycles"]:
                        _bad_input(
                            f"chưa có kỳ kiểm điểm năm {year} nào của "
                            f"{payload['org']['name']}"
                        )
                elif step == "build":
                    build = docs.report_xlsx if fmt == "xlsx" else docs.report_pdf
                    data = build(payload)
                else:
                    try:
                        out.write_bytes(data)
                    except OSError as exc:
                        _bad_input(f"không ghi được {out}: {os_words(exc)}")
    click.echo(f"Đã ghi {out} ({len(data)} byte): báo cáo năm {year}, định dạng {fmt}")
    click.echo(f"Tổng hợp theo cây tổ chức {docs.tree_of(payload)}")


def _day(text: str | None) -> date | None:
    """``--tree-on``: a day written YYYY-MM-DD (none: the report date)."""
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        _bad_input(
            f"--tree-on {text!r}: hãy ghi ngày dạng YYYY-MM-DD, ví dụ 2025-07-01"
        )


def _progress(items: list[str]) -> AbstractContextManager[Iterable[str]]:
    """A progress bar on a terminal only."""
    if sys.stdout.isatty():
        return click.progressbar(items, label="xuất báo cáo")
    return nullcontext(items)
