"""Dates read as people here write them: dd/mm/yyyy, times as HH:MM dd/mm/yyyy in
Vietnam time. Every page a role reaches from its dashboard (breadth first, over the
first release's demo store with five years of history) is read as a person sees it:
no ISO date or timestamp outside a technical fold (``<details>``) or a form field.
"""

import re
from collections import Counter, deque
from html.parser import HTMLParser

import pytest
from click.testing import CliRunner

from cli.main import cli
from tests.conftest import csrf_token_from
from tests.old_store import DEMO_LOGINS, copy_old_store

ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}\S*)?")
NOT_A_PAGE = re.compile(
    r"logout|/export|/bundle|/download|\.(json|xlsx|pdf|csv|checkpoint|txt)(\?|$)"
)
PAGES_PER_ROLE = 120
# Pages of one kind (the same route with other ids) read at most this often, so the
# crawl covers every kind of page instead of every member.
PER_KIND = 3
KIND = re.compile(r"[0-9a-f]{8}-[0-9a-f-]{27}|\d+")
START = ["/", "/ratings/", "/remediation/", "/remediation/worklist", "/votes/"]


class VisibleText(HTMLParser):
    """The text a person reads, and the links they can follow."""

    HIDDEN = ("script", "style", "details", "textarea", "select")

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.links: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self._hidden += 1
        href = dict(attrs).get("href") or ""
        if tag == "a" and href.startswith("/"):
            self.links.append(href.split("#")[0])

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.text.append(data)


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        copy_old_store(tmp_path_factory.mktemp("old") / "instance", mp)
        assert CliRunner().invoke(cli, ["rebuild"]).exit_code == 0
        from web import create_app

        yield create_app({"TESTING": True, "SECRET_KEY": "kiem-tra-ngay-thang"})


@pytest.mark.parametrize("username", ["thuky", "captuy", "ubkt", "dangvien"])
def test_no_page_shows_an_iso_date(demo_app, username):
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
    queue, read, found = deque(START), 0, []
    while queue and read < PAGES_PER_ROLE:
        url = queue.popleft()
        kind = KIND.sub("ID", url.split("?")[0])
        if url in seen or NOT_A_PAGE.search(url) or kinds[kind] >= PER_KIND:
            continue
        seen.add(url)
        kinds[kind] += 1
        page = client.get(url)
        read += 1
        assert page.status_code < 500, url
        if page.status_code != 200 or "text/html" not in page.content_type:
            continue
        parser = VisibleText()
        parser.feed(page.get_data(as_text=True))
        found += [f"{url}: {m}" for m in ISO_DATE.findall(" ".join(parser.text))]
        queue.extend(link for link in parser.links if link not in seen)
    assert read > 20, "the crawl reached too few pages to mean anything"
    assert found == []
