"""Planning's statements: the units in order, `next`'s pick, the pace window's counts,
the days of activity, and the goal (the one row `goal` writes).

The reads narrow `queries.UNITS` (the unit rule, written once) to a course or a
specialization (`course_id` wins when both are given, as a course is inside
its specialization); neither: every unit. They count and pick in the
database, so a 100,000-unit program sends only what is asked for to Python.
Dates are passed to the reads as ISO text (sqlite3 alone has no adapter).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from coursetrack.store import queries

if TYPE_CHECKING:
    from coursetrack.store.reader import Reader, Row
    from coursetrack.store.writer import Writer


def _where(spec_id: int | None, course_id: int | None) -> tuple[str, dict]:
    """How `queries.UNITS` is narrowed, and its parameters."""
    if course_id is not None:
        return queries.UNITS_OF_COURSE, {"course_id": course_id}
    if spec_id is not None:
        return queries.UNITS_OF_SPECIALIZATION, {"spec_id": spec_id}
    return "", {}


def units(reader: Reader, *, spec_id: int | None = None, course_id: int | None = None) -> list[Row]:
    """The units (see `queries.UNITS`) of a course or specialization, in course order."""
    where, params = _where(spec_id, course_id)
    return reader.all(queries.UNITS_IN_ORDER.format(units=queries.UNITS, where=where), **params)


def next_counts(reader: Reader, *, spec_id: int | None = None, course_id: int | None = None) -> Row:
    """`next`: the units in scope (total) and the open ones (open_units)."""
    where, params = _where(spec_id, course_id)
    row = reader.one(queries.NEXT_COUNTS.format(units=queries.UNITS, where=where), **params)
    assert row is not None
    return row


def next_units(
    reader: Reader, *, limit: int, spec_id: int | None = None, course_id: int | None = None
) -> list[Row]:
    """`next`: at most `limit` open units, in the order `queries.NEXT_UNITS` gives."""
    where, params = _where(spec_id, course_id)
    activity = queries.ACTIVITY_DAYS
    sql = queries.NEXT_UNITS.format(units=queries.UNITS, where=where, activity=activity)
    return reader.all(sql, **params, limit=limit)


def done_between(reader: Reader, spec_id: int, *, start: dt.date, end: dt.date) -> int:
    """Units of a specialization completed from `start` to `end`, both included."""
    return reader.scalar(
        queries.DONE_BETWEEN.format(units=queries.UNITS),
        spec_id=spec_id,
        start=start.isoformat(),
        today=end.isoformat(),
    )


def active_days(reader: Reader, spec_id: int | None = None) -> list[Row]:
    """(spec_id, day_on) for each day anything was recorded, per specialization
    (or only `spec_id`'s): see `queries.ACTIVITY_DAYS`."""
    if spec_id is None:
        return reader.all(queries.ACTIVE_DAYS.format(activity=queries.ACTIVITY_DAYS))
    sql = queries.ACTIVE_DAYS_OF.format(activity=queries.ACTIVITY_DAYS)
    return reader.all(sql, spec_id=spec_id)


def goal_on(reader: Reader, spec_id: int) -> dt.date | None:
    """The date the learner means to finish a specialization by, if they set one."""
    row = reader.one(queries.GOAL_OF, spec_id=spec_id)
    return row.target_on if row else None


def set_goal(writer: Writer, spec_id: int, *, by: dt.date) -> dt.date | None:
    """Store (or move) the specialization's goal; the date it had before (None: none).

    An unchanged date is not written again: the history records no change then.
    """
    row = writer.one(
        "SELECT id, target_on FROM goal WHERE specialization_id = :spec_id", spec_id=spec_id
    )
    if row is None:
        writer.execute(
            "INSERT INTO goal (specialization_id, target_on) VALUES (:spec_id, :by)",
            spec_id=spec_id,
            by=by,
        )
        return None
    if row.target_on != by:
        writer.execute("UPDATE goal SET target_on = :by WHERE id = :id", id=row.id, by=by)
    return row.target_on


def clear_goal(writer: Writer, spec_id: int) -> dt.date | None:
    """Remove the specialization's goal; the date it had (None: there was none)."""
    row = writer.one(
        "SELECT id, target_on FROM goal WHERE specialization_id = :spec_id", spec_id=spec_id
    )
    if row is not None:
        writer.execute("DELETE FROM goal WHERE id = :id", id=row.id)
    return row.target_on if row else None
