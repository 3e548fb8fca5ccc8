"""The browser booth's code (booth/*.js, on @noble/curves and @noble/hashes from
package-lock.json) reproduces every deterministic published vector byte for byte,
rejects every invalid case, and accepts a Python-made ballot (votes.md §12, §13.13).

Runs ``node --test booth/test``; node and the npm packages are installed by
``make`` (``npm ci``).  Locally a missing node skips with the reason; in CI it fails.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from services import booth

ROOT = Path(__file__).resolve().parents[3]


def _need(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (required in CI)")
    pytest.skip(reason)


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        _need("node is not installed")
    if not (ROOT / "node_modules" / "@noble" / "curves" / "package.json").exists():
        _need("node_modules is missing: run `make install` (npm ci)")
    return str(node)


def test_booth_js_reproduces_the_published_vectors():
    node = _node()
    done = subprocess.run(
        [node, "--test", "--test-reporter=tap", "booth/test"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "# fail 0" in done.stdout
    assert "# pass 14" in done.stdout


def test_booth_hash_covers_every_served_file_and_the_import_map(tmp_path):
    _node()
    bundle = booth.build_bundle(ROOT)
    assert "booth/kiemdiem-booth.js" in bundle.files
    assert "booth/booth-ui.js" in bundle.files
    assert "lib/@noble/curves/ed25519.js" in bundle.files
    assert "lib/@noble/hashes/sha2.js" in bundle.files
    assert not any("/src/" in path for path in bundle.files)
    integrity = bundle.import_map["integrity"]
    assert set(integrity) == {booth.URL_BASE + path for path in bundle.files}
    # One changed byte in any served file changes the pinned hash.
    copy = tmp_path / "root"
    shutil.copytree(ROOT / "booth", copy / "booth")
    shutil.copytree(ROOT / "node_modules" / "@noble", copy / "node_modules" / "@noble")
    assert booth.build_bundle(copy).sha256 == bundle.sha256
    target = copy / "node_modules" / "@noble" / "curves" / "abstract" / "edwards.js"
    target.write_bytes(target.read_bytes().replace(b"zip215", b"zip216", 1))
    assert booth.build_bundle(copy).sha256 != bundle.sha256


def test_missing_packages_are_reported(tmp_path):
    (tmp_path / "booth").mkdir()
    with pytest.raises(booth.BoothMissing):
        booth.build_bundle(tmp_path)
