"""A worker compiles every template as it starts (web.templating.warm_templates,
called by web.wsgi), and never again while it serves: templates are not
reloaded outside debug."""

from __future__ import annotations

from typing import Any

import pytest


def test_every_template_compiles_at_start_and_no_page_compiles_one_after(
    app, auth, client, monkeypatch
):
    from web.templating import warm_templates

    assert app.jinja_env.auto_reload is False  # not debug: no stat per render
    names = app.jinja_env.list_templates(extensions=["html"])
    assert warm_templates(app) == len(names) > 30
    assert len(names) <= app.jinja_env.cache.capacity  # none evicted, recompiled

    def compile_again(*args: Any, **kwargs: Any) -> Any:
        pytest.fail("a template was compiled while serving")

    monkeypatch.setattr(app.jinja_env, "compile", compile_again)
    assert client.get("/auth/login").status_code == 200
    auth.login("secretary")
    for path in ("/", "/organisations/", "/members/", "/ratings/"):
        assert client.get(path).status_code == 200, path


def test_the_rule_fires_when_a_template_is_compiled_while_serving(app, client):
    compiled: list[str] = []
    real = app.jinja_env.compile

    def spy(*args: Any, **kwargs: Any) -> Any:
        compiled.append(str(kwargs.get("name") or args[1:2]))
        return real(*args, **kwargs)

    app.jinja_env.compile = spy
    try:
        assert client.get("/auth/login").status_code == 200
    finally:
        del app.jinja_env.compile
    assert compiled  # a fresh app compiles at first use: what the warm-up spares
