"""``kiemdiem init`` and ``kiemdiem demo``."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import click

from cli.context import (
    interactive,
    load_settings,
    open_services,
    secret_from_env_or_prompt,
)
from domain.errors import DomainError
from ledger.errors import ConfigurationError
from ledger.private_files import write_private
from services.app import Kiemdiem
from services.demo import DemoResult, load_demo
from services.setup import initialise

DEMO_ACCOUNTS_FILE = "demo-accounts.txt"


@click.command()
@click.option("--origin", default=None, help="Log origin, e.g. kiemdiem.example.vn/tu")
@click.option("--admin", "admin_username", default="admin", show_default=True)
@click.option("--admin-name", default="Quản trị hệ thống", show_default=True)
@click.option("--demo", "with_demo", is_flag=True, help="Also load the demo province.")
@click.option(
    "--if-missing",
    is_flag=True,
    help="Exit quietly when the store is already initialised (for containers).",
)
def init(
    origin: str | None,
    admin_username: str,
    admin_name: str,
    with_demo: bool,
    if_missing: bool,
) -> None:
    """Create a store: log key, trust root and the first administrator.

    The log key's passphrase comes from KIEMDIEM_LOG_KEY_PASSPHRASE_FILE (a secret
    file) or KIEMDIEM_LOG_KEY_PASSPHRASE; with --demo, when neither is set, one
    is generated and kept beside the key (not for a real deployment).
    The admin password comes from KIEMDIEM_ADMIN_PASSWORD, is asked on a terminal,
    or is generated and printed when stdin is not a terminal.
    """
    settings = load_settings()
    if if_missing and settings.trust_root_path.exists():
        click.echo(f"already initialised ({settings.trust_root_path})")
        return
    origin = origin or os.environ.get("KIEMDIEM_LOG_ORIGIN") or "kiemdiem.local/demo"
    password = os.environ.get("KIEMDIEM_ADMIN_PASSWORD")
    generated = False
    if not password and interactive():
        password = click.prompt(
            "Mật khẩu quản trị (admin password)",
            hide_input=True,
            confirmation_prompt=True,
        )
    if not password:
        password, generated = secrets.token_urlsafe(12), True
    try:
        result = initialise(
            settings,
            origin=origin,
            admin_username=admin_username,
            admin_full_name=admin_name,
            admin_password=password,
            demo=with_demo,
        )
    except ConfigurationError as exc:
        raise click.ClickException(str(exc)) from exc
    except DomainError as exc:
        raise click.ClickException(f"refused: {exc}") from exc
    click.echo(f"store initialised: origin {result.origin}")
    click.echo(f"trust root written to {result.trust_root_path}")
    click.echo(f"first checkpoint: size {result.checkpoint_size}")
    if result.demo_passphrase_file is not None:
        click.echo(
            "demo: the log key's passphrase was generated and is kept beside the "
            f"key in {result.demo_passphrase_file}; a real deployment gives it in "
            "KIEMDIEM_LOG_KEY_PASSPHRASE_FILE (a secret file kept apart from the "
            "instance folder) or KIEMDIEM_LOG_KEY_PASSPHRASE"
        )
    if generated:
        click.echo(f"administrator: {admin_username} / password: {password}")
    if with_demo:
        with open_services() as services:
            _load_demo(services, settings.instance_dir, admin_username, password)


@click.command()
@click.option("--admin", "admin_username", default="admin", show_default=True)
def demo(admin_username: str) -> None:
    """Load the demo province into an initialised store.

    Signs as the administrator: password from KIEMDIEM_ADMIN_PASSWORD, or asked on
    a terminal.
    """
    password = secret_from_env_or_prompt(
        "KIEMDIEM_ADMIN_PASSWORD", "Mật khẩu quản trị (admin password)"
    )
    if password is None:
        msg = "set KIEMDIEM_ADMIN_PASSWORD: stdin is not a terminal to ask on"
        raise click.UsageError(msg)
    settings = load_settings()
    with open_services() as services:
        _load_demo(services, settings.instance_dir, admin_username, password)


def _load_demo(
    services: Kiemdiem, instance: Path, admin_username: str, password: str
) -> None:
    session = services.authenticate(admin_username, password)
    if session is None:
        raise click.ClickException("wrong administrator name or password")
    if "admin" not in session.roles:
        raise click.ClickException(f"{admin_username} is not an administrator")
    try:
        result = load_demo(services, session.signer)
    except DomainError as exc:
        raise click.ClickException(f"demo refused: {exc}") from exc
    # A fresh checkpoint covering the demo, ready to hand to the committee.
    checkpoint = services.issue_checkpoint()
    _report_demo(result, instance)
    click.echo(f"checkpoint: size {checkpoint.size}")


def _report_demo(result: DemoResult, instance: Path) -> None:
    click.echo(
        f"demo loaded: {result.organisations} organisations, {result.members} members"
    )
    click.echo(
        f"demo confidence vote {result.vote.vote_id} tallied "
        f"(fingerprint {result.vote.short_fingerprint}, head {result.vote.head})"
    )
    lines = [f"{a.username}\t{a.role}\t{a.password}" for a in result.accounts]
    for line in lines:
        click.echo("  " + line.replace("\t", "  "))
    # Kept so `make run` can show the demo logins again on the next start.
    write_private(instance / DEMO_ACCOUNTS_FILE, "\n".join(lines) + "\n")
