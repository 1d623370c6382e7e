"""A learner's activity per specialization: the first and last day anything was recorded,
and the weekly streak (`status` shows them; `plan` starts its pace window from the first)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from coursetrack.store import activity as store

if TYPE_CHECKING:
    from coursetrack.store.reader import Reader


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def weekly_streak(active_on: Iterable[dt.date], today: dt.date) -> int:
    """Weeks in a row (Monday to Sunday) with any recorded study.

    Study is starting or finishing a unit, a review, a note or a link: a week
    spent on one long unit still counts. The run must end this week or last
    week: a learner who has done nothing yet this week keeps last week's streak
    until Sunday.
    """
    weeks = {_monday(day) for day in active_on if day <= today}
    week = _monday(today)
    if week not in weeks:
        week -= dt.timedelta(days=7)
    streak = 0
    while week in weeks:
        streak += 1
        week -= dt.timedelta(days=7)
    return streak


@dataclass(frozen=True)
class Activity:
    last_activity_on: dt.date | None
    streak_weeks: int
    first_activity_on: dt.date | None = None


NO_ACTIVITY = Activity(None, 0)


def activity_by_specialization(
    reader: Reader, today: dt.date, *, spec_id: int | None = None
) -> dict[int, Activity]:
    """Per specialization id (or only `spec_id`): the first and last day anything was
    recorded, and the weekly streak of such days (see `weekly_streak`)."""
    days: dict[int, list[dt.date]] = {}
    for row in store.active_days(reader, spec_id):
        days.setdefault(row.spec_id, []).append(row.day_on)
    return {
        spec: Activity(max(active), weekly_streak(active, today), min(active))
        for spec, active in days.items()
    }
