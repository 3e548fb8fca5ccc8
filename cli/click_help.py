"""The help of every ``kiemdiem`` command in Vietnamese (issue 13 §5).

Click writes a command's help through methods a ``Command`` subclass may
override: the usage line (:meth:`click.Command.format_usage`, with the
``options_metavar`` and, for a group, the ``subcommand_metavar``), the option
and command lists (``format_options``, ``format_commands``) and the ``--help``
option itself (``get_help_option``). :class:`VietnameseCommand` and
:class:`VietnameseGroup` write them in Vietnamese, and name an option's value
by its type in Vietnamese (``VĂN_BẢN``, ``SỐ``, ``TỆP``…) where the command
gives no ``metavar`` of its own. Every command and group of the command line is
one of these: a group's ``command``/``group`` decorators make its subcommands
of the same classes. The help reads the same whether or not click's messages
were bound to Vietnamese (:mod:`cli.click_words`, for its usage errors).
"""

from __future__ import annotations

from typing import Any

import click

from cli.click_words import words

USAGE = "Cách dùng: "
OPTIONS = "Tùy chọn"
ARGUMENTS = "Đối số"
COMMANDS = "Lệnh"
OPTIONS_METAVAR = "[TÙY CHỌN]"
SUBCOMMAND_METAVAR = "LỆNH [THAM SỐ]..."
OPTIONAL_SUBCOMMAND_METAVAR = "[LỆNH] [THAM SỐ]..."
HELP_OPTION = "Hiện hướng dẫn này rồi thoát."
REQUIRED = "bắt buộc"

# An option's value named by its type (click's ``ParamType.name``); a type
# whose values click lists itself (a choice, a date's formats) keeps its list.
TYPE_METAVARS: dict[str, str] = {
    "text": "VĂN_BẢN",
    "integer": "SỐ",
    "integer range": "SỐ",
    "float": "SỐ_THỰC",
    "float range": "SỐ_THỰC",
    "uuid": "MÃ_UUID",
    "boolean": "CÓ|KHÔNG",
    "filename": "TỆP",
}


def type_metavar(param: click.Parameter) -> str | None:
    """The Vietnamese name of a parameter's value, from its type."""
    kind = param.type
    if isinstance(kind, click.Path):
        if not kind.dir_okay:
            return "TỆP"
        return "THƯ_MỤC" if not kind.file_okay else "ĐƯỜNG_DẪN"
    return TYPE_METAVARS.get(kind.name)


def name_the_values(params: list[click.Parameter]) -> None:
    """Give each option without a ``metavar`` its type's Vietnamese name (and a
    path type its Vietnamese name for click's errors). Arguments name
    themselves: each is declared with a Vietnamese metavar."""
    for param in params:
        if isinstance(param.type, click.Path):
            # click names a path type in English as it is made ("file"), before
            # its words are bound; its errors say "Tệp '…' không tồn tại."
            param.type.name = words(param.type.name)
        if not isinstance(param, click.Option) or param.metavar is not None:
            continue
        if param.is_flag or param.count:
            continue
        word = type_metavar(param)
        if word is not None:
            param.metavar = word if param.nargs == 1 else f"{word}..."


def option_row(option: click.Option, ctx: click.Context) -> tuple[str, str] | None:
    """An option's line in the help: its spellings and value, its help and,
    in brackets, its default, range and whether it is required."""
    record = option.get_help_record(ctx)
    if record is None:
        return None
    extra = option.get_help_extra(ctx)
    items: list[str] = []
    if "envvars" in extra:
        items.append(f"biến môi trường: {', '.join(extra['envvars'])}")
    if "default" in extra:
        items.append(f"mặc định: {extra['default']}")
    if "range" in extra:
        items.append(extra["range"])
    if "required" in extra:
        items.append(REQUIRED)
    text = option.help or ""
    if items:
        brackets = f"[{'; '.join(items)}]"
        text = f"{text}  {brackets}" if text else brackets
    return record[0], text


class VietnameseCommand(click.Command):
    """A command whose help is written in Vietnamese."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", OPTIONS_METAVAR)
        super().__init__(*args, **kwargs)
        name_the_values(self.params)

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        pieces = " ".join(self.collect_usage_pieces(ctx))
        formatter.write_usage(ctx.command_path, pieces, prefix=USAGE)

    def format_arguments(
        self, ctx: click.Context, formatter: click.HelpFormatter
    ) -> None:
        arguments = [p for p in self.get_params(ctx) if isinstance(p, click.Argument)]
        if any(getattr(a, "help", None) for a in arguments):
            with formatter.section(ARGUMENTS):
                formatter.write_dl(
                    [
                        (a.make_metavar(ctx), getattr(a, "help", "") or "")
                        for a in arguments
                    ]
                )

    def format_options(
        self, ctx: click.Context, formatter: click.HelpFormatter
    ) -> None:
        rows: list[tuple[str, str]] = []
        for param in self.get_params(ctx):
            if isinstance(param, click.Option):
                row = option_row(param, ctx)
            elif isinstance(param, click.Argument):
                row = None
            else:
                row = param.get_help_record(ctx)
            if row is not None:
                rows.append(row)
        if rows:
            with formatter.section(OPTIONS):
                formatter.write_dl(rows)

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = HELP_OPTION
        return option


class VietnameseGroup(VietnameseCommand, click.Group):
    """A group whose help, and its subcommands' help, is written in Vietnamese."""

    command_class = VietnameseCommand
    group_class = type  # a subgroup is of this group's own class

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if kwargs.get("subcommand_metavar") is None and not kwargs.get("chain"):
            optional = kwargs.get("invoke_without_command", False)
            kwargs["subcommand_metavar"] = (
                OPTIONAL_SUBCOMMAND_METAVAR if optional else SUBCOMMAND_METAVAR
            )
        super().__init__(*args, **kwargs)

    def format_options(
        self, ctx: click.Context, formatter: click.HelpFormatter
    ) -> None:
        super().format_options(ctx, formatter)  # the options (VietnameseCommand)
        self.format_commands(ctx, formatter)

    def format_commands(
        self, ctx: click.Context, formatter: click.HelpFormatter
    ) -> None:
        commands = [
            (name, command)
            for name in self.list_commands(ctx)
            if (command := self.get_command(ctx, name)) is not None
            and not command.hidden
        ]
        if not commands:
            return
        limit = formatter.width - 6 - max(len(name) for name, _ in commands)
        rows = [(name, command.get_short_help_str(limit)) for name, command in commands]
        with formatter.section(COMMANDS):
            formatter.write_dl(rows)


__all__ = [
    "HELP_OPTION",
    "OPTIONS_METAVAR",
    "SUBCOMMAND_METAVAR",
    "VietnameseCommand",
    "VietnameseGroup",
    "name_the_values",
    "type_metavar",
]
