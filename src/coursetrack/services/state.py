"""The learner's state of an item: its progress row, read or made.

Reads take a `Reader` (plain rows, sqlite3 alone on SQLite); `ensure_progress`
is for writes and takes the session. The status names are the values of
`models.Status`, kept here as plain strings so a read needs no SQLModel
(a test checks they agree).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from coursetrack.store import queries

if TYPE_CHECKING:
    from sqlmodel import Session

    from coursetrack.models import Course, Progress, Specialization, Topic
    from coursetrack.store.reader import Reader, Row

TODO = "todo"
IN_PROGRESS = "in-progress"
DONE = "done"

#: The progress column that points at each kind of item.
OWNER = {"specialization": "specialization_id", "course": "course_id", "topic": "topic_id"}


def progress_of(reader: Reader, kind: str, item_id: int) -> Row | None:
    """The progress row (status, started_on, completed_on) of an item, if it has one."""
    return reader.one(queries.PROGRESS_OF.format(owner=OWNER[kind]), id=item_id)


def ensure_progress(session: Session, item: Specialization | Course | Topic) -> Progress:
    """The item's progress row, created (as todo) if it has none yet."""
    from sqlmodel import select

    from coursetrack.models import Progress

    column = _column(item)
    row = session.exec(select(Progress).where(column == item.id)).first()
    if row is None:
        row = Progress(**{column.key: item.id})
        session.add(row)
    return row


def _column(item: Specialization | Course | Topic):
    from coursetrack.models import Course, Progress, Topic

    if isinstance(item, Topic):
        return Progress.topic_id
    if isinstance(item, Course):
        return Progress.course_id
    return Progress.specialization_id
