"""Ledger errors that callers may need to tell apart."""

from __future__ import annotations

import errno
import json
from uuid import UUID


class LedgerError(Exception):
    """Base class of ledger failures."""


class TamperedEventError(LedgerError):
    """A stored event failed a check while being read; ``kind`` is a verify kind."""

    def __init__(self, stream: UUID | str, version: int, kind: str, detail: str = ""):
        super().__init__(f"{kind} at stream {stream} version {version}: {detail}")
        self.stream = stream
        self.version = version
        self.kind = kind
        self.detail = detail


class KeyNotValidError(LedgerError):
    """The signer's key may not sign now (unknown, revoked, or not the actor's)."""


class LedgerCorruptionError(LedgerError):
    """The previous event of a stream is missing or does not verify: refuse to
    append on top of it."""


class ConfigurationError(LedgerError):
    """A setting is missing, malformed or forbidden."""


# What the system says about a file it could not read or write (``strerror`` is
# the C library's English), by errno.
OS_ERRORS: dict[int, str] = {
    errno.ENOENT: "không có tệp hoặc thư mục này",
    errno.EACCES: "không có quyền truy cập",
    errno.EPERM: "không được phép",
    errno.EISDIR: "đó là một thư mục, không phải tệp",
    errno.ENOTDIR: "một phần của đường dẫn không phải thư mục",
    errno.EEXIST: "tệp đã có",
    errno.ENOSPC: "hết chỗ trên đĩa",
    errno.EROFS: "ổ đĩa chỉ cho đọc",
    errno.ENAMETOOLONG: "tên tệp quá dài",
}


def os_words(exc: OSError) -> str:
    """Why a file could not be read or written, in Vietnamese."""
    if exc.errno in OS_ERRORS:
        return OS_ERRORS[exc.errno]
    return f"lỗi hệ thống (mã {exc.errno})" if exc.errno else "lỗi hệ thống"


def json_words(exc: json.JSONDecodeError) -> str:
    """Where a JSON document stops being JSON, in Vietnamese."""
    return f"không phải JSON hợp lệ (dòng {exc.lineno}, cột {exc.colno})"
