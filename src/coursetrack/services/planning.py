"""What to do next and whether the learner will finish on time.

Everything here counts units, as `status` does: a unit is a topic, or a course
that has no topics. "Today" is always passed in by the caller (from
`dates.today()`), so every figure can be checked on a pinned clock.

The plan's arithmetic, in full:

- units left = units in the specialization - units done;
- your pace = units completed in the last 4 weeks (the 28 days ending today,
  today included) / 4, in units per week;
- projected finish = today + ceil(units left x 28 / units done in those 28 days)
  days; with no unit done in the window there is no pace, so no projection;
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

from sqlalchemy import text
from sqlmodel import Session, select

from coursetrack.errors import InputError
from coursetrack.models import Goal, Specialization, Status
from coursetrack.refs import Target, resolve

#: The window the learner's pace is measured over, in days.
PACE_WINDOW_DAYS = 28
DEFAULT_NEXT_LIMIT = 5


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


_UNIT_COLUMNS = """
SELECT s.id AS spec_id, s.slug AS spec_slug,
       c.position AS course_position, c.slug AS course_slug, c.title AS course_title,
       t.position AS topic_position, t.slug AS topic_slug, t.title AS topic_title,
       coalesce(CASE WHEN t.id IS NULL THEN cp.status ELSE tp.status END, 'todo') AS status,
       CASE WHEN t.id IS NULL THEN cp.started_on ELSE tp.started_on END AS started_on,
       CASE WHEN t.id IS NULL THEN cp.completed_on ELSE tp.completed_on END AS completed_on
FROM specialization s
JOIN course c ON c.specialization_id = s.id
LEFT JOIN topic t ON t.course_id = c.id
LEFT JOIN progress tp ON tp.topic_id = t.id
LEFT JOIN progress cp ON cp.course_id = c.id
"""
_COURSE_ORDER = "s.slug, c.position, t.position"
_UNITS = _UNIT_COLUMNS + "{where} ORDER BY " + _COURSE_ORDER


def _date(value: object) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _where(target: Target | None) -> tuple[str, dict]:
    if target is not None and target.course is not None:
        return "WHERE c.id = :course", {"course": target.course.id}
    if target is not None:
        return "WHERE s.id = :spec", {"spec": target.specialization.id}
    return "", {}


def _unit(row) -> Unit:
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
        started_on=_date(row.started_on),
        completed_on=_date(row.completed_on),
    )


def units_of(session: Session, target: Target | None = None) -> list[Unit]:
    """The units under a specialization or course (None: every one), in course order."""
    where, params = _where(target)
    rows = session.connection().execute(text(_UNITS.format(where=where)), params)
    return [_unit(row) for row in rows]


def _scope(session: Session, ref: str | None, *, command: str) -> Target | None:
    """A specialization or course to work within; a topic makes no sense here."""
    if ref is None:
        return None
    target = resolve(session, ref)
    if target.kind == "topic":
        raise InputError(
            f"{command} takes a specialization or a course, and {target.ref} is a topic; "
            f"try 'coursetrack {command} {target.specialization.slug}'"
        )
    return target


def _specialization(session: Session, ref: str, *, command: str) -> Target:
    target = resolve(session, ref)
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


def next_units(session: Session, *, ref: str | None, limit: int = DEFAULT_NEXT_LIMIT) -> NextList:
    """Open units in course order, the ones already started first."""
    if limit < 1:
        raise InputError(f"--limit {limit} must be 1 or more")
    target = _scope(session, ref, command="next")
    where, params = _where(target)
    conn = session.connection()
    # Counted and picked in the database: only `limit` units ever reach Python.
    counts = conn.execute(
        text(
            "SELECT count(*) AS total, coalesce(sum(status != 'done'), 0) AS open "
            f"FROM ({_UNIT_COLUMNS} {where})"
        ),
        params,
    ).one()
    rows = conn.execute(
        text(
            f"SELECT * FROM ({_UNIT_COLUMNS} {where}) WHERE status != 'done' "
            "ORDER BY status = 'in-progress' DESC, spec_slug, course_position, topic_position "
            "LIMIT :limit"
        ),
        {**params, "limit": limit},
    )
    chosen = [_unit(row) for row in rows]
    return NextList(
        scope=target.ref if target else None,
        units_total=counts.total,
        open_units=counts.open,
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


def _goal_row(session: Session, spec: Specialization) -> Goal | None:
    return session.exec(select(Goal).where(Goal.specialization_id == spec.id)).first()


def goal_of(session: Session, *, ref: str) -> GoalState:
    target = _specialization(session, ref, command="goal")
    row = _goal_row(session, target.specialization)
    return GoalState(target.ref, target.specialization.title, row.target_on if row else None)


def set_goal(session: Session, *, ref: str, by: dt.date, today: dt.date) -> GoalState:
    """Store (or move) the date by which the learner means to finish."""
    target = _specialization(session, ref, command="goal")
    if by < today:
        raise InputError(
            f"--by {by.isoformat()} is in the past (today is {today.isoformat()}); "
            "give a date from today on"
        )
    spec = target.specialization
    row = _goal_row(session, spec)
    previous = row.target_on if row else None
    if row is None:
        row = Goal(specialization_id=spec.id, target_on=by)
        session.add(row)
    else:
        row.target_on = by
    session.flush()
    return GoalState(target.ref, spec.title, by, previous)


def clear_goal(session: Session, *, ref: str) -> GoalState:
    """Remove the goal; `previous_on` says which one there was (None: there was none)."""
    target = _specialization(session, ref, command="goal")
    row = _goal_row(session, target.specialization)
    previous = row.target_on if row else None
    if row is not None:
        session.delete(row)
        session.flush()
    return GoalState(target.ref, target.specialization.title, None, previous)


# --- plan -----------------------------------------------------------------


@dataclass
class Projection:
    """The plan's figures, from counts and dates alone (see the module docstring)."""

    units_left: int
    window_start: dt.date
    done_in_window: int
    pace_per_week: float
    projected_on: dt.date | None
    goal_on: dt.date | None
    days_to_goal: int | None
    needed_per_week: float | None
    days_ahead: int | None
    outlook: str


def project(
    *,
    today: dt.date,
    units_left: int,
    done_in_window: int,
    ever_done: int,
    goal_on: dt.date | None,
    completed_on: dt.date | None = None,
) -> Projection:
    """The plan's arithmetic. `outlook` is one of: finished, ahead, on-schedule, behind,
    projected (no goal), no-recent-pace (nothing done in the window), no-history."""
    window_start = today - dt.timedelta(days=PACE_WINDOW_DAYS - 1)
    pace = round(done_in_window * 7 / PACE_WINDOW_DAYS, 2)
    days_to_goal = (goal_on - today).days if goal_on else None
    needed = None
    if goal_on and units_left and days_to_goal and days_to_goal > 0:
        needed = round(units_left * 7 / days_to_goal, 2)
    projected = None
    if units_left == 0:
        projected = completed_on
    elif done_in_window:
        projected = today + dt.timedelta(
            days=math.ceil(units_left * PACE_WINDOW_DAYS / done_in_window)
        )
    days_ahead = (goal_on - projected).days if goal_on and projected else None
    if units_left == 0:
        outlook = "finished"
    elif projected is None:
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
        done_in_window=done_in_window,
        pace_per_week=pace,
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

    def to_dict(self) -> dict:
        return asdict(self)


def plan(session: Session, *, ref: str, today: dt.date) -> Plan:
    target = _specialization(session, ref, command="plan")
    units = units_of(session, target)
    if not units:
        raise InputError(
            f"{target.ref} has no courses yet, so nothing to plan; "
            f"add one with 'coursetrack add course {target.ref} TITLE'"
        )
    done = [u for u in units if u.status == Status.DONE]
    window_start = today - dt.timedelta(days=PACE_WINDOW_DAYS - 1)
    in_window = sum(1 for u in done if u.completed_on and window_start <= u.completed_on <= today)
    goal = _goal_row(session, target.specialization)
    finished_on = None
    if units and len(done) == len(units):
        finished_on = max((u.completed_on for u in done if u.completed_on), default=None)
    figures = project(
        today=today,
        units_left=len(units) - len(done),
        done_in_window=in_window,
        ever_done=len(done),
        goal_on=goal.target_on if goal else None,
        completed_on=finished_on,
    )
    return Plan(
        ref=target.ref,
        title=target.specialization.title,
        today=today,
        units_total=len(units),
        units_done=len(done),
        units_left=figures.units_left,
        goal_on=figures.goal_on,
        days_to_goal=figures.days_to_goal,
        needed_per_week=figures.needed_per_week,
        window_days=PACE_WINDOW_DAYS,
        window_start=figures.window_start,
        done_in_window=figures.done_in_window,
        pace_per_week=figures.pace_per_week,
        projected_on=figures.projected_on,
        days_ahead=figures.days_ahead,
        outlook=figures.outlook,
    )


# --- activity: last active day and weekly streak ---------------------------


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def weekly_streak(done_on: Iterable[dt.date], today: dt.date) -> int:
    """Weeks in a row (Monday to Sunday) with at least one unit done.

    The run must end this week or last week: a learner who has not finished
    anything yet this week still keeps last week's streak until Sunday.
    """
    weeks = {_monday(day) for day in done_on if day <= today}
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


NO_ACTIVITY = Activity(None, 0)

_LAST_ACTIVITY = """
WITH topic_spec AS (
    SELECT t.id AS topic_id, c.specialization_id AS spec_id
    FROM topic t JOIN course c ON c.id = t.course_id
),
days (spec_id, day) AS (
    SELECT ts.spec_id, p.started_on FROM progress p JOIN topic_spec ts USING (topic_id)
    UNION ALL
    SELECT ts.spec_id, p.completed_on FROM progress p JOIN topic_spec ts USING (topic_id)
    UNION ALL
    SELECT c.specialization_id, p.started_on FROM progress p JOIN course c ON c.id = p.course_id
    UNION ALL
    SELECT c.specialization_id, p.completed_on FROM progress p JOIN course c ON c.id = p.course_id
    UNION ALL
    SELECT p.specialization_id, p.started_on FROM progress p
    WHERE p.specialization_id IS NOT NULL
    UNION ALL
    SELECT ts.spec_id, r.reviewed_on FROM review r JOIN topic_spec ts USING (topic_id)
    UNION ALL
    SELECT coalesce(n.specialization_id, c.specialization_id, ts.spec_id), n.written_on
    FROM note n
    LEFT JOIN course c ON c.id = n.course_id
    LEFT JOIN topic_spec ts ON ts.topic_id = n.topic_id
)
SELECT spec_id, max(day) AS last_day FROM days
WHERE day IS NOT NULL
GROUP BY spec_id
"""


#: Each day on which a unit (a topic, or a course without topics) was done, per
#: specialization: a streak needs the days, not the thousands of units.
_DONE_DAYS = """
SELECT c.specialization_id AS spec_id, p.completed_on AS day
FROM progress p JOIN topic t ON t.id = p.topic_id JOIN course c ON c.id = t.course_id
WHERE p.status = 'done' AND p.completed_on IS NOT NULL
UNION
SELECT c.specialization_id, p.completed_on
FROM progress p JOIN course c ON c.id = p.course_id
WHERE p.status = 'done' AND p.completed_on IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM topic t WHERE t.course_id = c.id)
"""


def activity_by_specialization(session: Session, today: dt.date) -> dict[int, Activity]:
    """Per specialization id: the last day anything was recorded, and the weekly streak.

    Activity is starting or finishing a unit, reviewing a topic or writing a note.
    """
    conn = session.connection()
    last = {row.spec_id: _date(row.last_day) for row in conn.execute(text(_LAST_ACTIVITY))}
    done_days: dict[int, list[dt.date]] = {}
    for row in conn.execute(text(_DONE_DAYS)):
        done_days.setdefault(row.spec_id, []).append(_date(row.day))
    spec_ids = set(last) | set(done_days)
    return {
        spec_id: Activity(last.get(spec_id), weekly_streak(done_days.get(spec_id, []), today))
        for spec_id in spec_ids
    }
