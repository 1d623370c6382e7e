"""The goal: the date a learner means to finish a specialization by (the one row `goal`
writes)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from coursetrack.store import queries

if TYPE_CHECKING:
    from coursetrack.store.reader import Reader
    from coursetrack.store.writer import Writer


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
