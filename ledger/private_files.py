"""Files at rest in the instance folder: private from the moment they exist.

The instance folder holds the trust root, the log key and its demo passphrase,
the SQLite store (password hashes, wrapped keys, personal data) with its
``-wal``/``-shm`` files and views, checkpoints, ballot-box keys and the demo
logins. Folders are created 0700 and files 0600: by an explicit mode where the
project writes the file itself, and by a restrictive umask where a library does
(SQLite creates the database, its journal files and the view databases).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PRIVATE_UMASK = 0o077
DIR_MODE = 0o700
FILE_MODE = 0o600


def restrict_umask() -> int:
    """For a process's entry point (the CLI, the WSGI app): every file the
    process creates from now on is readable by its owner only. Returns the
    previous umask."""
    return os.umask(PRIVATE_UMASK)


@contextmanager
def private_umask() -> Iterator[None]:
    """Restrict the umask for a block (the umask is per process: other threads
    creating files meanwhile only get stricter modes)."""
    previous = os.umask(PRIVATE_UMASK)
    try:
        yield
    finally:
        os.umask(previous)


def private_dir(path: Path) -> Path:
    """Create ``path`` (and missing parents) with mode 0700; an existing folder
    is left as it is."""
    with private_umask():
        path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    return path


def make_private(path: Path) -> None:
    """Tighten an existing folder to 0700 (``kiemdiem init`` on its instance)."""
    path.chmod(DIR_MODE)


def write_private(path: Path, data: bytes | str, *, exclusive: bool = False) -> None:
    """Write a file that is 0600 from its creation (its folder made private if
    missing). ``exclusive`` refuses to replace an existing file."""
    private_dir(path.parent)
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else os.O_TRUNC)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd = os.open(path, flags, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)  # an existing file keeps its mode otherwise
        with os.fdopen(fd, "wb") as handle:
            fd = -1
            handle.write(raw)
    finally:
        if fd != -1:
            os.close(fd)
