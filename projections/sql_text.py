"""The text of read models' SQL: identifiers, column types and statements
rendered for the backend (see :mod:`projections.sqlutil`, which re-exports these).

Table and column names always come from code (the read model's declaration),
never from users; they are validated against :data:`IDENTIFIER` before use.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")
# Postgres truncates identifiers longer than this (NAMEDATALEN - 1).
MAX_IDENTIFIER = 63

_TOKEN = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?:\.([A-Za-z_][A-Za-z0-9_]*))?\}")

# Column types and clauses outside the deterministic common subset (§9.1):
# autoincrement, clocks, randomness, floats, and types whose values differ
# between the backends.
_FORBIDDEN_DDL = re.compile(
    r"\b(AUTOINCREMENT|SERIAL|BIGSERIAL|SMALLSERIAL|GENERATED|IDENTITY|"
    r"REAL|FLOAT|FLOAT4|FLOAT8|DOUBLE|NUMERIC|DECIMAL|MONEY|"
    r"TIMESTAMP|TIMESTAMPTZ|DATETIME|DATE|TIME|INTERVAL|"
    r"CURRENT_TIMESTAMP|CURRENT_DATE|CURRENT_TIME|NOW|RANDOM|"
    r"BOOLEAN|BOOL|JSON|JSONB|UUID)\b",
    re.IGNORECASE,
)
_INT_TYPES = re.compile(r"\b(INTEGER|INT|INT4|INT8|SMALLINT|BIGINT)\b", re.IGNORECASE)
_BLOB_TYPES = re.compile(r"\b(BLOB|BYTEA)\b", re.IGNORECASE)


class ViewDefinitionError(ValueError):
    """A read model declaration breaks a rule of ledger.md §9.1."""


def quote(identifier: str) -> str:
    """Quote an identifier that has already been checked against IDENTIFIER."""
    if not IDENTIFIER.match(identifier):
        msg = f"not a plain lowercase identifier: {identifier!r}"
        raise ViewDefinitionError(msg)
    return f'"{identifier}"'


def check_columns(ddl: str, *, where: str) -> None:
    """Refuse column definitions outside the deterministic common subset."""
    found = _FORBIDDEN_DDL.search(_strip_literals(ddl))
    if found:
        msg = (
            f"{where}: {found.group(0)!r} is not allowed in a view table; use "
            "BIGINT (integers, 0/1 flags, notification ids), TEXT (timestamps as "
            "canonical text, decimals as strings) or BLOB, and natural keys"
        )
        raise ViewDefinitionError(msg)
    if "PRIMARY KEY" not in ddl.upper():
        msg = f"{where}: every view table needs a PRIMARY KEY (rows are dumped by it)"
        raise ViewDefinitionError(msg)


def normalise_columns(ddl: str, *, postgres: bool) -> str:
    """Map integer and binary types to the backend's spelling.

    Every integer becomes BIGINT on both backends: on PostgreSQL INTEGER is 32
    bits, and on SQLite ``INTEGER PRIMARY KEY`` would alias the rowid and hand out
    numbers for NULL keys, which a rebuild cannot reproduce.
    """
    ddl = _INT_TYPES.sub("BIGINT", ddl)
    return _BLOB_TYPES.sub("BYTEA" if postgres else "BLOB", ddl)


def _strip_literals(statement: str) -> str:
    return re.sub(r"'(?:[^']|'')*'", "''", statement)


@lru_cache(maxsize=4096)
def to_pyformat(statement: str) -> str:
    """``?`` to ``%s`` and ``%`` to ``%%``, outside quoted strings and identifiers.
    A pure function of the text, kept per process: a page's reads render their
    statements afresh (one cursor each), a character at a time here."""
    out: list[str] = []
    quote_char: str | None = None
    for char in statement:
        if quote_char is not None:
            if char == "%":
                out.append("%%")
                continue
            if char == quote_char:
                quote_char = None
            out.append(char)
        elif char in ("'", '"'):
            quote_char = char
            out.append(char)
        elif char == "?":
            out.append("%s")
        elif char == "%":
            out.append("%%")
        else:
            out.append(char)
    return "".join(out)


def render(
    statement: str,
    tables: Mapping[str, str],
    namespaces: Mapping[str, Mapping[str, str]] | None = None,
    *,
    postgres: bool,
) -> str:
    """Replace ``{table}`` and ``{model.table}`` tokens, then adapt placeholders."""

    def replace(match: re.Match[str]) -> str:
        first, second = match.group(1), match.group(2)
        if second is None:
            found = tables.get(first)
        else:
            found = (namespaces or {}).get(first, {}).get(second)
        if found is None:
            known = sorted(tables) + sorted(
                f"{model}.{table}"
                for model, names in (namespaces or {}).items()
                for table in names
            )
            msg = f"unknown view table {match.group(0)} (known: {', '.join(known)})"
            raise KeyError(msg)
        return found

    rendered = _TOKEN.sub(replace, statement)
    return to_pyformat(rendered) if postgres else rendered
