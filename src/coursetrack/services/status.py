"""Where the learner stands: progress in units, computed in the database.

A unit is a topic, or a course that has no topics. Courses with topics and
specializations have no status of their own: it is derived from their units,
so it can never disagree with them.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlmodel import Session, select

from coursetrack import dates
from coursetrack.models import Progress, Status, Topic
from coursetrack.refs import Target, resolve
from coursetrack.services.planning import NO_ACTIVITY, activity_by_specialization
from coursetrack.services.review import due_count
from coursetrack.services.state import progress_of

if TYPE_CHECKING:
    from coursetrack.store.reader import Reader


@dataclass
class ItemProgress:
    """One row of a status table: a course in a specialization, or a topic in a course."""

    position: int
    slug: str
    title: str
    status: str
    units_done: int
    units_total: int
    percent: float
    started_on: dt.date | None
    completed_on: dt.date | None
    certificate_url: str | None = None


@dataclass
class SpecializationSummary:
    slug: str
    title: str
    status: str
    courses_done: int
    courses_total: int
    units_done: int
    units_total: int
    percent: float
    started_on: dt.date | None
    completed_on: dt.date | None
    certificate_url: str | None = None
    last_activity_on: dt.date | None = None  # started, finished, reviewed or noted anything
    streak_weeks: int = 0  # weeks in a row, ending this week or last, with a unit done


@dataclass
class Overview:
    specializations: list[SpecializationSummary]


@dataclass
class Report:
    """A specialization with its courses, or a course with its topics."""

    kind: str
    ref: str
    slug: str
    title: str
    status: str
    units_done: int
    units_total: int
    percent: float
    started_on: dt.date | None
    completed_on: dt.date | None
    certificate_url: str | None
    items: list[ItemProgress] = field(default_factory=list)
    reviews_due: int | None = None  # done topics due for review today (set by status_of)

    def to_dict(self) -> dict:
        """The documented JSON shape: the items are `courses` or `topics`."""
        data = asdict(self)
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


def _date(value: object) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _earliest(*values: dt.date | None) -> dt.date | None:
    present = [v for v in values if v is not None]
    return min(present) if present else None


_COURSE_ROWS = """
SELECT c.id, c.specialization_id, c.position, c.slug, c.title, c.certificate_url,
       count(t.id) AS n_topics,
       coalesce(sum(tp.status = 'done'), 0) AS n_done,
       coalesce(sum(tp.status = 'in-progress'), 0) AS n_started,
       min(tp.started_on) AS first_started,
       min(tp.completed_on) AS first_completed,
       max(tp.completed_on) AS last_completed,
       cp.status AS own_status, cp.started_on AS own_started, cp.completed_on AS own_completed
FROM course c
LEFT JOIN topic t ON t.course_id = c.id
LEFT JOIN progress tp ON tp.topic_id = t.id
LEFT JOIN progress cp ON cp.course_id = c.id
{where}
GROUP BY c.id
ORDER BY c.specialization_id, c.position
"""


def _course_progress(row) -> ItemProgress:
    if row.n_topics == 0:
        status = row.own_status or Status.TODO
        done = int(status == Status.DONE)
        return ItemProgress(
            position=row.position,
            slug=row.slug,
            title=row.title,
            status=status,
            units_done=done,
            units_total=1,
            percent=percent(done, 1),
            started_on=_date(row.own_started),
            completed_on=_date(row.own_completed) if done else None,
            certificate_url=row.certificate_url,
        )
    done = row.n_done
    total = row.n_topics
    started = _earliest(
        _date(row.own_started), _date(row.first_started), _date(row.first_completed)
    )
    if done == total:
        status = Status.DONE
    elif done or row.n_started or started:
        status = Status.IN_PROGRESS
    else:
        status = Status.TODO
    return ItemProgress(
        position=row.position,
        slug=row.slug,
        title=row.title,
        status=status,
        units_done=done,
        units_total=total,
        percent=percent(done, total),
        started_on=started,
        completed_on=_date(row.last_completed) if status == Status.DONE else None,
        certificate_url=row.certificate_url,
    )


def _roll_up(courses: list[ItemProgress], own_started: dt.date | None) -> dict:
    """A specialization's totals from its courses."""
    units_done = sum(c.units_done for c in courses)
    units_total = sum(c.units_total for c in courses)
    started = _earliest(own_started, *(c.started_on for c in courses))
    if units_total and units_done == units_total:
        status = Status.DONE
    elif started or any(c.status != Status.TODO for c in courses):
        status = Status.IN_PROGRESS
    else:
        status = Status.TODO
    completed = max((c.completed_on for c in courses if c.completed_on), default=None)
    return {
        "status": status,
        "units_done": units_done,
        "units_total": units_total,
        "percent": percent(units_done, units_total),
        "started_on": started,
        "completed_on": completed if status == Status.DONE else None,
    }


def overview(session: Session, today: dt.date | None = None) -> Overview:
    """One summary per specialization, in slug order."""
    activity = activity_by_specialization(session, today or dates.today())
    conn = session.connection()
    specs = conn.execute(
        text(
            "SELECT s.id, s.slug, s.title, s.certificate_url, p.started_on "
            "FROM specialization s LEFT JOIN progress p ON p.specialization_id = s.id "
            "ORDER BY s.slug"
        )
    ).all()
    by_spec: dict[int, list[ItemProgress]] = {s.id: [] for s in specs}
    for row in conn.execute(text(_COURSE_ROWS.format(where=""))):
        by_spec[row.specialization_id].append(_course_progress(row))
    summaries = []
    for spec in specs:
        courses = by_spec[spec.id]
        totals = _roll_up(courses, _date(spec.started_on))
        summaries.append(
            SpecializationSummary(
                slug=spec.slug,
                title=spec.title,
                courses_done=sum(c.status == Status.DONE for c in courses),
                courses_total=len(courses),
                certificate_url=spec.certificate_url,
                last_activity_on=activity.get(spec.id, NO_ACTIVITY).last_activity_on,
                streak_weeks=activity.get(spec.id, NO_ACTIVITY).streak_weeks,
                **totals,
            )
        )
    return Overview(summaries)


def specialization_report(source: Reader | Session, target: Target) -> Report:
    """A specialization's courses and totals; `source` a Reader or (a write) a session."""
    from coursetrack.store.reader import reader_of

    reader = source if hasattr(source, "dialect") else reader_of(source)
    spec = target.specialization
    rows = reader.all(_COURSE_ROWS.format(where="WHERE c.specialization_id = :spec"), spec=spec.id)
    courses = [_course_progress(row) for row in rows]
    own = reader.one("SELECT started_on FROM progress WHERE specialization_id = :id", id=spec.id)
    return Report(
        kind="specialization",
        ref=target.ref,
        slug=spec.slug,
        title=spec.title,
        certificate_url=spec.certificate_url,
        items=courses,
        **_roll_up(courses, own.started_on if own else None),
    )


def course_report(session: Session, target: Target) -> Report:
    course = target.course
    assert course is not None
    row = (
        session.connection()
        .execute(text(_COURSE_ROWS.format(where="WHERE c.id = :course")), {"course": course.id})
        .one()
    )
    summary = _course_progress(row)
    topics = session.exec(
        select(Topic, Progress)
        .join(Progress, Progress.topic_id == Topic.id, isouter=True)
        .where(Topic.course_id == course.id)
        .order_by(Topic.position)
    ).all()
    items = [_topic_progress(topic, progress) for topic, progress in topics]
    return Report(
        kind="course",
        ref=target.ref,
        slug=course.slug,
        title=course.title,
        status=summary.status,
        units_done=summary.units_done,
        units_total=summary.units_total,
        percent=summary.percent,
        started_on=summary.started_on,
        completed_on=summary.completed_on,
        certificate_url=course.certificate_url,
        items=items,
    )


def topic_report(session: Session, target: Target) -> ItemProgress:
    assert target.topic is not None
    return _topic_progress(target.topic, progress_of(session, target.topic))


def _topic_progress(topic: Topic, progress: Progress | None) -> ItemProgress:
    status = progress.status if progress else Status.TODO
    done = int(status == Status.DONE)
    return ItemProgress(
        position=topic.position,
        slug=topic.slug,
        title=topic.title,
        status=status,
        units_done=done,
        units_total=1,
        percent=percent(done, 1),
        started_on=progress.started_on if progress else None,
        completed_on=progress.completed_on if progress else None,
    )


def status_of(
    session: Session, ref: str | None, today: dt.date | None = None
) -> Overview | Report | ItemProgress:
    """What `coursetrack status [REF]` shows."""
    today = today or dates.today()
    if ref is None:
        return overview(session, today)
    target = resolve(session, ref)
    if target.kind == "topic":
        return topic_report(session, target)
    if target.kind == "specialization":
        report = specialization_report(session, target)
    else:
        report = course_report(session, target)
    report.reviews_due = due_count(session, target, today)
    return report
