"""The web's reads: ``reads()`` is the read gateway bound to the signed-in user
(``services.read_gateway``), through which every page, API route and export
reads; plus small helpers over the rows it returns. Routes never decide scope:
the gateway refuses (403) or filters."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import ParamSpec, TypeVar
from uuid import UUID

from flask import abort, g, make_response, request

from domain.permissions import Viewer
from services.queries import MemberRow, OrganisationRow
from services.read_gateway import ReadGateway
from services.read_gateway_authors import CommentAuthorReads
from services.read_gateway_lists import ListReads
from services.read_gateway_round import RoundSubjectReads
from services.read_gateway_search import DirectoryReads
from services.read_gateway_temporary import TemporaryActivityReads
from services.read_gateway_todo import TodoReads
from services.read_gateway_typed import FormChoices
from web.errors import refusal

T = TypeVar("T")
P = ParamSpec("P")


def marks_once(view: Callable[P, T]) -> Callable[P, T]:
    """A page whose kept results (``services.kept_results``) share one reading
    of the views' change marks, taken at the first one it asks for: a read-only
    page asking for several pays one statement, not one each. Only for pages
    that send no command (after a command the marks would be older than it)."""

    @wraps(view)
    def page(*args: P.args, **kwargs: P.kwargs) -> T:
        with reads().app.kept.once():
            return view(*args, **kwargs)

    return page


def found_or_404(row: T | None, code: str) -> T:
    """The row, or a 404 page (or JSON) saying in Vietnamese what was not found."""
    if row is None:
        abort(make_response(refusal(code)))
    return row


def org_label(row: OrganisationRow) -> str:
    indent = "· " * row.depth
    return f"{indent}{row.name}"


def org_choices(
    rows: Iterable[OrganisationRow], kinds: Iterable[str] | None = None
) -> list[tuple[UUID, str]]:
    """Active organisations for a select, in tree order, optionally of some kinds.

    Offering only sensible choices is a convenience: the services still decide
    whether the chosen one may be used.
    """
    wanted = set(kinds) if kinds is not None else None
    return [
        (row.org_id, org_label(row))
        for row in rows
        if not row.dissolved and (wanted is None or row.kind in wanted)
    ]


# Fields of a member's record that are personal data (domain/permissions.py).
PERSONAL_FIELDS = ("party_card_no", "birth_date")


def reads() -> ReadGateway:
    """The read gateway of the signed-in user, made once per request."""
    gate: ReadGateway | None = g.get("read_gateway")
    if gate is None:
        from web.identity import services, user

        me = user()
        account_id = getattr(me, "account_id", None)
        if account_id is None:  # not signed in: no scope at all
            gate = ReadGateway(services(), Viewer(frozenset()))
        else:
            gate = ReadGateway.for_account(services(), account_id)
        g.read_gateway = gate
    return gate


def _bound(key: str, make: Callable[[ReadGateway], T]) -> T:
    """A reads object of this request bound to its gateway, made at first use
    and kept in ``g`` under ``key`` (every one shares the request's scope)."""
    found: T | None = g.get(key)
    if found is None:
        found = make(reads())
        setattr(g, key, found)
    return found


def todo() -> TodoReads:
    """The signed-in user's to-do lists (``services.read_gateway_todo``), bound
    to the same gateway and scope as every other read of the request."""
    return _bound("todo_reads", TodoReads)


def cursor_arg(name: str) -> UUID | None:
    """A keyset cursor from the query string (``sau``/``truoc``: the id of the
    row a page continues from); an unreadable one reads as the first page."""
    raw = request.args.get(name, "").strip()
    try:
        return UUID(raw) if raw else None
    except ValueError:
        return None


def directory() -> DirectoryReads:
    """Search, keyset lists and breadcrumbs, bound to the signed-in user's
    gateway (``services.read_gateway_search``)."""
    return _bound("directory_reads", DirectoryReads)


def lists() -> ListReads:
    """The cycles and votes lists a page at a time, bound to the signed-in
    user's gateway (``services.read_gateway_lists``)."""
    return _bound("list_reads", ListReads)


def form_choices() -> FormChoices:
    """The typed fields' suggestions and readings (organisations, members),
    bound to the signed-in user's gateway (``services.read_gateway_typed``)."""
    return _bound("form_choices", FormChoices)


def typed_label(name: str, code: str | None) -> str:
    """A suggestion as the typed fields show it and read it back: "name (code)"."""
    return f"{name} ({code})" if code else name


def temporary_activity() -> TemporaryActivityReads:
    """Who is on temporary party activity where, by organisation
    (``services.read_gateway_temporary``), bound to the signed-in user's
    gateway."""
    return _bound("temporary_reads", TemporaryActivityReads)


def authors() -> CommentAuthorReads:
    """The comment form's people (``services.read_gateway_authors``), bound to
    the signed-in user's gateway."""
    return _bound("author_reads", CommentAuthorReads)


def shows_personal(member: MemberRow | None = None) -> bool:
    """Whether the signed-in user sees personal data (of this member; of every
    listed member when None)."""
    return reads().shows_personal(member)


def round_subjects() -> RoundSubjectReads:
    """A rating round's subjects a page at a time and the peer-group form's
    search (``services.read_gateway_round``), bound to the signed-in user's
    gateway."""
    return _bound("round_subject_reads", RoundSubjectReads)


def key_arg(name: str) -> str | None:
    """A subject key cursor from the query string (``sau``/``truoc``), at most
    200 characters; an empty one reads as the first page."""
    raw = request.args.get(name, "").strip()[:200]
    return raw or None
