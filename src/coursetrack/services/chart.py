"""The burn-up series: units done per week, their running total and the goal line.

One series serves the terminal chart (`coursetrack chart`), the SVG beside a
post and the HTML page, so the three always agree. Units are counted by
`next.units_of` (a topic, or a course without topics) and the totals come
from `status`, so the chart's figures are the ones `status` prints.

Weeks run Monday to Sunday, like the streak. The first week holds the first
activity (a unit started or finished, or the specialization's own start); the
last is today's, or the week the specialization was finished. The goal line
runs straight from zero on the first active day to every unit on the goal date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

from coursetrack.errors import InputError
from coursetrack.refs import read_target
from coursetrack.services.figures import DONE
from coursetrack.services.goals import goal_on
from coursetrack.services.next import units_of
from coursetrack.services.overview import specialization_report

if TYPE_CHECKING:
    from coursetrack.store.reader import Reader


@dataclass
class Week:
    week_of: dt.date  # its Monday
    done: int  # units finished that week
    done_total: int  # units finished up to the week's end
    goal: float | None  # where the goal line stands at the week's end; None without a goal
    ends_on: dt.date  # the week's end: its Sunday, or today in today's week


@dataclass
class Burnup:
    ref: str
    title: str
    today: dt.date
    units_total: int
    units_done: int
    percent: float
    started_on: dt.date | None  # the first activity: where the series and the goal line start
    completed_on: dt.date | None
    goal_on: dt.date | None
    undated_done: int  # done units with no completion date: counted from the start
    weeks_shown: int
    weeks: list[Week] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def goal_at(day: dt.date, *, start: dt.date, goal_on: dt.date, total: int) -> float:
    """The goal line's height on `day`: 0 on the first active day, `total` on the goal date."""
    if day >= goal_on:
        return float(total)
    if day <= start:
        return 0.0
    return round(total * (day - start).days / (goal_on - start).days, 1)


def burnup(reader: Reader, *, ref: str, today: dt.date, weeks: int | None = None) -> Burnup:
    """The weekly series of one specialization; `weeks` keeps only the last N."""
    if weeks is not None and weeks < 1:
        raise InputError(f"--weeks {weeks} must be 1 or more")
    target = read_target(reader, ref)
    if target.kind != "specialization":
        raise InputError(
            f"a chart shows a whole specialization, and {target.ref} is a {target.kind}; "
            f"try 'coursetrack chart {target.specialization.slug}'"
        )
    report = specialization_report(reader, target)
    goal = goal_on(reader, target.specialization.id)
    done_on = [u.completed_on for u in units_of(reader, target) if u.status == DONE]
    dated = sorted(d for d in done_on if d is not None)
    undated = len(done_on) - len(dated)
    starts = [d for d in (report.started_on, dated[0] if dated else None) if d is not None]
    start = min(starts) if starts else None
    series: list[Week] = []
    if start is not None:
        end = report.completed_on or today
        end = max(end, dated[-1] if dated else end, start)
        per_week: dict[dt.date, int] = {}
        for day in dated:
            per_week[monday(day)] = per_week.get(monday(day), 0) + 1
        running = undated
        week = monday(start)
        while week <= end:
            running += per_week.get(week, 0)
            last_day = min(week + dt.timedelta(days=6), max(today, end))
            height = (
                goal_at(last_day, start=start, goal_on=goal, total=report.units_total)
                if goal is not None
                else None
            )
            series.append(Week(week, per_week.get(week, 0), running, height, last_day))
            week += dt.timedelta(days=7)
    shown = series[-weeks:] if weeks is not None else series
    return Burnup(
        ref=target.ref,
        title=target.specialization.title,
        today=today,
        units_total=report.units_total,
        units_done=report.units_done,
        percent=report.percent,
        started_on=start,
        completed_on=report.completed_on,
        goal_on=goal,
        undated_done=undated,
        weeks_shown=len(shown),
        weeks=shown,
    )
