"""Repeated wrong passwords pause sign-in for that name or address."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from web.auth.throttle import LoginThrottle


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_limit_is_reached_after_that_many_failures():
    clock = Clock()
    throttle = LoginThrottle(limit=3, window=60, clock=clock)
    for _ in range(2):
        throttle.failed(["user:a"])
        assert throttle.retry_after(["user:a"]) == 0
    throttle.failed(["user:a"])
    assert throttle.retry_after(["user:a"]) == 60
    clock.now += 59.5
    assert throttle.retry_after(["user:a"]) == 1
    clock.now += 0.5
    assert throttle.retry_after(["user:a"]) == 0


def test_a_success_clears_only_the_account():
    throttle = LoginThrottle(limit=1, window=60, clock=Clock())
    throttle.failed(["user:a", "addr:1"])
    throttle.succeeded(["user:a"])
    assert throttle.retry_after(["user:a"]) == 0
    assert throttle.retry_after(["addr:1"]) == 60


def test_keys_are_counted_apart():
    throttle = LoginThrottle(limit=1, window=60, clock=Clock())
    throttle.failed(["user:a"])
    assert throttle.retry_after(["user:b", "addr:2"]) == 0
    assert throttle.retry_after(["user:b", "user:a"]) == 60


@given(st.lists(st.floats(min_value=0, max_value=500), max_size=30))
def test_never_paused_below_the_limit_inside_one_window(gaps):
    clock = Clock()
    throttle = LoginThrottle(limit=4, window=100, clock=clock)
    times: list[float] = []
    for gap in gaps:
        clock.now += gap
        recent = [t for t in times if t > clock.now - 100]
        assert (throttle.retry_after(["k"]) > 0) == (len(recent) >= 4)
        throttle.failed(["k"])
        times.append(clock.now)


@pytest.mark.parametrize(("limit", "window"), [(0, 60), (3, 0)])
def test_nonsense_settings_are_refused(limit, window):
    with pytest.raises(ValueError, match="login throttle"):
        LoginThrottle(limit=limit, window=window)


def _fail(auth, username="admin"):
    return auth.login_as(username, "sai-mat-khau")


def test_the_sixth_wrong_password_is_paused_in_vietnamese(auth, app):
    for _ in range(5):
        assert _fail(auth).status_code == 200
    response = _fail(auth)
    assert response.status_code == 429
    body = response.get_data(as_text=True)
    assert "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau 15 phút." in body
    # Even the right password is not checked while paused.
    assert auth.login("admin").status_code == 429


def test_a_right_password_before_the_limit_resets_the_account(auth):
    for _ in range(4):
        _fail(auth)
    assert auth.login("admin").status_code == 302
    auth.logout()
    for _ in range(4):
        assert _fail(auth).status_code == 200


def test_other_accounts_from_the_same_address_are_not_locked_out(auth):
    for _ in range(6):
        _fail(auth, "admin")
    assert auth.login("secretary").status_code == 302


def test_many_names_from_one_address_are_paused(auth, app):
    app.config["LOGIN_ADDRESS_FAILURE_LIMIT"] = 3
    for name in ("a1", "a2", "a3"):
        assert _fail(auth, name).status_code == 200
    assert _fail(auth, "a4").status_code == 429
    assert auth.login("secretary").status_code == 429


def test_names_are_counted_whatever_their_case(auth):
    for name in ("Admin", "ADMIN ", "admin", "aDmin", " admin"):
        _fail(auth, name)
    assert _fail(auth, "admin").status_code == 429


def test_unlock_is_paused_too(auth, client):
    auth.login("secretary")
    for _ in range(5):
        response = auth.post("/auth/unlock", {"password": "sai"})
        assert response.status_code == 200
    response = auth.post("/auth/unlock", {"password": "sai"})
    assert response.status_code == 429
    assert "Đăng nhập sai quá nhiều lần" in response.get_data(as_text=True)
