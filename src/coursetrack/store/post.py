"""What a post, the shared page and the group's post read beyond the status figures.

A private note (`note --private`) is the learner's alone: `notes` never
returns one, nor does the page's `store.notes.page_notes`, both by the one
rule `store.notes.shared_note`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from coursetrack.store import queries

if TYPE_CHECKING:
    from coursetrack.store.reader import Reader, Row


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
