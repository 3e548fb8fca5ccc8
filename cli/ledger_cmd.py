"""``kiemdiem checkpoint`` and ``kiemdiem db init``."""

from __future__ import annotations

import click

from cli.click_help import VietnameseCommand, VietnameseGroup
from cli.context import load_settings, open_services
from ledger.errors import ConfigurationError
from ledger.trustroot import load as load_trust_root
from services.setup import create_database_tables, grant_database_roles


@click.command(cls=VietnameseCommand)
def checkpoint() -> None:
    """Ký và in điểm chốt của sổ cái như hiện tại (ghi chú có chữ ký theo C2SP)."""
    with open_services() as services:
        try:
            services.integrator.catch_up()
            stored = services.issue_checkpoint()
        except ConfigurationError as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(stored.note.decode("utf-8"), nl=False)


@click.group(cls=VietnameseGroup)
def db() -> None:
    """Quản trị cơ sở dữ liệu."""


@db.command("init")
def db_init() -> None:
    """Tạo các bảng và trigger chỉ-ghi-thêm (PostgreSQL, chạy bằng vai trò chủ sở
    hữu)."""
    settings = load_settings()
    try:
        root = load_trust_root(settings.trust_root_path)
        create_database_tables(settings, root)
    except ConfigurationError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo("Các bảng đã sẵn sàng.")


@db.command("grant")
@click.option(
    "--app-role",
    required=True,
    metavar="VAI_TRÒ",
    help="Vai trò cơ sở dữ liệu mà ứng dụng web và worker dùng.",
)
@click.option(
    "--audit-role",
    default=None,
    metavar="VAI_TRÒ",
    help="Một vai trò chỉ đọc cho người kiểm tra.",
)
def db_grant(app_role: str, audit_role: str | None) -> None:
    """Cấp cho vai trò của ứng dụng quyền chỉ thêm dữ liệu vào bằng chứng
    (PostgreSQL, chạy bằng vai trò chủ sở hữu)."""
    settings = load_settings()
    if settings.backend != "postgres":
        raise click.UsageError("vai trò cơ sở dữ liệu chỉ có trên PostgreSQL")
    try:
        root = load_trust_root(settings.trust_root_path)
        grant_database_roles(settings, root, app_role=app_role, audit_role=audit_role)
    except (ConfigurationError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"Đã cấp quyền cho {app_role}" + (f" và {audit_role}" if audit_role else "")
    )
