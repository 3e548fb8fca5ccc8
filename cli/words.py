"""What the command line says to a person, in Vietnamese (issue 13 §5).

A refusal's words come from the one catalogue (``web.catalogue.message_for``),
the same sentence the web shows for the same code; the command line adds only a
hint of which command to run next. ``--json`` output keeps its English keys and
codes, for scripts. Failures are printed as ``Lỗi: …`` by :class:`KiemdiemGroup`,
which also puts click's own usage errors (a missing or unknown option) in
Vietnamese.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from typing import IO, Any, NoReturn

import click

from cli.click_help import VietnameseGroup
from cli.click_words import speak_vietnamese
from ledger.errors import json_words as json_words  # the commands take these
from ledger.errors import os_words as os_words  # (a file's faults) from here
from web.catalogue import message_for

# A next step worth naming after a refusal on the command line.
HINTS: dict[str, str] = {
    "cycle.not_found": "xem `kiemdiem cycles list`",
    "import.cell_unknown": "xem `kiemdiem orgs list`",
    "org.not_found": "xem `kiemdiem orgs list`",
}


NO_TERMINAL = "hãy đặt KIEMDIEM_PASSWORD (không có cửa sổ dòng lệnh để hỏi mật khẩu)"
WRONG_LOGIN = "sai tên tài khoản hoặc mật khẩu"


def refusal(code: str, details: Mapping[str, Any] | None = None) -> str:
    """The Vietnamese sentence for a refused command (a ``DomainError`` code)."""
    words = message_for(code, details)
    hint = HINTS.get(code)
    return f"{words} ({hint})" if hint else words


def fail(message: str, status: int) -> NoReturn:
    """Print ``Lỗi: message`` on stderr and leave with ``status``."""
    click.echo(f"Lỗi: {message}", err=True)
    raise click.exceptions.Exit(status)


def _hint(
    param: click.Parameter | None, ctx: click.Context | None, given: Any = None
) -> str:
    if param is None:  # a hint given by the command (``param_hint=``)
        return f" '{given}'" if isinstance(given, str) and given else ""
    if isinstance(param, click.Argument):  # by its (Vietnamese) metavar
        return f" '{param.make_metavar(ctx) if ctx else param.human_readable_name}'"
    return " " + " / ".join(f"'{h}'" for h in param.opts) if param.opts else ""


def usage_words(exc: click.ClickException) -> str:
    """Click's own usage errors, in Vietnamese; any other message as it is."""
    if isinstance(exc, click.MissingParameter):
        return f"thiếu tham số{_hint(exc.param, exc.ctx)}."
    if isinstance(exc, click.NoSuchOption):
        return f"không có tùy chọn '{exc.option_name}'."
    if isinstance(exc, click.BadParameter):
        where = _hint(exc.param, exc.ctx, exc.param_hint)
        return f"giá trị không hợp lệ cho{where}: {exc.message}"
    return exc.format_message()


def show(exc: click.ClickException, file: IO[str] | None = None) -> None:
    """Print a failure as ``Lỗi: …`` (after the usage line for a usage error)."""
    out = file or sys.stderr
    if isinstance(exc, click.exceptions.NoArgsIsHelpError):
        click.echo(exc.format_message(), file=out)  # a group alone: its help
        return
    if isinstance(exc, click.UsageError) and exc.ctx is not None:
        usage = exc.ctx.get_usage()
        if usage.startswith("Usage:"):
            usage = "Cách dùng:" + usage.removeprefix("Usage:")
        click.echo(usage, file=out)
        click.echo(f"Xem '{exc.ctx.command_path} --help' để biết cách dùng.", file=out)
    click.echo(f"Lỗi: {usage_words(exc)}", file=out)


class KiemdiemGroup(VietnameseGroup):
    """The ``kiemdiem`` command group: its help (:class:`VietnameseGroup`) and
    failures printed in Vietnamese."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        speak_vietnamese()
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        try:
            result = super().main(args, prog_name, complete_var, False, **extra)
        except click.ClickException as exc:
            show(exc)
            sys.exit(exc.exit_code)
        except click.exceptions.Abort:
            click.echo("Đã hủy.", err=True)
            sys.exit(1)
        # Without standalone mode click returns an Exit's code instead of exiting.
        sys.exit(result if isinstance(result, int) else 0)
