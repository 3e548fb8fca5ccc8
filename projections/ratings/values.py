"""How values are kept in the ratings tables (shared by its read models)."""

from __future__ import annotations

import json
from typing import Any

PENDING = "pending"  # a subject not rated yet: its status, and its statistics bucket


def to_json(value: Any) -> str:
    """The stored text of a list or mapping column (sorted keys, Vietnamese as is)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
