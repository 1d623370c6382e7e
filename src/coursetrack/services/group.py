"""The group's view: where each learner of a study group stands.

A study group is a PostgreSQL store its owner ran `coursetrack group init` on
(`store.group`). Every read here runs in one snapshot that first asks for the
group's rows (`group_views.enter`); the statements of `store.group_views`
compute each figure per learner, and the single-learner rules are
reused on those plain rows: `overview.percent`, `pace.project` (the outlook
`plan` gives one learner), `activity.weekly_streak`. So a learner's row here
always agrees with what `status`, `plan` and `status`'s streak tell that learner.

Who is in the group: every login role that is a member of the group's
learners' role (curators and the owner included), and anyone with a record in
the store (a learner whose login was dropped keeps their row).

A learner is *stuck* in a course when they started it, have not finished it,
and recorded nothing in it for `STUCK_DAYS` days: no activity from today back
to `STUCK_DAYS - 1` days ago.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from coursetrack.errors import InputError, StoreError
from coursetrack.refs import Target, read_target
from coursetrack.services.activity import weekly_streak
from coursetrack.services.figures import IN_PROGRESS, TODO
from coursetrack.services.overview import percent
from coursetrack.services.pace import pace_window, project
from coursetrack.store import group_views, peer_counts, post
from coursetrack.store.group_views import Scope

if TYPE_CHECKING:
    from coursetrack.store.reader import Reader, Row

#: No activity in a started course for this many days, and a learner is stuck.
STUCK_DAYS = 14

#: Where a learner is in a course (`LearnerPlace.state`).
FINISHED, STUDYING, STUCK, NOT_STARTED = "finished", "studying", "stuck", "not-started"

#: A library caller's reader on SQLite (the command refuses a SQLite store before opening it).
NOT_POSTGRES = (
    "study groups need a PostgreSQL store that every learner reaches; this store is a "
    "SQLite store (give --db postgresql://USER@HOST/DATABASE, or set COURSETRACK_DB)"
)
NOT_A_GROUP = "this store is not a study group's yet; its owner runs coursetrack group init first"


def enter_group(reader: Reader) -> str:
    """Make the reader's snapshot read the group's rows (`group_views.enter`); refuse a
    store with no group. The database's name."""
    if reader.dialect != "postgresql":
        raise StoreError(NOT_POSTGRES)
    database = group_views.enter(reader)
    if database is None:
        raise StoreError(NOT_A_GROUP)
    return database


# --- a specialization: one row per learner --------------------------------------------


@dataclass
class LearnerProgress:
    """One learner's row of `group status SPEC`."""

    learner: str
    units_done: int
    units_total: int
    percent: float
    last_activity_on: dt.date | None
    streak_weeks: int
    outlook: str
    courses_done: int = 0
    goal_on: dt.date | None = None
    pace_per_week: float = 0.0
    days_ahead: int | None = None
    shared: bool = False  # agreed to be listed in the group's post
    # anything recorded in scope (a `start`, a note...): with no unit done, the outlook
    # is plan's "no-history", but the learner has started (the course's view says studying)
    started: bool = False
    # peer reviews of requests in scope they gave, and that their own requests received:
    # counts the store gives every learner (`store.peer_counts`), never who reviewed whom
    reviews_given: int = 0
    reviews_received: int = 0


@dataclass
class GroupStatus:
    """`coursetrack group status SPEC`: the group's learners, most done first."""

    slug: str
    title: str
    today: dt.date
    units_total: int
    courses_total: int
    learners: list[LearnerProgress] = field(default_factory=list)


@dataclass
class _Record:
    """What `store.group_views` gives about one learner, before the arithmetic."""

    days: list[dt.date] = field(default_factory=list)  # active days
    units_done: int = 0
    done_in_window: int = 0  # within the pace window ending today
    last_done_on: dt.date | None = None
    courses_done: int = 0
    goal_on: dt.date | None = None
    shared: bool = False


def _records(reader: Reader, database: str, scope: Scope, *, today: dt.date) -> dict[str, _Record]:
    """Every learner of the group, with what they did in `scope`: one row each, and
    their active days."""
    start = pace_window(today, None)[0]
    rows = group_views.learners(reader, scope, database=database, start=start, today=today)
    records = {
        row["learner"]: _Record(
            units_done=row["units_done"],
            done_in_window=row["done_in_window"],
            last_done_on=row["last_done_on"],
            courses_done=row["courses_done"],
            goal_on=row["goal_on"],
            shared=bool(row["shared"]),
        )
        for row in rows
    }
    days: dict[str, list[dt.date]] = {}
    for row in group_views.active_days(reader, scope):
        days.setdefault(row["learner"], []).append(row["day_on"])
    for learner, active_on in days.items():
        (records.get(learner) or records.setdefault(learner, _Record())).days = active_on
    return records


def _progress(
    learner: str, record: _Record, *, units: list[Row], today: dt.date
) -> LearnerProgress:
    """One learner's figures: the same rules as `status` and `plan` give them alone."""
    total = sum(unit.units_total for unit in units)
    done = record.units_done
    figures = project(
        today=today,
        units_left=total - done,
        done_in_window=record.done_in_window,
        ever_done=done,
        goal_on=record.goal_on,
        completed_on=record.last_done_on if total and done == total else None,
        first_activity_on=min(record.days, default=None),
    )
    return LearnerProgress(
        learner=learner,
        units_done=done,
        units_total=total,
        percent=percent(done, total),
        last_activity_on=max(record.days, default=None),
        streak_weeks=weekly_streak(record.days, today),
        outlook=figures.outlook if total else "no-history",
        started=bool(record.days),
        courses_done=record.courses_done,
        goal_on=record.goal_on,
        pace_per_week=figures.pace_per_week,
        days_ahead=figures.days_ahead,
        shared=record.shared,
    )


def _ranked(rows: list) -> list:
    """Most done first, then by name."""
    return sorted(rows, key=lambda row: (-row.units_done, row.learner))


def specialization_status(
    reader: Reader, target: Target, *, database: str, today: dt.date
) -> GroupStatus:
    """Every learner's progress in a specialization (the reader is in the group's scope)."""
    return _specialization_status(reader, target, database=database, today=today)[0]


def _specialization_status(
    reader: Reader, target: Target, *, database: str, today: dt.date
) -> tuple[GroupStatus, list[Row]]:
    spec = target.specialization
    scope = Scope(spec.id)
    units = group_views.units(reader, scope)
    records = _records(reader, database, scope, today=today)
    tally = peer_counts.tally(reader, spec.id)
    for learner in tally.keys() - records.keys():  # a reviewer whose login was dropped
        records[learner] = _Record()
    learners = [
        replace(
            _progress(learner, record, units=units, today=today),
            reviews_given=tally.get(learner, (0, 0))[0],
            reviews_received=tally.get(learner, (0, 0))[1],
        )
        for learner, record in records.items()
    ]
    status = GroupStatus(
        slug=spec.slug,
        title=spec.title,
        today=today,
        units_total=sum(unit.units_total for unit in units),
        courses_total=len(units),
        learners=_ranked(learners),
    )
    return status, units


# --- a course: who is on which topic, who is stuck --------------------------------------


@dataclass
class TopicRef:
    position: int
    slug: str
    title: str


@dataclass
class LearnerPlace:
    """One learner's row of `group status SPEC/COURSE`.

    `state`: finished, studying (started, active within `STUCK_DAYS`), stuck
    (started, idle `STUCK_DAYS` days or more) or not-started. `topic` is the one
    they are on: the first in progress, else the first not done (None: finished,
    or a course without topics).
    """

    learner: str
    units_done: int
    units_total: int
    percent: float
    state: str
    topic: TopicRef | None
    topic_status: str | None
    last_activity_on: dt.date | None
    idle_days: int | None
    stuck: bool


@dataclass
class GroupCourse:
    """`coursetrack group status SPEC/COURSE`."""

    ref: str
    slug: str
    title: str
    today: dt.date
    units_total: int
    stuck_days: int
    learners: list[LearnerPlace] = field(default_factory=list)


def course_status(reader: Reader, target: Target, *, database: str, today: dt.date) -> GroupCourse:
    """Where each learner is in a course (the reader is in the group's scope)."""
    course = target.course
    assert course is not None
    scope = Scope(target.specialization.id, course.id)
    (unit,) = group_views.units(reader, scope)
    topics = {
        row.position: TopicRef(row.position, row.slug, row.title)
        for row in post.topics_of(reader, course.id)
    }
    records = _records(reader, database, scope, today=today)
    started = {row.learner: row for row in group_views.started(reader, course.id)}
    following = {
        row.learner: row.next_position for row in group_views.next_topics(reader, course.id)
    }
    places = []
    for learner, record in records.items():
        done = record.units_done
        total = unit.units_total
        last = max(record.days, default=None)
        idle = (today - last).days if last is not None else None
        row = started.get(learner)
        position = row.current_position if row is not None else None
        topic_status = IN_PROGRESS if position is not None else None
        if position is None and topics and done < total:
            position = following.get(learner, min(topics))
            topic_status = TODO
        if done == total and total:
            state = FINISHED
        elif last is None and not (row and row.units_started):
            state = NOT_STARTED
        elif idle is not None and idle >= STUCK_DAYS:
            state = STUCK
        else:
            state = STUDYING
        if not topics and state in (STUCK, STUDYING):  # the course is its own unit
            topic_status = IN_PROGRESS if row and row.units_started else TODO
        places.append(
            LearnerPlace(
                learner=learner,
                units_done=done,
                units_total=total,
                percent=percent(done, total),
                state=state,
                topic=topics.get(position) if position is not None else None,
                topic_status=topic_status,
                last_activity_on=last,
                idle_days=idle,
                stuck=state == STUCK,
            )
        )
    return GroupCourse(
        ref=target.ref,
        slug=course.slug,
        title=course.title,
        today=today,
        units_total=unit.units_total,
        stuck_days=STUCK_DAYS,
        learners=_ranked(places),
    )


def group_status(reader: Reader, *, ref: str, today: dt.date) -> GroupStatus | GroupCourse:
    """What `coursetrack group status SPEC[/COURSE]` shows."""
    database = enter_group(reader)
    target = read_target(reader, ref)
    if target.kind == "topic":
        assert target.course is not None
        raise InputError(
            f"group status shows a specialization or a course, and {target.ref} is a topic; "
            f"try 'coursetrack group status {target.specialization.slug}/{target.course.slug}'"
        )
    if target.kind == "course":
        return course_status(reader, target, database=database, today=today)
    return specialization_status(reader, target, database=database, today=today)


# --- the cohort post --------------------------------------------------------------------


@dataclass
class CourseFinishers:
    position: int
    slug: str
    title: str
    url: str | None
    units_total: int
    finished: int  # how many learners finished it


@dataclass
class GroupNote:
    learner: str
    written_on: dt.date
    text: str
    where: str  # the course or topic title it is about ("" for the specialization)


@dataclass
class CohortData:
    """`coursetrack export markdown SPEC --group`: what the cohort post shows."""

    slug: str
    title: str
    provider: str | None
    url: str | None
    description: str | None
    today: dt.date
    learners_total: int
    courses: list[CourseFinishers] = field(default_factory=list)
    listed: list[LearnerProgress] = field(default_factory=list)  # agreed to be listed
    notes: list[GroupNote] = field(default_factory=list)


def cohort_data(reader: Reader, spec_ref: str, *, today: dt.date) -> CohortData:
    """The group's post: courses and their finishers, the listed learners, their notes.

    Only learners who agreed to be listed (`group share on`) are named, and
    only their notes are published: a learner who did not agree is counted,
    never named or quoted. A private note is never read.
    """
    from coursetrack.services.export import post_target

    database = enter_group(reader)
    target = post_target(reader, spec_ref, example="{slug} --group")
    spec = target.specialization
    status, units = _specialization_status(reader, target, database=database, today=today)
    finished = {
        row.course_id: row.finished for row in group_views.finishers(reader, spec.id, today=today)
    }
    details = {row.id: row for row in post.courses(reader, spec.id)}
    courses = [
        CourseFinishers(
            position=unit.position,
            slug=unit.slug,
            title=unit.title,
            url=details[unit.course_id].url,
            units_total=unit.units_total,
            finished=finished[unit.course_id],
        )
        for unit in units
    ]
    listed = [learner for learner in status.learners if learner.shared]
    names = {learner.learner for learner in listed}
    course_titles = {unit.course_id: unit.title for unit in units}
    topic_titles = {
        topic.id: topic.title for unit in units for topic in post.topics_of(reader, unit.course_id)
    }
    notes = [
        GroupNote(
            learner=row.learner,
            written_on=row.written_on,
            text=row.text,
            where=topic_titles.get(row.topic_id) or course_titles.get(row.course_id) or "",
        )
        for row in group_views.notes(reader, spec.id)
        if row.learner in names and row.text.strip()
    ]
    return CohortData(
        slug=spec.slug,
        title=spec.title,
        provider=spec.provider,
        url=spec.url,
        description=spec.description,
        today=today,
        learners_total=len(status.learners),
        courses=courses,
        listed=listed,
        notes=notes,
    )
