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

from collections.abc import Callable, Collection, Hashable, Iterable, Mapping
from functools import lru_cache
from typing import Any, TypeVar, cast
from uuid import UUID

from domain import permissions as p
from domain.permissions import Path, Read, Viewer
from projections import directory_reads
from projections.directory import BATCH

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
    :meth:`forget`. The viewer is the gateway's, fixed for its life.

    A list kept by scope (``ReadGateway.keep``) reads its organisations' paths
    cut down to what a read rule tests (``scope_anchors``; ``scope_paths``):
    one or two rows each instead of their whole path. Any other organisation
    is decided on its whole path (``path``, the gateway's)."""

    def __init__(
        self,
        viewer: Viewer,
        runtime: Any,
        whole: Mapping[UUID, Path],
        path: Callable[[UUID], Path],
    ) -> None:
        self.viewer = viewer
        self.runtime = runtime
        self._whole = whole
        self._path = path
        self._cut: dict[UUID, Path] = {}
        self._decided: dict[tuple[Read, UUID], bool] = {}

    def path(self, org_id: UUID | str | None) -> Path:
        """A path that decides every read at the organisation: the cut one a
        list loaded, else the whole one."""
        if org_id is None or org_id == "":
            return ()
        key = as_uuid(org_id)
        found = self._cut.get(key)
        return found if found is not None else self._path(key)

    def load(self, org_ids: Iterable[UUID | str | None]) -> None:
        """The cut paths of many organisations, in one indexed statement."""
        wanted = {as_uuid(o) for o in org_ids if o}
        wanted -= self._whole.keys()
        wanted -= self._cut.keys()
        if wanted:
            anchors = p.scope_anchors(self.viewer)
            self._cut.update(scope_paths(self.runtime, wanted, anchors))

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
        self._cut.clear()


def scope_paths(
    runtime: Any, org_ids: Collection[UUID], anchors: Collection[UUID]
) -> dict[UUID, Path]:
    """Each organisation's ancestor path cut down to ``anchors`` (those on it,
    from the top) and itself last; empty for an unknown one. The indexed
    ``org_ancestors`` (its primary key by ``org_id``), ``BATCH`` ids a
    statement."""
    by_text = {str(a): a for a in anchors}
    wanted = sorted(str(o) for o in org_ids)
    chains: dict[str, list[tuple[int, UUID]]] = {}
    for i in range(0, len(wanted), BATCH):
        batch = wanted[i : i + BATCH]
        for r in directory_reads.ancestors_among(runtime, batch, list(by_text)):
            org, above = str(r["org_id"]), str(r["ancestor_id"])
            chains.setdefault(org, []).append(
                (-int(r["depth"]), by_text.get(above) or as_uuid(above))
            )
    found: dict[UUID, Path] = {as_uuid(o): () for o in wanted}
    for org, chain in chains.items():
        found[as_uuid(org)] = tuple(a for _, a in sorted(chain, key=lambda c: c[0]))
    return found
