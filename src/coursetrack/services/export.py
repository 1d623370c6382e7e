"""What a blog post about one specialization needs from the store.

Progress figures come from `services.status`, so the post can never disagree
with `coursetrack status`; this adds what the status tables leave out:
descriptions, notes (each item's dated notes, oldest first, one by one so
that a note's Markdown stays whole), links and each topic's state.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from coursetrack.errors import ExportError
from coursetrack.refs import Target, read_target
from coursetrack.services.figures import DONE, TODO, HasProgress, Progress
from coursetrack.services.overview import specialization_report
from coursetrack.store import post

if TYPE_CHECKING:
    from coursetrack.store.reader import Reader

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
class CourseEntry(HasProgress):
    position: int
    slug: str
    title: str
    description: str | None
    url: str | None
    certificate_url: str | None
    progress: Progress
    notes: list[DatedNote] = field(default_factory=list)
    topics: list[TopicLine] = field(default_factory=list)
    links: list[tuple[str | None, str]] = field(default_factory=list)


@dataclass
class PostData(HasProgress):
    slug: str
    title: str
    provider: str | None
    url: str | None
    description: str | None
    certificate_url: str | None
    progress: Progress
    courses_done: int
    notes: list[DatedNote] = field(default_factory=list)
    courses: list[CourseEntry] = field(default_factory=list)
    links: list[tuple[str | None, str]] = field(default_factory=list)


def post_target(reader: Reader, spec_ref: str, *, example: str = "{slug}") -> Target:
    """The specialization a post is about; a course or topic is refused with an example
    command (`example`: its arguments, `{slug}` the specialization's)."""
    target = read_target(reader, spec_ref)
    if target.kind != "specialization":
        arguments = example.format(slug=target.specialization.slug)
        raise ExportError(
            f"{spec_ref!r} is a {target.kind}; a post is about a whole specialization, "
            f"e.g. coursetrack export markdown {arguments}"
        )
    return target


def post_data(reader: Reader, spec_ref: str) -> PostData:
    """Everything about one specialization that a post may show, courses in order.

    Read through a `Reader` (sqlite3 alone on SQLite), with the store's `post` reads.
    """
    target = post_target(reader, spec_ref)
    spec = target.specialization
    report = specialization_report(reader, target)
    courses = post.courses(reader, spec.id)
    notes: dict[tuple, list[DatedNote]] = {}
    for n in post.notes(reader, spec.id):
        key = (n.course_id, n.topic_id, n.specialization_id)
        notes.setdefault(key, []).append((n.written_on, n.text))
    links: dict[tuple, list[tuple[str | None, str]]] = {}
    for link in post.links(reader, spec.id):
        key = (link.course_id, link.topic_id, link.specialization_id)
        links.setdefault(key, []).append((link.title, link.url))
    by_course: dict[int, list[TopicLine]] = {c.id: [] for c in courses}
    for topic in post.topics(reader, spec.id):
        by_course[topic.course_id].append(
            TopicLine(
                title=topic.title,
                status=topic.status or TODO,
                completed_on=topic.completed_on,
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
                progress=item.progress,
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
        progress=report.progress,
        courses_done=sum(c.status == DONE for c in entries),
        notes=notes.get((None, None, spec.id), []),
        links=links.get((None, None, spec.id), []),
        courses=entries,
    )
