"""Pages read as people here write them: dd/mm/yyyy dates, times as HH:MM dd/mm/yyyy
in Vietnam time, and Vietnamese words — no internal English name (an event's class,
a role/kind/status code, an error code, an actor id, a full hash, an English badge)
outside a technical fold (``<details>``) or a form field (tests/web/readable_text.py).

Two crawls: every GET page of ``app.url_map`` filled with the route matrix's ids
(tests/web/matrix_world.py), for each role; and every page a role reaches from its
dashboard (breadth first) over the first release's demo store with five years of
history.
"""

import re
from collections import Counter, deque

import pytest
from click.testing import CliRunner

from cli.main import cli
from tests.conftest import ACCOUNTS, AuthActions, csrf_token_from
from tests.old_store import DEMO_LOGINS, copy_old_store
from tests.web.readable_text import faults, read
from tests.web.test_route_matrix import OVERRIDES, routes

NOT_A_PAGE = re.compile(
    r"logout|/export|/bundle|/download|/static/|\.(json|xlsx|pdf|csv|checkpoint|txt|js|css)(\?|$)"
)
PAGES_PER_ROLE = 120
# Pages of one kind (the same route with other ids) read at most this often, so the
# crawl covers every kind of page instead of every member.
PER_KIND = 3
KIND = re.compile(r"[0-9a-f]{8}-[0-9a-f-]{27}|\d+")
START = [
    "/",
    "/ratings/",
    "/remediation/",
    "/remediation/worklist",
    "/votes/",
    "/organisations/",
    "/members/",
    "/reports/",
    "/admin/accounts",
]


def _html(page) -> bool:
    """A page a person reads: a success or a refusal (403, 404 …), not a redirect."""
    return page.status_code not in (301, 302, 303) and "text/html" in page.content_type


def test_the_reader_finds_what_is_not_written_for_a_person():
    page = read(
        "<p>Mã lỗi: http.not_found · 2024-01-02 · <span class=badge>OK</span> "
        "decision_maker Opened u:ceeca82d-5d42-58bc-907f-c53df12db1c1 "
        f"{'ab' * 32}</p><details><summary>Chi tiết kỹ thuật</summary>"
        "auth.forbidden genesis 2025-01-01</details>"
        "<p>Ngày 02/01/2024, Hoàn thành tốt nhiệm vụ (HTTNV), mã 2617 0c05…</p>"
    )
    assert faults(" ".join(page.text)) == sorted(
        [
            "2024-01-02",
            "OK",
            "Opened",
            "ab" * 32,
            "decision_maker",
            "http.not_found",
            "not_found",
            "u:ceeca82d-5d42-58bc-907f-c53df12db1c1",
        ]
    )


@pytest.mark.parametrize("role", tuple(ACCOUNTS))
def test_no_page_of_the_app_shows_an_internal_name(matrix, role):
    """Every GET route, with the first district's ids, as each role."""
    client = matrix["app"].test_client()
    assert AuthActions(client).login(role).status_code == 302
    read_pages, found = 0, []
    for method, rule in routes(matrix["app"]):
        url = matrix["in"].fill(rule, OVERRIDES.get(rule, {}))
        if method != "GET" or NOT_A_PAGE.search(url) or rule.startswith("/api/"):
            continue
        page = client.get(url)
        assert page.status_code < 500, url
        if not _html(page):
            continue
        read_pages += 1
        text = read(page.get_data(as_text=True))
        found += [f"{url}: {f}" for f in faults(" ".join(text.text))]
    assert read_pages > 10, "the crawl reached too few pages to mean anything"
    assert found == []


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        copy_old_store(tmp_path_factory.mktemp("old") / "instance", mp)
        assert CliRunner().invoke(cli, ["rebuild"]).exit_code == 0
        from web import create_app

        yield create_app({"TESTING": True, "SECRET_KEY": "kiem-tra-ngay-thang"})


@pytest.mark.parametrize("username", sorted(DEMO_LOGINS))
def test_no_page_of_the_demo_shows_an_iso_date_or_internal_name(demo_app, username):
    client = demo_app.test_client()
    token = csrf_token_from(client.get("/auth/login").get_data(as_text=True))
    login = client.post(
        "/auth/login",
        data={
            "username": username,
            "password": DEMO_LOGINS[username],
            "csrf_token": token,
        },
    )
    assert login.status_code == 302
    seen: set[str] = set()
    kinds: Counter[str] = Counter()
    queue, read_pages, found = deque(START), 0, []
    while queue and read_pages < PAGES_PER_ROLE:
        url = queue.popleft()
        kind = KIND.sub("ID", url.split("?")[0])
        if url in seen or NOT_A_PAGE.search(url) or kinds[kind] >= PER_KIND:
            continue
        seen.add(url)
        kinds[kind] += 1
        page = client.get(url)
        read_pages += 1
        assert page.status_code < 500, url
        if not _html(page):
            continue
        text = read(page.get_data(as_text=True))
        found += [f"{url}: {f}" for f in faults(" ".join(text.text))]
        queue.extend(link for link in text.links if link not in seen)
    assert read_pages > 20, "the crawl reached too few pages to mean anything"
    assert found == []
