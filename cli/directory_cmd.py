"""Organisations, members and accounts from the command line (read side: the
projections; write side: the same commands as the web)."""

from __future__ import annotations

import dataclasses
import json
from typing import Any
from uuid import UUID

import click

from cli.context import open_services, secret_from_env_or_prompt
from cli.words import refusal
from domain.errors import DomainError
from services import commands as c


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
