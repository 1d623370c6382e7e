"""The units' statements: the units in order, `next`'s pick, and the units done in the
pace window. The days of activity are `store.activity`'s, the goal `store.goals`'.

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
