"""``kiemdiem checkpoint`` and ``kiemdiem db init``."""

from __future__ import annotations

import click

from cli.context import load_settings, open_services
from ledger.errors import ConfigurationError
from ledger.trustroot import load as load_trust_root
from services.setup import create_database_tables, grant_database_roles


@click.command()
def checkpoint() -> None:
    """Sign and print a checkpoint of the log as it is now (C2SP signed note)."""
    with open_services() as services:
        try:
            services.integrator.catch_up()
            stored = services.issue_checkpoint()
        except ConfigurationError as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(stored.note.decode("utf-8"), nl=False)


@click.group()
def db() -> None:
    """Database administration."""


@db.command("init")
def db_init() -> None:
    """Create the tables and append-only triggers (PostgreSQL, as the owner role)."""
    settings = load_settings()
    try:
        root = load_trust_root(settings.trust_root_path)
        create_database_tables(settings, root)
    except ConfigurationError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo("Các bảng đã sẵn sàng.")


@db.command("grant")
@click.option("--app-role", required=True, help="The role the web app and worker use.")
@click.option("--audit-role", default=None, help="A read-only role for auditors.")
def db_grant(app_role: str, audit_role: str | None) -> None:
    """Grant the app role insert-only rights on evidence (PostgreSQL, as owner)."""
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
