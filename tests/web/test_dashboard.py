"""Trang chủ: who am I, the latest checkpoint, and the integrity alert banner for
those who may cosign checkpoints (administrators and the inspection committee)."""

from __future__ import annotations

import base64
from dataclasses import dataclass

import pytest


@dataclass(frozen=True)
class FakeAlert:
    notification_id: int
    kind: str
    detail: str


def test_who_am_i(client, auth, kiemdiem, world):
    auth.login("decision_maker")
    page = client.get("/").get_data(as_text=True)
    assert "Xin chào, Lê Văn Quyết" in page
    assert "captuy" in page
    assert "Cấp ủy (quyết định)" in page
    key_id = kiemdiem.account_row(world.accounts["decision_maker"]).key_id
    assert key_id[:16] in page


def test_latest_checkpoint(client, auth, kiemdiem):
    checkpoint = kiemdiem.issue_checkpoint()
    auth.login("member")
    page = client.get("/").get_data(as_text=True)
    assert "kiemdiem.test/web" in page
    assert f"<dd>{checkpoint.size}</dd>" in page
    assert base64.b64encode(checkpoint.root).decode() in page


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        ("admin", True),
        ("inspector", True),
        ("secretary", False),
        ("decision_maker", False),
        ("member", False),
        ("counting", False),
    ],
)
def test_alert_banner(client, auth, kiemdiem, monkeypatch, role, shown):
    alerts = [FakeAlert(7, "bad_signature", "signature does not verify")]
    monkeypatch.setattr(kiemdiem.integrator, "alerts", lambda: alerts)
    auth.login(role)
    page = client.get("/").get_data(as_text=True)
    assert ("Cảnh báo toàn vẹn sổ cái" in page) is shown
    assert ("bad_signature" in page) is shown  # in the technical fold
    assert ("Chữ ký số không hợp lệ" in page) is shown


def test_no_alerts_is_said_plainly(client, auth):
    auth.login("inspector")
    page = client.get("/").get_data(as_text=True)
    assert "Không có cảnh báo toàn vẹn." in page
    assert "Cảnh báo toàn vẹn sổ cái" not in page


def test_navigation_follows_roles(client, auth):
    auth.login("secretary")
    page = client.get("/").get_data(as_text=True)
    assert "Ghi nhận đảng viên" in page
    assert "Quản trị tài khoản" not in page
    assert "Thành lập tổ chức" not in page
