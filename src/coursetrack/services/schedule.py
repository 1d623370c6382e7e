"""Where a done topic stands on the review ladder, and how many are due under an item.

The ladder and how a review climbs it are `services.review`'s; this module
holds only what `status` and `show` read of it (a topic's schedule, the
count of topics due), so that they do not load the review queue and the
recording of reviews, whose views are dataclasses made as the module loads.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from coursetrack.dates import LATEST
from coursetrack.store import reviews as store

if TYPE_CHECKING:
    from coursetrack.refs import Target
    from coursetrack.store.reader import Reader

#: The intervals between reviews, in days: the rungs of the ladder (see `services.review`).
LADDER = (1, 3, 7, 21, 60, 180)


@dataclass
class ReviewRecord:
    reviewed_on: dt.date
    grade: str
    interval_days: int
    due_on: dt.date


@dataclass
class Schedule:
    """Where a done topic stands on the ladder."""

    completed_on: dt.date
    interval_days: int
    due_on: dt.date
    reviews: list[ReviewRecord] = field(default_factory=list)

    @property
    def last_reviewed_on(self) -> dt.date | None:
        return self.reviews[-1].reviewed_on if self.reviews else None


def schedule_from(completed_on: dt.date, reviews: list[ReviewRecord]) -> Schedule:
    """A topic's schedule from its completion date and its reviews (oldest first)."""
    current = [r for r in reviews if r.reviewed_on >= completed_on]
    if not current:
        return Schedule(completed_on, LADDER[0], _due(completed_on, LADDER[0]))
    last = current[-1]
    return Schedule(completed_on, last.interval_days, last.due_on, current)


def _scope(target: Target | None) -> tuple[str | None, int | None]:
    """The kind and id of the item whose topics are meant (None, None: all)."""
    return (None, None) if target is None else (target.kind, target.item.id)


def _due(day: dt.date, interval: int) -> dt.date:
    """`interval` days after `day`, but never past the last date a store holds (a review
    near the end of 2999 would write a due date that no backup could restore)."""
    return min(day + dt.timedelta(days=interval), LATEST)


def due_count(reader: Reader, target: Target, today: dt.date) -> int:
    """How many topics under `target` are due for review on `today`.

    Counted in SQL with the same rule as `schedule_from` (the latest review since
    the completion sets the due date, else the day after it), so `status` and
    `show` of a 100,000-topic program need not build every schedule.
    """
    kind, scope_id = _scope(target)
    return store.due_count(reader, kind, scope_id, today=today, first_rung=LADDER[0])
