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

from typing import TYPE_CHECKING, Any

from coursetrack.store import uids
from coursetrack.vocabulary import Status

if TYPE_CHECKING:
    from coursetrack.store.reader import Reader
    from coursetrack.store.writer import Writer

#: Each kind of item's table, the column that names its parent, and the columns a
#: command may set on it: the one place a statement's column names come from (an
#: import's, a backup's). `rubric` is the JSON text of `coursetrack.rubrics`.
TABLES = {"specialization": "specialization", "course": "course", "topic": "topic"}
PARENTS = {"course": "specialization_id", "topic": "course_id"}
COLUMNS = {
    "specialization": ("slug", "title", "provider", "url", "description", "certificate_url"),
    "course": ("slug", "title", "description", "url", "certificate_url", "rubric"),
    "topic": ("slug", "title", "description", "url", "rubric"),
}

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
    return reader.one(
        _REMOVAL, spec=specialization, course=course, topic=topic, todo=Status.TODO.value
    )


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
    (SELECT count(*) FROM progress WHERE {owned} AND (status <> :todo OR started_on IS NOT NULL))
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
    """Insert a specialization, its uid the hash of its slug (`store.uids`); its id."""
    return writer.insert(
        _ADD_SPEC,
        slug=slug,
        title=title,
        provider=provider,
        url=url,
        description=description,
        uid=uids.settle_catalog(writer, "specialization", (slug,)),
    )


_ADD_SPEC = (
    "INSERT INTO specialization (slug, title, provider, url, description, uid) "
    "VALUES (:slug, :title, :provider, :url, :description, :uid) RETURNING id"
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
    siblings moved down one, its uid the hash of its slug path (`store.uids`); its id."""
    path = (*uids.ParentPaths(writer, kind)(parent_id), slug)
    uid = uids.settle_catalog(writer, kind, path)
    writer.execute(_SHIFT_DOWN[kind], parent=parent_id, position=position)
    return writer.insert(
        _ADD_CHILD[kind],
        parent=parent_id,
        position=position,
        slug=slug,
        title=title,
        description=description,
        url=url,
        uid=uid,
    )


_SHIFT_DOWN = {
    kind: f"UPDATE {kind} SET position = position + 1 "
    f"WHERE {PARENTS[kind]} = :parent AND position >= :position"
    for kind in PARENTS
}
_ADD_CHILD = {
    kind: f"INSERT INTO {kind} ({PARENTS[kind]}, position, slug, title, description, url, uid) "
    "VALUES (:parent, :position, :slug, :title, :description, :url, :uid) RETURNING id"
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
