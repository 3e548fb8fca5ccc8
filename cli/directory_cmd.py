"""Organisations, members and accounts from the command line (read side: the
projections; write side: the same commands as the web)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

import click

from cli.click_help import VietnameseGroup
from cli.context import open_services, secret_from_env_or_prompt
from cli.words import NO_TERMINAL, WRONG_LOGIN, refusal
from domain.errors import DomainError
from domain.permissions import Viewer
from services import commands as c
from services import ids
from services import reorganisation_commands as ro
from services.read_gateway import ReadGateway
from web.catalogue import kind_label, role_label
from web.catalogue.reorganisation import ENDED_HOW


def _jsonable(row: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in dataclasses.asdict(row).items():
        if isinstance(value, UUID):
            value = str(value)
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        elif isinstance(value, tuple):
            value = list(value)
        out[key] = value
    return out


def _emit(rows: list[Any], as_json: bool, columns: list[str]) -> None:
    if as_json:
        click.echo(json.dumps([_jsonable(r) for r in rows], ensure_ascii=False))
        return
    for row in rows:
        data = _jsonable(row)
        click.echo("  ".join(str(data[col]) for col in columns))


@click.group(cls=VietnameseGroup)
def orgs() -> None:
    """Cây tổ chức đảng."""


@orgs.command("list")
@click.option("--json", "as_json", is_flag=True, help="In một mảng JSON ra stdout.")
def orgs_list(as_json: bool) -> None:
    """Liệt kê các tổ chức theo thứ tự của cây."""
    with open_services() as services:
        rows = services.organisations()
    if as_json:
        _emit(rows, True, [])
        return
    for row in rows:
        kind = kind_label(row.kind)
        click.echo(f"{'  ' * row.depth}{row.name}  [{kind}]  {row.org_id}")


@click.group(cls=VietnameseGroup)
def members() -> None:
    """Đảng viên."""


@members.command("list")
@click.option(
    "--cell",
    "cell_id",
    type=click.UUID,
    default=None,
    metavar="MÃ_CHI_BỘ",
    help="Chỉ đảng viên của chi bộ này (mã UUID).",
)
@click.option("--json", "as_json", is_flag=True, help="In một mảng JSON ra stdout.")
def members_list(cell_id: UUID | None, as_json: bool) -> None:
    """Liệt kê đảng viên, của cả kho hoặc của một chi bộ."""
    with open_services() as services:
        rows = services.members(cell_id)
    _emit(rows, as_json, ["member_id", "full_name", "party_card_no", "cell_name"])


@click.group(cls=VietnameseGroup)
def users() -> None:
    """Tài khoản người dùng."""


@users.command("list")
@click.option("--json", "as_json", is_flag=True, help="In một mảng JSON ra stdout.")
def users_list(as_json: bool) -> None:
    """Liệt kê tài khoản cùng vai trò và mã khóa ký."""
    with open_services() as services:
        rows = services.accounts()
    if as_json:
        _emit(rows, True, [])
        return
    for row in rows:  # the roles by their Vietnamese names; --json keeps the codes
        data = _jsonable(row)
        roles = ", ".join(role_label(role) for role in data["roles"])
        click.echo(
            f"{data['account_id']}  {data['username']}  {roles}  {data['key_id']}"
        )


@users.command("create")
@click.argument("username", metavar="TÀI_KHOẢN")
@click.option("--name", "full_name", required=True, metavar="HỌ_TÊN", help="Họ và tên.")
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    metavar="VAI_TRÒ",
    help="Vai trò (admin, secretary, decision_maker, inspector, member, "
    "counting); lặp lại tùy chọn để cấp nhiều vai trò.",
)
@click.option(
    "--org",
    "org_id",
    type=click.UUID,
    default=None,
    metavar="MÃ_TỔ_CHỨC",
    help="Tổ chức của tài khoản (mã UUID).",
)
@click.option(
    "--member",
    "member_id",
    type=click.UUID,
    default=None,
    metavar="MÃ_ĐẢNG_VIÊN",
    help="Đảng viên gắn với tài khoản (mã UUID).",
)
@click.option(
    "--admin",
    "admin_username",
    default="admin",
    show_default=True,
    metavar="TÀI_KHOẢN",
    help="Tài khoản quản trị ký lệnh mở tài khoản.",
)
def users_create(
    username: str,
    full_name: str,
    roles: tuple[str, ...],
    org_id: UUID | None,
    member_id: UUID | None,
    admin_username: str,
) -> None:
    """Mở một tài khoản (quản trị viên ký).

    Mật khẩu quản trị lấy từ KIEMDIEM_ADMIN_PASSWORD hoặc được hỏi; mật khẩu ban
    đầu của người dùng mới lấy từ KIEMDIEM_NEW_PASSWORD hoặc được hỏi.
    """
    admin_password = secret_from_env_or_prompt(
        "KIEMDIEM_ADMIN_PASSWORD", "Mật khẩu quản trị (admin password)"
    )
    password = secret_from_env_or_prompt(
        "KIEMDIEM_NEW_PASSWORD", f"Mật khẩu ban đầu cho {username}"
    )
    if admin_password is None or password is None:
        msg = (
            "hãy đặt KIEMDIEM_ADMIN_PASSWORD và KIEMDIEM_NEW_PASSWORD "
            "(không có cửa sổ dòng lệnh để hỏi)"
        )
        raise click.UsageError(msg)
    with open_services() as services:
        session = services.authenticate(admin_username, admin_password)
        if session is None:
            raise click.ClickException("sai tên hoặc mật khẩu quản trị")
        command = c.OpenAccount(
            session.actor, username, full_name, roles, password, org_id, member_id
        )
        try:
            account_id = services.handle(command, session.signer)
        except DomainError as exc:
            raise click.ClickException(refusal(exc.code, exc.details)) from exc
    click.echo(str(account_id))


# -- sắp xếp, tổ chức lại (issue 12) ---------------------------------------------------
def _org_ref(value: str) -> UUID:
    """An organisation by id or by code."""
    try:
        return UUID(value)
    except ValueError:
        return ids.organisation_id(value)


def _send_reorganising(
    username: str, build: Callable[[str], ro.ReorganisingCommand]
) -> None:
    password = secret_from_env_or_prompt("KIEMDIEM_PASSWORD", f"Mật khẩu {username}")
    if password is None and username == "admin":
        password = secret_from_env_or_prompt("KIEMDIEM_ADMIN_PASSWORD", "")
    if password is None:
        raise click.UsageError(NO_TERMINAL)
    with open_services() as services:
        session = services.authenticate(username, password)
        if session is None:
            raise click.ClickException(WRONG_LOGIN)
        try:
            result = services.handle(build(session.actor), session.signer)
        except DomainError as exc:
            raise click.ClickException(
                f"{refusal(exc.code, exc.details)} ({exc.code})"
            ) from exc
    click.echo(str(result))


DECISION_OPTIONS = (
    click.option(
        "--decision",
        "decision_no",
        required=True,
        metavar="SỐ_QĐ",
        help="Số quyết định.",
    ),
    click.option(
        "--effective",
        "effective_on",
        type=click.DateTime(["%Y-%m-%d", "%d/%m/%Y"]),
        required=True,
        metavar="NGÀY",
        help="Ngày hiệu lực (YYYY-MM-DD hoặc dd/mm/yyyy).",
    ),
    click.option(
        "--user",
        "username",
        default="admin",
        show_default=True,
        metavar="TÀI_KHOẢN",
        help="Tài khoản ký quyết định (mật khẩu lấy từ KIEMDIEM_PASSWORD).",
    ),
)


def _decision_options(command: Callable[..., None]) -> Callable[..., None]:
    for option in reversed(DECISION_OPTIONS):
        command = option(command)
    return command


@orgs.command("merge")
@click.argument("absorbed", nargs=-1, required=True, metavar="TỔ_CHỨC...")
@click.option(
    "--into",
    "successor",
    default=None,
    metavar="TỔ_CHỨC",
    help="Tổ chức kế thừa đã có (mã hoặc id).",
)
@click.option(
    "--new-code",
    default=None,
    metavar="MÃ",
    help="Hoặc lập tổ chức kế thừa mới: mã của nó…",
)
@click.option(
    "--new-name", default=None, metavar="TÊN", help="…tên của tổ chức kế thừa mới…"
)
@click.option(
    "--new-kind",
    default=None,
    metavar="LOẠI",
    help="…loại của nó (mã loại, ví dụ cell)…",
)
@click.option(
    "--new-parent",
    default=None,
    metavar="TỔ_CHỨC",
    help="…và tổ chức cấp trên của nó (mã hoặc id).",
)
@click.option(
    "--peer-groups/--no-peer-groups",
    "peer_groups_follow",
    default=True,
    help="Nhóm tương đồng trong các đợt xếp loại đang mở có chuyển sang tổ chức "
    "kế thừa không (mặc định: có).",
)
@_decision_options
def orgs_merge(
    absorbed: tuple[str, ...],
    successor: str | None,
    new_code: str | None,
    new_name: str | None,
    new_kind: str | None,
    new_parent: str | None,
    peer_groups_follow: bool,
    decision_no: str,
    effective_on: datetime,
    username: str,
) -> None:
    """Hợp nhất các TỔ_CHỨC (mã hoặc id) làm một, theo một quyết định: tổ chức
    trực thuộc, đảng viên và chức vụ của chúng chuyển sang tổ chức kế thừa;
    nhóm tương đồng cũng chuyển theo, trừ khi có --no-peer-groups."""
    new = None
    if new_code is not None:
        new = ro.NewSuccessor(
            code=new_code,
            name=new_name or "",
            kind=new_kind or "",
            parent_id=_org_ref(new_parent or ""),
        )
    _send_reorganising(
        username,
        lambda actor: ro.MergeOrganisations(
            actor,
            decision_no,
            effective_on.date(),
            absorbed_ids=tuple(_org_ref(a) for a in absorbed),
            successor_id=_org_ref(successor) if successor else None,
            new_successor=new,
            peer_groups_follow=peer_groups_follow,
        ),
    )


@orgs.command("move")
@click.argument("org", metavar="TỔ_CHỨC")
@click.option(
    "--under",
    "parent",
    required=True,
    metavar="TỔ_CHỨC",
    help="Tổ chức cấp trên mới (mã hoặc id).",
)
@_decision_options
def orgs_move(
    org: str, parent: str, decision_no: str, effective_on: datetime, username: str
) -> None:
    """Chuyển TỔ_CHỨC (cùng mọi tổ chức trực thuộc) sang cấp trên khác, theo một
    quyết định."""
    _send_reorganising(
        username,
        lambda actor: ro.MoveOrganisation(
            actor, decision_no, effective_on.date(), _org_ref(org), _org_ref(parent)
        ),
    )


@orgs.command("history")
@click.argument("org", metavar="TỔ_CHỨC")
@click.option(
    "--json", "as_json", is_flag=True, help="In một đối tượng JSON ra stdout."
)
def orgs_history(org: str, as_json: bool) -> None:
    """Lịch sử của TỔ_CHỨC: các lần kế thừa, và cấp trên, tên, loại qua từng thời
    kỳ."""
    with open_services() as services:
        gateway = ReadGateway(services, Viewer(frozenset({"admin"})))
        try:
            history = gateway.reorganisation_history(_org_ref(org))
        except DomainError as exc:
            raise click.ClickException(refusal(exc.code, exc.details)) from exc
    if as_json:
        click.echo(json.dumps(history, ensure_ascii=False, default=str))
        return
    for p in history["periods"]:
        ended = "  (đã kết thúc)" if p["ended"] else ""
        kind = kind_label(p["kind"])
        click.echo(f"{p['valid_from'] or '-':10}  {p['name']}  [{kind}]{ended}")
    for s in history["successions"]:
        click.echo(
            f"{s['effective_on']}  {s['predecessor_name']} -> {s['successor_name']}"
            f"  ({ENDED_HOW.get(s['how'], s['how'])}, {s['decision_no']})"
        )
