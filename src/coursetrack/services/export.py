"""What a blog post about one specialization needs from the store.

Progress figures come from `services.status`, so the post can never disagree
with `coursetrack status`; this adds what the status tables leave out:
descriptions, notes (each item's dated notes, oldest first, one by one so
that a note's Markdown stays whole), links and each topic's state.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlmodel import Session, or_, select

from coursetrack.errors import ExportError
from coursetrack.models import Course, Link, Note, Progress, Status, Topic
from coursetrack.refs import resolve
from coursetrack.services.status import specialization_report
from coursetrack.store.reader import reader_of

#: A dated note: (written_on, text).
DatedNote = tuple[dt.date, str]


@dataclass
class TopicLine:
    title: str
    status: str
    completed_on: dt.date | None
    notes: list[DatedNote] = field(default_factory=list)
    links: list[tuple[str | None, str]] = field(default_factory=list)  # (title, url)


@dataclass
class CourseEntry:
    position: int
    slug: str
    title: str
    description: str | None
    url: str | None
    certificate_url: str | None
    status: str
    units_done: int
    units_total: int
    percent: float
    started_on: dt.date | None
    completed_on: dt.date | None
    notes: list[DatedNote] = field(default_factory=list)
    topics: list[TopicLine] = field(default_factory=list)
    links: list[tuple[str | None, str]] = field(default_factory=list)


@dataclass
class PostData:
    slug: str
    title: str
    provider: str | None
    url: str | None
    description: str | None
    certificate_url: str | None
    status: str
    courses_done: int
    units_done: int
    units_total: int
    percent: float
    started_on: dt.date | None
    completed_on: dt.date | None
    notes: list[DatedNote] = field(default_factory=list)
    courses: list[CourseEntry] = field(default_factory=list)
    links: list[tuple[str | None, str]] = field(default_factory=list)


def post_data(session: Session, spec_ref: str) -> PostData:
    """Everything about one specialization that a post may show, courses in order."""
    target = resolve(session, spec_ref)
    if target.kind != "specialization":
        raise ExportError(
            f"{spec_ref!r} is a {target.kind}; a post is about a whole specialization, "
            f"e.g. coursetrack export markdown {target.specialization.slug}"
        )
    spec = target.specialization
    report = specialization_report(reader_of(session), target)
    courses = session.exec(
        select(Course).where(Course.specialization_id == spec.id).order_by(Course.position)
    ).all()
    course_ids = [c.id for c in courses]
    notes: dict[tuple, list[DatedNote]] = {}
    topic_ids = select(Topic.id).where(Topic.course_id.in_(course_ids))
    mine = or_(
        Note.specialization_id == spec.id,
        Note.course_id.in_(course_ids),  # type: ignore[union-attr]
        Note.topic_id.in_(topic_ids),  # type: ignore[union-attr]
    )
    for n in session.exec(select(Note).where(mine).order_by(Note.id)).all():
        key = (n.course_id, n.topic_id, n.specialization_id)
        notes.setdefault(key, []).append((n.written_on, n.text))
    links: dict[tuple, list[tuple[str | None, str]]] = {}
    linked = or_(
        Link.specialization_id == spec.id,
        Link.course_id.in_(course_ids),  # type: ignore[union-attr]
        Link.topic_id.in_(topic_ids),  # type: ignore[union-attr]
    )
    for link in session.exec(select(Link).where(linked).order_by(Link.id)).all():
        key = (link.course_id, link.topic_id, link.specialization_id)
        links.setdefault(key, []).append((link.title, link.url))
    topics = session.exec(
        select(Topic, Progress)
        .join(Progress, Progress.topic_id == Topic.id, isouter=True)
        .where(Topic.course_id.in_(course_ids))
        .order_by(Topic.course_id, Topic.position)
    ).all()
    by_course: dict[int, list[TopicLine]] = {cid: [] for cid in course_ids}
    for topic, progress in topics:
        status = progress.status if progress else Status.TODO
        by_course[topic.course_id].append(
            TopicLine(
                title=topic.title,
                status=str(status),
                completed_on=progress.completed_on if progress else None,
                notes=notes.get((None, topic.id, None), []),
                links=links.get((None, topic.id, None), []),
            )
        )
    entries = []
    for course, item in zip(courses, report.items, strict=True):
        entries.append(
            CourseEntry(
                position=item.position,
                slug=course.slug,
                title=course.title,
                description=course.description,
                url=course.url,
                certificate_url=course.certificate_url,
                status=str(item.status),
                units_done=item.units_done,
                units_total=item.units_total,
                percent=item.percent,
                started_on=item.started_on,
                completed_on=item.completed_on,
                notes=notes.get((course.id, None, None), []),
                links=links.get((course.id, None, None), []),
                topics=by_course[course.id],
            )
        )
    return PostData(
        slug=spec.slug,
        title=spec.title,
        provider=spec.provider,
        url=spec.url,
        description=spec.description,
        certificate_url=spec.certificate_url,
        status=str(report.status),
        courses_done=sum(c.status == Status.DONE for c in entries),
        units_done=report.units_done,
        units_total=report.units_total,
        percent=report.percent,
        started_on=report.started_on,
        completed_on=report.completed_on,
        notes=notes.get((None, None, spec.id), []),
        links=links.get((None, None, spec.id), []),
        courses=entries,
    )
