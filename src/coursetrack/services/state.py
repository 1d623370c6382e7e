"""Progress rows: finding or creating the one that belongs to an item."""

from __future__ import annotations

from sqlmodel import Session, select

from coursetrack.models import Course, Progress, Specialization, Topic


def progress_of(session: Session, item: Specialization | Course | Topic) -> Progress | None:
    column = _column(item)
    return session.exec(select(Progress).where(column == item.id)).first()


def ensure_progress(session: Session, item: Specialization | Course | Topic) -> Progress:
    """The item's progress row, created (as todo) if it has none yet."""
    row = progress_of(session, item)
    if row is None:
        row = Progress(**{_column(item).key: item.id})
        session.add(row)
    return row


def _column(item: Specialization | Course | Topic):
    if isinstance(item, Topic):
        return Progress.topic_id
    if isinstance(item, Course):
        return Progress.course_id
    return Progress.specialization_id
