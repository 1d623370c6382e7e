"""A publish-ready Markdown post about one specialization.

The post follows the shape of a learner's real Hugo post: front matter, their
own introduction, the certificate line, the numbered list of courses with what
each taught, and then what the learner did. It is built from the store, so the
same store always gives the same bytes (only a default date of "now" varies).

Titles, descriptions and notes are the learner's text, not Markdown, and must
print as written in Hugo (goldmark), Jekyll (kramdown) and on GitHub. Only
what would change the rendering is escaped, so that the file stays pleasant to
edit before publishing: emphasis, links, HTML, code spans, tables, headings,
strikethrough, entities, list and quote markers at the start of a line, runs
of dashes (a thematic break or front matter fence, and en/em dashes under
Hugo's typographer), and the `{{`/`{%` openers of Hugo shortcodes and Liquid.
Plain `:`, `,`, `.` and quotes are left alone.

Front matter is written by yaml.safe_dump from a dict, never by formatting
strings, and every value in it is a single line, so no text can close it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from dataclasses import dataclass, field

import yaml

from coursetrack.controls import visible
from coursetrack.errors import InputError
from coursetrack.models import Status
from coursetrack.services.export import CourseEntry, PostData, TopicLine
from coursetrack.services.status import whole_percent
from coursetrack.validate import publishable_url

FORMATS = ("hugo", "jekyll", "plain")

# --- escaping ----------------------------------------------------------------------

_ALWAYS = re.compile(r"([\\`*_\[\]<>|#~])")
_ENTITY = re.compile(r"&(?=#[0-9]{1,7};|#[xX][0-9a-fA-F]{1,6};|[A-Za-z][A-Za-z0-9]{1,31};)")
_TEMPLATE_OPEN = re.compile(r"\{(?=[{%])")
_DASHES = re.compile(r"-{2,}")
_ORDERED = re.compile(r"^([0-9]{1,9})([.)])")


def _dash_run(match: re.Match[str]) -> str:
    # Escape every second dash: no two plain dashes touch, so no en/em dash,
    # thematic break or `---` fence can form, and the run still reads as dashes.
    return "".join("\\-" if i % 2 else "-" for i in range(len(match.group())))


def escape_inline(text: str) -> str:
    """User text placed inside a line; whitespace runs (newlines too) become one space."""
    flat = visible(" ".join(text.split()))
    flat = _ALWAYS.sub(r"\\\1", flat)
    flat = _ENTITY.sub(r"\\&", flat)
    flat = _TEMPLATE_OPEN.sub(r"{\\", flat)
    return _DASHES.sub(_dash_run, flat)


def escape_line(text: str) -> str:
    """User text that starts a block (a list item, a quote line): markers escaped too."""
    flat = escape_inline(text)
    if flat[:1] in ("-", "+", "="):
        return "\\" + flat
    return _ORDERED.sub(r"\1\\\2", flat)


def _quote(note: str, indent: str = "") -> list[str]:
    """A note as a block quote, one paragraph per non-empty line."""
    paragraphs = [escape_line(line) for line in note.splitlines() if line.strip()]
    out: list[str] = []
    for i, paragraph in enumerate(paragraphs):
        if i:
            out.append(f"{indent}>")
        out.append(f"{indent}> {paragraph}")
    return out


def _link(url: str) -> str:
    """An autolink (Hugo and kramdown both render `<url>`) for a URL a post may link to.

    Anything else — a `javascript:` URL kept by an older store, say — is
    printed as text, never as a link.
    """
    href = publishable_url(url)
    if href is None:
        return escape_inline(url)
    return f"<{href}>"


# --- dates -------------------------------------------------------------------------


def parse_post_date(text: str) -> dt.datetime:
    """`--date`: a date or a date and time; an offset given is kept, else the local one."""
    raw = text.strip()
    word = raw.lower()
    if word == "now":
        return now()
    if word in ("today", "yesterday"):
        from coursetrack.dates import parse_date

        return local_midnight(parse_date(word, option="--date"))
    value: dt.datetime | None = None
    try:
        value = dt.datetime.strptime(raw, "%Y-%m-%d %H:%M:%S %z")  # Jekyll's own form
    except ValueError:
        with contextlib.suppress(ValueError):
            value = dt.datetime.fromisoformat(raw)
    if value is None:
        raise InputError(
            f"--date {text!r} is not a date: use YYYY-MM-DD, 2020-10-27T16:32:08-04:00, "
            "2020-10-27 16:32:08 -0400, 'now', 'today' or 'yesterday'"
        )
    if value.tzinfo is None:
        value = value.astimezone()
    return value.replace(microsecond=0)


def now() -> dt.datetime:
    """The project's one clock (COURSETRACK_NOW pins it), to the second."""
    from coursetrack.dates import now as clock

    return clock().replace(microsecond=0)


def local_midnight(day: dt.date) -> dt.datetime:
    """The start of `day` with the local offset in force on that day (DST included)."""
    return dt.datetime.combine(day, dt.time()).astimezone()


def hugo_date(value: dt.datetime) -> str:
    return value.isoformat(timespec="seconds")


def jekyll_date(value: dt.datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S %z")


# --- the post ------------------------------------------------------------------------


@dataclass
class PostOptions:
    """What the learner chose on the command line; None means the store's value."""

    format: str = "hugo"
    title: str | None = None
    description: str | None = None
    tags: list[str] = field(default_factory=list)
    image: str | None = None
    date: dt.datetime | None = None
    draft: bool = False
    intro: str | None = None
    chart: str | None = None  # the link to the burn-up SVG (export markdown --chart)


@dataclass
class Post:
    text: str
    title: str
    date: dt.datetime
    slug: str

    def file_name(self, fmt: str) -> str:
        """The conventional name: Jekyll's dated `_posts` name, else `<slug>.md`."""
        if fmt == "jekyll":
            return f"{self.date.strftime('%Y-%m-%d')}-{self.slug}.md"
        return f"{self.slug}.md"


def _line(text: str | None) -> str:
    return " ".join((text or "").split())


def front_matter(
    fmt: str,
    *,
    title: str,
    date: dt.datetime,
    description: str,
    tags: list[str],
    image: str | None,
    draft: bool,
) -> str:
    """The `---` block for Hugo or Jekyll; empty for plain."""
    if fmt == "plain":
        return ""
    if fmt == "hugo":
        data: dict[str, object] = {
            "title": title,
            "date": hugo_date(date),
            "description": description,
            "tags": tags,
            "draft": draft,
            "images": [image] if image else [],
        }
        if image:
            data["featured_image"] = image
    elif fmt == "jekyll":
        data = {"layout": "post", "title": title, "date": jekyll_date(date)}
        if description:
            data["description"] = description
        data["tags"] = tags
        if image:
            data["image"] = image
        data["published"] = not draft
    else:
        raise InputError(f"--format {fmt!r}: choose one of {', '.join(FORMATS)}")
    dumped = yaml.safe_dump(
        data, sort_keys=False, allow_unicode=True, default_flow_style=None, width=2**30
    )
    return f"---\n{dumped}---\n"


def _units_word(data: PostData) -> str:
    return "topics" if all(c.topics for c in data.courses) else "units"


def _pct(value: float) -> str:
    return f"{whole_percent(value)}%"


def _topic_line(topic: TopicLine) -> list[str]:
    if topic.status == Status.DONE:
        state = f"done on {topic.completed_on.isoformat()}" if topic.completed_on else "done"
    elif topic.status == Status.IN_PROGRESS:
        state = "in progress"
    else:
        state = "not started"
    out = [f"- {escape_line(topic.title)} - {state}"]
    if topic.note and topic.note.strip():
        out += _quote(topic.note, indent="  ")
    out += _links(topic.links, indent="  ")
    return out


def _links(links: list[tuple[str | None, str]], indent: str = "") -> list[str]:
    """The learner's links as list items: `title: <url>`, or the bare link."""
    return [
        f"{indent}- {escape_line(title) + ': ' if title else ''}{_link(url)}"
        for title, url in links
    ]


def _course_section(course: CourseEntry) -> list[str]:
    out = [f"### {course.position}. {escape_inline(course.title)}", ""]
    if course.status == Status.DONE:
        when = f" on {course.completed_on.isoformat()}" if course.completed_on else ""
        summary = f"Completed{when}."
    elif course.status == Status.IN_PROGRESS:
        since = f" since {course.started_on.isoformat()}" if course.started_on else ""
        summary = f"In progress{since}"
        if course.topics:
            summary += (
                f": {course.units_done} of {course.units_total} topics done "
                f"({_pct(course.percent)})"
            )
        summary += "."
    else:
        summary = "Not started."
    out.append(summary)
    if course.certificate_url:
        out += ["", f"Certificate: {_link(course.certificate_url)}"]
    if course.topics:
        out.append("")
        for topic in course.topics:
            out += _topic_line(topic)
    if course.note and course.note.strip():
        out += ["", *_quote(course.note)]
    if course.links:
        out += ["", "Links:", "", *_links(course.links)]
    out.append("")
    return out


def body(data: PostData, intro: str | None = None, chart: str | None = None) -> str:
    """The Markdown after the front matter; ends with one newline."""
    out: list[str] = []
    if intro and intro.strip():
        out += [intro.strip("\n").rstrip(), ""]
    if data.certificate_url:
        out += [f"certificate is available here: {_link(data.certificate_url)}", ""]
    count = len(data.courses)
    out += [f"The specialization was formed of {count} course{'s' if count != 1 else ''}:", ""]
    for course in data.courses:
        item = f"{course.position}. {escape_line(course.title)}"
        if course.description and course.description.strip():
            item += f" - {escape_inline(course.description)}"
        out += [item, ""]
    out += ["## My progress", ""]
    courses_total = len(data.courses)
    progress = (
        f"Overall progress: {_pct(data.percent)} ({data.units_done} of {data.units_total} "
        f"{_units_word(data)}, {data.courses_done} of {courses_total} courses done)"
    )
    if data.completed_on:
        progress += f", completed on {data.completed_on.isoformat()}"
    elif data.started_on:
        progress += f", started on {data.started_on.isoformat()}"
    out += [progress + ".", ""]
    if chart:
        out += [f"![Units done week by week in {escape_inline(data.title)}]({chart})", ""]
    if data.note and data.note.strip():
        out += [*_quote(data.note), ""]
    if data.links:
        out += ["Links:", "", *_links(data.links), ""]
    for course in data.courses:
        out += _course_section(course)
    return "\n".join(out).rstrip("\n") + "\n"


def render_post(data: PostData, options: PostOptions) -> Post:
    """The whole file for `options.format`, and the title and date it carries."""
    if options.format not in FORMATS:
        raise InputError(f"--format {options.format!r}: choose one of {', '.join(FORMATS)}")
    title = _line(options.title) or _line(data.title)
    if options.date is not None:
        date = options.date
    elif data.completed_on is not None:
        date = local_midnight(data.completed_on)
    else:
        date = now()
    description = _line(
        options.description if options.description is not None else data.description
    )
    tags = [t for t in (_line(tag) for tag in options.tags) if t]
    image = _line(options.image) or None
    head = front_matter(
        options.format,
        title=title,
        date=date,
        description=description,
        tags=tags,
        image=image,
        draft=options.draft,
    )
    text = body(data, options.intro, options.chart)
    if options.format == "plain":
        return Post(f"# {escape_inline(title)}\n\n{text}", title, date, data.slug)
    return Post(f"{head}\n{text}", title, date, data.slug)
