"""The store written by the first release (tests/fixtures/store_2026_12), copied out
for a test: nothing may change the fixture itself."""

import gzip
import shutil
from pathlib import Path

import pytest

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "store_2026_12"
ADMIN_PASSWORD = "mat-khau-quan-tri-1"
# The demo's logins as `kiemdiem init --demo` printed them when the store was made.
DEMO_LOGINS = {
    "admin": ADMIN_PASSWORD,
    "thuky": "jZDQAD34FRG8",
    "captuy": "xggvuu9JNpU0",
    "ubkt": "ZjdLzVNUnHdL",
    "dangvien": "H1zSgThG1M5-",
    "bankiemphieu": "AvD7gPzorRfH",
}


def copy_old_store(instance: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Copy the store into ``instance`` and point the environment at it."""
    instance.mkdir(parents=True, exist_ok=True)
    with gzip.open(FIXTURE / "kiemdiem.db.gz") as src:
        (instance / "kiemdiem.db").write_bytes(src.read())
    shutil.copy(FIXTURE / "trust-root.json", instance / "trust-root.json")
    url = f"sqlite:///{instance}/kiemdiem.db"
    monkeypatch.setenv("KIEMDIEM_DATABASE_URL", url)
    monkeypatch.setenv("KIEMDIEM_INSTANCE_DIR", str(instance))
    return url
