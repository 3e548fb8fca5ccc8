"""The browser booth bundle: which files are served and the hash that pins them
(votes.md §7.1, Helios issue #289).

The booth is our own ES modules in ``booth/`` plus the audited npm packages
``@noble/curves`` and ``@noble/hashes``, installed by ``npm ci`` from the committed
``package-lock.json`` into ``node_modules/`` (never copied into the repository).
The browser resolves the packages' bare imports through an import map.

``booth_sha256`` (manifest field) is::

    SHA-256("kiemdiem/vote/v1/booth\\n" || canonical({
        "files": [[url path, hex SHA-256 of the bytes], ...]  # sorted by path
        "import_map": <the import map object>,
    }))

over every file the booth route may serve, so the inspection committee can rebuild
the same hash from the repository and the lock file: ``npm ci`` then
``kiemdiem votes booth-hash``.  The route serves nothing outside this list, and the
import map carries an SRI ``integrity`` entry for every module.
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from votes.canon import canonical

BOOTH_PREFIX = b"kiemdiem/vote/v1/booth\n"
ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("@noble/curves", "@noble/hashes")
URL_BASE = "/votes/booth/static/"
ENTRY = "booth/booth-ui.js"
"""The page's module script; it imports ``booth/kiemdiem-booth.js``."""


class BoothMissing(RuntimeError):
    """``node_modules`` is not installed (run ``npm ci`` or ``make``)."""


@dataclass(frozen=True)
class BoothBundle:
    """The served files (url path → file), the import map and the pinned hash."""

    files: dict[str, Path]
    digests: dict[str, str]
    import_map: dict[str, Any]
    sha256: bytes

    def integrity(self, path: str) -> str:
        value: str = self.import_map["integrity"][URL_BASE + path]
        return value


def _root() -> Path:
    return Path(os.environ.get("KIEMDIEM_BOOTH_ROOT", str(ROOT)))


def _collect(root: Path) -> dict[str, Path]:
    files: dict[str, Path] = {}
    for path in sorted((root / "booth").glob("*.js")):
        files[f"booth/{path.name}"] = path
    for package in PACKAGES:
        base = root / "node_modules" / package
        if not (base / "package.json").is_file():
            raise BoothMissing(f"{base} is missing: run `npm ci` in {root}")
        for path in sorted(base.rglob("*.js")):
            relative = path.relative_to(base)
            if relative.parts[0] in ("src", "node_modules"):
                continue
            files[f"lib/{package}/{relative.as_posix()}"] = path
    return files


def _sri(data: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


def build_bundle(root: Path) -> BoothBundle:
    files = _collect(root)
    contents = {path: file.read_bytes() for path, file in files.items()}
    digests = {
        path: hashlib.sha256(data).hexdigest() for path, data in contents.items()
    }
    import_map = {
        "imports": {f"{p}/": f"{URL_BASE}lib/{p}/" for p in PACKAGES},
        "integrity": {URL_BASE + path: _sri(data) for path, data in contents.items()},
    }
    body = {
        "files": [list(item) for item in sorted(digests.items())],
        "import_map": import_map,
    }
    digest = hashlib.sha256(BOOTH_PREFIX + canonical(body)).digest()
    return BoothBundle(files, digests, import_map, digest)


@lru_cache(maxsize=4)
def _cached(root: str, stamp: tuple[float, ...]) -> BoothBundle:
    return build_bundle(Path(root))


def bundle() -> BoothBundle:
    """The current bundle (rebuilt when a booth file or the lock file changes)."""
    root = _root()
    watched = [*sorted((root / "booth").glob("*.js")), root / "package-lock.json"]
    stamp = tuple(p.stat().st_mtime if p.exists() else 0.0 for p in watched)
    return _cached(str(root), stamp)


def booth_sha256() -> bytes | None:
    """The hash for a new manifest, or None when the booth is not installed."""
    try:
        return bundle().sha256
    except BoothMissing:
        return None
