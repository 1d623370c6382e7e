"""What a post, the shared page and the group's post read beyond the status figures.

A private note (`note --private`) is the learner's alone: `notes` and
`public_notes` never return one, so no post or page can show it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from coursetrack.store import queries

if TYPE_CHECKING:
    from coursetrack.store.reader import Reader, Row

#: The page's notes: every public note of a specialization, named by what it is about.
_PAGE_NOTES = """
SELECT n.written_on, n.text,
       coalesce(t.title, c.title, tc.title, s.title) AS about
FROM note n
LEFT JOIN topic t ON t.id = n.topic_id
LEFT JOIN course tc ON tc.id = t.course_id
LEFT JOIN course c ON c.id = n.course_id
LEFT JOIN specialization s ON s.id = n.specialization_id
WHERE coalesce(n.specialization_id, c.specialization_id, tc.specialization_id) = :spec
  AND NOT n.private
ORDER BY n.written_on, n.id
"""


def courses(reader: Reader, spec_id: int) -> list[Row]:
    """A specialization's courses in order, with their descriptions and addresses."""
    return reader.all(queries.POST_COURSES, spec_id=spec_id)


def topics_of(reader: Reader, course_id: int) -> list[Row]:
    """A course's topics in order (the catalog alone)."""
    return reader.all(queries.TOPICS_OF, course_id=course_id)


def topics(reader: Reader, spec_id: int) -> list[Row]:
    """Every topic of a specialization with the learner's state of it, course by course."""
    return reader.all(queries.POST_TOPICS, spec_id=spec_id)


def notes(reader: Reader, spec_id: int) -> list[Row]:
    """The non-private notes of a specialization, its courses and topics, oldest first."""
    return reader.all(queries.POST_NOTES, spec_id=spec_id)


def links(reader: Reader, spec_id: int) -> list[Row]:
    """The links of a specialization, its courses and topics, oldest first."""
    return reader.all(queries.POST_LINKS, spec_id=spec_id)


def public_notes(reader: Reader, spec_id: int) -> list[Row]:
    """The notes a shared page may show (`written_on`, `text`, `about`), oldest first."""
    return reader.all(_PAGE_NOTES, spec=spec_id)
