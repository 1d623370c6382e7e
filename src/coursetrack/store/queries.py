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
