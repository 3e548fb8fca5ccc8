"""What the views' ``PRAGMA synchronous = NORMAL`` saves (SQLite): members
enrolled one command at a time through the services in the inline mode (sign,
append, integrate and project into the views that take the event before the
answer), with the view files at the library's full sync as the baseline, in
blocks taking turns on one store in the same run."""

from __future__ import annotations

import tempfile
import time
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from bench.rating_rounds import PASSWORD, _services
from services import commands as c
from services.app import Kiemdiem

BLOCK = 60


def measure(scale: float, timed: Any, row: Any) -> list[Any]:
    blocks = max(1, int(2 * scale))
    seconds = {"FULL": 0.0, "NORMAL": 0.0}
    enrolled = 0
    with (
        tempfile.TemporaryDirectory() as tmp,
        _services("sqlite", Path(tmp), True) as s,
    ):
        admin = s.authenticate("admin", PASSWORD)
        assert admin is not None
        parent: Any = None
        for code, name, kind in (
            ("tinh", "Tỉnh ủy", "provincial_committee"),
            ("xa", "Đảng ủy xã", "grassroots_committee"),
            ("thon", "Chi bộ thôn", "cell"),
        ):
            found = c.FoundOrganisation(admin.actor, code, name, kind, parent)
            parent = s.handle(found, admin.signer)
        cell = parent
        for _ in range(blocks):
            for level in ("FULL", "NORMAL"):
                env = {**s.settings.library_env, "SQLITE_SYNCHRONOUS": level}
                services = Kiemdiem(replace(s.settings, library_env=env))
                try:
                    start = time.perf_counter()
                    for _ in range(BLOCK):
                        enrolled += 1
                        enrol = c.EnrolMember(
                            admin.actor,
                            f"Đảng viên {enrolled:04d}",
                            f"DV{enrolled:06d}",
                            date(1980, 1, 1),
                            date(2010, 1, 1),
                            "full",
                            cell,
                        )
                        services.handle(enrol, admin.signer)
                    seconds[level] += time.perf_counter() - start
                finally:
                    services.close()
    n = blocks * BLOCK
    return [
        row(
            "sqlite: inline EnrolMember, views sync NORMAL vs FULL (cmd/s)",
            n / seconds["NORMAL"],
            "cmd/s",
            n / seconds["FULL"],
            1.0,
        )
    ]
