"""``kiemdiem export report``: the report of an organisation's subtree for a year,
as XLSX or PDF — the same file the report page offers."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any, NoReturn
from uuid import UUID

import click

from cli.context import open_services
from cli.words import fail
from services import report_documents as docs
from services.app import Kiemdiem

EXIT_BAD_INPUT = 2

export = click.Group("export", help="Xuất báo cáo (export reports as files).")


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
@click.option("--org", "org", required=True, help="Organisation id or code.")
@click.option("--year", type=int, required=True, help="Review year, e.g. 2025.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["xlsx", "pdf"]),
    required=True,
    help="File format.",
)
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    required=True,
    help="File to write.",
)
def report(org: str, year: int, fmt: str, out: Path) -> None:
    """Write the report of ORG's subtree for YEAR (counts and percentages by
    level, exempt, re-rated, confidence votes, deadlines)."""
    if not 2000 <= year <= 2100:
        _bad_input(f"{year} không phải một năm kiểm điểm")
    if not out.parent.exists():
        _bad_input(f"thư mục {out.parent} không tồn tại")
    with open_services() as services:
        org_id = _organisation(services, org)
        with _progress(["read", "build", "write"]) as steps:
            data = b""
            payload: dict[str, Any] = {}
            for step in steps:
                if step == "read":
                    payload = services.reports.report(org_id, year)
                    if not payload["cycles"]:
                        _bad_input(
                            f"chưa có kỳ kiểm điểm năm {year} nào của "
                            f"{payload['org']['name']}"
                        )
                elif step == "build":
                    build = docs.report_xlsx if fmt == "xlsx" else docs.report_pdf
                    data = build(payload)
                else:
                    out.write_bytes(data)
    click.echo(f"Đã ghi {out} ({len(data)} byte): báo cáo năm {year}, định dạng {fmt}")


def _progress(items: list[str]) -> AbstractContextManager[Iterable[str]]:
    """A progress bar on a terminal only."""
    if sys.stdout.isatty():
        return click.progressbar(items, label="export")
    return nullcontext(items)
