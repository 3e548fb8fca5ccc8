"""The subject page builds only the forms its template shows
(``web.deferred_forms``): a secretary's page of a member whose review is open
builds neither the form to open a review nor the collective's report form,
and shows the forms it builds as before."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.test_rating_pages import cycle_world
from web.deferred_forms import Deferred
from web.forms import BaseForm

__all__ = ["cycle_world"]  # the fixture, imported for pytest


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    names: list[str] = []
    real = BaseForm.__init__

    def counted(self: Any, *args: Any, **kwargs: Any) -> None:
        names.append(type(self).__name__)
        real(self, *args, **kwargs)

    monkeypatch.setattr(BaseForm, "__init__", counted)
    return names


def test_the_subject_page_builds_the_forms_it_shows_only(
    client, auth, cycle_world, built
):
    auth.login("secretary")
    page = client.get(
        f"/ratings/cycles/{cycle_world['cycle']}/subjects/{cycle_world['member']}"
    )
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'name="mt-held_on"' in html  # the meeting's form, shown and built
    assert "MeetingForm" in built
    assert 'name="or-venue_id"' not in html
    assert "OpenReviewForm" not in built  # the review is open: not shown
    assert "ReportForm" not in built  # a member's review: no Mẫu 01


def test_a_deferred_form_is_built_once_on_first_use():
    made: list[int] = []

    class Form:
        def __init__(self) -> None:
            made.append(1)
            self.fields = {"text": "the text field"}
            self.errors: dict[str, Any] = {}

        def __getitem__(self, name: str) -> str:
            return self.fields[name]

        def __iter__(self) -> Any:
            return iter(self.fields.values())

        def __contains__(self, name: object) -> bool:
            return name in self.fields

    form = Deferred(Form)
    assert not hasattr(form, "__html__")  # a template's probe builds nothing
    assert made == []
    assert not form.built
    assert form.errors == {}
    assert form["text"] == "the text field"
    assert list(form) == ["the text field"]
    assert "text" in form
    assert made == [1]
    assert form.built
