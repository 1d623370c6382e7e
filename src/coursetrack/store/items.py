"""The catalog's items as a user edits them by hand: add, update, remove.

Courses and topics keep a 1-based `position` among their siblings, 1..N with
no gap: adding one moves its later siblings down, removing one closes the gap,
each in one statement. Slugs are unique among siblings (specializations: in
the store); the schema holds that, and `slugs_of` lets a command say so first
in its own words.

Removing an item deletes the rows under it and the learner's records on it by
the schema's ON DELETE CASCADE (the history triggers record every one), so a
removal is two statements whatever it holds.

In a study group the catalog is shared: only a curator changes it, and never
so that it deletes another learner's records (`require_curator`,
`others_recorded`). Off a group (SQLite) those cost no statement at all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from coursetrack.errors import StoreError

if TYPE_CHECKING:
    from coursetrack.store.reader import Reader
    from coursetrack.store.writer import Writer

#: Each kind of item's table, the column that names its parent, and the columns a
#: command may set on it: the one place a statement's column names come from.
TABLES = {"specialization": "specialization", "course": "course", "topic": "topic"}
PARENTS = {"course": "specialization_id", "topic": "course_id"}
COLUMNS = {
    "specialization": ("slug", "title", "provider", "url", "description", "certificate_url"),
    "course": ("slug", "title", "description", "url", "certificate_url"),
    "topic": ("slug", "title", "description", "url"),
}

# --- the group's guard: who may change the catalog ---------------------------------


def require_curator(reader: Reader, what: str) -> None:
    """Refuse a catalog change by a learner who is not a curator of the group.

    The same refusal as `store.group.require_curator`, through a Reader: nothing
    to ask off PostgreSQL, where everyone is the catalog's curator.
    """
    if reader.dialect != "postgresql":
        return
    from coursetrack.store.group import CURATORS, role_name

    who = reader.one(_WHO)
    assert who is not None
    if not who.grp:
        return
    curator = reader.scalar(_IS_MEMBER, role=role_name(who.database, CURATORS))
    if not curator:
        raise StoreError(
            f"{what} changes the group's catalog, which only a curator may do; "
            f"{who.learner} is a learner (a curator can run it, or make you one with "
            "coursetrack group add NAME --curator)"
        )


_GROUP = (
    "coalesce((SELECT relforcerowsecurity FROM pg_class "
    "WHERE oid = to_regclass('progress')), false)"
)
_WHO = f"SELECT session_user AS learner, current_database() AS database, {_GROUP} AS grp"
_IS_MEMBER = (
    "SELECT coalesce(pg_has_role(session_user, oid, 'MEMBER'), false) "
    "FROM pg_roles WHERE rolname = :role"
)


def others_recorded(
    reader: Reader,
    *,
    specializations: Sequence[int] = (),
    courses: Sequence[int] = (),
    topics: Sequence[int] = (),
    under: bool = False,
) -> list[str]:
    """The other learners (sorted) whose records hang on these catalog rows (`under`: or
    on the rows under them): deleting the rows would cascade to their progress, notes,
    links, reviews or goals. [] off a group, without a statement off PostgreSQL.

    Read in the group's scope, then back to the learner's (see `store.group`).
    """
    if reader.dialect != "postgresql" or not reader.scalar(f"SELECT {_GROUP}"):
        return []
    sql = _OTHERS_UNDER if under else _OTHERS
    params = {"s": list(specializations), "c": list(courses), "t": list(topics)}
    return _in_group_scope(reader, sql, params)


def others_finished(reader: Reader, courses: Sequence[int]) -> list[str]:
    """The other learners (sorted) who marked one of these courses done as a whole."""
    if not courses or reader.dialect != "postgresql" or not reader.scalar(f"SELECT {_GROUP}"):
        return []
    return _in_group_scope(reader, _OTHERS_FINISHED, {"c": list(courses)})


def _in_group_scope(reader: Reader, sql: str, params: dict[str, Any]) -> list[str]:
    from coursetrack.store.group import GROUP_SCOPE, SCOPE_SETTING

    # a failure below ends the transaction, and the scope with it
    reader.scalar(_SCOPE, name=SCOPE_SETTING, scope=GROUP_SCOPE)
    found = [row.learner for row in reader.all(sql, **params)]
    reader.scalar(_SCOPE, name=SCOPE_SETTING, scope="")
    return found


_SCOPE = "SELECT set_config(:name, :scope, true)"


def _others_of(s: str, c: str, t: str) -> str:
    """Who else keeps records on the specializations `s`, courses `c`, topics `t` (arrays)."""
    owned = f"specialization_id = ANY({s}) OR course_id = ANY({c}) OR topic_id = ANY({t})"
    tables = [f"SELECT learner FROM {name} WHERE {owned}" for name in ("progress", "note", "link")]
    tables += [
        f"SELECT learner FROM review WHERE topic_id = ANY({t})",
        f"SELECT learner FROM goal WHERE specialization_id = ANY({s})",
    ]
    union = " UNION ".join(tables)
    return f"SELECT learner FROM ({union}) AS o WHERE learner <> session_user ORDER BY learner"


_IDS = "CAST(:{} AS integer[])"
_OTHERS = _others_of(_IDS.format("s"), _IDS.format("c"), _IDS.format("t"))
#: The same with the courses and topics under the rows named: one statement.
_OTHERS_UNDER = (
    f"WITH s AS (SELECT unnest({_IDS.format('s')}) AS id), "
    f"c AS (SELECT unnest({_IDS.format('c')}) AS id "
    "UNION SELECT id FROM course WHERE specialization_id IN (SELECT id FROM s)), "
    f"t AS (SELECT unnest({_IDS.format('t')}) AS id "
    "UNION SELECT id FROM topic WHERE course_id IN (SELECT id FROM c)) "
) + _others_of(*(f"ARRAY(SELECT id FROM {name})" for name in "sct"))
_OTHERS_FINISHED = (
    "SELECT DISTINCT learner FROM progress WHERE course_id = ANY(CAST(:c AS integer[])) "
    "AND status = 'done' AND learner <> session_user ORDER BY learner"
)

# --- reading what a change needs ---------------------------------------------------


def slugs_of(reader: Reader, kind: str, parent_id: int | None = None) -> set[str]:
    """The slugs an item of `kind` may not take: its siblings' (`parent_id`: their parent)."""
    if kind == "specialization":
        return {row.slug for row in reader.all(_SPEC_SLUGS)}
    return {row.slug for row in reader.all(_CHILD_SLUGS[kind], parent=parent_id)}


_SPEC_SLUGS = "SELECT slug FROM specialization"
_CHILD_SLUGS = {
    "course": "SELECT slug FROM course WHERE specialization_id = :parent",
    "topic": "SELECT slug FROM topic WHERE course_id = :parent",
}


def count_children(reader: Reader, kind: str, parent_id: int) -> int:
    """How many courses (topics) the specialization (course) `parent_id` has."""
    return int(reader.scalar(_COUNT_CHILDREN[kind], parent=parent_id))


_COUNT_CHILDREN = {
    "course": "SELECT count(*) FROM course WHERE specialization_id = :parent",
    "topic": "SELECT count(*) FROM topic WHERE course_id = :parent",
}


def removal_counts(
    reader: Reader, *, specialization: int | None, course: int | None, topic: int | None
) -> Any:
    """What removing one item takes with it: its `courses`, `topics` and the learner's
    `recorded` rows (progress beyond todo, notes, links, reviews), in one statement.

    Exactly one of the ids is given: the item's, by its kind.
    """
    return reader.one(_REMOVAL, spec=specialization, course=course, topic=topic)


#: The courses and topics an item covers: a specialization's all, a course itself
#: and its topics, a topic alone (a NULL id matches nothing).
_REMOVAL = """
WITH c AS (SELECT id FROM course WHERE id = :course OR specialization_id = :spec),
t AS (
    SELECT t.id FROM topic t JOIN course c ON c.id = t.course_id
    WHERE t.id = :topic OR t.course_id = :course OR c.specialization_id = :spec
)
SELECT
    (SELECT count(*) FROM c) AS courses,
    (SELECT count(*) FROM t) AS topics,
    (SELECT count(*) FROM progress WHERE {owned} AND (status <> 'todo' OR started_on IS NOT NULL))
    + (SELECT count(*) FROM note WHERE {owned})
    + (SELECT count(*) FROM link WHERE {owned})
    + (SELECT count(*) FROM review WHERE topic_id IN (SELECT id FROM t)) AS recorded
""".format(
    owned="(topic_id IN (SELECT id FROM t) OR course_id IN (SELECT id FROM c) "
    "OR specialization_id = :spec)"
)

# --- writing -------------------------------------------------------------------------


def add_specialization(
    writer: Writer,
    *,
    slug: str,
    title: str,
    provider: str | None,
    url: str | None,
    description: str | None,
) -> int:
    """Insert a specialization; its id."""
    return writer.insert(
        _ADD_SPEC, slug=slug, title=title, provider=provider, url=url, description=description
    )


_ADD_SPEC = (
    "INSERT INTO specialization (slug, title, provider, url, description) "
    "VALUES (:slug, :title, :provider, :url, :description) RETURNING id"
)


def add_child(
    writer: Writer,
    kind: str,
    *,
    parent_id: int,
    position: int,
    slug: str,
    title: str,
    description: str | None,
    url: str | None,
) -> int:
    """Insert a course (topic) at `position` of its specialization (course), its later
    siblings moved down one; its id."""
    writer.execute(_SHIFT_DOWN[kind], parent=parent_id, position=position)
    return writer.insert(
        _ADD_CHILD[kind],
        parent=parent_id,
        position=position,
        slug=slug,
        title=title,
        description=description,
        url=url,
    )


_SHIFT_DOWN = {
    kind: f"UPDATE {kind} SET position = position + 1 "
    f"WHERE {PARENTS[kind]} = :parent AND position >= :position"
    for kind in PARENTS
}
_ADD_CHILD = {
    kind: f"INSERT INTO {kind} ({PARENTS[kind]}, position, slug, title, description, url) "
    "VALUES (:parent, :position, :slug, :title, :description, :url) RETURNING id"
    for kind in PARENTS
}


def update_item(writer: Writer, kind: str, item_id: int, values: dict[str, str | None]) -> None:
    """Set the given columns of one item (names from `COLUMNS[kind]`) in one statement."""
    unknown = set(values) - set(COLUMNS[kind])
    if unknown:
        raise ValueError(f"{kind} has no column {', '.join(sorted(unknown))} to update")
    if not values:
        return
    assignments = ", ".join(f"{name} = :{name}" for name in COLUMNS[kind] if name in values)
    writer.execute(f"UPDATE {TABLES[kind]} SET {assignments} WHERE id = :id", id=item_id, **values)


def remove_item(
    writer: Writer, kind: str, item_id: int, *, parent_id: int | None, position: int | None
) -> None:
    """Delete one item, all under it and the records on it (ON DELETE CASCADE); close the
    gap it leaves among its siblings."""
    writer.execute(f"DELETE FROM {TABLES[kind]} WHERE id = :id", id=item_id)
    if kind in PARENTS:
        writer.execute(_SHIFT_UP[kind], parent=parent_id, position=position)


_SHIFT_UP = {
    kind: f"UPDATE {kind} SET position = position - 1 "
    f"WHERE {PARENTS[kind]} = :parent AND position > :position"
    for kind in PARENTS
}


def add_note(writer: Writer, kind: str, item_id: int, *, text: str, on: dt.date) -> int:
    """A note on an item (`update --note`), as `note` writes one; its id.

    The learner and `private` take the columns' defaults (the learner writing, public).
    """
    return writer.insert(_ADD_NOTE[kind], item=item_id, written_on=on, text=text)


_ADD_NOTE = {
    kind: f"INSERT INTO note ({kind}_id, written_on, text) VALUES (:item, :written_on, :text) "
    "RETURNING id"
    for kind in TABLES
}
