"""``kiemdiem init`` and ``kiemdiem demo``."""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from cli.context import (
    interactive,
    load_settings,
    open_services,
    secret_from_env_or_prompt,
)
from domain.errors import DomainError
from ledger.config import Settings
from ledger.errors import ConfigurationError
from services.app import Kiemdiem, Session
from services.demo import DemoAccount, DemoResult, load_demo
from services.demo_province import PHASES, generate_province
from services.demo_province_plan import MIN_MEMBERS
from services.setup import initialise, write_private_file

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
@click.option(
    "--province",
    "province",
    is_flag=True,
    help="A generated province of --members members and its whole 2025 cycle.",
)
@click.option(
    "--members",
    type=click.IntRange(min=MIN_MEMBERS),
    default=None,
    help="Members of the generated province (with --province).",
)
@click.option(
    "--seed",
    type=int,
    default=2025,
    show_default=True,
    help="The generated province's seed (with --province).",
)
def demo(admin_username: str, province: bool, members: int | None, seed: int) -> None:
    """Load the demo province into an initialised store.

    With --province --members N: a tỉnh ủy, đảng ủy xã and chi bộ of about 25
    members, the demo's role logins at the tỉnh ủy and a whole 2025 cycle
    (reviews and the three rating steps for every member, leader and unit).

    Signs as the administrator: password from KIEMDIEM_ADMIN_PASSWORD, or asked on
    a terminal.
    """
    if province and members is None:
        raise click.UsageError("--province needs --members N")
    if members is not None and not province:
        raise click.UsageError("--members is for --province")
    password = secret_from_env_or_prompt(
        "KIEMDIEM_ADMIN_PASSWORD", "Mật khẩu quản trị (admin password)"
    )
    if password is None:
        msg = "set KIEMDIEM_ADMIN_PASSWORD: stdin is not a terminal to ask on"
        raise click.UsageError(msg)
    settings = load_settings()
    if province and members is not None:
        _load_province(settings, admin_username, password, members, seed)
        return
    with open_services() as services:
        _load_demo(services, settings.instance_dir, admin_username, password)


def _admin_session(services: Kiemdiem, admin_username: str, password: str) -> Session:
    session = services.authenticate(admin_username, password)
    if session is None:
        raise click.ClickException("wrong administrator name or password")
    if "admin" not in session.roles:
        raise click.ClickException(f"{admin_username} is not an administrator")
    return session


def _load_province(
    settings: Settings, admin_username: str, password: str, members: int, seed: int
) -> None:
    """The generated province. Unless KIEMDIEM_PROJECTIONS says otherwise the
    views are caught up once per batch, as ``kiemdiem worker`` does, instead of
    after every command."""
    if not os.environ.get("KIEMDIEM_PROJECTIONS"):
        settings = replace(settings, projections_mode="worker")
    with open_services(settings=settings) as services:
        session = _admin_session(services, admin_username, password)
        with _phase_bars(sys.stderr.isatty()) as progress:
            try:
                result = generate_province(
                    services, session.signer, members, seed, progress=progress
                )
            except DomainError as exc:
                raise click.ClickException(f"province refused: {exc}") from exc
        checkpoint = services.issue_checkpoint()
    click.echo(
        f"province loaded: {result.organisations} organisations, "
        f"{result.members} members ({result.exempt} exempt subjects), "
        f"cycle {result.cycle_id}, {result.rounds} rating rounds, "
        f"{result.reviews} reviews, {result.decisions} decisions"
    )
    for phase in PHASES:
        seconds = result.seconds.get(phase, 0.0)
        commands = result.commands.get(phase, 0)
        click.echo(f"  {phase:<11} {seconds:9.1f} s  {commands:7d} commands")
    _write_accounts(result.accounts, settings.instance_dir)
    click.echo(f"checkpoint: size {checkpoint.size}")


@contextmanager
def _phase_bars(enabled: bool) -> Iterator[Callable[[str, int, int], None] | None]:
    """One progress bar per phase on a terminal (stderr), none otherwise."""
    if not enabled:
        yield None
        return
    state: dict[str, Any] = {"bar": None, "phase": None, "done": 0}

    def close() -> None:
        if state["bar"] is not None:
            state["bar"].__exit__(None, None, None)
            state["bar"] = None

    def update(phase: str, done: int, total: int) -> None:
        if phase != state["phase"]:
            close()
            bar = click.progressbar(
                length=max(total, 1), label=f"{phase:<11}", file=sys.stderr
            )
            bar.__enter__()
            state.update(bar=bar, phase=phase, done=0)
        state["bar"].update(done - state["done"])
        state["done"] = done

    try:
        yield update
    finally:
        close()


def _load_demo(
    services: Kiemdiem, instance: Path, admin_username: str, password: str
) -> None:
    session = _admin_session(services, admin_username, password)
    try:
        result = load_demo(services, session.signer)
    except DomainError as exc:
        raise click.ClickException(f"demo refused: {exc}") from exc
    # A fresh checkpoint covering the demo, ready to hand to the committee.
    checkpoint = services.issue_checkpoint()
    _report_demo(result, instance, DemoAccount(admin_username, "admin", password))
    click.echo(f"checkpoint: size {checkpoint.size}")


def _report_demo(result: DemoResult, instance: Path, admin: DemoAccount) -> None:
    click.echo(
        f"demo loaded: {result.organisations} organisations, {result.members} members"
    )
    click.echo(
        f"demo confidence vote {result.vote.vote_id} tallied "
        f"(fingerprint {result.vote.short_fingerprint}, head {result.vote.head})"
    )
    # The administrator's login too: shown again with the others on every start.
    _write_accounts([admin, *result.accounts], instance)


def _write_accounts(accounts: list[DemoAccount], instance: Path) -> None:
    lines = [f"{a.username}\t{a.role}\t{a.password}" for a in accounts]
    for line in lines:
        click.echo("  " + line.replace("\t", "  "))
    # Kept so `make run` can show the demo logins again on the next start.
    write_private_file(instance / DEMO_ACCOUNTS_FILE, "\n".join(lines) + "\n")
