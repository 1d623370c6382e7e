"""Every read query, once, in SQL that SQLite and PostgreSQL both run.

Named parameters (`:name`), no boolean arithmetic (`sum(CASE ... THEN 1 ELSE 0 END)`,
not `sum(x = y)`), every subquery in FROM aliased, no engine-only functions.
Read-only commands run these through `store.reader` (sqlite3 alone on SQLite);
writes run the same text through their session (`reader.reader_of`).
"""

from __future__ import annotations

# --- the catalog ----------------------------------------------------------------------

SPECIALIZATIONS = """
SELECT id, slug, title, provider, url, description, certificate_url
FROM specialization ORDER BY slug
"""

COURSES_OF = """
SELECT id, specialization_id, position, slug, title, description, url, certificate_url
FROM course WHERE specialization_id = :specialization_id ORDER BY position
"""

TOPICS_OF = """
SELECT id, course_id, position, slug, title, description, url
FROM topic WHERE course_id = :course_id ORDER BY position
"""

# --- log, review, export ----------------------------------------------------------------

# The review queue (services.review). `{scope}` is one of REVIEW_SCOPES: the
# topics under a specialization, a course, a topic, or all of them.

REVIEW_SCOPES = {
    None: "",
    "specialization": "AND s.id = :scope_id",
    "course": "AND c.id = :scope_id",
    "topic": "AND t.id = :scope_id",
}

_DONE_FROM = """
FROM specialization s JOIN course c ON c.specialization_id = s.id
JOIN topic t ON t.course_id = c.id JOIN progress p ON p.topic_id = t.id
WHERE p.status = 'done' AND p.completed_on IS NOT NULL {scope}
"""

DONE_TOPICS = (
    "SELECT t.id, s.slug AS spec_slug, c.slug AS course_slug,"
    " c.position AS course_position, c.title AS course_title,"
    " t.slug AS topic_slug, t.position AS topic_position, t.title, p.completed_on"
    + _DONE_FROM
    + "ORDER BY s.slug, c.position, t.position"
)

DONE_TOPIC_REVIEWS = (
    "SELECT r.topic_id, r.reviewed_on, r.grade, r.interval_days, r.due_on FROM review r"
    " WHERE r.topic_id IN (SELECT t.id" + _DONE_FROM + ") ORDER BY r.reviewed_on, r.id"
)

#: Done topics due on :today, counted with `schedule_from`'s rule: the latest
#: review since the completion sets the due date; without one, the completion
#: day plus the first rung (a completion on or before :completed_by). Date
#: arithmetic is done by the caller, so no engine's date functions are needed.
DUE_COUNT = (
    "SELECT count(*) FROM (SELECT p.completed_on AS completed_on,"
    " (SELECT r.due_on FROM review r WHERE r.topic_id = t.id"
    " AND r.reviewed_on >= p.completed_on ORDER BY r.reviewed_on DESC, r.id DESC LIMIT 1)"
    " AS due_on" + _DONE_FROM + ") AS d"
    " WHERE (d.due_on IS NULL AND d.completed_on <= :completed_by) OR d.due_on <= :today"
)

TOPIC_PROGRESS = """
SELECT status, started_on, completed_on FROM progress WHERE topic_id = :topic_id
"""

TOPIC_REVIEWS = """
SELECT reviewed_on, grade, interval_days, due_on FROM review
WHERE topic_id = :topic_id ORDER BY reviewed_on, id
"""

# The history (services.log). `change.old`/`new` hold a row's values as JSON;
# reading a field of it is the one thing the two engines spell differently,
# so `json_field` writes it for the reader's dialect.


def json_field(dialect: str, column: str, key: str, *, integer: bool = False) -> str:
    """SQL for one field of a JSON column: `json_extract` on SQLite, `->>` on PostgreSQL.

    On PostgreSQL the column is cast to jsonb first, so it works whether the
    schema keeps JSON as text, json or jsonb. `integer`: the field is an id.
    """
    if dialect == "postgresql":
        sql = f"(CAST({column} AS jsonb) ->> '{key}')"
    else:
        sql = f"json_extract({column}, '$.{key}')"
    return f"CAST({sql} AS INTEGER)" if integer else sql


def log_changes_light(dialect: str) -> str:
    """One command's changes, newest first, without their JSON: a change may hold a
    50 MB note, and naming it needs only a slug and the ids of its item's parents."""

    def either(key: str) -> str:
        new = json_field(dialect, "new", key, integer=True)
        old = json_field(dialect, "old", key, integer=True)
        return f"coalesce({new}, {old})"

    return (
        "SELECT id, table_name, row_id, op,"
        f" {json_field(dialect, 'old', 'slug')} AS old_slug,"
        f" {json_field(dialect, 'new', 'slug')} AS new_slug,"
        f" {either('specialization_id')} AS specialization_id,"
        f" {either('course_id')} AS course_id,"
        f" {either('topic_id')} AS topic_id"
        " FROM change WHERE command_id = :command ORDER BY id DESC"
    )


#: Commands newest first, a page at a time (`log -n 3` reads one page of any history).
LOG_COMMANDS = """
SELECT id, at, line, undoes, undone_by FROM command
WHERE id < :before ORDER BY id DESC LIMIT :page
"""

#: The first :n changes of one command, with their JSON, to show them.
LOG_CHANGES_FULL = """
SELECT id, old, new FROM change WHERE command_id = :command ORDER BY id LIMIT :n
"""

#: An item's slug and parent id as the store holds it now, by id, and for a whole table.
ITEM_NOW = {
    "specialization": "SELECT slug, NULL AS parent_id FROM specialization WHERE id = :id",
    "course": "SELECT slug, specialization_id AS parent_id FROM course WHERE id = :id",
    "topic": "SELECT slug, course_id AS parent_id FROM topic WHERE id = :id",
}
ITEMS_NOW = {
    "specialization": "SELECT id, slug, NULL AS parent_id FROM specialization",
    "course": "SELECT id, slug, specialization_id AS parent_id FROM course",
    "topic": "SELECT id, slug, course_id AS parent_id FROM topic",
}

# A blog post about one specialization (services.export): its courses, every
# topic with its state, and the notes and links of the specialization, its
# courses and its topics, oldest first.

POST_COURSES = """
SELECT id, position, slug, title, description, url, certificate_url
FROM course WHERE specialization_id = :spec_id ORDER BY position
"""

POST_TOPICS = """
SELECT t.id, t.course_id, t.title, p.status, p.completed_on
FROM topic t JOIN course c ON c.id = t.course_id
LEFT JOIN progress p ON p.topic_id = t.id
WHERE c.specialization_id = :spec_id ORDER BY t.course_id, t.position
"""

_OWNED_BY_SPEC = """
WHERE x.specialization_id = :spec_id
   OR x.course_id IN (SELECT c.id FROM course c WHERE c.specialization_id = :spec_id)
   OR x.topic_id IN (SELECT t.id FROM topic t JOIN course c ON c.id = t.course_id
                     WHERE c.specialization_id = :spec_id)
ORDER BY x.id
"""

POST_NOTES = (
    "SELECT x.specialization_id, x.course_id, x.topic_id, x.written_on, x.text FROM note x"
    + _OWNED_BY_SPEC
)

POST_LINKS = (
    "SELECT x.specialization_id, x.course_id, x.topic_id, x.title, x.url FROM link x"
    + _OWNED_BY_SPEC
)

# Notes and links listed with the ref of their item (services.notes): `note list`,
# `link list`, and the rows `note edit`/`rm` name. `{fields}` and `{table}` come
# from NOTE_LIST/LINK_LIST; `{where}` from NOTES_SCOPES, or BY_ID.

_OWNED_ROWS = """
SELECT x.id AS id, {fields},
       coalesce(s1.slug, s2.slug, s3.slug) AS spec_slug,
       coalesce(c2.slug, c3.slug) AS course_slug,
       t3.slug AS topic_slug
FROM {table} x
LEFT JOIN specialization s1 ON s1.id = x.specialization_id
LEFT JOIN course c2 ON c2.id = x.course_id
LEFT JOIN specialization s2 ON s2.id = c2.specialization_id
LEFT JOIN topic t3 ON t3.id = x.topic_id
LEFT JOIN course c3 ON c3.id = t3.course_id
LEFT JOIN specialization s3 ON s3.id = c3.specialization_id
{where}
"""

NOTE_ROWS = _OWNED_ROWS.format(
    fields="x.written_on AS written_on, x.text AS text", table="note", where="{where}"
)
LINK_ROWS = _OWNED_ROWS.format(
    fields="x.url AS url, x.title AS title, x.added_on AS added_on", table="link", where="{where}"
)

#: An item and everything under it (None: the whole store), then the list order.
NOTES_SCOPES = {
    None: "",
    "topic": "WHERE t3.id = :id",
    "course": "WHERE coalesce(c2.id, c3.id) = :id",
    "specialization": "WHERE coalesce(s1.id, s2.id, s3.id) = :id",
}
NOTE_ORDER = " ORDER BY x.written_on, x.id"
LINK_ORDER = " ORDER BY x.added_on, x.id"
BY_ID = "WHERE x.id = :id"
