"""A member's audit history (issue 14 deliverable 2): one page read through the
``subject_events`` index (50 events, each row's signature checked) against what
the first release did on the same store in the same run: a byte search of every
stored event for the member's id, then every row found checked. The store holds
a member with a few transfers among N other enrolments (written straight to the
ledger, then indexed by the catch-up), so the baseline grows with N and the page
should not."""

from __future__ import annotations

import os
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from bench.rebuilds import DEMO_PASSWORD, populate
from ledger import history
from ledger.config import settings_from_environ
from services import commands as c

EVENTS = 20_000
TARGET = 10.0  # pages per second at least ten times the byte search's
ROUNDS = 20


def measure(scale: float, timed: Any, row: Any) -> list[Any]:
    from services.app import Kiemdiem
    from services.setup import initialise

    n = max(1_000, int(EVENTS * scale))
    os.environ.setdefault("KIEMDIEM_ARGON2_MEMORY_KIB", "1024")
    with tempfile.TemporaryDirectory() as tmp:
        environ = {
            **{k: v for k, v in os.environ.items() if k.startswith("KIEMDIEM_")},
            "KIEMDIEM_INSTANCE_DIR": str(Path(tmp) / "instance"),
            "KIEMDIEM_PROJECTIONS": "inline",
        }
        environ.pop("KIEMDIEM_TRUST_ROOT", None)
        environ.pop("KIEMDIEM_LOG_KEY_FILE", None)
        settings = settings_from_environ(environ, f"sqlite:///{tmp}/history.db")
        initialise(
            settings,
            origin="kiemdiem.bench/history",
            admin_username="admin",
            admin_full_name="Quản trị hệ thống",
            admin_password=DEMO_PASSWORD,
            demo=True,  # the generated log key passphrase beside the key
        )
        services = Kiemdiem(settings)
        try:
            inspector, member = _build(services)
            admin = services.authenticate("admin", DEMO_PASSWORD)
            assert admin is not None
            populate(services.ledger, admin.signer, n)
            services.projections.catch_up()
            sql, origin = services.ledger.sql, str(services.trust_root["origin"])

            def paged() -> int:
                for _ in range(ROUNDS):
                    services.audit.history(inspector, member)
                return ROUNDS

            def scanned() -> int:
                for _ in range(max(1, ROUNDS // 10)):
                    rows = history.rows_mentioning(sql, member)
                    history.check(rows, services.ledger.key_registry(), origin)
                return max(1, ROUNDS // 10)

            baseline = timed(scanned)
            value = timed(paged)
        finally:
            services.close()
    name = f"audit history page, {n:,} events stored (sqlite), pages/s"
    return [row(name, value, "pages/s", baseline, TARGET)]


def _build(services: Any) -> tuple[str, Any]:
    """A province, a cell, a member moved five times and an inspector."""
    admin = services.authenticate("admin", DEMO_PASSWORD)
    if admin is None:
        raise RuntimeError("the bench's administrator cannot sign in")

    def found(code: str, name: str, kind: str, parent: Any = None) -> Any:
        command = c.FoundOrganisation(admin.actor, code, name, kind, parent)
        return services.handle(command, admin.signer)

    province = found("tinh", "Tỉnh ủy", "provincial_committee")
    cells = [found(f"cb{i}", f"Chi bộ {i}", "cell", province) for i in (1, 2)]
    member = services.handle(
        c.EnrolMember(
            admin.actor,
            "Nguyễn Văn An",
            "DV00000001",
            date(1980, 1, 1),
            date(2010, 1, 1),
            "full",
            cells[0],
        ),
        admin.signer,
    )
    for i in range(5):
        services.handle(
            c.TransferMember(admin.actor, member, cells[(i + 1) % 2]), admin.signer
        )
    services.handle(
        c.OpenAccount(
            admin.actor,
            "ubkt",
            "Ủy ban Kiểm tra",
            ("inspector",),
            DEMO_PASSWORD,
            org_id=province,
        ),
        admin.signer,
    )
    session = services.authenticate("ubkt", DEMO_PASSWORD)
    if session is None:
        raise RuntimeError("the bench's inspector cannot sign in")
    return str(session.actor), member
