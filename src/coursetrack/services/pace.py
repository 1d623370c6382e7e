"""`coursetrack plan`: the learner's pace, and whether they will finish on time.

Everything here counts units, as `status` does: a unit is a topic, or a course
that has no topics. "Today" is always passed in by the caller (from
`dates.today()`), so every figure can be checked on a pinned clock.

The plan's arithmetic, in full:

- units left = units in the specialization - units done;
- the pace window is the 28 days ending today, or, for a learner whose first
  activity in the specialization is more recent, the days from that first
  activity to today: a learner in their first week is not judged over four weeks
  they were not there. Either way its days are calendar days with both ends
  included (`window_days`: 2026-09-01 to 2026-09-12 is 12 days, started today is
  1), the one count `plan`, `group status` and the README use. Under 7 days of
  history the pace is an early estimate, and the plan says so;
- your pace = units completed in the window x 7 / its days, in units per week
  (units done in the last 28 days / 4 for an established learner);
- projected finish = today + ceil(units left x window days / units done in the
  window) days; with no unit done in the window there is no pace, so no
  projection, and a finish after `dates.LATEST` is given in days only;
- pace needed = units left x 7 / days until the goal, in units per week (none
  once the goal date has come);
- days ahead = goal date - projected finish (negative: days behind). A finished
  specialization compares its completion date with the goal instead.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from coursetrack import dates
from coursetrack.errors import InputError
from coursetrack.refs import read_target
from coursetrack.services.activity import NO_ACTIVITY, activity_by_specialization
from coursetrack.services.goals import goal_on, whole_specialization
from coursetrack.store import progress as progress_store
from coursetrack.store import units as units_store

if TYPE_CHECKING:
    from coursetrack.store.reader import Reader

#: The window the learner's pace is measured over, in days.
PACE_WINDOW_DAYS = 28
#: Less history than this, and the pace is an early estimate.
EARLY_DAYS = 7


@dataclass
class Projection:
    """The plan's figures, from counts and dates alone (see the module docstring)."""

    units_left: int
    window_start: dt.date
    window_days: int
    early_estimate: bool
    done_in_window: int
    pace_per_week: float
    projected_days: int | None
    projected_on: dt.date | None
    goal_on: dt.date | None
    days_to_goal: int | None
    needed_per_week: float | None
    days_ahead: int | None
    outlook: str


def pace_window(today: dt.date, first_activity_on: dt.date | None) -> tuple[dt.date, int]:
    """The first day of the pace window and the days it counts as (see the module docstring)."""
    start = today - dt.timedelta(days=PACE_WINDOW_DAYS - 1)
    if first_activity_on is not None and first_activity_on > start:
        start = min(first_activity_on, today)
    return start, window_days(start, today)


def window_days(start: dt.date, today: dt.date) -> int:
    """The calendar days from `start` to `today`, both included: the pace window's one count."""
    return (today - start).days + 1


def project(
    *,
    today: dt.date,
    units_left: int,
    done_in_window: int,
    ever_done: int,
    goal_on: dt.date | None,
    completed_on: dt.date | None = None,
    first_activity_on: dt.date | None = None,
) -> Projection:
    """The plan's arithmetic. `outlook` is one of: finished, ahead, on-schedule, behind,
    projected (no goal), no-recent-pace (nothing done in the window), no-history."""
    window_start, window_days = pace_window(today, first_activity_on)
    early = first_activity_on is not None and (today - first_activity_on).days < EARLY_DAYS
    pace = round(done_in_window * 7 / window_days, 2)
    days_to_goal = (goal_on - today).days if goal_on else None
    needed = None
    if goal_on and units_left and days_to_goal and days_to_goal > 0:
        needed = round(units_left * 7 / days_to_goal, 2)
    projected_days = projected = None
    if units_left == 0:
        projected = completed_on
        projected_days = (completed_on - today).days if completed_on else None
    elif done_in_window:
        projected_days = math.ceil(units_left * window_days / done_in_window)
        if projected_days <= (dates.LATEST - today).days:
            projected = today + dt.timedelta(days=projected_days)
    days_ahead = None
    if goal_on and projected_days is not None:
        days_ahead = (goal_on - today).days - projected_days
    if units_left == 0:
        outlook = "finished"
    elif projected_days is None:
        outlook = "no-recent-pace" if ever_done else "no-history"
    elif days_ahead is None:
        outlook = "projected"
    elif days_ahead > 0:
        outlook = "ahead"
    elif days_ahead < 0:
        outlook = "behind"
    else:
        outlook = "on-schedule"
    return Projection(
        units_left=units_left,
        window_start=window_start,
        window_days=window_days,
        early_estimate=early,
        done_in_window=done_in_window,
        pace_per_week=pace,
        projected_days=projected_days,
        projected_on=projected,
        goal_on=goal_on,
        days_to_goal=days_to_goal,
        needed_per_week=needed,
        days_ahead=days_ahead,
        outlook=outlook,
    )


@dataclass
class Plan:
    """`coursetrack plan SPEC`."""

    ref: str
    title: str
    today: dt.date
    units_total: int
    units_done: int
    units_left: int
    goal_on: dt.date | None
    days_to_goal: int | None
    needed_per_week: float | None
    window_days: int
    window_start: dt.date
    done_in_window: int
    pace_per_week: float
    projected_on: dt.date | None
    days_ahead: int | None
    outlook: str
    first_activity_on: dt.date | None = None
    early_estimate: bool = False
    projected_days: int | None = None

    def to_dict(self) -> dict:
        return asdict(self)


def plan(reader: Reader, *, ref: str, today: dt.date) -> Plan:
    target = whole_specialization(read_target(reader, ref), command="plan")
    spec_id = target.specialization.id
    units = progress_store.unit_counts(reader, spec_id)  # total, done, last_done_on
    if not units.total:
        raise InputError(
            f"{target.ref} has no courses yet, so nothing to plan; "
            f"add one with 'coursetrack add course {target.ref} TITLE'"
        )
    activity = activity_by_specialization(reader, today, spec_id=spec_id)
    first_on = activity.get(spec_id, NO_ACTIVITY).first_activity_on
    window_start, _days = pace_window(today, first_on)
    in_window = units_store.done_between(reader, spec_id, start=window_start, end=today)
    finished_on = units.last_done_on if units.done == units.total else None
    figures = project(
        today=today,
        units_left=units.total - units.done,
        done_in_window=in_window,
        ever_done=units.done,
        goal_on=goal_on(reader, spec_id),
        completed_on=finished_on,
        first_activity_on=first_on,
    )
    return Plan(
        ref=target.ref,
        title=target.specialization.title,
        today=today,
        units_total=units.total,
        units_done=units.done,
        units_left=figures.units_left,
        goal_on=figures.goal_on,
        days_to_goal=figures.days_to_goal,
        needed_per_week=figures.needed_per_week,
        window_days=figures.window_days,
        window_start=figures.window_start,
        done_in_window=figures.done_in_window,
        pace_per_week=figures.pace_per_week,
        projected_on=figures.projected_on,
        days_ahead=figures.days_ahead,
        outlook=figures.outlook,
        first_activity_on=first_on,
        early_estimate=figures.early_estimate,
        projected_days=figures.projected_days,
    )
