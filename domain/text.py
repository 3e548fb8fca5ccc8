"""Normalisation of user text: one representation for Vietnamese diacritics."""

from __future__ import annotations

import unicodedata


def clean_text(text: str) -> str:
    """NFC with runs of white space folded and the ends trimmed."""
    return " ".join(unicodedata.normalize("NFC", text).split())
