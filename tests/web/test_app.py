"""The application factory, security headers, error pages and logging."""

from __future__ import annotations

import logging

import pytest

from ledger.errors import ConfigurationError
from web import create_app, shutdown


def test_factory_uses_test_config(app):
    assert app.testing
    assert app.config["SECRET_KEY"] == "test-secret-key-for-kiemdiem-web"
    assert "kiemdiem" in app.extensions


def test_secret_key_is_required_outside_testing(store_dir):
    with pytest.raises(ConfigurationError, match="chưa đặt KIEMDIEM_SECRET_KEY"):
        create_app()


@pytest.fixture
def log_levels(monkeypatch):
    """Production apps configure logging: record the call, leave pytest's alone."""
    calls: list[str] = []
    monkeypatch.setattr("web.logconfig.configure", calls.append)
    return calls


def test_secret_key_from_environment(store_dir, monkeypatch, log_levels):
    monkeypatch.setenv("KIEMDIEM_SECRET_KEY", "a-long-random-secret-from-env")
    application = create_app()
    try:
        assert application.config["SECRET_KEY"] == "a-long-random-secret-from-env"
        assert log_levels == ["INFO"]
    finally:
        shutdown(application)


def test_secret_key_from_the_cli(store_dir, log_levels):
    application = create_app({"SECRET_KEY": "generated-by-kiemdiem-serve"})
    try:
        assert application.config["SECRET_KEY"] == "generated-by-kiemdiem-serve"
    finally:
        shutdown(application)


def test_logging_configuration_adds_request_ids(capsys):
    from web.logconfig import configure

    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    try:
        configure("INFO")
        logging.getLogger("web.test").info("hello")
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
    out = capsys.readouterr().out
    assert "INFO [-] web.test: hello" in out


def test_short_secret_key_is_refused(store_dir):
    with pytest.raises(ConfigurationError, match="quá ngắn"):
        create_app({"SECRET_KEY": "short"})


def test_testing_without_a_key_gets_a_random_one(store_dir):
    first = create_app({"TESTING": True})
    second = create_app({"TESTING": True})
    try:
        assert first.config["SECRET_KEY"] != second.config["SECRET_KEY"]
        assert len(first.config["SECRET_KEY"]) >= 32
    finally:
        shutdown(first)
        shutdown(second)


def test_missing_store_fails_fast(tmp_path, monkeypatch):
    monkeypatch.setenv("KIEMDIEM_DATABASE_URL", f"sqlite:///{tmp_path}/none.db")
    monkeypatch.setenv("KIEMDIEM_INSTANCE_DIR", str(tmp_path / "none"))
    monkeypatch.delenv("KIEMDIEM_TRUST_ROOT", raising=False)
    with pytest.raises(ConfigurationError, match="kiemdiem init"):
        create_app({"TESTING": True})


def test_given_services_are_shared_not_closed(app, kiemdiem):
    other = create_app({"TESTING": True}, services=kiemdiem)
    shutdown(other)
    assert other.extensions["kiemdiem"] is kiemdiem
    assert kiemdiem.organisations()  # still open


@pytest.mark.parametrize("path", ["/auth/login", "/", "/api/v1/openapi.json", "/nope"])
def test_security_headers(client, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "no-store"


def test_session_cookie_is_http_only_and_same_site(client, auth):
    auth.login("admin")
    cookie = client.get_cookie("kiemdiem_session")
    assert cookie is not None
    assert cookie.http_only
    assert cookie.same_site == "Lax"


def test_request_id_header(client):
    response = client.get("/auth/login")
    assert len(response.headers["X-Request-ID"]) == 16
    echoed = client.get("/auth/login", headers={"X-Request-ID": "proxy-id-123"})
    assert echoed.headers["X-Request-ID"] == "proxy-id-123"
    odd = client.get("/auth/login", headers={"X-Request-ID": "<script>"})
    assert odd.headers["X-Request-ID"] != "<script>"


def test_request_id_in_log_records(client, caplog):
    from web.logconfig import RequestIdFilter

    caplog.set_level(logging.INFO, logger="web.request")
    caplog.handler.addFilter(RequestIdFilter())
    response = client.get("/auth/login")
    records = [r for r in caplog.records if r.name == "web.request"]
    assert records
    assert records[-1].request_id == response.headers["X-Request-ID"]
    assert "GET /auth/login 200" in records[-1].getMessage()


def test_static_css_is_served_locally(client):
    with client.get("/static/style.css") as response:
        assert response.status_code == 200
        assert response.mimetype == "text/css"
    page = client.get("/auth/login").get_data(as_text=True)
    assert 'href="/static/style.css"' in page
    assert "http://" not in page
    assert "https://" not in page


def test_pages_are_vietnamese(client):
    page = client.get("/auth/login").get_data(as_text=True)
    assert '<html lang="vi">' in page
    assert "Đăng nhập" in page
    assert "Tên đăng nhập" in page
    assert "Mật khẩu" in page


def test_404_page_in_vietnamese(client, auth):
    auth.login("member")
    response = client.get("/khong-co-trang-nay")
    assert response.status_code == 404
    assert "Không tìm thấy" in response.get_data(as_text=True)


def test_405_page_in_vietnamese(client, auth):
    auth.login("member")
    response = client.put("/auth/logout")
    assert response.status_code == 405
    assert "Phương thức" in response.get_data(as_text=True)


def test_api_404_is_json(client, auth):
    auth.login("member")
    response = client.get("/api/v1/khong-co")
    assert response.status_code == 404
    assert response.get_json() == {
        "code": "http.not_found",
        "message": "Không tìm thấy trang hoặc dữ liệu được yêu cầu.",
    }


def test_500_page_in_vietnamese(app, client, auth, monkeypatch):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    auth.login("admin")

    def broken(*_args, **_kwargs):
        raise RuntimeError("boom")

    # every read of a view fails (the tree's page reads the search view, the
    # API's list the directory through the services): one-statement reads go
    # through ``query``/``query_views``, those that must agree through ``read``
    runtime = app.extensions["kiemdiem"].projections
    for read in ("read", "query", "query_views"):
        monkeypatch.setattr(runtime, read, broken)
    response = client.get("/organisations/")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "Đã xảy ra lỗi hệ thống" in body
    assert "boom" not in body
    api = client.get("/api/v1/organisations")
    assert api.status_code == 500
    assert api.get_json()["code"] == "http.server_error"


def test_missing_trailing_slash_redirects(client, auth):
    auth.login("member")
    response = client.get("/organisations")
    assert response.status_code == 308
    assert response.headers["Location"].endswith("/organisations/")


def test_oversized_body_is_413_in_vietnamese(client, auth):
    auth.login("admin")
    response = client.post("/organisations/new", data={"name": "x" * (2 * 1024 * 1024)})
    assert response.status_code == 413
    assert "Dữ liệu gửi lên quá lớn." in response.get_data(as_text=True)


def test_store_down_while_loading_the_user_is_503(app, client, auth, monkeypatch):
    from eventsourcing.persistence import OperationalError

    def down(account_id):
        raise OperationalError("database is locked")

    auth.login("admin")
    monkeypatch.setattr(app.extensions["kiemdiem"], "account", down)
    response = client.get("/organisations/")
    assert response.status_code == 503
    assert "thử lại" in response.get_data(as_text=True)
