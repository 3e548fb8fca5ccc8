"""What the ``kiemdiem votes`` commands share: exit statuses and the two ways
a command stops (bad input, a refusal), in Vietnamese on standard error (a
refusal keeps its code in brackets, for the operator's search)."""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import click

from cli.words import os_words

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_UNREADABLE = 2


def bad_input(message: str) -> NoReturn:
    """An input that cannot be read or used: exit status 2."""
    click.echo(f"Lỗi: {message}", err=True)
    raise click.exceptions.Exit(EXIT_UNREADABLE)


def refused(message: str) -> NoReturn:
    """A step the rules refuse: exit status 1."""
    click.echo(f"Bị từ chối: {message}", err=True)
    raise click.exceptions.Exit(EXIT_FAILED)


def read_file(path: Path, what: str) -> bytes:
    """The bytes of a file named on the command line, or a plain error."""
    try:
        return path.read_bytes()
    except OSError as exc:
        bad_input(f"không đọc được {what} {path}: {os_words(exc)}")
