"""What to do next and whether the learner will finish on time.

Everything here counts units, as `status` does: a unit is a topic, or a course
that has no topics. "Today" is always passed in by the caller (from
`dates.today()`), so every figure can be checked on a pinned clock.

The plan's arithmetic, in full:

- units left = units in the specialization - units done;
- the pace window is the 28 days ending today (today included), or, for a
  learner whose first activity in the specialization is more recent, the days
  since that first activity (at least 1): a learner in their first week is not
  judged over four weeks they were not there. Under 7 days of history the pace
  is an early estimate, and the plan says so;
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
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

from coursetrack import dates
from coursetrack.errors import InputError
from coursetrack.refs import Target, read_target, resolve
from coursetrack.store import progress as progress_store
from coursetrack.store import units as store

if TYPE_CHECKING:
    from coursetrack.store.reader import Reader, Row
    from coursetrack.store.writer import Writer

#: The window the learner's pace is measured over, in days.
PACE_WINDOW_DAYS = 28
#: Less history than this, and the pace is an early estimate.
EARLY_DAYS = 7
DEFAULT_NEXT_LIMIT = 5
#: `next --limit` at most: more rows than any store holds, and within SQLite's integers.
MAX_NEXT_LIMIT = 1_000_000


@dataclass
class Unit:
    """A topic, or a course without topics, with the learner's state of it."""

    spec_id: int
    spec_slug: str
    course_position: int
    course_slug: str
    course_title: str
    topic_position: int | None
    topic_slug: str | None
    topic_title: str | None
    status: str
    started_on: dt.date | None
    completed_on: dt.date | None

    @property
    def kind(self) -> str:
        return "course" if self.topic_slug is None else "topic"

    @property
    def title(self) -> str:
        return self.topic_title if self.topic_title is not None else self.course_title

    @property
    def ref(self) -> str:
        parts = [self.spec_slug, self.course_slug]
        if self.topic_slug is not None:
            parts.append(self.topic_slug)
        return "/".join(parts)

    @property
    def short_ref(self) -> str:
        """The ref by positions (dls/2/1): quick to type, but shifts when items move."""
        parts = [self.spec_slug, str(self.course_position)]
        if self.topic_position is not None:
            parts.append(str(self.topic_position))
        return "/".join(parts)


def _where(target: Target | None) -> dict[str, int | None]:
    """The course or specialization a target narrows the units to (none: every unit)."""
    if target is None:
        return {}
    course = target.course
    return {"spec_id": target.specialization.id, "course_id": course.id if course else None}


def _unit(row: Row) -> Unit:
    return Unit(
        spec_id=row.spec_id,
        spec_slug=row.spec_slug,
        course_position=row.course_position,
        course_slug=row.course_slug,
        course_title=row.course_title,
        topic_position=row.topic_position,
        topic_slug=row.topic_slug,
        topic_title=row.topic_title,
        status=row.status,
        started_on=row.started_on,
        completed_on=row.completed_on,
    )


def units_of(reader: Reader, target: Target | None = None) -> list[Unit]:
    """The units under a specialization or course (None: every one), in course order."""
    return [_unit(row) for row in store.units(reader, **_where(target))]


def _scope(reader: Reader, ref: str | None, *, command: str) -> Target | None:
    """A specialization or course to work within; a topic makes no sense here."""
    if ref is None:
        return None
    target = read_target(reader, ref)
    if target.kind == "topic":
        raise InputError(
            f"{command} takes a specialization or a course, and {target.ref} is a topic; "
            f"try 'coursetrack {command} {target.specialization.slug}'"
        )
    return target


def _specialization(target: Target, *, command: str) -> Target:
    if target.kind != "specialization":
        raise InputError(
            f"{command} works on a whole specialization, and {target.ref} is a {target.kind}; "
            f"try 'coursetrack {command} {target.specialization.slug}'"
        )
    return target


# --- next -----------------------------------------------------------------


@dataclass
class NextUnit:
    ref: str
    short_ref: str
    kind: str
    title: str
    status: str
    started_on: dt.date | None
    course: dict


@dataclass
class NextList:
    """`coursetrack next`: the open units to work on, in-progress ones first."""

    scope: str | None
    units_total: int
    open_units: int
    limit: int
    units: list[NextUnit] = field(default_factory=list)


def next_units(reader: Reader, *, ref: str | None, limit: int = DEFAULT_NEXT_LIMIT) -> NextList:
    """Open units in course order, the ones already started first."""
    if not 1 <= limit <= MAX_NEXT_LIMIT:
        raise InputError(f"--limit {limit} is out of range: give 1 to {MAX_NEXT_LIMIT:,}")
    target = _scope(reader, ref, command="next")
    # Counted and picked in the database: only `limit` units ever reach Python.
    counts = store.next_counts(reader, **_where(target))
    chosen = [_unit(row) for row in store.next_units(reader, limit=limit, **_where(target))]
    return NextList(
        scope=target.ref if target else None,
        units_total=counts.total,
        open_units=counts.open_units,
        limit=limit,
        units=[
            NextUnit(
                ref=u.ref,
                short_ref=u.short_ref,
                kind=u.kind,
                title=u.title,
                status=u.status,
                started_on=u.started_on,
                course={
                    "ref": f"{u.spec_slug}/{u.course_slug}",
                    "position": u.course_position,
                    "title": u.course_title,
                },
            )
            for u in chosen
        ],
    )


# --- goal -----------------------------------------------------------------


@dataclass
class GoalState:
    ref: str
    title: str
    target_on: dt.date | None
    previous_on: dt.date | None = None


def goal_on(reader: Reader, spec_id: int) -> dt.date | None:
    """The date the learner means to finish a specialization by, if they set one."""
    return store.goal_on(reader, spec_id)


def goal_of(reader: Reader, *, ref: str) -> GoalState:
    target = _specialization(read_target(reader, ref), command="goal")
    spec = target.specialization
    return GoalState(target.ref, spec.title, goal_on(reader, spec.id))


def set_goal(writer: Writer, *, ref: str, by: dt.date, today: dt.date) -> GoalState:
    """Store (or move) the date by which the learner means to finish."""
    target = _specialization(resolve(writer, ref), command="goal")
    if by < today:
        raise InputError(
            f"--by {by.isoformat()} is in the past (today is {today.isoformat()}); "
            "give a date from today on"
        )
    spec = target.specialization
    previous = store.set_goal(writer, spec.id, by=by)
    return GoalState(target.ref, spec.title, by, previous)


def clear_goal(writer: Writer, *, ref: str) -> GoalState:
    """Remove the goal; `previous_on` says which one there was (None: there was none)."""
    target = _specialization(resolve(writer, ref), command="goal")
    previous = store.clear_goal(writer, target.specialization.id)
    return GoalState(target.ref, target.specialization.title, None, previous)


# --- plan -----------------------------------------------------------------


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
    if first_activity_on is None or first_activity_on <= start:
        return start, PACE_WINDOW_DAYS
    return first_activity_on, max(1, (today - first_activity_on).days)


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


@dataclass(frozen=True)
class UnitCounts:
    total: int
    done: int
    last_done_on: dt.date | None


def unit_counts(reader: Reader, spec_id: int) -> UnitCounts:
    """How many units a specialization has and has done, counted in the database:
    a program of 100,000 units never reaches Python."""
    row = progress_store.unit_counts(reader, spec_id)
    return UnitCounts(row.total, row.done, row.last_done_on)


def plan(reader: Reader, *, ref: str, today: dt.date) -> Plan:
    target = _specialization(read_target(reader, ref), command="plan")
    spec_id = target.specialization.id
    units = unit_counts(reader, spec_id)
    if not units.total:
        raise InputError(
            f"{target.ref} has no courses yet, so nothing to plan; "
            f"add one with 'coursetrack add course {target.ref} TITLE'"
        )
    activity = activity_by_specialization(reader, today, spec_id=spec_id)
    first_on = activity.get(spec_id, NO_ACTIVITY).first_activity_on
    window_start, _days = pace_window(today, first_on)
    in_window = store.done_between(reader, spec_id, start=window_start, end=today)
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


# --- activity: first and last active day, weekly streak ---------------------


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
