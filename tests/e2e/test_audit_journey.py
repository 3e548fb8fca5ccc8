"""Key journey of the inspection committee in a real browser (issue 5): open a
member's file, see who decided each step with which key, download its proof
bundle and have `kiemdiem verify --bundle` accept it offline; run the full
verification with its progress bar.

Drives Debian's Chromium through Playwright (fixtures of test_journey.py);
screenshots go to test-artifacts/.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from test_journey import (  # type: ignore[import-not-found]  # noqa: F401 - fixtures
    _shot,
    live_server,
    page,
)

pytestmark = pytest.mark.browser


def _login(page, world, role: str) -> None:  # noqa: F811 - the page fixture
    page.goto("/auth/login")
    page.get_by_label("Tên đăng nhập").fill(world.username(role))
    page.get_by_label("Mật khẩu").fill(world.password(role))
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("heading", name="Xin chào").wait_for()


def test_inspector_checks_a_file_and_its_proof_offline(
    page,  # noqa: F811 - fixture
    world,
    store_dir,
    tmp_path,
):
    _login(page, world, "inspector")
    page.get_by_role("link", name="Kiểm tra", exact=True).click()
    page.get_by_role(
        "heading", name="Không gian làm việc của Ủy ban Kiểm tra"
    ).wait_for()
    page.get_by_role("link", name="Chi bộ xóm A").click()
    page.get_by_role("heading", name="Lịch sử hồ sơ: Chi bộ xóm A").wait_for()
    page.get_by_role("link", name="Nguyễn Văn An").click()
    page.get_by_role("heading", name="Lịch sử hồ sơ: Nguyễn Văn An").wait_for()
    enrolled = page.locator("tr", has_text="Ghi nhận đảng viên")
    assert "Quản trị hệ thống" in enrolled.inner_text()
    assert "Hợp lệ" in enrolled.inner_text()
    _shot(page, "audit-member-history")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Tải gói bằng chứng (toàn bộ hồ sơ)").click()
    bundle = tmp_path / "bundle.json"
    download_info.value.save_as(str(bundle))
    assert json.loads(bundle.read_text())["format"] == "kiemdiem-proof-bundle/v1"

    # Offline, somewhere else: only the trust root and the bundle.
    offline = tmp_path / "offline"
    offline.mkdir()
    shutil.copy(store_dir / "instance" / "trust-root.json", offline / "tr.json")
    env = {
        "PATH": "/usr/bin:/bin",
        "KIEMDIEM_DATABASE_URL": f"sqlite:///{offline / 'absent.db'}",
        "KIEMDIEM_INSTANCE_DIR": str(offline),
    }
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "cli.main",
            "verify",
            "--bundle",
            str(bundle),
            "--trust-root",
            str(offline / "tr.json"),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Kết quả: HỢP LỆ" in result.stdout
    assert not (offline / "absent.db").exists()

    # The whole store, verified from the web with a progress bar.
    page.get_by_role("link", name="Kiểm tra", exact=True).click()
    page.get_by_role("link", name="Kiểm tra toàn bộ sổ cái").click()
    page.get_by_role("button", name="Kiểm tra toàn bộ sổ cái").click()
    page.get_by_text("KẾT QUẢ: HỢP LỆ").wait_for()
    assert page.locator("progress").get_attribute("value") == page.locator(
        "progress"
    ).get_attribute("max")
    _shot(page, "audit-verify-job")
