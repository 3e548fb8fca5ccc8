"""What a person reads on a page, and what in it is not written for them: an ISO
date, or an internal English name (an event's class, a code of a role, a kind, a
status, a phase, an error code, an actor id, a full 64-hex hash, an English
badge) outside a technical fold (``<details>``) or a form field.

Used by the crawls of tests/web/test_dates_as_written_here.py (chữ người đọc).
"""

from __future__ import annotations

import enum
import importlib
import re
from html.parser import HTMLParser
from pathlib import Path

from web.catalogue import MESSAGES

ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}\S*)?")
FULL_HASH = re.compile(r"\b[0-9a-f]{64}\b")
ACTOR_ID = re.compile(r"\bu:[0-9a-f]{8}-[0-9a-f-]{27}\b")
SNAKE_CODE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")
# A refusal's code (``http.not_found``, ``auth.forbidden``): any area the
# catalogue has messages for, followed by a dot and a code.
ERROR_CODE = re.compile(
    r"\b(?:" + "|".join(sorted({k.split(".")[0] for k in MESSAGES})) + r")\.[a-z_]+\b"
)
# Enum values that are Vietnamese abbreviations, shown as such (HTNV, PL1 …).
VIETNAMESE_CODES = re.compile(r"^(K?HT\w*NV|PL\d)$")
ENUM_MODULES = (
    "domain.accounts",
    "domain.members",
    "domain.remediation_rules",
    "domain.commendations",
    "domain.rulebooks",
    "domain.next_step",
    "domain.org_kinds",
    "votes.vote_events",
    "votes.results",
)
# English words a badge or a label once showed instead of Vietnamese.
BADGE_WORDS = {
    "OK",
    "FAIL",
    "FAILED",
    "PASS",
    "ready",
    "pending",
    "true",
    "False",
    "True",
    "false",
    "None",
    "null",
    "genesis",
    "global_log",
}
# Data a person typed or reads as a name: an account's username.
NOT_A_CODE = {"admin"}


def _enum_words() -> set[str]:
    words: set[str] = set()
    for name in ENUM_MODULES:
        module = importlib.import_module(name)
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, enum.StrEnum):
                words |= {str(v) for v in value if str(v) != ""}
    return {w for w in words if not VIETNAMESE_CODES.match(w) and "." not in w}


def _event_names() -> set[str]:
    """Class names of every stored event topic (``Opened``, ``SelfReviewSubmitted``)."""
    names: set[str] = set()
    topics = Path(__file__).parent.parent / "topics.txt"
    for line in topics.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            names.add(line.split(":")[-1].split(".")[-1])
    return names


ENGLISH_WORDS = (_enum_words() | _event_names() | BADGE_WORDS) - NOT_A_CODE
WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


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


def read(html: str) -> VisibleText:
    parser = VisibleText()
    parser.feed(html)
    return parser


def faults(text: str) -> list[str]:
    """What in ``text`` (what a person reads) is not written for them."""
    found = ISO_DATE.findall(text) + FULL_HASH.findall(text) + ACTOR_ID.findall(text)
    found += SNAKE_CODE.findall(text) + ERROR_CODE.findall(text)
    found += [w for w in WORD.findall(text) if w in ENGLISH_WORDS]
    return sorted(set(found))
