"""What one read gateway (one request) has already read, read once
(``services.read_gateway``): a page asks for its cycle, its subject, its
organisation up to six times, through the checks of the methods it calls; the
row is read from the views the first time and the scope check still runs on
every call. ``forget()`` empties it: the web calls it after every command it
sends (``web.dispatch``), so a page read after a command shows the command's
effect. Never shared between gateways, so never between requests, threads or
processes.

``as_uuid``: the text of an id as a ``UUID``, parsed once per process (a
``UUID`` is an immutable value, so a cache of them is always right); a list
filtered by scope parses the same few organisation ids hundreds of times.

``PlaceDecisions``: the read rule's answer for a kind at an organisation (no
owner, no count), decided once per request: the cycle page checks its ≈ 400
organisations ≈ 600 times across its lists."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from functools import lru_cache
from typing import Any, TypeVar, cast
from uuid import UUID

from domain import permissions as p
from domain.permissions import Path, Read, Viewer

T = TypeVar("T")
# Distinct id texts kept (≈ 250 bytes each with the cache's own): a province's
# organisations many times over, the members a worker reads often.
UUID_CACHE = 16384


@lru_cache(maxsize=UUID_CACHE)
def _parsed(text: str) -> UUID:
    return UUID(text)


def as_uuid(value: UUID | str) -> UUID:
    """``value`` as a UUID (``ValueError`` for a text that is not one)."""
    return value if isinstance(value, UUID) else _parsed(str(value))


class ReadMemo:
    """Rows by key, read at most once until :meth:`forget`."""

    def __init__(self) -> None:
        self._rows: dict[Hashable, Any] = {}

    def once(self, key: Hashable, read: Callable[[], T]) -> T:
        """``read()``'s answer for ``key``, read the first time only. A dict
        row is handed out as a copy, so a caller that changes its copy never
        changes what the next caller gets."""
        if key in self._rows:
            found: T = self._rows[key]
        else:
            found = self._rows[key] = read()
        return cast(T, dict(found)) if isinstance(found, dict) else found

    def forget(self) -> None:
        """Read everything afresh from now on (after a command)."""
        self._rows.clear()


class PlaceDecisions:
    """``may_read(viewer, kind, path(org))`` by (kind, organisation), until
    :meth:`forget` (the paths are forgotten at the same time). The viewer is
    the gateway's, fixed for its life."""

    def __init__(self, viewer: Viewer, path: Callable[[UUID], Path]) -> None:
        self.viewer = viewer
        self.path = path
        self._decided: dict[tuple[Read, UUID], bool] = {}

    def sees(self, kind: Read, org_id: UUID | str | None) -> bool:
        if org_id is None or org_id == "":
            return p.may_read(self.viewer, kind, ())
        key = (kind, as_uuid(org_id))
        found = self._decided.get(key)
        if found is None:
            found = self._decided[key] = p.may_read(
                self.viewer, kind, self.path(key[1])
            )
        return found

    def forget(self) -> None:
        self._decided.clear()
