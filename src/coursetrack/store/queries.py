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
