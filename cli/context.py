"""Opening the services from the environment, with plain-words failures."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click
from eventsourcing.persistence import PersistenceError

from ledger.config import Settings, settings_from_environ
from ledger.errors import ConfigurationError, LedgerError
from services.app import Kiemdiem


def load_settings(database_url: str | None = None) -> Settings:
    try:
        return settings_from_environ(database_url=database_url)
    except ConfigurationError as exc:
        raise click.UsageError(str(exc)) from exc


@contextmanager
def open_services(
    database_url: str | None = None, *, settings: Settings | None = None
) -> Iterator[Kiemdiem]:
    settings = settings or load_settings(database_url)
    if not settings.trust_root_path.exists():
        msg = (
            f"chưa có kho dữ liệu ở đây: thiếu {settings.trust_root_path}. "
            "Hãy chạy `kiemdiem init` trước (hoặc đặt KIEMDIEM_DATABASE_URL)."
        )
        raise click.ClickException(msg)
    try:
        services = Kiemdiem(settings)
    except (ConfigurationError, LedgerError) as exc:
        raise click.ClickException(str(exc)) from exc
    except PersistenceError as exc:  # the database is down or refuses us
        detail = " ".join(str(exc).split())
        msg = (
            f"không kết nối được cơ sở dữ liệu {settings.backend} "
            f"(chi tiết kỹ thuật: {detail})"
        )
        raise click.ClickException(msg) from exc
    try:
        yield services
    finally:
        services.close()


def interactive() -> bool:
    return sys.stdin.isatty()


def secret_from_env_or_prompt(env_name: str, prompt: str) -> str | None:
    """A password from the environment, else asked on a terminal, else None."""
    value = os.environ.get(env_name)
    if value:
        return value
    if interactive():
        return str(click.prompt(prompt, hide_input=True))
    return None
