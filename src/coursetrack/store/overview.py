"""Where the learner stands, counted in the database: what `status` reads.

Built on the unit rule of `queries.UNITS` (a unit is a topic, or a course
without topics); this is the one place its status statements are put together
with their narrowing (a specialization, a course, or the whole store).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from coursetrack.store import queries

if TYPE_CHECKING:
    from coursetrack.store.reader import Reader, Row


def course_progress(
    reader: Reader, *, spec_id: int | None = None, course_id: int | None = None
) -> list[Row]:
    """Per course (of a specialization, one course, or all): its units counted and its own
    progress row (see `queries.COURSE_PROGRESS`), in order."""
    if course_id is not None:
        where, params = queries.UNITS_OF_COURSE, {"course_id": course_id}
    elif spec_id is not None:
        where, params = queries.UNITS_OF_SPECIALIZATION, {"spec_id": spec_id}
    else:
        where, params = "", {}
    sql = queries.COURSE_PROGRESS.format(units=queries.UNITS, where=where)
    return reader.all(sql, **params)


def specialization_progress(reader: Reader) -> list[Row]:
    """One row per specialization, in slug order (see `queries.SPECIALIZATION_PROGRESS`)."""
    return reader.all(queries.SPECIALIZATION_PROGRESS.format(units=queries.UNITS, where=""))


def topic_units(reader: Reader, course_id: int) -> list[Row]:
    """A course's topics as units (`queries.UNITS` rows), in order."""
    return reader.all(queries.TOPIC_UNITS, course_id=course_id)


#: The progress column that points at each kind of item.
_OWNER = {"specialization": "specialization_id", "course": "course_id", "topic": "topic_id"}


def own_progress(reader: Reader, kind: str, item_id: int) -> Row | None:
    """An item's own progress row (status, started_on, completed_on), if it has one;
    `kind`: specialization, course or topic."""
    return reader.one(queries.PROGRESS_OF.format(owner=_OWNER[kind]), id=item_id)
