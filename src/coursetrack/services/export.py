"""`export markdown`: what a blog post about one specialization needs from the store,
and the post written (its file, the chart beside it).

Progress figures come from `services.overview`, so the post can never disagree
with `coursetrack status`; this adds what the status tables leave out:
descriptions, notes (each item's dated notes, oldest first, one by one so
that a note's Markdown stays whole), links and each topic's state.

The post is composed here and written by the CLI, file by file, in the order
`Post.files` gives (the chart before the post that links it): a file that cannot
be written stops the export with the ones before it written and said.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from coursetrack import dates
from coursetrack.errors import ExportError
from coursetrack.refs import Target, read_target
from coursetrack.services.figures import DONE, TODO, HasProgress, Progress
from coursetrack.services.overview import specialization_report
from coursetrack.store import post

if TYPE_CHECKING:
    from pathlib import Path

    from coursetrack.blog import PostOptions
    from coursetrack.services.chart import Burnup
    from coursetrack.services.group import CohortData
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


# --- the post, written: `export markdown` ------------------------------------


@dataclass
class PostFile:
    """A file `export markdown` writes, in the order it writes them: the chart first."""

    path: Path | None  # None: standard output
    text: str
    notice: str | None = None  # said once it is written


@dataclass
class Post:
    files: list[PostFile]
    summary: str | None = None  # what a post on standard output holds, said beside a bar


def post_source(
    reader: Reader, spec_ref: str, *, group: bool, chart: bool, today: dt.date | None = None
) -> tuple[PostData | CohortData, Burnup | None]:
    """What the post is made from: the learner's record and, with `chart`, its burn-up;
    with `group`, the study group's instead. The clock is read only for those two."""
    if group:
        from coursetrack.services.group import cohort_data

        return cohort_data(reader, spec_ref, today=today or dates.today()), None
    data = post_data(reader, spec_ref)
    if not chart:
        return data, None
    from coursetrack.services.chart import burnup

    return data, burnup(reader, ref=data.slug, today=today or dates.today())


def learner_post(
    data: PostData, series: Burnup | None, options: PostOptions, *, output: str | None, force: bool
) -> Post:
    """The learner's post and where `-o OUTPUT` puts it (None: standard output); with a
    burn-up, the chart's SVG beside it, which the post then shows."""
    from coursetrack import blog

    post = blog.render_post(data, options)
    target = None
    if output is not None:
        from coursetrack.outputs import names_folder, output_file

        if series is not None and options.format == "hugo" and names_folder(output):
            # a page bundle: Hugo publishes the chart with the page only from one
            target = output_file(output, "index.md", subfolder=data.slug)
        else:
            target = _post_file(output, post.file_name(options.format), options.format)
    files = []
    if series is not None and target is not None:
        picture, link = _chart_file(series, target, options.format, force)
        files.append(picture)
        post = blog.render_post(data, replace(options, chart=link))
    files.append(PostFile(target, post.text))
    if target is not None:
        return Post(files)
    topics = sum(len(course.topics) for course in data.courses)
    summary = (
        f"wrote the post about {data.slug}: {_count(len(data.courses), 'course')}, "
        f"{_count(topics, 'topic')}"
    )
    return Post(files, summary)


def group_post(cohort: CohortData, options: PostOptions, *, output: str | None) -> Post:
    """The study group's post, to standard output or a file by the same -o rules as a post."""
    from coursetrack import blog

    post = blog.render_cohort_post(cohort, options)
    target = None
    if output is not None:
        target = _post_file(output, post.file_name(options.format), options.format)
    return Post([PostFile(target, post.text)])


def _post_file(output: str, name: str, fmt: str) -> Path | None:
    from coursetrack.outputs import output_file

    return output_file(output, name, subfolder="_posts" if fmt == "jekyll" else None)


def _chart_file(series: Burnup, post: Path, fmt: str, force: bool) -> tuple[PostFile, str]:
    """The burn-up SVG, where the post's site publishes it; and the post's link to it."""
    from coursetrack import chart_svg

    svg_path, link = chart_svg.place(post, fmt, series.ref)
    if not force:  # refuse before writing anything, not after the chart
        for path in (post, svg_path):
            if path.exists():
                raise ExportError(f"{path} already exists; add --force to overwrite it")
    try:
        svg_path.parent.mkdir(exist_ok=True)
    except OSError as exc:
        raise ExportError(f"cannot create {svg_path.parent}: {exc.strerror}") from None
    notice = None
    if fmt == "hugo" and post.name != "index.md":
        notice = (
            f"Hugo publishes {svg_path.name} with the post only from a page bundle: "
            f"write the post as .../{series.ref}/index.md (or give -o a folder)"
        )
    return PostFile(svg_path, chart_svg.burnup_svg(series), notice), link


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
