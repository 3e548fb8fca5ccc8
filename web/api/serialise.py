"""Projection rows as JSON objects (ids and dates as ISO text)."""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from datetime import date
from typing import Any
from uuid import UUID

from services.queries import AccountRow, MemberRow, OrganisationRow


def _value(value: Any) -> Any:
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_value(v) for v in value]
    return value


def row(obj: OrganisationRow | MemberRow | AccountRow) -> dict[str, Any]:
    assert is_dataclass(obj)  # noqa: S101 - rows are dataclasses
    return {f.name: _value(getattr(obj, f.name)) for f in fields(obj)}
