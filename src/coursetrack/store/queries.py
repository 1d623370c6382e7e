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

# --- status, show, planning -----------------------------------------------------------

#: The unit rule, written once: a unit is a topic, or a course that has no topics.
#: One row per unit with the learner's state of it (no progress row: 'todo'). Callers
#: add a WHERE on `s` or `c` (`WHERE c.id = :course_id`) and wrap it as a subquery.
UNITS = """
SELECT s.id AS spec_id, s.slug AS spec_slug,
       c.id AS course_id, c.position AS course_position, c.slug AS course_slug,
       c.title AS course_title,
       t.id AS topic_id, t.position AS topic_position, t.slug AS topic_slug,
       t.title AS topic_title,
       coalesce(CASE WHEN t.id IS NULL THEN cp.status ELSE tp.status END, 'todo') AS status,
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

#: Per course (narrowed by `{where}`, one of the two above or ""): its units counted,
#: and its own progress row. `n_topics` 0 means the course is its own unit.
COURSE_PROGRESS = """
SELECT c.id, c.specialization_id, c.position, c.slug, c.title, c.certificate_url,
       u.n_topics, u.units_total, u.units_done, u.units_started,
       u.first_started_on, u.first_completed_on, u.last_completed_on,
       cp.status AS own_status, cp.started_on AS own_started_on,
       cp.completed_on AS own_completed_on
FROM (
    SELECT units.course_id, count(units.topic_id) AS n_topics, count(*) AS units_total,
           sum(CASE WHEN units.status = 'done' THEN 1 ELSE 0 END) AS units_done,
           sum(CASE WHEN units.status = 'in-progress' THEN 1 ELSE 0 END) AS units_started,
           min(units.started_on) AS first_started_on,
           min(units.completed_on) AS first_completed_on,
           max(units.completed_on) AS last_completed_on
    FROM ({units} {where}) units
    GROUP BY units.course_id
) u
JOIN course c ON c.id = u.course_id
LEFT JOIN progress cp ON cp.course_id = c.id
ORDER BY c.specialization_id, c.position
"""

#: Every specialization with its own progress row's start (the overview's rows).
SPECIALIZATION_STARTS = """
SELECT s.id, s.slug, s.title, s.certificate_url, p.started_on
FROM specialization s LEFT JOIN progress p ON p.specialization_id = s.id
ORDER BY s.slug
"""

#: An item's own progress row; `{owner}` is specialization_id, course_id or topic_id.
PROGRESS_OF = "SELECT status, started_on, completed_on FROM progress WHERE {owner} = :id"

#: The topics of a course as units, in order (a course without topics has none here).
TOPIC_UNITS = UNITS + "WHERE c.id = :course_id AND t.id IS NOT NULL ORDER BY t.position"

#: Units of every specialization (`{where}` narrows), in course order.
UNITS_IN_ORDER = "{units} {where} ORDER BY s.slug, c.position, t.position"

#: How many units a specialization has, how many are done, and the last done.
UNIT_COUNTS = """
SELECT count(*) AS total,
       coalesce(sum(CASE WHEN u.status = 'done' THEN 1 ELSE 0 END), 0) AS done,
       max(CASE WHEN u.status = 'done' THEN u.completed_on END) AS last_done_on
FROM ({units} WHERE s.id = :spec_id) u
"""

#: Units of a specialization done within a window (`:start` to `:today`, both included).
DONE_BETWEEN = """
SELECT count(*) FROM ({units} WHERE s.id = :spec_id) u
WHERE u.status = 'done' AND u.completed_on >= :start AND u.completed_on <= :today
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
NEXT_COUNTS = """
SELECT count(*) AS total,
       coalesce(sum(CASE WHEN u.status <> 'done' THEN 1 ELSE 0 END), 0) AS open_units
FROM ({units} {where}) u
"""

#: `next`: the open units, the program studied most recently first (a dormant one
#: last), then started units, then course order; only `:limit` rows leave the database.
NEXT_UNITS = """
SELECT u.* FROM ({units} {where}) u
LEFT JOIN (
    SELECT d.spec_id, max(d.day) AS last_day FROM ({activity}) d GROUP BY d.spec_id
) a ON a.spec_id = u.spec_id
WHERE u.status <> 'done'
ORDER BY CASE WHEN a.last_day IS NULL THEN 1 ELSE 0 END, a.last_day DESC, u.spec_slug,
         CASE WHEN u.status = 'in-progress' THEN 0 ELSE 1 END, u.course_position,
         u.topic_position
LIMIT :limit
"""

GOAL_OF = "SELECT target_on FROM goal WHERE specialization_id = :spec_id"

#: Done topics under a scope (`{where}`: AND s.id / c.id / t.id = :id) due for review by
#: `:today`: the latest review since the completion sets the due date, else the day after
#: the completion (`:first_due_by` is today less that first interval; no date arithmetic
#: in SQL, which the engines spell differently).
REVIEWS_DUE = """
SELECT count(*) FROM (
    SELECT p.completed_on AS completed_on,
           (SELECT r.due_on FROM review r
            WHERE r.topic_id = t.id AND r.reviewed_on >= p.completed_on
            ORDER BY r.reviewed_on DESC, r.id DESC LIMIT 1) AS due_on
    FROM specialization s JOIN course c ON c.specialization_id = s.id
    JOIN topic t ON t.course_id = c.id JOIN progress p ON p.topic_id = t.id
    WHERE p.status = 'done' AND p.completed_on IS NOT NULL {where}
) d
WHERE d.due_on <= :today OR (d.due_on IS NULL AND d.completed_on <= :first_due_by)
"""

#: A topic's reviews, oldest first (its schedule is built from them).
REVIEWS_OF_TOPIC = """
SELECT reviewed_on, grade, interval_days, due_on FROM review
WHERE topic_id = :topic_id ORDER BY reviewed_on, id
"""

#: `show`: an item's newest notes and links (`{owner}` as in PROGRESS_OF), and their counts.
NEWEST_NOTES = """
SELECT id, written_on, text FROM note WHERE {owner} = :id
ORDER BY written_on DESC, id DESC LIMIT :limit
"""
NEWEST_LINKS = """
SELECT id, url, title, added_on FROM link WHERE {owner} = :id
ORDER BY added_on DESC, id DESC LIMIT :limit
"""
COUNT_NOTES = "SELECT count(*) FROM note WHERE {owner} = :id"
COUNT_LINKS = "SELECT count(*) FROM link WHERE {owner} = :id"

#: `show` of a course: the newest notes of each topic and how many each has: per topic, a
#: bounded sort (ORDER BY ... LIMIT) and an index-only count, never every note's text.
TOPIC_NOTES = """
SELECT t.slug AS topic_slug, n.id AS id, n.written_on AS written_on, n.text AS text,
       (SELECT count(*) FROM note c WHERE c.topic_id = t.id) AS total
FROM topic t
JOIN note n ON n.id IN (
    SELECT k.id FROM note k WHERE k.topic_id = t.id
    ORDER BY k.written_on DESC, k.id DESC LIMIT :keep
)
WHERE t.course_id = :course_id
ORDER BY t.position, n.written_on, n.id
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
