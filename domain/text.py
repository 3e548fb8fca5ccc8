"""Normalisation of user text: one representation for Vietnamese diacritics, and
the characters no name or text may hold (issue 11).

``clean_text`` (a name, a code, a one-line value) and ``clean_paragraphs`` (a
text people write in paragraphs: a self-review's sections, a report, a comment,
minutes, a justification) only normalise: aggregates call them in code that also
runs on replay, so they must never refuse what an older store holds. Texts signed
before ``clean_paragraphs`` existed were folded to one line; they read unchanged
(one line in, the same as ``clean_text`` out). ``text_problem`` and
``checked_text`` are for the input boundary (web forms, the JSON API, imports):
they say why a value cannot be taken, as a stable code.
"""

from __future__ import annotations

import re
import unicodedata

from domain.errors import DomainError

# Bidirectional embeddings, overrides and isolates (U+202A–202E, U+2066–2069): they
# make a name read differently on screen than it is stored.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Characters that show nothing: allowed inside a text, never as all of it.
INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e")
# Layout characters a multi-line text may hold; a one-line value holds none.
LINE_BREAKS = frozenset("\n\r\t")

# Refusal codes (their Vietnamese words live in web.catalogue).
SURROGATE = "text.surrogate"
CONTROL = "text.control_character"
BIDI = "text.bidi_control"
INVISIBLE_ONLY = "text.invisible_only"


def clean_text(text: str) -> str:
    """NFC with runs of white space folded and the ends trimmed."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def clean_paragraphs(text: str) -> str:
    """A multi-line text: NFC, every kind of line break (CRLF, CR, the Unicode
    line and paragraph separators) one ``"\n"``, the white space within each line
    folded to one space and its ends trimmed, at most one blank line in a row, no
    blank line at either end. A text without line breaks comes out as
    ``clean_text`` gives it."""
    kept: list[str] = []
    for raw in unicodedata.normalize("NFC", text).splitlines():
        line = " ".join(raw.split())
        if line or (kept and kept[-1]):
            kept.append(line)
    while kept and not kept[-1]:
        kept.pop()
    return "\n".join(kept)


def _is_control(char: str, *, multiline: bool) -> bool:
    if multiline and char in LINE_BREAKS:
        return False
    return unicodedata.category(char) == "Cc"  # C0, DEL and C1 controls, NUL too


def text_problem(value: str, *, multiline: bool = False) -> str | None:
    """Why ``value`` cannot be taken as a name or text, or None when it can.

    Refused: a lone surrogate (not a character at all), NUL and other control
    characters (line breaks and tabs only in a multi-line text), bidirectional
    overrides and isolates, and a value made only of invisible characters.
    """
    for char in value:
        if "\ud800" <= char <= "\udfff":
            return SURROGATE
        if _is_control(char, multiline=multiline):
            return CONTROL
        if char in BIDI_CONTROLS:
            return BIDI
    if value.strip() and not "".join(
        c for c in value if c not in INVISIBLE and not c.isspace()
    ):
        return INVISIBLE_ONLY
    return None


def normalised_input(value: str, *, multiline: bool = False) -> str:
    """NFC, with the ends trimmed; ``DomainError`` when ``text_problem`` says so."""
    problem = text_problem(value, multiline=multiline)
    if problem is not None:
        raise DomainError(problem)
    return unicodedata.normalize("NFC", value).strip()


def normalised_identifier(value: str) -> str:
    """An identifier typed by people (a card number): NFKC, so full-width and other
    compatibility look-alikes become the plain letters and digits they show, white
    space folded, upper case. Plain ASCII comes out as ``clean_text(v).upper()``."""
    return " ".join(unicodedata.normalize("NFKC", value).split()).upper()


# -- search (tìm kiếm): accent-insensitive folding ----------------------------------
# "Nguyễn Văn A" and "nguyen van a" fold alike. Đ/đ is a letter of its own (not a D
# with a combining mark), so NFD does not take it apart: it is mapped by hand.
_FOLD_LETTERS = str.maketrans({"đ": "d", "Đ": "d", "ð": "d", "Ð": "d"})
MAX_SEARCH_TOKENS = 8
"""Words of a query that count; more are ignored (a bounded lookup)."""


_COMBINING = re.compile(
    "[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]"
)
_NOT_WORD = re.compile(r"[\W_]+")


def fold(text: str) -> str:
    """Lower case without diacritics, every run of non-alphanumerics one space:
    the form names and queries are compared in. Pure and total (any string)."""
    if not text.isascii():
        decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD_LETTERS))
        text = _COMBINING.sub("", decomposed)
    return _NOT_WORD.sub(" ", text.casefold()).strip()


def search_tokens(text: str) -> list[str]:
    """The distinct folded words of ``text``, in order (chỉ mục tìm kiếm)."""
    seen: dict[str, None] = {}
    for word in fold(text).split():
        seen.setdefault(word, None)
    return list(seen)


def query_tokens(text: str) -> list[str]:
    """The words of a search query, longest first (the most selective one leads
    the indexed lookup), at most ``MAX_SEARCH_TOKENS``."""
    words = search_tokens(text)[:MAX_SEARCH_TOKENS]
    return sorted(words, key=lambda w: (-len(w), w))


def prefix_upper_bound(prefix: str) -> str | None:
    """The least string above every string that starts with ``prefix`` in code
    point order, or None when there is none: ``token >= prefix AND token < bound``
    is a prefix match a plain B-tree index answers on SQLite and PostgreSQL."""
    chars = list(prefix)
    while chars:
        last = chars.pop()
        if ord(last) < 0x10FFFF:
            return "".join(chars) + chr(ord(last) + 1)
    return None
