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

The top rung repeats. A review before the topic is due is recorded, but `good`
and `easy` then keep the current interval: remembering what you saw yesterday
says nothing about next month, and five early reviews must not send a topic
180 days away. `hard` and `again` act as they do on time.

The ladder needs no state beyond what the `review` table keeps (the latest
review's interval is the rung), so it can be read and checked by hand. Reviews
recorded before a topic's latest completion (it was reopened and done again) no
longer count: the topic starts the ladder afresh.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from coursetrack.dates import not_before, today
from coursetrack.errors import InputError
from coursetrack.refs import Target, read_target, resolve
from coursetrack.services.figures import DONE, TODO, progress_of
from coursetrack.services.schedule import (
    LADDER,
    ReviewRecord,
    Schedule,
    _due,
    _scope,
    schedule_from,
)
from coursetrack.store import reviews as store
from coursetrack.vocabulary import Grade

if TYPE_CHECKING:
    from coursetrack.store.reader import Reader
    from coursetrack.store.writer import Writer


GRADES = tuple(g.value for g in Grade)
#: How many rungs each grade climbs (again goes back to the first).
_STEP: dict[str, int] = {Grade.HARD: 0, Grade.GOOD: 1, Grade.EASY: 2}
#: The grades that keep the interval of a review made before the topic was due.
KEPT_WHEN_EARLY = (Grade.GOOD, Grade.EASY)


def rung_of(interval_days: int) -> int:
    """The ladder rung an interval sits on: the highest one not longer than it."""
    rung = 0
    for index, days in enumerate(LADDER):
        if days <= interval_days:
            rung = index
    return rung


def next_interval(interval_days: int, grade: str, *, early: bool = False) -> int:
    """The interval after a review graded `grade`, from the current interval.

    `early`: the review came before the topic was due (see the module docstring).
    """
    if grade not in GRADES:
        raise InputError(f"grade {grade!r} is not one of {', '.join(GRADES)}")
    if grade == Grade.AGAIN:
        return LADDER[0]
    if early and grade in KEPT_WHEN_EARLY:
        return interval_days
    rung = min(rung_of(interval_days) + _STEP[grade], len(LADDER) - 1)
    return LADDER[rung]


def schedule_of(reader: Reader, topic: Any) -> Schedule | None:
    """The topic's schedule, or None if it is not done (so not in the queue)."""
    progress = progress_of(reader, "topic", topic.id)
    if progress is None or progress.status != DONE or progress.completed_on is None:
        return None
    reviews = [
        ReviewRecord(_day(r.reviewed_on), r.grade, r.interval_days, _day(r.due_on))
        for r in store.reviews_of_topic(reader, topic.id)
    ]
    return schedule_from(_day(progress.completed_on), reviews)


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


@dataclass(frozen=True)
class _DoneTopic:
    topic_id: int
    spec_slug: str
    course_slug: str
    course_position: int
    course_title: str
    topic_slug: str
    topic_position: int
    title: str
    schedule: Schedule


def _day(value: object) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _done_topics(reader: Reader, target: Target | None) -> list[_DoneTopic]:
    """Every done topic under `target` (None: all) with its schedule, in course order.

    Two plain queries, no ORM objects: `status` and `show` of a 100,000-topic
    program count its due reviews through here.
    """
    kind, scope_id = _scope(target)
    reviews: dict[int, list[ReviewRecord]] = {}
    for row in store.done_topic_reviews(reader, kind, scope_id):
        reviews.setdefault(row.topic_id, []).append(
            ReviewRecord(_day(row.reviewed_on), row.grade, row.interval_days, _day(row.due_on))
        )
    rows = store.done_topics(reader, kind, scope_id)
    return [
        _DoneTopic(
            row.id,
            row.spec_slug,
            row.course_slug,
            row.course_position,
            row.course_title,
            row.topic_slug,
            row.topic_position,
            row.title,
            schedule_from(_day(row.completed_on), reviews.get(row.id, [])),
        )
        for row in rows
    ]


def scheduled(reader: Reader, target: Target | None, today: dt.date) -> list[QueueItem]:
    """Every done topic under `target` (None: all) with its schedule, soonest due first."""
    items = []
    for done in _done_topics(reader, target):
        schedule = done.schedule
        last = schedule.reviews[-1] if schedule.reviews else None
        items.append(
            QueueItem(
                ref=f"{done.spec_slug}/{done.course_slug}/{done.topic_slug}",
                short_ref=f"{done.spec_slug}/{done.course_position}/{done.topic_position}",
                title=done.title,
                course={
                    "ref": f"{done.spec_slug}/{done.course_slug}",
                    "position": done.course_position,
                    "title": done.course_title,
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


def review_queue(reader: Reader, *, ref: str | None, today: dt.date) -> Queue:
    """`coursetrack review`: what is due on `today` under `ref` (None: everywhere)."""
    target = read_target(reader, ref) if ref is not None else None
    items = scheduled(reader, target, today)
    due = [item for item in items if item.due_on <= today]
    later = [item.due_on for item in items if item.due_on > today]
    return Queue(today, target.ref if target else None, due, min(later, default=None))


@dataclass
class Reviewed:
    """One review `coursetrack reviewed` recorded."""

    ref: str
    title: str
    grade: str
    reviewed_on: dt.date
    was_due_on: dt.date
    early: bool  # before it was due: good and easy kept the interval
    previous_interval_days: int
    interval_days: int
    due_on: dt.date


@dataclass
class NothingDue:
    """A course or specialization named whose topics were none of them due."""

    ref: str
    done_topics: int
    next_due_on: dt.date | None


@dataclass
class Reviews:
    """What `coursetrack reviewed REF...` did, in the order the refs were given."""

    reviews: list[Reviewed] = field(default_factory=list)
    nothing_due: list[NothingDue] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def record_reviews(writer: Writer, *, refs: list[str], grade: str, on: dt.date | None) -> Reviews:
    """Record a review of each topic named, and of every due topic under a course or
    specialization named; schedule each one's next review. A topic named twice (by
    itself and under its course) is reviewed once. Every ref is checked before
    anything is written, in the caller's one transaction. `on` None: today, but
    never before the topic's completion or last review (see `dates.not_before`)."""
    targets = [resolve(writer, ref) for ref in refs]
    result = Reviews()
    chosen: list[tuple[str, int, str, Schedule]] = []
    seen: set[int] = set()
    for target in targets:
        if target.topic is not None:
            topic = target.topic
            picked = [(target.ref, topic.id, topic.title, _reviewable(writer, target, on))]
        else:
            picked = _due_under(writer, target, on or today())
            if not picked:
                later = [item.due_on for item in scheduled(writer, target, on or today())]
                result.nothing_due.append(
                    NothingDue(target.ref, len(later), min(later, default=None))
                )
        for item in picked:
            if item[1] not in seen:
                seen.add(item[1])
                chosen.append(item)
    rows = []
    for ref, topic_id, title, schedule in chosen:
        reviewed = _next_review(ref, title, schedule, grade, on)
        result.reviews.append(reviewed)
        rows.append(
            {
                "topic_id": topic_id,
                "reviewed_on": reviewed.reviewed_on,
                "grade": grade,
                "interval_days": reviewed.interval_days,
                "due_on": reviewed.due_on,
            }
        )
    store.add_reviews(writer, rows)
    return result


def _reviewable(reader: Reader, target: Target, on: dt.date | None) -> Schedule:
    """The schedule of a topic the user named, or why it cannot be reviewed on `on`."""
    assert target.topic is not None
    schedule = schedule_of(reader, target.topic)
    if schedule is None:
        progress = progress_of(reader, "topic", target.topic.id)
        status = progress.status if progress else TODO
        raise InputError(
            f"{target.ref} is not done (it is {status}), so there is nothing to review yet; "
            f"mark it done first with 'coursetrack done {target.ref}'"
        )
    on = _review_day(schedule, on)
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
    return schedule


def _review_day(schedule: Schedule, on: dt.date | None) -> dt.date:
    """The day a review is recorded on: the one given, or today but not before the topic's
    completion or last review (a change of zone can put today a day earlier)."""
    return on if on is not None else not_before(schedule.completed_on, schedule.last_reviewed_on)


def _due_under(reader: Reader, target: Target, on: dt.date) -> list[tuple[str, int, str, Schedule]]:
    """The done topics under a course or specialization that are due on `on`, oldest due first."""
    due = [
        (f"{d.spec_slug}/{d.course_slug}/{d.topic_slug}", d.topic_id, d.title, d.schedule)
        for d in _done_topics(reader, target)
        if d.schedule.due_on <= on
    ]
    return sorted(due, key=lambda item: item[3].due_on)


def _next_review(
    ref: str, title: str, schedule: Schedule, grade: str, on: dt.date | None
) -> Reviewed:
    """The review of one topic graded `grade` on `on`, and the next one it schedules."""
    on = _review_day(schedule, on)
    early = on < schedule.due_on
    interval = next_interval(schedule.interval_days, grade, early=early)
    due_on = _due(on, interval)
    return Reviewed(
        ref=ref,
        title=title,
        grade=grade,
        reviewed_on=on,
        was_due_on=schedule.due_on,
        early=early,
        previous_interval_days=schedule.interval_days,
        interval_days=interval,
        due_on=due_on,
    )
