"""Every read query, once, in SQL that SQLite and PostgreSQL both run.

Named parameters (`:name`), no boolean arithmetic (`sum(CASE ... THEN 1 ELSE 0 END)`,
not `sum(x = y)`), every subquery in FROM aliased, no engine-only functions.
Read-only commands run these through `store.reader` (sqlite3 alone on SQLite);
writes run the same text through their Writer (`store.writer`).
"""

from __future__ import annotations

from coursetrack.store.notes import SHARED_NOTES
from coursetrack.vocabulary import Status, sql

#: The status words as SQL literals (`vocabulary.sql`): these statements are shared as
#: text and built into one another, so the words are written in, not bound.
_TODO, _IN_PROGRESS, _DONE = sql(Status.TODO), sql(Status.IN_PROGRESS), sql(Status.DONE)

# --- the catalog ----------------------------------------------------------------------

SPECIALIZATIONS = """
SELECT id, slug, title, provider, url, description, certificate_url
FROM specialization ORDER BY slug
"""

COURSES_OF = """
SELECT id, specialization_id, position, slug, title, description, url, certificate_url, rubric
FROM course WHERE specialization_id = :specialization_id ORDER BY position, uid
"""

TOPICS_OF = """
SELECT id, course_id, position, slug, title, description, url, rubric
FROM topic WHERE course_id = :course_id ORDER BY position, uid
"""

# --- status, show, planning -----------------------------------------------------------

#: The unit rule, written once: a unit is a topic, or a course that has no topics.
#: One row per unit with the learner's state of it (no progress row: todo). Callers
#: add a WHERE on `s` or `c` (`WHERE c.id = :course_id`) and wrap it as a subquery.
UNITS = f"""
SELECT s.id AS spec_id, s.slug AS spec_slug,
       c.id AS course_id, c.position AS course_position, c.slug AS course_slug,
       c.title AS course_title,
       t.id AS topic_id, t.position AS topic_position, t.slug AS topic_slug,
       t.title AS topic_title,
       coalesce(CASE WHEN t.id IS NULL THEN cp.status ELSE tp.status END, {_TODO}) AS status,
       CASE WHEN t.id IS NULL THEN cp.started_on ELSE tp.started_on END AS started_on,
       CASE WHEN t.id IS NULL THEN cp.completed_on ELSE tp.completed_on END AS completed_on
FROM specialization s
JOIN course c ON c.specialization_id = s.id
LEFT JOIN topic t ON t.course_id = c.id
LEFT JOIN progress tp ON tp.topic_id = t.id
LEFT JOIN progress cp ON cp.course_id = c.id
"""

#: Where `UNITS` (and the queries built on it) are narrowed to a specialization or a course.
UNITS_OF_SPECIALIZATION = "WHERE s.id = :spec_id"
UNITS_OF_COURSE = "WHERE c.id = :course_id"

#: Per course (narrowed by `{where}`, one of the two above or ""): its units counted.
#: `n_topics` 0 means the course is its own unit.
_COURSE_UNITS = f"""
    SELECT units.course_id, count(units.topic_id) AS n_topics, count(*) AS units_total,
           sum(CASE WHEN units.status = {_DONE} THEN 1 ELSE 0 END) AS units_done,
           sum(CASE WHEN units.status = {_IN_PROGRESS} THEN 1 ELSE 0 END) AS units_started,
           min(units.started_on) AS first_started_on,
           min(units.completed_on) AS first_completed_on,
           max(units.completed_on) AS last_completed_on
    FROM ({{units}} {{where}}) units
    GROUP BY units.course_id
"""

#: Per course: its units counted (`_COURSE_UNITS`), and its own progress row.
COURSE_PROGRESS = (
    """
SELECT c.id, c.specialization_id, c.position, c.slug, c.title, c.certificate_url,
       u.n_topics, u.units_total, u.units_done, u.units_started,
       u.first_started_on, u.first_completed_on, u.last_completed_on,
       cp.status AS own_status, cp.started_on AS own_started_on,
       cp.completed_on AS own_completed_on
FROM ("""
    + _COURSE_UNITS
    + """) u
JOIN course c ON c.id = u.course_id
LEFT JOIN progress cp ON cp.course_id = c.id
ORDER BY c.specialization_id, c.position, c.uid
"""
)

#: The overview: one row per specialization (with courses or not), in slug order, its
#: courses and units counted in the database. A course is done when all its units are
#: (a course without topics: when it is); `units_active` counts units started or done.
#: A specialization started on the earliest of: its own row's start, its courses' own
#: starts, their units' starts and their topics' completions (a topic done without a
#: start); `last_completed_on` is its finish once every unit is done.
#: Sums are cast: PostgreSQL's sum of a bigint is a numeric.
SPECIALIZATION_PROGRESS = (
    """
SELECT s.id, s.slug, s.title, s.certificate_url, sp.started_on,
       coalesce(k.courses_total, 0) AS courses_total,
       coalesce(k.courses_done, 0) AS courses_done,
       coalesce(k.units_total, 0) AS units_total,
       coalesce(k.units_done, 0) AS units_done,
       coalesce(k.units_active, 0) AS units_active,
       k.courses_started_on, k.units_started_on, k.topics_completed_on, k.last_completed_on
FROM specialization s
LEFT JOIN progress sp ON sp.specialization_id = s.id
LEFT JOIN (
    SELECT c.specialization_id AS spec_id, count(*) AS courses_total,
           CAST(sum(CASE WHEN u.units_done = u.units_total THEN 1 ELSE 0 END) AS INTEGER)
               AS courses_done,
           CAST(sum(u.units_total) AS INTEGER) AS units_total,
           CAST(sum(u.units_done) AS INTEGER) AS units_done,
           CAST(sum(u.units_done + u.units_started) AS INTEGER) AS units_active,
           min(cp.started_on) AS courses_started_on,
           min(u.first_started_on) AS units_started_on,
           min(CASE WHEN u.n_topics > 0 THEN u.first_completed_on END) AS topics_completed_on,
           max(u.last_completed_on) AS last_completed_on
    FROM ("""
    + _COURSE_UNITS
    + """) u
    JOIN course c ON c.id = u.course_id
    LEFT JOIN progress cp ON cp.course_id = c.id
    GROUP BY c.specialization_id
) k ON k.spec_id = s.id
ORDER BY s.slug
"""
)

#: An item's own progress row; `{owner}` is specialization_id, course_id or topic_id.
PROGRESS_OF = "SELECT status, started_on, completed_on FROM progress WHERE {owner} = :id"

#: The topics of a course as units, in order (a course without topics has none here).
TOPIC_UNITS = UNITS + "WHERE c.id = :course_id AND t.id IS NOT NULL ORDER BY t.position, t.uid"

#: Units of every specialization (`{where}` narrows), in course order.
UNITS_IN_ORDER = "{units} {where} ORDER BY s.slug, c.position, c.uid, t.position, t.uid"

#: How many units a specialization has, how many are done, and the last done.
UNIT_COUNTS = f"""
SELECT count(*) AS total,
       coalesce(sum(CASE WHEN u.status = {_DONE} THEN 1 ELSE 0 END), 0) AS done,
       max(CASE WHEN u.status = {_DONE} THEN u.completed_on END) AS last_done_on
FROM ({{units}} WHERE s.id = :spec_id) u
"""

#: Units of a specialization done within a window (`:start` to `:today`, both included).
DONE_BETWEEN = f"""
SELECT count(*) FROM ({{units}} WHERE s.id = :spec_id) u
WHERE u.status = {_DONE} AND u.completed_on >= :start AND u.completed_on <= :today
"""

#: Each day on which the learner recorded anything, per specialization: a start,
#: a completion, a review, a note or a link. One row per (specialization, day),
#: so a streak or a window needs the days, not the thousands of units.
ACTIVITY_DAYS = """
SELECT c.specialization_id AS spec_id, p.started_on AS day
FROM progress p JOIN topic t ON t.id = p.topic_id JOIN course c ON c.id = t.course_id
UNION
SELECT c.specialization_id, p.completed_on
FROM progress p JOIN topic t ON t.id = p.topic_id JOIN course c ON c.id = t.course_id
UNION
SELECT c.specialization_id, p.started_on FROM progress p JOIN course c ON c.id = p.course_id
UNION
SELECT c.specialization_id, p.completed_on FROM progress p JOIN course c ON c.id = p.course_id
UNION
SELECT p.specialization_id, p.started_on FROM progress p WHERE p.specialization_id IS NOT NULL
UNION
SELECT c.specialization_id, r.reviewed_on
FROM review r JOIN topic t ON t.id = r.topic_id JOIN course c ON c.id = t.course_id
UNION
SELECT coalesce(n.specialization_id, c.specialization_id, tc.specialization_id), n.written_on
FROM note n
LEFT JOIN course c ON c.id = n.course_id
LEFT JOIN topic t ON t.id = n.topic_id LEFT JOIN course tc ON tc.id = t.course_id
UNION
SELECT coalesce(l.specialization_id, c.specialization_id, tc.specialization_id), l.added_on
FROM link l
LEFT JOIN course c ON c.id = l.course_id
LEFT JOIN topic t ON t.id = l.topic_id LEFT JOIN course tc ON tc.id = t.course_id
"""

#: The active days (named `day_on`, so both engines give dates), all or one specialization's.
ACTIVE_DAYS = "SELECT a.spec_id, a.day AS day_on FROM ({activity}) a WHERE a.day IS NOT NULL"
ACTIVE_DAYS_OF = ACTIVE_DAYS + " AND a.spec_id = :spec_id"

#: `next`: how many units are in scope and how many are still open.
NEXT_COUNTS = f"""
SELECT count(*) AS total,
       coalesce(sum(CASE WHEN u.status <> {_DONE} THEN 1 ELSE 0 END), 0) AS open_units
FROM ({{units}} {{where}}) u
"""

#: `next`: the open units, the program studied most recently first (a dormant one
#: last), then started units, then course order; only `:limit` rows leave the database.
NEXT_UNITS = f"""
SELECT u.* FROM ({{units}} {{where}}) u
LEFT JOIN (
    SELECT d.spec_id, max(d.day) AS last_day FROM ({{activity}}) d GROUP BY d.spec_id
) a ON a.spec_id = u.spec_id
WHERE u.status <> {_DONE}
ORDER BY CASE WHEN a.last_day IS NULL THEN 1 ELSE 0 END, a.last_day DESC, u.spec_slug,
         CASE WHEN u.status = {_IN_PROGRESS} THEN 0 ELSE 1 END, u.course_position,
         u.topic_position
LIMIT :limit
"""

GOAL_OF = "SELECT target_on FROM goal WHERE specialization_id = :spec_id"

#: A topic's reviews, oldest first (its schedule is built from them).
REVIEWS_OF_TOPIC = """
SELECT reviewed_on, grade, interval_days, due_on FROM review
WHERE topic_id = :topic_id ORDER BY reviewed_on, uid
"""

#: `show`: an item's newest notes and links (`{owner}` as in PROGRESS_OF), and their counts.
NEWEST_NOTES = """
SELECT id, written_on, text, private FROM note WHERE {owner} = :id
ORDER BY written_on DESC, uid DESC LIMIT :limit
"""
NEWEST_LINKS = """
SELECT id, url, title, added_on FROM link WHERE {owner} = :id
ORDER BY added_on DESC, uid DESC LIMIT :limit
"""
COUNT_NOTES = "SELECT count(*) FROM note WHERE {owner} = :id"
COUNT_LINKS = "SELECT count(*) FROM link WHERE {owner} = :id"

#: `show` of a course: the newest notes of each topic and how many each has: per topic, a
#: bounded sort (ORDER BY ... LIMIT) and an index-only count, never every note's text.
TOPIC_NOTES = """
SELECT t.slug AS topic_slug, n.id AS id, n.written_on AS written_on, n.text AS text,
       n.private AS private, (SELECT count(*) FROM note c WHERE c.topic_id = t.id) AS total
FROM topic t
JOIN note n ON n.id IN (
    SELECT k.id FROM note k WHERE k.topic_id = t.id
    ORDER BY k.written_on DESC, k.uid DESC LIMIT :keep
)
WHERE t.course_id = :course_id
ORDER BY t.position, n.written_on, n.uid
"""

#: Completion: the slugs (with titles) that start with what was typed, in the order
#: refs number them; `{parent}` narrows to a specialization's courses or a course's topics.
SPECIALIZATION_CANDIDATES = """
SELECT slug, title FROM specialization WHERE substr(slug, 1, :n) = :typed
ORDER BY slug LIMIT :limit
"""
COURSE_CANDIDATES = """
SELECT slug, title FROM course WHERE specialization_id = :parent_id
AND substr(slug, 1, :n) = :typed ORDER BY position LIMIT :limit
"""
TOPIC_CANDIDATES = """
SELECT slug, title FROM topic WHERE course_id = :parent_id
AND substr(slug, 1, :n) = :typed ORDER BY position LIMIT :limit
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

_DONE_FROM = f"""
FROM specialization s JOIN course c ON c.specialization_id = s.id
JOIN topic t ON t.course_id = c.id JOIN progress p ON p.topic_id = t.id
WHERE p.status = {_DONE} AND p.completed_on IS NOT NULL {{scope}}
"""

DONE_TOPICS = (
    "SELECT t.id, s.slug AS spec_slug, c.slug AS course_slug,"
    " c.position AS course_position, c.title AS course_title,"
    " t.slug AS topic_slug, t.position AS topic_position, t.title, p.completed_on"
    + _DONE_FROM
    + "ORDER BY s.slug, c.position, c.uid, t.position, t.uid"
)

DONE_TOPIC_REVIEWS = (
    "SELECT r.topic_id, r.reviewed_on, r.grade, r.interval_days, r.due_on FROM review r"
    " WHERE r.topic_id IN (SELECT t.id" + _DONE_FROM + ") ORDER BY r.reviewed_on, r.uid"
)

#: Done topics due on :today, counted with `schedule_from`'s rule: the latest
#: review since the completion sets the due date; without one, the completion
#: day plus the first rung (a completion on or before :completed_by). Date
#: arithmetic is done by the caller, so no engine's date functions are needed.
DUE_COUNT = (
    "SELECT count(*) FROM (SELECT p.completed_on AS completed_on,"
    " (SELECT r.due_on FROM review r WHERE r.topic_id = t.id"
    " AND r.reviewed_on >= p.completed_on ORDER BY r.reviewed_on DESC, r.uid DESC LIMIT 1)"
    " AS due_on" + _DONE_FROM + ") AS d"
    " WHERE (d.due_on IS NULL AND d.completed_on <= :completed_by) OR d.due_on <= :today"
)

# The history (services.log). `change.old`/`new` hold a row's values as JSON;
# reading a field of it is the one thing the two engines spell differently,
# so `json_field` writes it for the reader's dialect.


def json_field(dialect: str, column: str, key: str, *, integer: bool = False) -> str:
    """SQL for one field of a JSON column: `json_extract` on SQLite, `->>` on PostgreSQL.

    On PostgreSQL the column is cast to json first (a plain parse, no binary form as
    jsonb makes), so it works whether the schema keeps JSON as text, json or jsonb.
    `integer`: the field is an id.
    """
    if dialect == "postgresql":
        sql = f"(CAST({column} AS json) ->> '{key}')"
    else:
        sql = f"json_extract({column}, '$.{key}')"
    return f"CAST({sql} AS INTEGER)" if integer else sql


def log_changes_light(dialect: str, part: str = "") -> str:
    """One command's changes, newest first, without their JSON: a change may hold a
    50 MB note, and naming it needs only a slug and the ids of its item's parents.

    A peer review's `request_id` comes too: it names the review (`services.log`); on
    SQLite out of the same parse as the owners, on PostgreSQL for a review's change only.

    `part`: "items", only the changes to specializations, courses and topics (the
    walk back needs each of them); "item", only those to one item (`:table`,
    `:row_id`, through the index on them). `log -n N` reads, for each command it
    shows, the changes it shows (`LOG_CHANGES_SHOWN`, whose JSON it decodes once,
    to name and to show them), those of the few items that name them, and a
    count; all of a command's item changes only to walk on past it, which the
    last command shown never needs: not 100,000 rows.
    """
    items = "table_name IN ('specialization', 'course', 'topic')"
    where = {
        "": "",
        "items": f" AND {items}",
        "item": " AND table_name = :table AND row_id = :row_id",
    }[part]

    def either(key: str) -> str:
        new = json_field(dialect, "new", key, integer=True)
        old = json_field(dialect, "old", key, integer=True)
        return f"coalesce({new}, {old})"

    def slug(column: str) -> str:  # only items have one: a note's JSON is not parsed for it
        return f"CASE WHEN {items} THEN {json_field(dialect, column, 'slug')} END"

    if dialect != "postgresql":
        # SQLite parses a document again for each json_extract (60 ms for 50 MB): the
        # three owner ids come out of one parse, as a small array read from a
        # MATERIALIZED row so that the planner cannot copy the parse into each use.
        owners = (
            "json_extract(coalesce(new, old), '$.specialization_id', '$.course_id', '$.topic_id',"
            " '$.request_id')"
        )
        return (
            "WITH c AS MATERIALIZED (SELECT id, table_name, row_id, op,"
            f" {slug('old')} AS old_slug, {slug('new')} AS new_slug, {owners} AS owners"
            f" FROM change WHERE command_id = :command{where})"
            " SELECT id, table_name, row_id, op, old_slug, new_slug,"
            " CAST(json_extract(owners, '$[0]') AS INTEGER) AS specialization_id,"
            " CAST(json_extract(owners, '$[1]') AS INTEGER) AS course_id,"
            " CAST(json_extract(owners, '$[2]') AS INTEGER) AS topic_id,"
            " CAST(json_extract(owners, '$[3]') AS INTEGER) AS request_id"
            " FROM c ORDER BY id DESC"
        )
    return (
        "SELECT id, table_name, row_id, op,"
        f" {slug('old')} AS old_slug,"
        f" {slug('new')} AS new_slug,"
        f" {either('specialization_id')} AS specialization_id,"
        f" {either('course_id')} AS course_id,"
        f" {either('topic_id')} AS topic_id,"
        # only a review's: each field read here parses its change's JSON again
        f" CASE WHEN table_name = 'peer_review' THEN {either('request_id')} END AS request_id"
        f" FROM change WHERE command_id = :command{where} ORDER BY id DESC"
    )


#: How many changes one command made.
LOG_CHANGE_COUNT = "SELECT count(*) FROM change WHERE command_id = :command"


#: Commands newest first, a page at a time (`log -n 3` reads one page of any history);
#: `elsewhere`: the machine of a command another replica made (NULL: this store's), and
#: `set_aside`: the rule a sync's replay refused it by (issue 24).
LOG_COMMANDS = """
SELECT id, at, line, undoes, undone_by,
       CASE WHEN replica = (SELECT replica FROM sync_state) THEN NULL
            ELSE coalesce(machine, replica) END AS elsewhere,
       set_aside
FROM command
WHERE id < :before ORDER BY id DESC LIMIT :page
"""

#: The first :n changes of one command, with their JSON, to show them.
LOG_CHANGES_FULL = """
SELECT id, old, new FROM change WHERE command_id = :command ORDER BY id LIMIT :n
"""

#: The same for a run of them by id (`log REF`: the changes to one item and under it).
LOG_CHANGES_BETWEEN = """
SELECT id, old, new FROM change
WHERE command_id = :command AND id BETWEEN :first AND :last ORDER BY id
"""

#: The same with what names them: `log` decodes each JSON once, in Python, for both.
LOG_CHANGES_SHOWN = """
SELECT id, table_name, row_id, op, old, new FROM change
WHERE command_id = :command ORDER BY id LIMIT :n
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
FROM course WHERE specialization_id = :spec_id ORDER BY position, uid
"""

POST_TOPICS = """
SELECT t.id, t.course_id, t.title, p.status, p.completed_on
FROM topic t JOIN course c ON c.id = t.course_id
LEFT JOIN progress p ON p.topic_id = t.id
WHERE c.specialization_id = :spec_id ORDER BY t.course_id, t.position, t.uid
"""

_OWNED_BY_SPEC = """
WHERE x.specialization_id = :spec_id
   OR x.course_id IN (SELECT c.id FROM course c WHERE c.specialization_id = :spec_id)
   OR x.topic_id IN (SELECT t.id FROM topic t JOIN course c ON c.id = t.course_id
                     WHERE c.specialization_id = :spec_id)
ORDER BY x.uid
"""

#: A private note (`note --private`) is the learner's alone: never in a post.
POST_NOTES = (
    "SELECT x.specialization_id, x.course_id, x.topic_id, x.written_on, x.text "
    f"FROM {SHARED_NOTES} x" + _OWNED_BY_SPEC
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
    fields="x.written_on AS written_on, x.text AS text, x.private AS private",
    table="note",
    where="{where}",
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
NOTE_ORDER = " ORDER BY x.written_on, x.uid"
LINK_ORDER = " ORDER BY x.added_on, x.uid"
BY_ID = "WHERE x.id = :id"

# -- a write's own bookkeeping (`Store.write`) ---------------------------------------

#: A new command's gid: f"{replica}:{id}", unless a command a sync brought holds that one
#: already (written by hand on the hub, or this replica's own, pushed before its file was
#: put back from a copy): then f"{replica}:{id}@{stamp}", as unique as the stamp.
_GID = (
    "CASE WHEN EXISTS (SELECT 1 FROM command WHERE gid = :replica || ':' || {n}) "
    "THEN :replica || ':' || {n} || '@' || :stamp ELSE :replica || ':' || {n} END"
)

#: The command's row; SQLite numbers it max(id) + 1 itself.
RECORD_COMMAND = (
    "INSERT INTO command (id, at, line, gid, replica, stamp, machine) "
    f"SELECT n, :at, :line, {_GID.format(n='n')}, :replica, :stamp, :machine "
    "FROM (SELECT coalesce(max(id), 0) + 1 AS n FROM command) RETURNING id"
)

#: The same on PostgreSQL, with the id `STAMP_BASE_PG` chose. Every command made on
#: PostgreSQL (a hub) takes its arrival number from `command_seq` (issue 24). A stamp
#: another session took (a study group's learner sees only her own commands' stamps, and
#: two learners may write at once) inserts nothing: `recording.record_command` tries the
#: next stamp, under the same id.
RECORD_COMMAND_PG = (
    "INSERT INTO command (id, at, line, gid, replica, stamp, machine, seq) "
    f"VALUES (:id, :at, :line, {_GID.format(n='CAST(:id AS text)')}, :replica, :stamp, :machine, "
    "nextval('command_seq')) ON CONFLICT (stamp) DO NOTHING RETURNING id"
)

#: Who this store is and the largest stamp it holds: what a new command's stamp,
#: gid and machine are made from (`recording.record_command`, `store.clock`).
STAMP_BASE = (
    "SELECT replica, name AS machine, (SELECT max(stamp) FROM command) AS last FROM sync_state"
)

#: The same on PostgreSQL, with the new command's id, whose sequence would leave gaps:
#: max(id) + 1 under the write lock, the sequence moved along; a study group's learner,
#: who sees only their own commands, takes the sequence's next number.
STAMP_BASE_PG = (
    "SELECT replica, name AS machine, (SELECT max(stamp) FROM command) AS last, "
    "(SELECT CASE WHEN row_security_active('command') "
    "THEN nextval(pg_get_serial_sequence('command', 'id')) "
    "ELSE setval(pg_get_serial_sequence('command', 'id'), coalesce(max(id), 0) + 1) "
    "END FROM command) AS next_id FROM sync_state"
)

#: A command whose triggers recorded no change is taken back at its commit (an undo,
#: linked to what it undid, stays): see `recording.forget_if_unchanged`.
FORGET_UNCHANGED_COMMAND = (
    "DELETE FROM command WHERE id = :id AND undoes IS NULL "
    "AND NOT EXISTS (SELECT 1 FROM change WHERE change.command_id = :id)"
)

#: The newest history row: every write to a tracked table adds one.
LAST_CHANGE = "SELECT max(id) FROM change"

#: Whether others' history is hidden from this session (a study group's learner).
HISTORY_HIDDEN = "SELECT row_security_active('change')"
