"""The help of every ``kiemdiem`` command reads in Vietnamese (issue 13 §5):
the whole click tree is walked, each command and group asked for ``--help``
through click's runner, and the page fails on click's English frame
("Usage", "Options", "Show this message"…), on an English name for a value
(TEXT, INTEGER, PATH, FILE, or an argument's English name) and on a help text
of ours without a Vietnamese letter or with English words in it."""

from __future__ import annotations

import re
from collections.abc import Iterator

import click
import pytest
from click.testing import CliRunner

from cli.main import cli

# Click's English frame and type names, as whole words.
DENIED = (
    "Usage",
    "Options",
    "Commands",
    "Arguments",
    "Show this message",
    "default:",
    "required",
    "TEXT",
    "INTEGER",
    "FLOAT",
    "RANGE",
    "BOOLEAN",
    "PATH",
    "FILENAME",
    "FILE",
    "DIRECTORY",
    "COMMAND",
    "ARGS",
    "OPTIONS",
)
# Words of English prose: a help text with one of these was not translated.
ENGLISH = ("the", "and", "with", "from", "for", "this", "your", "of", "or", "is")
# Upper-case ASCII words a Vietnamese help may still show: technical names.
TECHNICAL = {"JSON", "YAML", "XLSX", "CSV", "PDF", "URL", "UUID", "HEX", "CPU", "PORT"}
# The letters of Vietnamese that English does not have.
WORD = re.compile(r"(?<![\w$-])\w+(?![\w-])")
VIETNAMESE = set("ăâđêôơưàáạảãằắặẳẵầấậẩẫèéẹẻẽềếệểễìíịỉĩòóọỏõồốộổỗờớợởỡùúụủũừứựửữỳýỵỷỹ")


def walk(
    group: click.Group, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    yield path, group
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            yield from walk(command, (*path, name))
        else:
            yield (*path, name), command


ALL = list(walk(cli))


def shouted(text: str) -> list[str]:
    """Upper-case names (metavars) in ``text``: a run of upper-case words apart
    by single spaces ("THAM SỐ") is one name; words with digits ("PL1", "C2SP")
    and parts of hyphenated spellings ("YYYY-MM-DD", "SHA-256") are left out."""
    names: list[list[str]] = []
    last_end = -1
    for match in WORD.finditer(text):
        word = match.group()
        if not word.isupper() or any(c.isdigit() for c in word):
            last_end = -1
            continue
        if last_end >= 0 and text[last_end : match.start()] == " ":
            names[-1].append(word)
        else:
            names.append([word])
        last_end = match.end()
    return [" ".join(name) for name in names]


def english_in_help(text: str) -> list[str]:
    """What of click's English, or of English names, a help page still shows:
    the deny-list, and any upper-case name without a Vietnamese letter (but for
    technical names and the environment's variables)."""
    found = [
        w for w in DENIED if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text)
    ]
    for name in shouted(text):
        ascii_only = name.isascii() and len(name) > 2
        allowed = name in TECHNICAL or name.startswith("KIEMDIEM_")
        if ascii_only and not allowed and name not in found:
            found.append(name)
    return found


def english_words(text: str) -> list[str]:
    """English prose words of a help text (technical names and code aside)."""
    prose = re.sub(r"`[^`]*`|\([a-z_]+\)", " ", text)
    return [w for w in re.findall(r"[A-Za-z]+", prose) if w in ENGLISH]


def vietnamese(text: str) -> bool:
    return bool(VIETNAMESE & set(text.lower())) and not english_words(text)


def helped(*args: str) -> str:
    result = CliRunner().invoke(cli, [*args, "--help"], catch_exceptions=False)
    assert result.exit_code == 0, (args, result.output)
    return result.output


def test_the_checks_can_fail():
    old = "Usage: kiemdiem verify [OPTIONS] [DATABASE_URL]\n\nOptions:\n"
    assert english_in_help(old) == [
        "Usage",
        "Options",
        "OPTIONS",
        "DATABASE_URL",
    ]
    assert english_in_help("  --subject TEXT  Mã hồ sơ.  [required]") == [
        "required",
        "TEXT",
    ]
    assert english_in_help("  --help  Show this message and exit.") == [
        "Show this message"
    ]
    assert english_in_help("Cách dùng: kiemdiem verify [TÙY CHỌN] [URL]") == []
    assert english_in_help("kiemdiem [TÙY CHỌN] LỆNH [THAM SỐ]...") == []
    assert english_in_help("  --user USER NAME  Tài khoản.") == ["USER NAME"]
    assert not vietnamese("Log more detail to stderr.")
    assert not vietnamese("Bỏ phiếu tín nhiệm: the trustee's tool.")
    assert vietnamese("Ghi thêm chi tiết ra stderr.")


def test_the_walk_reaches_every_command():
    paths = {" ".join(path) for path, _ in ALL}
    assert {"", "votes", "votes trustee", "votes trustee submit", "orgs merge"} <= paths
    assert len(paths) > 40


@pytest.mark.parametrize(
    ("path", "command"), ALL, ids=[" ".join(p) or "kiemdiem" for p, _ in ALL]
)
def test_every_help_page_is_vietnamese(path, command):
    text = helped(*path)
    assert text.startswith(f"Cách dùng: cli {' '.join(path)}".rstrip()), text
    assert "[TÙY CHỌN]" in text.splitlines()[0]
    assert "Tùy chọn:" in text
    assert "--help" in text
    assert "Hiện hướng dẫn này rồi thoát." in text
    if isinstance(command, click.Group):
        assert "LỆNH [THAM SỐ]..." in text.splitlines()[0]
        assert "Lệnh:" in text
    assert english_in_help(text) == [], (path, text)


@pytest.mark.parametrize(
    ("path", "command"), ALL, ids=[" ".join(p) or "kiemdiem" for p, _ in ALL]
)
def test_every_help_text_of_ours_is_vietnamese(path, command):
    assert command.help, path
    assert vietnamese(command.help), (path, command.help)
    for param in command.params:
        if isinstance(param, click.Option):
            assert param.help, (path, param.opts)
            assert vietnamese(param.help), (path, param.opts, param.help)


def test_arguments_are_named_in_vietnamese_in_errors_too(tmp_path, monkeypatch):
    """A missing or bad argument is named by its Vietnamese metavar, and a path
    that does not exist by click's word for it in Vietnamese ("Tệp", not "File")."""
    monkeypatch.chdir(tmp_path)
    missing = CliRunner().invoke(cli, ["votes", "export"])
    assert missing.exit_code == 2
    assert "Lỗi: thiếu tham số 'MÃ_CUỘC_BỎ_PHIẾU'." in missing.output
    absent = CliRunner().invoke(cli, ["import", "members", str(tmp_path / "x.csv")])
    assert absent.exit_code == 2
    assert "cho 'TỆP': Tệp '" in absent.output
    assert "File" not in absent.output
