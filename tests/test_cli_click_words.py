"""Click's own words on the command line are Vietnamese (issue 13 §5): every
command of ``kiemdiem`` is walked and asked with an unknown option, with its
required parameters missing, with a bad value for each typed option, and for
its help; no English message of click's is left in what a person reads."""

from __future__ import annotations

from collections.abc import Iterator

import click
import pytest
from click.testing import CliRunner

from cli.click_words import english_left, speak_vietnamese
from cli.main import cli

TYPED = (click.types.IntParamType, click.Choice, click.types.UUIDParameterType)


def commands(
    group: click.Group, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    for name, command in sorted(group.commands.items()):
        yield (*path, name), command
        if isinstance(command, click.Group):
            yield from commands(command, (*path, name))


ALL = list(commands(cli))


def asked(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code in (0, 2), (args, result.output)
    return result.output


@pytest.fixture(autouse=True)
def nowhere(tmp_path, monkeypatch):
    """No store: every invocation here fails in parsing, before any callback."""
    monkeypatch.chdir(tmp_path)
    for key in ("KIEMDIEM_DATABASE_URL", "KIEMDIEM_INSTANCE_DIR"):
        monkeypatch.delenv(key, raising=False)


def test_the_check_finds_clicks_english():
    """The check itself can fail: click's raw words are English."""
    assert english_left("Error: Missing option '--year'.")
    assert english_left("Usage: kiemdiem [OPTIONS]\nTry 'kiemdiem --help' for help.")
    assert english_left("Error: No such command 'x'.")
    assert english_left("'abc' is not a valid integer.")
    assert english_left("Cách dùng: kiemdiem\nLỗi: thiếu tham số '--year'.") == []


@pytest.mark.parametrize(("path", "command"), ALL, ids=[" ".join(p) for p, _ in ALL])
def test_every_command_speaks_vietnamese_on_bad_usage(path, command):
    said = [asked(*path, "--khong-co-tuy-chon"), asked(*path, "--help")]
    if isinstance(command, click.Group):
        said.append(asked(*path, "khong-co-lenh"))
        said.append(asked(*path))
    elif any(p.required for p in command.params):
        said.append(asked(*path))
    for param in command.params:
        if isinstance(param, click.Option) and isinstance(param.type, TYPED):
            said.append(asked(*path, param.opts[0], "khong-hop-le"))
        if isinstance(param, click.Option) and not param.is_flag:
            said.append(asked(*path, param.opts[0]))  # the value missing
    for text in said:
        assert english_left(text) == [], (path, text)
    assert "Lỗi:" in said[0]


def test_the_group_alone_shows_its_help_in_vietnamese():
    text = asked()
    assert text.startswith("Cách dùng: cli")
    assert "Tùy chọn:" in text
    assert "Lệnh:" in text
    assert "Lỗi:" not in text


def test_binding_twice_changes_nothing():
    speak_vietnamese()
    speak_vietnamese()
    assert "không có lệnh 'x'" in asked("x")
