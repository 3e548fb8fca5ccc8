"""The one ``refused`` of the domain unit tests: a command refused with exactly
this stable error code (and these details, when given)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from domain.errors import DomainError


@contextmanager
def refused(code: str, **details: Any) -> Iterator[Any]:
    with pytest.raises(DomainError) as info:
        yield info
    assert info.value.code == code, info.value
    for key, value in details.items():
        assert info.value.details[key] == value
