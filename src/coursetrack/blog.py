"""A publish-ready Markdown post about one specialization.

The post follows the shape of a learner's real Hugo post: front matter, their
own introduction, the specialization (linked, its provider, when they took it),
the certificate line, the numbered list of courses (linked) with what each
taught, and then their notes and links (`--dates` adds every state and date): a
course's links come before its topics, an untitled link shows its host, and an
unfinished program "is formed of" its courses, with what is done "so far". A topic's
notes are quoted under its list item, but for a note that Hugo would cut there
(`markdown_notes.fits_in_a_list_item`): those follow the item.
The same store always gives the same bytes (only a default date of "now" varies).

Titles and descriptions are the catalog's text, not Markdown, and must print as
written in Hugo (goldmark), Jekyll (kramdown) and on GitHub. Only what would
change the rendering is escaped, so that the file stays pleasant to edit before
publishing: emphasis, links, HTML, code spans, tables, headings,
strikethrough, entities, list and quote markers at the start of a line, runs
of dashes (a thematic break or front matter fence, and en/em dashes under
Hugo's typographer), and the `{{`/`{%` openers of Hugo shortcodes and Liquid.
Plain `:`, `,`, `.` and quotes are left alone. Notes are the learner's Markdown:
markdown_notes neutralises what could run (`--plain-notes` escapes them like
titles instead). Every URL the post links to passes through `href`.

The front matter is `front_matter.py`'s.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from coursetrack.controls import visible
from coursetrack.errors import InputError
from coursetrack.front_matter import FORMATS as FORMATS  # the CLI reads them here
from coursetrack.front_matter import front_matter as front_matter
from coursetrack.markdown_notes import fits_in_a_list_item, neutralise, quoted
from coursetrack.post_dates import local_midnight, now
from coursetrack.post_dates import parse_post_date as parse_post_date  # `--date`, for the CLI
from coursetrack.services.export import CourseEntry, DatedNote, PostData, TopicLine
from coursetrack.services.figures import DONE, IN_PROGRESS
from coursetrack.services.overview import whole_percent
from coursetrack.validate import publishable_url

if TYPE_CHECKING:  # only the group's post needs the group: a learner's own imports none
    from coursetrack.services.group import CohortData, CourseFinishers


# --- escaping ----------------------------------------------------------------------

_ALWAYS = re.compile(r"([\\`*_\[\]<>|#~])")
_ENTITY = re.compile(r"&(?=#[0-9]{1,7};|#[xX][0-9a-fA-F]{1,6};|[A-Za-z][A-Za-z0-9]{1,31};)")
_TEMPLATE_OPEN = re.compile(r"\{%|(?<=\{)\{|\{(?=:)")
_DASHES = re.compile(r"-{2,}")
_ORDERED = re.compile(r"^([0-9]{1,9})([.)])")


def _template_open(match: re.Match[str]) -> str:
    # `{{` becomes `{\{` and `{:` `\{:` (no kramdown attribute list or extension);
    # `{%` becomes `{&#37;`, since kramdown would show the backslash of `\%`
    if match.group() != "{%":
        return "\\{"
    return ("\\{" if match.string[match.start() - 1 : match.start()] == "{" else "{") + "&#37;"


def _dash_run(match: re.Match[str]) -> str:
    # Escape every second dash: no two plain dashes touch, so no en/em dash,
    # thematic break or `---` fence can form, and the run still reads as dashes.
    return "".join("\\-" if i % 2 else "-" for i in range(len(match.group())))


def escape_inline(text: str) -> str:
    """User text placed inside a line; whitespace runs (newlines too) become one space."""
    flat = visible(" ".join(text.split()))
    flat = _ALWAYS.sub(r"\\\1", flat)
    flat = _ENTITY.sub(r"\\&", flat)
    flat = _TEMPLATE_OPEN.sub(_template_open, flat)
    return _DASHES.sub(_dash_run, flat)


def escape_line(text: str) -> str:
    """User text that starts a block (a list item, a quote line): markers escaped too."""
    flat = escape_inline(text)
    if flat[:1] in ("-", "+", "="):
        return "\\" + flat
    return _ORDERED.sub(r"\1\\\2", flat)


def _plain_note_lines(text: str) -> list[str]:
    """`--plain-notes`: every line escaped to print as typed, one paragraph per line."""
    paragraphs = [escape_line(line) for line in text.splitlines() if line.strip()]
    out: list[str] = []
    for i, paragraph in enumerate(paragraphs):
        out += [""] if i else []
        out.append(paragraph)
    return out


_BLOCK_START = re.compile(r"\s{4}|[ ]{0,3}\t|\s*([#>|<\[`~*+-]|[0-9]{1,9}[.)]|$)")


def _note_lines(notes: list[DatedNote], options: PostOptions) -> list[list[str]]:
    """Each written note's Markdown lines, dated with --dates."""
    out: list[list[str]] = []
    for written_on, text in notes:
        if not text.strip():
            continue
        if options.plain_notes:
            lines = _plain_note_lines(text)
        else:
            lines = neutralise(text.strip("\n"), allowed_url).split("\n")
        if options.dates:
            if _BLOCK_START.match(lines[0]):
                lines = [f"{written_on.isoformat()}:", "", *lines]
            else:
                lines = [f"{written_on.isoformat()}: {lines[0]}", *lines[1:]]
        out.append(lines)
    return out


def _quotes(notes: list[list[str]], indent: str = "") -> list[str]:
    """Each note as its own block quote; blank lines between."""
    out: list[str] = []
    for lines in notes:
        out += [""] if out else []
        out += quoted(lines, indent)  # the note stays inside, whatever it holds
    return out


def _notes(notes: list[DatedNote], options: PostOptions) -> list[str]:
    """Each note as its own block quote, dated with --dates; blank lines between."""
    return _quotes(_note_lines(notes, options))


# --- links -------------------------------------------------------------------------

_DESTINATION_UNSAFE = re.compile(r"[\x00-\x20\x7f-\x9f<>()\\{}]")


@functools.lru_cache(maxsize=1024)
def allowed_url(url: str) -> bool:
    """Whether the post may link to `url`: the store's one URL rule (http, https, mailto).

    Cached: notes link to the same pages again and again, and the rule reads
    each character (a post of notes at their limit judged 1,900 links).
    """
    return publishable_url(url) is not None


def href(url: str | None) -> str | None:
    """The one door for every URL the post links to: the destination as written in
    Markdown, or None when the URL is refused (then the post shows it as text).

    Characters that could end the destination, or start a Hugo shortcode or a
    Liquid tag, are percent-encoded; browsers read the same address.
    """
    if url is None or not allowed_url(url):
        return None
    return _DESTINATION_UNSAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode()), url)


def _link(url: str, text: str | None = None) -> str:
    """`[text](url)`, or `<url>` for a bare address; text alone when the URL is refused."""
    destination = href(url)
    label = escape_inline(text) if text else None
    if destination is None:
        return label or escape_inline(url)
    if label is None:
        return f"<{destination}>"
    return f"[{label}]({destination})"


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
    dates: bool = False  # each course's and topic's state and date, dated notes
    plain_notes: bool = False  # notes escaped to print as typed, not read as Markdown


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


def _units_word(data: PostData) -> str:
    return "topics" if all(c.topics for c in data.courses) else "units"


def _pct(value: float) -> str:
    return f"{whole_percent(value)}%"


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _day(day: dt.date, *, year: bool = True) -> str:
    text = f"{_MONTHS[day.month - 1]} {day.day}"
    return f"{text}, {day.year}" if year else text


def time_span(start: dt.date, end: dt.date) -> str:
    """`Sep 14 \u2013 Nov 13, 2026 (9 weeks)`: the days from first to last, both counted."""
    days = (end - start).days + 1
    if days < 14:
        length = f"{days} day{'s' if days != 1 else ''}"
    elif days < 183:
        length = f"{round(days / 7)} weeks"
    else:
        length = f"{round(days / 30.44)} months"
    if start == end:
        return f"{_day(start)} ({length})"
    first = _day(start, year=start.year != end.year)
    return f"{first} \u2013 {_day(end)} ({length})"


def _first_day(data: PostData) -> dt.date:
    """When the learner began: the first start, else the first completion (a record
    filled in after the fact has completions only)."""
    days = [data.started_on, data.completed_on]
    for course in data.courses:
        days += [course.started_on, course.completed_on]
        days += [topic.completed_on for topic in course.topics]
    return min(day for day in days if day is not None)


def _lead(data: PostData) -> str:
    """The specialization, linked, with its provider and when the learner took it."""
    line = _link(data.url, data.title) if data.url else escape_line(data.title)
    if data.provider and data.provider.strip():
        line += f" by {escape_inline(data.provider)}"
    if data.completed_on:
        return f"{line}, {time_span(_first_day(data), data.completed_on)}."
    if data.started_on:
        line += f", since {_day(data.started_on)}"
    return (
        f"{line}: {data.units_done} of {data.units_total} {_units_word(data)} done so far "
        f"({_pct(data.percent)})."
    )


def _state(topic: TopicLine) -> str:
    if topic.status == DONE:
        return f"{DONE} on {topic.completed_on.isoformat()}" if topic.completed_on else DONE
    return "in progress" if topic.status == IN_PROGRESS else "not started"


def _topic(topic: TopicLine, options: PostOptions) -> list[str]:
    """A topic as a list item, its notes quoted in it, then its links; without --dates
    only topics with notes or links appear. If a note would not keep its meaning inside
    a list item in Hugo (`fits_in_a_list_item`), the notes are quoted after the item, its
    links before them: so every note reads the same, and stays with its topic, on every
    site."""
    if not options.dates and not (_written(topic.notes) or topic.links):
        return []
    item = f"- {escape_line(topic.title)}"
    if options.dates:
        item += f" - {_state(topic)}"
    out = [item]
    notes = _note_lines(topic.notes, options)
    if all(fits_in_a_list_item(lines) for lines in notes):
        out += ["", *_quotes(notes, indent="  "), ""] if notes else []
        return out + _links(topic.links, indent="  ")
    return [*out, *_links(topic.links, indent="  "), "", *_quotes(notes), ""]


def _written(notes: list[DatedNote]) -> bool:
    return any(text.strip() for _, text in notes)


def _links(links: list[tuple[str | None, str]], indent: str = "") -> list[str]:
    """The learner's links as list items, `[title](url)`; an untitled one by its host."""
    return [f"{indent}- {_link(url, title or _host(url))}" for title, url in links]


def _host(url: str) -> str:
    """What names an untitled link: its host without `www.` (the address if it has none)."""
    from urllib.parse import urlsplit

    with contextlib.suppress(ValueError):
        host = urlsplit(url).hostname or ""
        return host.removeprefix("www.") or url
    return url


def _course_summary(course: CourseEntry) -> str:
    if course.status == DONE:
        when = f" on {course.completed_on.isoformat()}" if course.completed_on else ""
        return f"Completed{when}."
    if course.status == IN_PROGRESS:
        since = f" since {course.started_on.isoformat()}" if course.started_on else ""
        summary = f"In progress{since}"
        if course.topics:
            summary += (
                f": {course.units_done} of {course.units_total} topics done "
                f"({_pct(course.percent)})"
            )
        return summary + "."
    return "Not started."


def _course_section(course: CourseEntry, options: PostOptions) -> list[str]:
    """A course's heading and what the learner did in it; nothing when there is
    nothing to tell (without --dates: no notes or links)."""
    topics = [line for topic in course.topics for line in _topic(topic, options)]
    if not options.dates and not (topics or _written(course.notes) or course.links):
        return []
    out = [f"### {course.position}. {escape_inline(course.title)}", ""]
    if options.dates:
        out += [_course_summary(course), ""]
        if course.certificate_url:
            out += [f"Certificate: {_link(course.certificate_url)}", ""]
    if course.links:  # before its topics: after them, they read as the last one's
        out += ["Links:", "", *_links(course.links), ""]
    if topics:
        out += [*topics, ""]
    if _written(course.notes):
        out += [*_notes(course.notes, options), ""]
    return out


def _course_item(course: CourseEntry) -> str:
    """`N. Title - what it taught`, the title linked to the course."""
    if course.url and href(course.url):
        item = f"{course.position}. {_link(course.url, course.title)}"
    else:
        item = f"{course.position}. {escape_line(course.title)}"
    if course.description and course.description.strip():
        item += f" - {escape_inline(course.description)}"
    if course.certificate_url and href(course.certificate_url):
        item += f" ({_link(course.certificate_url, 'certificate')})"
    return item


def body(data: PostData, intro: str | None = None, options: PostOptions | None = None) -> str:
    """The Markdown after the front matter; ends with one newline.

    By default it reads like a learner's own post: intro, the specialization and
    its time span, the certificate, the courses and what each taught, then the
    learner's notes and links. --dates adds each course's and topic's state and date.
    """
    options = options or PostOptions()
    out: list[str] = []
    if intro and intro.strip():
        out += [intro.strip("\n").rstrip(), ""]
    out += [_lead(data), ""]
    if data.certificate_url:
        out += [f"certificate is available here: {_link(data.certificate_url)}", ""]
    count, tense = len(data.courses), "was" if data.completed_on else "is"  # finished or not
    out += [f"The specialization {tense} formed of {count} course{'s' if count != 1 else ''}:", ""]
    for course in data.courses:
        out += [_course_item(course), ""]
    if options.chart:
        out += [f"![Units done week by week in {escape_inline(data.title)}]({options.chart})", ""]
    sections = [line for course in data.courses for line in _course_section(course, options)]
    heading = "## My progress" if options.dates else "## My notes"
    if options.dates:
        progress = (
            f"Overall progress: {_pct(data.percent)} ({data.units_done} of {data.units_total} "
            f"{_units_word(data)}, {data.courses_done} of {len(data.courses)} courses done)"
        )
        if data.completed_on:
            progress += f", completed on {data.completed_on.isoformat()}"
        elif data.started_on:
            progress += f", started on {data.started_on.isoformat()}"
        out += [heading, "", progress + ".", ""]
    elif sections or _written(data.notes) or data.links:
        out += [heading, ""]
    if _written(data.notes):
        out += [*_notes(data.notes, options), ""]
    if data.links:
        out += ["Links:", "", *_links(data.links), ""]
    out += sections
    tidy = [line for i, line in enumerate(out) if line or (i and out[i - 1])]
    return "\n".join(tidy).rstrip("\n") + "\n"


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
    text = body(data, options.intro, options)
    if options.format == "plain":
        return Post(f"# {escape_inline(title)}\n\n{text}", title, date, data.slug)
    return Post(f"{head}\n{text}", title, date, data.slug)


# --- the group's post (export markdown SPEC --group) ----------------------------------


def _cohort_lead(data: CohortData) -> str:
    line = _link(data.url, data.title) if data.url else escape_line(data.title)
    if data.provider and data.provider.strip():
        line += f" by {escape_inline(data.provider)}"
    learners = f"{data.learners_total} learner{'s' if data.learners_total != 1 else ''}"
    return f"Our study group's record of {line}: {learners}, as of {_day(data.today)}."


def _cohort_course(course: CourseFinishers, learners: int) -> str:
    if course.url and href(course.url):
        item = f"{course.position}. {_link(course.url, course.title)}"
    else:
        item = f"{course.position}. {escape_line(course.title)}"
    return f"{item} - finished by {course.finished} of {learners}"


def _cohort_table(data: CohortData) -> list[str]:
    """The learners who agreed to be listed, as a Markdown table (most done first)."""
    if not data.listed:
        return ["No learner has agreed to be listed yet (coursetrack group share on).", ""]
    # peer review's counts once a listed learner gave or received a review (never a review
    # itself: its comment is its author's and reviewer's, not the group's to publish)
    peer = any(learner.reviews_given or learner.reviews_received for learner in data.listed)
    out = [
        "| Learner | Units done | % | Courses finished | Last active |"
        + (" Reviews given | Reviews received |" if peer else ""),
        "| --- | ---: | ---: | ---: | --- |" + (" ---: | ---: |" if peer else ""),
    ]
    for learner in data.listed:
        last = learner.last_activity_on.isoformat() if learner.last_activity_on else ""
        reviews = f" {learner.reviews_given} | {learner.reviews_received} |" if peer else ""
        out.append(
            f"| {escape_inline(learner.learner)} | {learner.units_done} of {learner.units_total} "
            f"| {_pct(learner.percent)} | {learner.courses_done} of {len(data.courses)} | {last} |"
            + reviews
        )
    out.append("")
    others = data.learners_total - len(data.listed)
    if others:
        out += [f"{others} more learner{'s' if others != 1 else ''} of the group not listed.", ""]
    return out


def _cohort_notes(data: CohortData, options: PostOptions) -> list[str]:
    """Each listed learner's notes, oldest first: who wrote it, where and when, then the
    note quoted as `_notes` quotes a learner's own (an untrusted text, neutralised)."""
    undated = PostOptions(plain_notes=options.plain_notes)
    out: list[str] = []
    for note in data.notes:
        where = f" on {escape_inline(note.where)}" if note.where else ""
        out += [
            f"**{escape_inline(note.learner)}**{where}, {note.written_on.isoformat()}:",
            "",
            *_notes([(note.written_on, note.text)], undated),
            "",
        ]
    return out


def cohort_body(data: CohortData, intro: str | None, options: PostOptions) -> str:
    """The group's post after the front matter: the courses and how many finished each,
    the learners who agreed to be listed, and their notes. Ends with one newline."""
    out: list[str] = []
    if intro and intro.strip():
        out += [intro.strip("\n").rstrip(), ""]
    out += [_cohort_lead(data), ""]
    out += ["## The courses", ""]
    out += [_cohort_course(course, data.learners_total) for course in data.courses] + [""]
    out += ["## Where we stand", "", *_cohort_table(data)]
    notes = _cohort_notes(data, options)
    if notes:
        out += ["## Our notes", "", *notes]
    tidy = [line for i, line in enumerate(out) if line or (i and out[i - 1])]
    return "\n".join(tidy).rstrip("\n") + "\n"


def render_cohort_post(data: CohortData, options: PostOptions) -> Post:
    """The group's post for `options.format` (`export markdown SPEC --group`)."""
    if options.format not in FORMATS:
        raise InputError(f"--format {options.format!r}: choose one of {', '.join(FORMATS)}")
    title = _line(options.title) or f"{_line(data.title)}: our study group"
    date = options.date if options.date is not None else now()
    description = _line(
        options.description if options.description is not None else data.description
    )
    head = front_matter(
        options.format,
        title=title,
        date=date,
        description=description,
        tags=[t for t in (_line(tag) for tag in options.tags) if t],
        image=_line(options.image) or None,
        draft=options.draft,
    )
    text = cohort_body(data, options.intro, options)
    slug = f"{data.slug}-group"
    if options.format == "plain":
        return Post(f"# {escape_inline(title)}\n\n{text}", title, date, slug)
    return Post(f"{head}\n{text}", title, date, slug)
