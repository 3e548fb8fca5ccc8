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

from cli.context import open_services, secret_from_env_or_prompt
from cli.words import NO_TERMINAL, WRONG_LOGIN, refusal
from domain.errors import DomainError
from domain.permissions import Viewer
from services import commands as c
from services import ids
from services import reorganisation_commands as ro
from services.read_gateway import ReadGateway


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


@click.group()
def orgs() -> None:
    """The organisation tree."""


@orgs.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON array on stdout.")
def orgs_list(as_json: bool) -> None:
    """List organisations in tree order."""
    with open_services() as services:
        rows = services.organisations()
    if as_json:
        _emit(rows, True, [])
        return
    for row in rows:
        click.echo(f"{'  ' * row.depth}{row.name}  [{row.kind}]  {row.org_id}")


@click.group()
def members() -> None:
    """Party members."""


@members.command("list")
@click.option(
    "--cell", "cell_id", type=click.UUID, default=None, help="Only this chi bộ."
)
@click.option("--json", "as_json", is_flag=True, help="One JSON array on stdout.")
def members_list(cell_id: UUID | None, as_json: bool) -> None:
    """List members, optionally of one chi bộ."""
    with open_services() as services:
        rows = services.members(cell_id)
    _emit(rows, as_json, ["member_id", "full_name", "party_card_no", "cell_name"])


@click.group()
def users() -> None:
    """User accounts."""


@users.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON array on stdout.")
def users_list(as_json: bool) -> None:
    """List accounts with their roles and key ids."""
    with open_services() as services:
        rows = services.accounts()
    _emit(rows, as_json, ["account_id", "username", "roles", "key_id"])


@users.command("create")
@click.argument("username")
@click.option("--name", "full_name", required=True, help="Full name (họ và tên).")
@click.option("--role", "roles", multiple=True, required=True, help="Repeatable.")
@click.option("--org", "org_id", type=click.UUID, default=None)
@click.option("--member", "member_id", type=click.UUID, default=None)
@click.option("--admin", "admin_username", default="admin", show_default=True)
def users_create(
    username: str,
    full_name: str,
    roles: tuple[str, ...],
    org_id: UUID | None,
    member_id: UUID | None,
    admin_username: str,
) -> None:
    """Open an account (signed by an administrator).

    The administrator's password comes from KIEMDIEM_ADMIN_PASSWORD or a prompt;
    the new user's initial password from KIEMDIEM_NEW_PASSWORD or a prompt.
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
    click.option("--decision", "decision_no", required=True, help="Số quyết định."),
    click.option(
        "--effective",
        "effective_on",
        type=click.DateTime(["%Y-%m-%d", "%d/%m/%Y"]),
        required=True,
        help="Ngày hiệu lực (YYYY-MM-DD or dd/mm/yyyy).",
    ),
    click.option("--user", "username", default="admin", show_default=True),
)


def _decision_options(command: Callable[..., None]) -> Callable[..., None]:
    for option in reversed(DECISION_OPTIONS):
        command = option(command)
    return command


@orgs.command("merge")
@click.argument("absorbed", nargs=-1, required=True)
@click.option("--into", "successor", default=None, help="An existing successor.")
@click.option("--new-code", default=None, help="Or found a successor: its code…")
@click.option("--new-name", default=None)
@click.option("--new-kind", default=None)
@click.option("--new-parent", default=None)
@_decision_options
def orgs_merge(
    absorbed: tuple[str, ...],
    successor: str | None,
    new_code: str | None,
    new_name: str | None,
    new_kind: str | None,
    new_parent: str | None,
    decision_no: str,
    effective_on: datetime,
    username: str,
) -> None:
    """Merge the ABSORBED organisations (codes or ids) into one, by a decision:
    their organisations, members and posts follow to the successor."""
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
        ),
    )


@orgs.command("move")
@click.argument("org")
@click.option("--under", "parent", required=True, help="The new parent.")
@_decision_options
def orgs_move(
    org: str, parent: str, decision_no: str, effective_on: datetime, username: str
) -> None:
    """Move ORG (and everything under it) under another parent, by a decision."""
    _send_reorganising(
        username,
        lambda actor: ro.MoveOrganisation(
            actor, decision_no, effective_on.date(), _org_ref(org), _org_ref(parent)
        ),
    )


@orgs.command("history")
@click.argument("org")
@click.option("--json", "as_json", is_flag=True, help="One JSON object on stdout.")
def orgs_history(org: str, as_json: bool) -> None:
    """ORG's successor links and its (parent, name, kind) over time."""
    with open_services() as services:
        gateway = ReadGateway(services, Viewer(frozenset({"admin"})))
        history = gateway.reorganisation_history(_org_ref(org))
    if as_json:
        click.echo(json.dumps(history, ensure_ascii=False, default=str))
        return
    for p in history["periods"]:
        ended = "  (đã kết thúc)" if p["ended"] else ""
        click.echo(f"{p['valid_from'] or '-':10}  {p['name']}  [{p['kind']}]{ended}")
    for s in history["successions"]:
        click.echo(
            f"{s['effective_on']}  {s['predecessor_name']} -> {s['successor_name']}"
            f"  ({s['how']}, {s['decision_no']})"
        )
