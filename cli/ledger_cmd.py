"""``kiemdiem checkpoint`` and ``kiemdiem db init``."""

from __future__ import annotations

import click

from cli.context import load_settings, open_services
from ledger.errors import ConfigurationError
from ledger.trustroot import load as load_trust_root
from services.setup import create_database_tables


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
    click.echo("tables ready")
