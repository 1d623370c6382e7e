"""The days anything was recorded, per specialization: what the streak and the pace
window's start are counted from (`services.activity`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from coursetrack.store import queries

if TYPE_CHECKING:
    from coursetrack.store.reader import Reader, Row


def active_days(reader: Reader, spec_id: int | None = None) -> list[Row]:
    """(spec_id, day_on) for each day anything was recorded, per specialization
    (or only `spec_id`'s): see `queries.ACTIVITY_DAYS`."""
    if spec_id is None:
        return reader.all(queries.ACTIVE_DAYS.format(activity=queries.ACTIVITY_DAYS))
    sql = queries.ACTIVE_DAYS_OF.format(activity=queries.ACTIVITY_DAYS)
    return reader.all(sql, spec_id=spec_id)
