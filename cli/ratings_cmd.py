"""Review cycles and refined criteria from the command line: the same commands as
the web pages (services/ratings.py), signed by the named account.

``kiemdiem cycles list``, ``kiemdiem cycles combine CYCLE COLLECTIVE [--with
COMMITTEE]`` (43-HD mục 2.4), ``kiemdiem criteria list`` and ``kiemdiem criteria
define ORG APPENDIX FROM_YEAR FILE`` (366 Điều 10). Organisations are given by
code or id. Refusals in plain words; exit 1 refused, 2 bad input.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any, NoReturn
from uuid import UUID

import click

from cli.click_help import VietnameseGroup
from cli.context import open_services, secret_from_env_or_prompt
from cli.words import NO_TERMINAL, WRONG_LOGIN, fail, refusal
from domain.errors import DomainError
from domain.subjects import SubjectKey
from services import rating_commands as rc
from services.app import Kiemdiem, Session

EXIT_REFUSED = 1
EXIT_BAD_INPUT = 2
GROUPS = {"chung": "general", "general": "general", "nhiệm vụ": "task", "task": "task"}


def _fail(message: str, status: int) -> NoReturn:
    fail(message, status)


def _org(services: Kiemdiem, value: str) -> UUID:
    rows = services.organisations()
    for row in rows:
        if value in (row.code, str(row.org_id)):
            return row.org_id
    _fail(f"không có tổ chức có mã hoặc id {value!r}", EXIT_BAD_INPUT)


def _signer(services: Kiemdiem, username: str) -> Any:
    """The signer of the named account (its key unlocked by its password)."""
    return _session(services, username).signer


def _session(services: Kiemdiem, username: str) -> Session:
    password = secret_from_env_or_prompt("KIEMDIEM_PASSWORD", f"Mật khẩu {username}")
    if password is None:
        _fail(NO_TERMINAL, EXIT_BAD_INPUT)
    session = services.authenticate(username, password)
    if session is None:
        _fail(WRONG_LOGIN, EXIT_BAD_INPUT)
    return session


def _send(services: Kiemdiem, command: Any, signer: Any) -> Any:
    try:
        return services.handle(command, signer)
    except DomainError as exc:
        _fail(refusal(exc.code, exc.details), EXIT_REFUSED)


USER = click.option(
    "--user",
    "username",
    required=True,
    metavar="TÀI_KHOẢN",
    help="Tài khoản ký (mật khẩu lấy từ KIEMDIEM_PASSWORD hoặc được hỏi).",
)


@click.group(cls=VietnameseGroup)
def cycles() -> None:
    """Các kỳ kiểm điểm."""


@cycles.command("list")
@click.option("--json", "as_json", is_flag=True, help="In một mảng JSON ra stdout.")
def cycles_list(as_json: bool) -> None:
    """Liệt kê các kỳ kiểm điểm, kỳ mới nhất trước."""
    with open_services() as services:
        rows = services.ratings.cycles()
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, default=str))
        return
    for row in rows:
        click.echo(f"{row['cycle_id']}  {row['year']}  {row['org_name']}")


@cycles.command("combine")
@click.argument("cycle_id", type=click.UUID, metavar="MÃ_KỲ")
@click.argument("collective", metavar="TẬP_THỂ")
@click.option(
    "--with",
    "committee",
    default=None,
    metavar="CẤP_ỦY",
    help="Cấp ủy mà hội nghị của nó kiểm điểm tập thể và các thành viên; bỏ trống "
    "để tập thể lại được kiểm điểm ở chính cấp của nó.",
)
@USER
def cycles_combine(
    cycle_id: UUID, collective: str, committee: str | None, username: str
) -> None:
    """Nơi kiểm điểm TẬP_THỂ lãnh đạo trong kỳ MÃ_KỲ (43-HD mục 2.4): tại hội
    nghị của cấp ủy khi thành viên của hai bên là cùng những người."""
    with open_services() as services:
        signer = _signer(services, username)
        command = rc.SetCombinedConference(
            actor_id=signer.actor,
            cycle_id=cycle_id,
            collective_id=_org(services, collective),
            committee_id=_org(services, committee) if committee else None,
        )
        _send(services, command, signer)
        row = services.ratings.subject_row(
            cycle_id, str(SubjectKey.of_org(command.collective_id))
        )
        names = {str(o.org_id): o.name for o in services.organisations()}
    venues = ", ".join(names.get(v, v) for v in (row or {}).get("venues", []))
    click.echo(f"Kiểm điểm tại: {venues}")


@click.group(cls=VietnameseGroup)
def criteria() -> None:
    """Tiêu chí do tỉnh hoặc đơn vị cụ thể hóa (366 Điều 10)."""


@criteria.command("list")
@click.option("--json", "as_json", is_flag=True, help="In một mảng JSON ra stdout.")
def criteria_list(as_json: bool) -> None:
    """Liệt kê các bộ tiêu chí đã cụ thể hóa."""
    with open_services() as services:
        rows = services.ratings.criteria_refinements()
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, default=str))
        return
    for row in rows:
        click.echo(
            f"{row['org_name']}  {row['appendix']}  từ năm {row['from_year']}  "
            f"{len(row['items'])} tiêu chí"
        )


def read_criteria(path: Path) -> tuple[tuple[str, str, int, str], ...]:
    """CSV (UTF-8) with the columns code, group, max_points, title; a header row
    naming them is skipped; group is 'chung' or 'nhiệm vụ' (or general/task)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        _fail(f"không đọc được {path} (cần tệp CSV mã UTF-8)", EXIT_BAD_INPUT)
    rows = [r for r in csv.reader(io.StringIO(text)) if any(c.strip() for c in r)]
    if rows and rows[0] and rows[0][0].strip().lower() in ("code", "mã"):
        rows = rows[1:]
    items = []
    for row in rows:
        cells = [c.strip() for c in row] + [""] * 4
        try:
            points = int(cells[2])
        except ValueError:
            points = 0
        group = GROUPS.get(cells[1].lower(), cells[1])
        items.append((cells[0], group, points, cells[3]))
    return tuple(items)


@criteria.command("define")
@click.argument("org", metavar="TỔ_CHỨC")
@click.argument("appendix", metavar="PHỤ_LỤC")
@click.argument("from_year", type=int, metavar="TỪ_NĂM")
@click.argument(
    "file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    metavar="TỆP",
)
@USER
def criteria_define(
    org: str, appendix: str, from_year: int, file: Path, username: str
) -> None:
    """Cụ thể hóa PHỤ_LỤC (PL1–PL5) cho TỔ_CHỨC và mọi tổ chức trực thuộc, từ
    năm TỪ_NĂM, theo TỆP CSV có các cột: code, group, max_points, title (mã,
    nhóm, điểm tối đa, nội dung). Nhóm tiêu chí chung cộng lại tối đa 30 điểm,
    nhóm nhiệm vụ tối đa 70 điểm."""
    items = read_criteria(file)
    with open_services() as services:
        signer = _signer(services, username)
        command = rc.DefineCriteria(
            actor_id=signer.actor,
            org_id=_org(services, org),
            appendix=appendix.upper(),
            from_year=from_year,
            items=items,
        )
        ident = _send(services, command, signer)
    click.echo(f"Đã quy định {len(items)} tiêu chí: {ident}")
