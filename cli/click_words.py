"""Click's own words in Vietnamese: usage errors ("Missing option", "No such
command", "Invalid value"…), the help's frame ("Usage:", "Options") and prompts.

Click passes each of its messages through ``gettext`` (``_`` and ``ngettext``
bound in each of its modules) before formatting it; :func:`speak_vietnamese`
binds those names to :func:`words` / :func:`plural_words`, which answer the
Vietnamese of a known message and the message itself otherwise. The
placeholders (``{name!r}``…) are kept, as click formats them afterwards.
Output for scripts (``--json``) is the commands' own and keeps English codes.
The help pages are written by :mod:`cli.click_help`'s command classes; the
help's frame here is for a command that is not of those classes.
"""

from __future__ import annotations

import re
from types import ModuleType

from click import core, decorators, exceptions, formatting, parser, termui, types

VIETNAMESE: dict[str, str] = {
    # usage errors (click.exceptions, click.core, click.parser)
    "Missing command.": "thiếu lệnh.",
    "Missing argument": "Thiếu đối số",
    "Missing option": "Thiếu tùy chọn",
    "Missing parameter": "Thiếu tham số",
    "Missing parameter: {param_name}": "Thiếu tham số: {param_name}",
    "Missing {param_type}": "Thiếu {param_type}",
    "No such option {name!r}.": "không có tùy chọn {name!r}.",
    "No such command {name!r}.": "không có lệnh {name!r}.",
    "Invalid value: {message}": "giá trị không hợp lệ: {message}",
    "Invalid value for {param_hint}: {message}": (
        "giá trị không hợp lệ cho {param_hint}: {message}"
    ),
    "Got unexpected extra argument ({args})": "thừa đối số ({args})",
    "Got unexpected extra arguments ({args})": "thừa các đối số ({args})",
    "Option {name!r} does not take a value.": "tùy chọn {name!r} không nhận giá trị.",
    "Option {name!r} requires an argument.": "tùy chọn {name!r} cần một giá trị.",
    "Option {name!r} requires {nargs} arguments.": (
        "tùy chọn {name!r} cần {nargs} giá trị."
    ),
    "Argument {name!r} takes {nargs} values.": "đối số {name!r} nhận {nargs} giá trị.",
    "Takes {nargs} values but 1 was given.": "cần {nargs} giá trị nhưng chỉ có 1.",
    "Takes {nargs} values but {len} were given.": (
        "cần {nargs} giá trị nhưng có {len}."
    ),
    "Did you mean {possibility}?": "Có phải ý bạn là {possibility}?",
    "(Did you mean one of: {possibilities}?)": (
        "(Có phải ý bạn là một trong: {possibilities}?)"
    ),
    "Could not open file {filename!r}: {message}": (
        "không mở được tệp {filename!r}: {message}"
    ),
    "Error: {message}": "Lỗi: {message}",
    "Try '{command} {option}' for help.": "Xem '{command} {option}' để biết cách dùng.",
    "unknown error": "lỗi không xác định",
    "Aborted!": "Đã hủy.",
    "Value must be an iterable.": "giá trị phải là một danh sách.",
    # the values (click.types)
    "{value!r} is not {choice}.": "{value!r} không phải là {choice}.",
    "{value!r} is not one of {choices}.": (
        "{value!r} không thuộc các giá trị {choices}."
    ),
    "{value!r} does not match the format {format}.": (
        "{value!r} không đúng dạng {format}."
    ),
    "{value!r} does not match the formats {formats}.": (
        "{value!r} không đúng dạng nào trong {formats}."
    ),
    "{value} is not in the range {range}.": "{value} nằm ngoài khoảng {range}.",
    "{value!r} is not a valid boolean. Recognized values: {states}": (
        "{value!r} không phải là giá trị có/không hợp lệ; dùng một trong: {states}"
    ),
    "{len_type} values are required, but {len_value} was given.": (
        "cần {len_type} giá trị nhưng có {len_value}."
    ),
    "{len_type} values are required, but {len_value} were given.": (
        "cần {len_type} giá trị nhưng có {len_value}."
    ),
    # ``number_type`` is the type's English name ("integer"): left out
    "{value!r} is not a valid {number_type}.": "{value!r} không phải là số hợp lệ.",
    "{value!r} is not a valid UUID.": "{value!r} không phải là mã định danh (UUID).",
    "file": "Tệp",
    "directory": "Thư mục",
    "path": "Đường dẫn",
    "{name} {filename!r} is a file.": "{name} {filename!r} là một tệp.",
    "{name} {filename!r} is a directory.": "{name} {filename!r} là một thư mục.",
    "{name} {filename!r} is not readable.": "{name} {filename!r} không đọc được.",
    "{name} {filename!r} is not writable.": "{name} {filename!r} không ghi được.",
    "{name} {filename!r} is not executable.": "{name} {filename!r} không chạy được.",
    "{name} {filename!r} does not exist.": "{name} {filename!r} không tồn tại.",
    "Choose from:\n\t{choices}": "Chọn một trong:\n\t{choices}",
    # the help's frame (click.formatting, click.core, click.decorators)
    "Usage:": "Cách dùng:",
    "Options": "Tùy chọn",
    "Commands": "Lệnh",
    "Positional arguments": "Đối số",
    "default: {default}": "mặc định: {default}",
    "env var: {var}": "biến môi trường: {var}",
    "(dynamic)": "(tính khi chạy)",
    "deprecated": "không còn dùng",
    "Show this message and exit.": "Hiện hướng dẫn này rồi thoát.",
    "Show the version and exit.": "Hiện phiên bản rồi thoát.",
    "Confirm the action without prompting.": "Xác nhận luôn, không hỏi lại.",
    "Do you want to continue?": "Bạn có muốn tiếp tục?",
    # prompts (click.termui)
    "Repeat for confirmation": "Nhập lại để xác nhận",
    "Error: The two entered values do not match.": "Lỗi: hai lần nhập không khớp.",
    "Error: invalid input": "Lỗi: giá trị nhập không hợp lệ",
    "Press any key to continue...": "Nhấn một phím để tiếp tục...",
}
# Click's modules that bind ``_`` (and ``ngettext``) to their words.
SPEAKING: tuple[ModuleType, ...] = (
    core,
    decorators,
    exceptions,
    formatting,
    parser,
    termui,
    types,
)


def words(message: str) -> str:
    """The Vietnamese of one of click's messages; any other as it is."""
    return VIETNAMESE.get(message, message)


def plural_words(singular: str, plural: str, n: int) -> str:
    return words(singular if n == 1 else plural)


def speak_vietnamese() -> None:
    """Bind click's messages to :data:`VIETNAMESE` (idempotent)."""
    for module in SPEAKING:
        if hasattr(module, "_"):
            module._ = words  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = plural_words  # type: ignore[attr-defined]


def english_left(text: str) -> list[str]:
    """Click's English messages still found in ``text`` (for the tests): the
    help's frame, and the longest fixed part of each known message."""
    frames = ("Usage:", "Options:", "Commands:", "Error:", "Try '")
    found = [f for f in frames if f in text]
    for message in VIETNAMESE:
        fixed = max(re.split(r"\{[^}]*\}", message), key=len).strip()
        if len(fixed) > 8 and fixed in text:  # not "default:" in a help text
            found.append(fixed)
    return found


__all__ = ["VIETNAMESE", "english_left", "plural_words", "speak_vietnamese", "words"]
