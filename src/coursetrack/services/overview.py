"""Where the learner stands: progress in units, computed in the database.

A unit is a topic, or a course that has no topics (`store.queries.UNITS`). Courses
with topics and specializations have no status of their own: it is derived
from their units, so it can never disagree with them. Everything here reads
through a `Reader`, so `status` on SQLite needs sqlite3 alone.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from coursetrack import dates
from coursetrack.refs import Target, read_target
from coursetrack.services.figures import (
    DONE,
    FIGURES,
    IN_PROGRESS,
    TODO,
    WHEN_SET,
    HasProgress,
    Progress,
    as_data,
)
from coursetrack.store import overview as counted

if TYPE_CHECKING:
    from coursetrack.store.reader import Reader, Row


@dataclass
class ItemProgress(HasProgress):
    """One row of a status table: a course in a specialization, or a topic in a course."""

    position: int
    slug: str
    title: str
    progress: Progress
    certificate_url: str | None = None


@dataclass
class SpecializationSummary(HasProgress):
    slug: str
    title: str
    progress: Progress
    courses_done: int
    courses_total: int
    certificate_url: str | None = None
    last_activity_on: dt.date | None = None  # started, finished, reviewed or noted anything
    streak_weeks: int = 0  # weeks in a row, ending this week or last, with a unit done

    # `status --json` has always listed the courses between the status and the units
    FIGURES_ORDER = ("status", "courses_done", "courses_total", *FIGURES[1:])


@dataclass
class PeerFlow:
    """What peer review asks of the learner now, on a study group's store (issue 23)."""

    waiting: int  # requests of others she has not reviewed: `peer list`
    new_reviews: int  # reviews of her own work given in the last 7 days: `peer list --mine`


def peer_flow(reader: Reader, today: dt.date) -> PeerFlow | None:
    """The learner's `PeerFlow`; None where there is no study group: on SQLite without a
    statement (nor an import), on a PostgreSQL store not a group's after one catalog lookup.

    No read marker is kept ("new" is a window of days), so that a read never writes."""
    if reader.dialect != "postgresql":
        return None
    from coursetrack.store import peer_counts

    row = peer_counts.flow(reader, today)
    return None if row is None else PeerFlow(int(row.waiting), int(row.new_reviews))


@dataclass
class Overview:
    specializations: list[SpecializationSummary]
    peer: PeerFlow | None = None  # a study group's store only; in JSON only then

    def to_dict(self) -> dict:
        data = {"specializations": as_data(self.specializations)}
        if self.peer is not None:
            data["peer"] = as_data(self.peer)
        return data


@dataclass
class Report(HasProgress):
    """A specialization with its courses, or a course with its topics."""

    kind: str
    ref: str
    slug: str
    title: str
    progress: Progress
    certificate_url: str | None
    items: list[ItemProgress] = field(default_factory=list)
    reviews_due: int | None = None  # done topics due for review today (set by status_of)
    short_ref: str = ""  # the ref by positions, for a hint on a narrow terminal; not in JSON
    peer: PeerFlow | None = field(default=None, metadata={WHEN_SET: True})  # a group's only

    def to_dict(self) -> dict:
        """The documented JSON shape: the items are `courses` or `topics`; no `short_ref`,
        which only fits a hint to the terminal."""
        data = super().to_dict()
        del data["short_ref"]
        data["courses" if self.kind == "specialization" else "topics"] = data.pop("items")
        return data


def percent(done: int, total: int) -> float:
    """Percent done, to one decimal, and never 100 until every unit is done."""
    if not total:
        return 0.0
    value = round(100.0 * done / total, 1)
    return min(value, 99.9) if done < total else value


def whole_percent(value: float) -> int:
    """The percent people read in a table or a post: rounded down, so 99.5 is not 100."""
    return math.floor(value)


def _earliest(*values: dt.date | None) -> dt.date | None:
    present = [v for v in values if v is not None]
    return min(present) if present else None


def _one_unit(status: str, started_on: dt.date | None, completed_on: dt.date | None) -> Progress:
    """The figures of a unit (a topic, or a course without topics): one unit, done or not."""
    done = int(status == DONE)
    return Progress(status, done, 1, percent(done, 1), started_on, completed_on)


def _course_progress(row: Row) -> ItemProgress:
    """A course's line, from its `store.overview.course_progress` row."""
    if row.n_topics == 0:  # the course is its own unit
        status = row.own_status or TODO
        completed = row.own_completed_on if status == DONE else None
        return ItemProgress(
            position=row.position,
            slug=row.slug,
            title=row.title,
            progress=_one_unit(status, row.own_started_on, completed),
            certificate_url=row.certificate_url,
        )
    done = row.units_done
    total = row.units_total
    started = _earliest(row.own_started_on, row.first_started_on, row.first_completed_on)
    if done == total:
        status = DONE
    elif done or row.units_started or started:
        status = IN_PROGRESS
    else:
        status = TODO
    return ItemProgress(
        position=row.position,
        slug=row.slug,
        title=row.title,
        progress=Progress(
            status=status,
            units_done=done,
            units_total=total,
            percent=percent(done, total),
            started_on=started,
            completed_on=row.last_completed_on if status == DONE else None,
        ),
        certificate_url=row.certificate_url,
    )


def course_rows(
    reader: Reader, *, spec_id: int | None = None, course_id: int | None = None
) -> list[ItemProgress]:
    """Each course's progress in units: a specialization's, one course's, or all."""
    rows = counted.course_progress(reader, spec_id=spec_id, course_id=course_id)
    return [_course_progress(row) for row in rows]


def _roll_up(courses: list[ItemProgress], own_started: dt.date | None) -> Progress:
    """A specialization's totals from its courses."""
    return _totals(
        units_done=sum(c.units_done for c in courses),
        units_total=sum(c.units_total for c in courses),
        started=_earliest(own_started, *(c.started_on for c in courses)),
        active=any(c.status != TODO for c in courses),
        completed=max((c.completed_on for c in courses if c.completed_on), default=None),
    )


def _totals(
    *,
    units_done: int,
    units_total: int,
    started: dt.date | None,
    active: bool,
    completed: dt.date | None,
) -> Progress:
    """A specialization's status and dates: done when every unit is, in progress once
    anything under it is started or done."""
    if units_total and units_done == units_total:
        status = DONE
    elif started or active:
        status = IN_PROGRESS
    else:
        status = TODO
    return Progress(
        status=status,
        units_done=units_done,
        units_total=units_total,
        percent=percent(units_done, units_total),
        started_on=started,
        completed_on=completed if status == DONE else None,
    )


def overview(reader: Reader, today: dt.date | None = None) -> Overview:
    """One summary per specialization, in slug order, counted in the database: the
    overview of 20,000 topics reads 200 rows, not 2,000 courses."""
    # the streak's module, imported here: a report (status SPEC, show, a post, a chart) needs none
    from coursetrack.services.activity import NO_ACTIVITY, activity_by_specialization

    activity = activity_by_specialization(reader, today or dates.today())
    summaries = []
    for spec in counted.specialization_progress(reader):
        started = _earliest(
            spec.started_on,
            spec.courses_started_on,
            spec.units_started_on,
            spec.topics_completed_on,
        )
        progress = _totals(
            units_done=spec.units_done,
            units_total=spec.units_total,
            started=started,
            active=spec.units_active > 0,
            completed=spec.last_completed_on,
        )
        summaries.append(
            SpecializationSummary(
                slug=spec.slug,
                title=spec.title,
                progress=progress,
                courses_done=spec.courses_done,
                courses_total=spec.courses_total,
                certificate_url=spec.certificate_url,
                last_activity_on=activity.get(spec.id, NO_ACTIVITY).last_activity_on,
                streak_weeks=activity.get(spec.id, NO_ACTIVITY).streak_weeks,
            )
        )
    return Overview(summaries)


def specialization_report(reader: Reader, target: Target) -> Report:
    spec = target.specialization
    courses = course_rows(reader, spec_id=spec.id)
    own = counted.own_progress(reader, "specialization", spec.id)
    return Report(
        kind="specialization",
        ref=target.ref,
        short_ref=target.short_ref,
        slug=spec.slug,
        title=spec.title,
        progress=_roll_up(courses, own.started_on if own else None),
        certificate_url=spec.certificate_url,
        items=courses,
    )


def course_report(reader: Reader, target: Target) -> Report:
    course = target.course
    assert course is not None
    (summary,) = course_rows(reader, course_id=course.id)
    topics = counted.topic_units(reader, course.id)
    return Report(
        kind="course",
        ref=target.ref,
        short_ref=target.short_ref,
        slug=course.slug,
        title=course.title,
        progress=summary.progress,
        certificate_url=course.certificate_url,
        items=[_topic_progress(unit) for unit in topics],
    )


def topic_report(reader: Reader, target: Target) -> ItemProgress:
    topic = target.topic
    assert topic is not None
    own = counted.own_progress(reader, "topic", topic.id)
    progress = _one_unit(own.status, own.started_on, own.completed_on) if own else None
    return ItemProgress(
        position=topic.position,
        slug=topic.slug,
        title=topic.title,
        progress=progress or _one_unit(TODO, None, None),
    )


def _topic_progress(unit: Row) -> ItemProgress:
    """A topic's line, from its `store.overview.topic_units` row."""
    return ItemProgress(
        position=unit.topic_position,
        slug=unit.topic_slug,
        title=unit.topic_title,
        progress=_one_unit(unit.status, unit.started_on, unit.completed_on),
    )


def status_of(
    reader: Reader, ref: str | None, today: dt.date | None = None
) -> Overview | Report | ItemProgress:
    """What `coursetrack status [REF]` shows."""
    today = today or dates.today()
    if ref is None:
        whole = overview(reader, today)
        whole.peer = peer_flow(reader, today)
        return whole
    target = read_target(reader, ref)
    if target.kind == "topic":
        return topic_report(reader, target)
    if target.kind == "specialization":
        report = specialization_report(reader, target)
    else:
        report = course_report(reader, target)
    from coursetrack.services.schedule import due_count  # a report's alone (see `overview`)

    report.reviews_due = due_count(reader, target, today)
    report.peer = peer_flow(reader, today)
    return report
