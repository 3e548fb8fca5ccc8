"""A page's form built only when its template first touches it.

A page with many forms (the subject page has a dozen) shows only those the
viewer's permissions and the subject's step call for; building a WTForms form
costs about a tenth of a millisecond, so the others are not built at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any


class Deferred:
    """Stands for the form ``build()`` makes, made on first use: attributes,
    fields by name (``form[name]``), iteration and ``in`` are the form's."""

    __slots__ = ("_build", "_form")

    def __init__(self, build: Callable[[], Any]) -> None:
        self._build = build
        self._form: Any = None

    def _made(self) -> Any:
        if self._form is None:
            self._form = self._build()
        return self._form

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # a protocol probe (``__html__``…): not a form's
            raise AttributeError(name)
        return getattr(self._made(), name)

    def __getitem__(self, name: str) -> Any:
        return self._made()[name]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._made())

    def __contains__(self, name: object) -> bool:
        return name in self._made()

    @property
    def built(self) -> bool:
        """Whether the form was made (tests: a page built only what it showed)."""
        return self._form is not None
