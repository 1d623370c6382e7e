"""The review queue: finished topics come back to be refreshed, at growing intervals.

The schedule is a fixed ladder of intervals, in days:

    1, 3, 7, 21, 60, 180

A topic enters the queue when it is done: its first review is due the day
after its completion (the first rung). Each review moves it on the ladder from
the rung it was on, and the next review is due that many days after the review:

- good: the next rung;
- easy: skips a rung (two up);
- hard: stays on the same rung;
- again: back to the first rung (1 day).

The top rung repeats. The ladder needs no state beyond what the `review` table
keeps (the latest review's interval is the rung), so it can be read and
checked by hand. Reviews recorded before a topic's latest completion (it was
reopened and done again) no longer count: the topic starts the ladder afresh.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field

from sqlmodel import Session, select

from coursetrack.dates import not_before
from coursetrack.errors import InputError
from coursetrack.models import Course, Progress, Review, Specialization, Status, Topic
from coursetrack.refs import Target, resolve

LADDER = (1, 3, 7, 21, 60, 180)
GRADES = ("again", "hard", "good", "easy")
_STEP = {"hard": 0, "good": 1, "easy": 2}


def rung_of(interval_days: int) -> int:
    """The ladder rung an interval sits on: the highest one not longer than it."""
    rung = 0
    for index, days in enumerate(LADDER):
        if days <= interval_days:
            rung = index
    return rung


def next_interval(interval_days: int, grade: str) -> int:
    """The interval after a review graded `grade`, from the current interval."""
    if grade not in GRADES:
        raise InputError(f"grade {grade!r} is not one of {', '.join(GRADES)}")
    if grade == "again":
        return LADDER[0]
    rung = min(rung_of(interval_days) + _STEP[grade], len(LADDER) - 1)
    return LADDER[rung]


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
        return Schedule(completed_on, LADDER[0], completed_on + dt.timedelta(days=LADDER[0]))
    last = current[-1]
    return Schedule(completed_on, last.interval_days, last.due_on, current)


def _reviews_by_topic(session: Session, topic_ids: list[int]) -> dict[int, list[ReviewRecord]]:
    found: dict[int, list[ReviewRecord]] = {}
    if not topic_ids:
        return found
    rows = session.exec(
        select(Review)
        .where(Review.topic_id.in_(topic_ids))  # type: ignore[union-attr]
        .order_by(Review.reviewed_on, Review.id)
    ).all()
    for row in rows:
        found.setdefault(row.topic_id, []).append(
            ReviewRecord(row.reviewed_on, row.grade, row.interval_days, row.due_on)
        )
    return found


def schedule_of(session: Session, topic: Topic) -> Schedule | None:
    """The topic's schedule, or None if it is not done (so not in the queue)."""
    progress = session.exec(select(Progress).where(Progress.topic_id == topic.id)).first()
    if progress is None or progress.status != Status.DONE or progress.completed_on is None:
        return None
    reviews = _reviews_by_topic(session, [topic.id]).get(topic.id, [])
    return schedule_from(progress.completed_on, reviews)


@dataclass
class QueueItem:
    ref: str
    short_ref: str
    title: str
    course: dict
    completed_on: dt.date
    due_on: dt.date
    days_overdue: int
    interval_days: int
    reviews: int
    last_reviewed_on: dt.date | None
    last_grade: str | None


def _done_topics(session: Session, target: Target | None):
    query = (
        select(Specialization, Course, Topic, Progress)
        .join(Course, Course.specialization_id == Specialization.id)
        .join(Topic, Topic.course_id == Course.id)
        .join(Progress, Progress.topic_id == Topic.id)
        .where(Progress.status == Status.DONE)
        .where(Progress.completed_on.is_not(None))  # type: ignore[union-attr]
        .order_by(Specialization.slug, Course.position, Topic.position)
    )
    if target is not None and target.topic is not None:
        query = query.where(Topic.id == target.topic.id)
    elif target is not None and target.course is not None:
        query = query.where(Course.id == target.course.id)
    elif target is not None:
        query = query.where(Specialization.id == target.specialization.id)
    return session.exec(query).all()


def scheduled(session: Session, target: Target | None, today: dt.date) -> list[QueueItem]:
    """Every done topic under `target` (None: all) with its schedule, soonest due first."""
    rows = _done_topics(session, target)
    reviews = _reviews_by_topic(session, [topic.id for _s, _c, topic, _p in rows])
    items = []
    for spec, course, topic, progress in rows:
        schedule = schedule_from(progress.completed_on, reviews.get(topic.id, []))
        last = schedule.reviews[-1] if schedule.reviews else None
        items.append(
            QueueItem(
                ref=f"{spec.slug}/{course.slug}/{topic.slug}",
                short_ref=f"{spec.slug}/{course.position}/{topic.position}",
                title=topic.title,
                course={
                    "ref": f"{spec.slug}/{course.slug}",
                    "position": course.position,
                    "title": course.title,
                },
                completed_on=schedule.completed_on,
                due_on=schedule.due_on,
                days_overdue=(today - schedule.due_on).days,
                interval_days=schedule.interval_days,
                reviews=len(schedule.reviews),
                last_reviewed_on=last.reviewed_on if last else None,
                last_grade=last.grade if last else None,
            )
        )
    # sorted() is stable: equal due dates keep course order
    return sorted(items, key=lambda item: item.due_on)


@dataclass
class Queue:
    """`coursetrack review`: the topics due today or earlier, oldest due first."""

    today: dt.date
    scope: str | None
    due: list[QueueItem]
    next_due_on: dt.date | None

    def to_dict(self) -> dict:
        return asdict(self)


def review_queue(session: Session, *, ref: str | None, today: dt.date) -> Queue:
    target = resolve(session, ref) if ref is not None else None
    items = scheduled(session, target, today)
    due = [item for item in items if item.due_on <= today]
    later = [item.due_on for item in items if item.due_on > today]
    return Queue(today, target.ref if target else None, due, min(later, default=None))


def due_count(session: Session, target: Target, today: dt.date) -> int:
    """How many topics under `target` are due for review on `today`."""
    return sum(item.due_on <= today for item in scheduled(session, target, today))


@dataclass
class Reviewed:
    """What `coursetrack reviewed` recorded."""

    ref: str
    title: str
    grade: str
    reviewed_on: dt.date
    was_due_on: dt.date
    previous_interval_days: int
    interval_days: int
    due_on: dt.date


def record_review(session: Session, *, ref: str, grade: str, on: dt.date | None) -> Reviewed:
    """Record a review of a done topic and schedule its next one (None: today, see `not_before`)."""
    target = resolve(session, ref)
    if target.topic is None:
        example = f"{target.ref}/1" if target.kind == "course" else f"{target.ref}/1/1"
        raise InputError(
            f"{target.ref} is a {target.kind}, and reviews are of topics: give "
            f"SPEC/COURSE/TOPIC, e.g. 'coursetrack reviewed {example} --grade good'"
        )
    schedule = schedule_of(session, target.topic)
    if schedule is None:
        progress = session.exec(
            select(Progress).where(Progress.topic_id == target.topic.id)
        ).first()
        status = progress.status if progress else Status.TODO
        raise InputError(
            f"{target.ref} is not done (it is {status}), so there is nothing to review yet; "
            f"mark it done first with 'coursetrack done {target.ref}'"
        )
    if on is None:
        on = not_before(schedule.completed_on, schedule.last_reviewed_on)
    if on < schedule.completed_on:
        raise InputError(
            f"--on {on.isoformat()} is before {target.ref} was done "
            f"({schedule.completed_on.isoformat()}); a review comes after the topic is done"
        )
    last = schedule.last_reviewed_on
    if last is not None and on < last:
        raise InputError(
            f"--on {on.isoformat()} is before the last review of {target.ref} "
            f"({last.isoformat()}); record reviews in the order they happened"
        )
    interval = next_interval(schedule.interval_days, grade)
    due_on = on + dt.timedelta(days=interval)
    session.add(
        Review(
            topic_id=target.topic.id,
            reviewed_on=on,
            grade=grade,
            interval_days=interval,
            due_on=due_on,
        )
    )
    session.flush()
    return Reviewed(
        ref=target.ref,
        title=target.topic.title,
        grade=grade,
        reviewed_on=on,
        was_due_on=schedule.due_on,
        previous_interval_days=schedule.interval_days,
        interval_days=interval,
        due_on=due_on,
    )
