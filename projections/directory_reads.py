"""The directory's reads (đọc danh bạ) beside those of ``projections.directory``
(its tables, handlers and tree reads): organisations, members and accounts as
the application, the read gate, the audit and the to-do lists ask for them.
Each takes the runtime and returns rows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from uuid import UUID

if TYPE_CHECKING:
    from projections.runtime import ProjectionRuntime

ORGANISATION_COLUMNS = (
    "SELECT o.org_id, o.code, o.name, o.kind, o.parent_id, o.dissolved, "
    "(SELECT COUNT(*) FROM {members} m WHERE m.cell_id = o.org_id) AS n "
    "FROM {organisations} o"
)
ACCOUNT_COLUMNS = (
    "SELECT a.*, (SELECT k.key_id FROM {keys} k "
    "WHERE k.owner = 'u:' || a.account_id AND k.revoked_at IS NULL "
    "ORDER BY k.registered_at DESC LIMIT 1) AS key_id "
    "FROM {accounts} a"
)


def organisations_with_counts(runtime: ProjectionRuntime) -> list[dict[str, Any]]:
    """Every organisation with its code, kind, parent, whether dissolved and
    ``n``, the members it holds as a chi bộ (unordered)."""
    return runtime.query("directory", ORGANISATION_COLUMNS)


def organisation_with_count(
    runtime: ProjectionRuntime, org_id: UUID
) -> dict[str, Any] | None:
    """One organisation as :func:`organisations_with_counts` reads it."""
    rows = runtime.query(
        "directory", ORGANISATION_COLUMNS + " WHERE o.org_id = ?", [str(org_id)]
    )
    return rows[0] if rows else None


def parent_of(runtime: ProjectionRuntime, org_id: str) -> str | None:
    """The organisation's parent, if it exists and has one."""
    rows = runtime.query(
        "directory", "SELECT parent_id FROM {organisations} WHERE org_id = ?", [org_id]
    )
    return rows[0]["parent_id"] if rows else None


def member_rows(
    runtime: ProjectionRuntime, cell_id: UUID | None = None
) -> list[dict[str, Any]]:
    """The members (of one chi bộ) with their chi bộ's name, by chi bộ name,
    full name and id."""
    return runtime.query(
        "directory",
        "SELECT m.*, o.name AS cell_name FROM {members} m "
        "JOIN {organisations} o ON o.org_id = m.cell_id "
        "WHERE CAST(? AS TEXT) IS NULL OR m.cell_id = CAST(? AS TEXT) "
        "ORDER BY o.name, m.full_name, m.member_id",
        [str(cell_id) if cell_id else None] * 2,
    )


def member_row(runtime: ProjectionRuntime, member_id: UUID) -> dict[str, Any] | None:
    """One member with their chi bộ's name."""
    rows = runtime.query(
        "directory",
        "SELECT m.*, o.name AS cell_name FROM {members} m "
        "JOIN {organisations} o ON o.org_id = m.cell_id WHERE m.member_id = ?",
        [str(member_id)],
    )
    return rows[0] if rows else None


def account_rows(runtime: ProjectionRuntime) -> list[dict[str, Any]]:
    """Every account with its current key id, by username."""
    return runtime.query("directory", ACCOUNT_COLUMNS + " ORDER BY a.username")


def account_page_sql(
    words: Sequence[str],
    *,
    after: tuple[str, str] | None,
    before: tuple[str, str] | None = None,
    limit: int,
) -> tuple[str, list[Any]]:
    """One page of accounts by username then id (keyset: ``after`` the last
    row's (username, id), or ``before`` the first row's, read descending for
    the caller to turn round), ``limit + 1`` rows; with ``words`` (folded),
    only the accounts whose username or name has a word starting with each
    one (accent-insensitive: ``accounts.folded``). Walks ``accounts_username``."""
    conditions: list[str] = []
    args: list[Any] = []
    for word in words:
        conditions.append("(' ' || a.folded) LIKE ? ESCAPE '!'")
        escaped = word.replace("!", "!!").replace("%", "!%").replace("_", "!_")
        args.append(f"% {escaped}%")
    order = "ASC"
    if after is not None:
        conditions.append("(a.username, a.account_id) > (?, ?)")
        args += [after[0], after[1]]
    elif before is not None:
        conditions.append("(a.username, a.account_id) < (?, ?)")
        args += [before[0], before[1]]
        order = "DESC"
    where = " WHERE " + " AND ".join(conditions) if conditions else ""
    sql = (
        ACCOUNT_COLUMNS
        + where
        + f" ORDER BY a.username {order}, a.account_id {order} LIMIT {int(limit) + 1}"
    )
    return sql, args


def account_page(
    runtime: ProjectionRuntime, words: Sequence[str], **options: Any
) -> list[dict[str, Any]]:
    """A page of accounts (see ``account_page_sql``)."""
    sql, args = account_page_sql(words, **options)
    return runtime.query("directory", sql, args)


def counting_accounts(runtime: ProjectionRuntime, limit: int) -> list[dict[str, Any]]:
    """The first ``limit + 1`` active accounts with the counting committee's
    role (Ban kiểm phiếu) by username: a walk of ``accounts_username`` that
    stops when enough are found (role holders are a province's few thousand
    accounts, not its members)."""
    return runtime.query(
        "directory",
        ACCOUNT_COLUMNS + " WHERE a.disabled = 0 AND a.roles LIKE ? "
        f"ORDER BY a.username, a.account_id LIMIT {int(limit) + 1}",
        ['%"counting"%'],
    )


def account_named(runtime: ProjectionRuntime, username: str) -> dict[str, Any] | None:
    """The account with this username, if any (``accounts_username``)."""
    rows = runtime.query(
        "directory", ACCOUNT_COLUMNS + " WHERE a.username = ?", [username]
    )
    return rows[0] if rows else None


def account_position(
    runtime: ProjectionRuntime, account_id: UUID
) -> tuple[str, str] | None:
    """Where an account stands in the list: (username, id), by primary key."""
    rows = runtime.query(
        "directory",
        "SELECT username, account_id FROM {accounts} WHERE account_id = ?",
        [str(account_id)],
    )
    return (rows[0]["username"], rows[0]["account_id"]) if rows else None


def account_row(runtime: ProjectionRuntime, account_id: UUID) -> dict[str, Any] | None:
    """One account with its current key id, by its primary key (read on every
    dashboard hit: never a scan of every account)."""
    rows = runtime.query(
        "directory", ACCOUNT_COLUMNS + " WHERE a.account_id = ?", (str(account_id),)
    )
    return rows[0] if rows else None


def organisation_rows(runtime: ProjectionRuntime) -> list[dict[str, Any]]:
    """Every organisation (tổ chức) with its parent and whether it is dissolved:
    ``org_id``, ``name``, ``kind``, ``parent_id``, ``dissolved``."""
    return runtime.query(
        "directory",
        "SELECT org_id, name, kind, parent_id, dissolved FROM {organisations}",
    )


NAME_BATCH = 500  # ids per IN (...) list


def account_names(
    runtime: ProjectionRuntime, account_ids: Sequence[str]
) -> dict[str, str]:
    """The full name of each of these accounts (tài khoản) that exists, by id
    (one indexed query per ``NAME_BATCH``)."""
    names: dict[str, str] = {}
    for i in range(0, len(account_ids), NAME_BATCH):
        batch = list(account_ids[i : i + NAME_BATCH])
        marks = ", ".join("?" for _ in batch)
        rows = runtime.query(
            "directory",
            "SELECT account_id, full_name FROM {accounts} "  # noqa: S608
            f"WHERE account_id IN ({marks})",
            batch,
        )
        names.update({str(r["account_id"]): str(r["full_name"]) for r in rows})
    return names


def entity_names(runtime: ProjectionRuntime, ids: Sequence[str]) -> dict[str, str]:
    """The name of each member, organisation or account among ``ids`` that
    exists, by id (a few indexed queries per ``NAME_BATCH``, never a scan)."""
    names: dict[str, str] = {}
    for table, column, label in (
        ("members", "member_id", "full_name"),
        ("organisations", "org_id", "name"),
        ("accounts", "account_id", "full_name"),
    ):
        for i in range(0, len(ids), NAME_BATCH):
            batch = list(ids[i : i + NAME_BATCH])
            marks = ", ".join("?" for _ in batch)
            rows = runtime.query(
                "directory",
                f"SELECT {column} AS id, {label} AS name FROM {{{table}}} "  # noqa: S608 - names from code
                f"WHERE {column} IN ({marks})",
                batch,
            )
            for r in rows:
                names.setdefault(str(r["id"]), str(r["name"]))
    return names


def top_level_ids(runtime: ProjectionRuntime) -> list[UUID]:
    """The organisations with no parent (the top of the tree), by id."""
    rows = runtime.query(
        "directory", "SELECT org_id FROM {organisations} WHERE parent_id IS NULL"
    )
    return sorted(UUID(str(r["org_id"])) for r in rows)


def organisation_names(
    runtime: ProjectionRuntime, org_ids: Sequence[UUID]
) -> dict[UUID, str]:
    """The name of each of these organisations that exists."""
    if not org_ids:
        return {}
    marks = ", ".join("?" for _ in org_ids)
    rows = runtime.query(
        "directory",
        "SELECT org_id, name FROM {organisations} WHERE org_id IN ("  # noqa: S608
        + marks
        + ")",
        [str(o) for o in org_ids],
    )
    return {UUID(r["org_id"]): r["name"] for r in rows}


VIEWER_SQL = (
    "SELECT a.roles, a.org_id, a.member_id, a.disabled, o.org_id AS place, "
    "o.kind, o.parent_id, o.dissolved, m.cell_id FROM {accounts} a "
    "LEFT JOIN {organisations} o ON o.org_id = a.org_id "
    "LEFT JOIN {members} m ON m.member_id = a.member_id "
    "WHERE a.account_id = ?"
)


def viewer_standing(
    runtime: ProjectionRuntime, account_id: UUID
) -> dict[str, Any] | None:
    """In one indexed query, what the read gate needs of an account (``roles``
    as JSON text, ``org_id``, ``member_id``, ``disabled``), of its organisation
    (``place``, None for an unknown one; ``kind``, ``parent_id``, ``dissolved``)
    and of its member (``cell_id``, None for an unknown member). None for an
    unknown account."""
    rows = runtime.query("directory", VIEWER_SQL, [str(account_id)])
    return rows[0] if rows else None


# ``VIEWER_SQL`` joined with the ancestor paths the viewer's lineage is made of:
# those of the account's organisation, of its parent (a leadership collective's
# branch root) and of its member's chi bộ, one row per ancestor.
VIEWER_AND_PATHS_SQL = (
    "SELECT a.roles, a.org_id, a.member_id, a.disabled, o.org_id AS place, "
    "o.kind, o.parent_id, o.dissolved, m.cell_id, x.org_id AS below, "
    "x.ancestor_id FROM {accounts} a "
    "LEFT JOIN {organisations} o ON o.org_id = a.org_id "
    "LEFT JOIN {members} m ON m.member_id = a.member_id "
    "LEFT JOIN {org_ancestors} x ON x.org_id IN (o.org_id, o.parent_id, m.cell_id) "
    "WHERE a.account_id = ?"
)


def viewer_with_paths(
    runtime: ProjectionRuntime, account_id: UUID
) -> list[dict[str, Any]]:
    """``viewer_standing``'s columns on every row, one row per ancestor on those
    paths (``below``: whose path, ``ancestor_id``), in one statement (the primary
    key of ``org_ancestors`` serves each path); empty for an unknown account."""
    return runtime.query("directory", VIEWER_AND_PATHS_SQL, [str(account_id)])


def ancestors_among(
    runtime: ProjectionRuntime, org_ids: Sequence[str], anchors: Sequence[str]
) -> list[dict[str, Any]]:
    """``org_id``, ``ancestor_id``, ``depth`` of each organisation's own row
    (depth 0) and of its ancestors among ``anchors``: one statement over the
    indexed ``org_ancestors`` (the caller keeps ``org_ids`` to a batch)."""
    marks = ", ".join("?" for _ in anchors)
    tested = f"depth = 0 OR ancestor_id IN ({marks})" if anchors else "depth = 0"
    return runtime.query(
        "directory",
        "SELECT org_id, ancestor_id, depth FROM {org_ancestors} "  # noqa: S608
        f"WHERE org_id IN ({', '.join('?' for _ in org_ids)}) AND ({tested})",
        [*org_ids, *anchors],
    )


def ancestor_union(
    runtime: ProjectionRuntime, org_ids: Sequence[UUID]
) -> frozenset[UUID]:
    """Every organisation on the ancestor paths of ``org_ids`` (themselves
    included), in one indexed query."""
    if not org_ids:
        return frozenset()
    marks = ", ".join("?" for _ in org_ids)
    rows = runtime.query(
        "directory",
        "SELECT DISTINCT ancestor_id FROM {org_ancestors} "  # noqa: S608
        f"WHERE org_id IN ({marks})",
        [str(o) for o in org_ids],
    )
    return frozenset(UUID(r["ancestor_id"]) for r in rows)


def organisation_place(
    runtime: ProjectionRuntime, org_id: str
) -> dict[str, Any] | None:
    """An organisation's ``org_id``, ``kind`` and ``parent_id``, if it exists."""
    rows = runtime.query(
        "directory",
        "SELECT org_id, kind, parent_id FROM {organisations} WHERE org_id = ?",
        [org_id],
    )
    return rows[0] if rows else None


def organisation_end(runtime: ProjectionRuntime, org_id: str) -> dict[str, Any] | None:
    """How an organisation ended, or None while it lasts: ``org_id``, ``name``,
    ``how`` (merge, split, dissolve), ``on`` (ISO date, '' when recorded
    without a decision), ``decision_no`` and its ``successors`` (``org_id``,
    ``name``, by name). Three indexed queries."""
    rows = runtime.query(
        "directory",
        "SELECT p.valid_from, p.decision_no, o.name FROM {org_periods} p "
        "JOIN {organisations} o ON o.org_id = p.org_id "
        "WHERE p.org_id = ? AND p.ended = 1 ORDER BY p.seq LIMIT 1",
        [org_id],
    )
    if not rows:
        return None
    successors = runtime.query(
        "directory",
        "SELECT s.successor_id AS org_id, o.name, s.how, s.decision_no, "
        "s.effective_on FROM {org_successions} s "
        "JOIN {organisations} o ON o.org_id = s.successor_id "
        "WHERE s.predecessor_id = ? ORDER BY o.name, s.successor_id",
        [org_id],
    )
    first = successors[0] if successors else rows[0]
    return {
        "org_id": org_id,
        "name": rows[0]["name"],
        "how": successors[0]["how"] if successors else "dissolve",
        "on": (first.get("effective_on") or rows[0]["valid_from"] or ""),
        "decision_no": first["decision_no"],
        "successors": [{"org_id": r["org_id"], "name": r["name"]} for r in successors],
    }


def branch_org_ids(
    runtime: ProjectionRuntime, ancestor_id: UUID, limit: int
) -> list[str]:
    """Up to ``limit`` organisations in ``ancestor_id``'s branch, itself included
    (the indexed ``org_ancestors``)."""
    rows = runtime.query(
        "directory",
        "SELECT org_id FROM {org_ancestors} WHERE ancestor_id = ? LIMIT ?",
        [str(ancestor_id), limit],
    )
    return [str(r["org_id"]) for r in rows]


def organisation_name(runtime: ProjectionRuntime, org_id: str) -> str | None:
    """An organisation's name, if it exists."""
    rows = runtime.query(
        "directory", "SELECT name FROM {organisations} WHERE org_id = ?", [org_id]
    )
    return str(rows[0]["name"]) if rows else None


def member_cells(runtime: ProjectionRuntime, member_id: UUID) -> list[dict[str, Any]]:
    """The member's chi bộ over time, oldest first: ``cell_id``, ``valid_from``
    ('' = since enrolled) and the reorganisation ``decision_no`` that moved them
    (one indexed query)."""
    rows = runtime.query(
        "directory",
        "SELECT cell_id, valid_from, decision_no FROM {member_cells} "
        "WHERE member_id = ? ORDER BY seq",
        [str(member_id)],
    )
    return [dict(r) for r in rows]


PARTICIPANT_COLUMNS = "m.member_id, m.full_name, m.party_card_no, m.cell_id"


def venue_people_sql(
    cell_id: str | None, post_org_id: str, limit: int
) -> list[tuple[str, list[Any]]]:
    """The statements of :func:`venue_people` (the chi bộ's, if any, and the
    post holders'), each with its parameters."""
    found: list[tuple[str, list[Any]]] = []
    if cell_id is not None:
        found.append(
            (
                f"SELECT {PARTICIPANT_COLUMNS}, 0 AS post_here FROM {{members}} m "  # noqa: S608 - fixed text
                "WHERE m.cell_id = ? LIMIT ?",
                [cell_id, limit],
            )
        )
    found.append(
        (
            f"SELECT {PARTICIPANT_COLUMNS}, 1 AS post_here FROM {{posts}} p "  # noqa: S608 - fixed text
            "JOIN {members} m ON m.member_id = p.member_id WHERE p.org_id = ? LIMIT ?",
            [post_org_id, limit],
        )
    )
    return found


def venue_people(
    runtime: ProjectionRuntime, cell_id: str | None, post_org_id: str, limit: int
) -> list[dict[str, Any]]:
    """The members of the chi bộ ``cell_id`` (if any) and the holders of a post
    at ``post_org_id``, unordered, at most ``limit`` of each (two indexed reads:
    ``members_cell`` and ``posts_by_org``, never the whole directory); each row
    with ``post_here`` (1 where they hold a post at ``post_org_id``)."""
    rows: list[dict[str, Any]] = []
    for statement, args in venue_people_sql(cell_id, post_org_id, limit):
        rows += runtime.query("directory", statement, args)
    return rows


def people_at(
    runtime: ProjectionRuntime, member_ids: Sequence[str], post_org_id: str
) -> list[dict[str, Any]]:
    """These members (those that exist) with ``post_here`` as in
    :func:`venue_people`: by primary key, one query per ``NAME_BATCH``."""
    rows: list[dict[str, Any]] = []
    wanted = sorted(set(member_ids))
    for start in range(0, len(wanted), NAME_BATCH):
        batch = wanted[start : start + NAME_BATCH]
        marks = ", ".join("?" for _ in batch)
        rows += runtime.query(
            "directory",
            f"SELECT {PARTICIPANT_COLUMNS}, "  # noqa: S608 - marks and fixed text
            "CASE WHEN p.member_id IS NULL THEN 0 ELSE 1 END AS post_here "
            "FROM {members} m LEFT JOIN {posts} p "
            "ON p.member_id = m.member_id AND p.org_id = ? "
            f"WHERE m.member_id IN ({marks})",
            [post_org_id, *batch],
        )
    return rows
