"""One self-contained HTML page to share a specialization's progress.

The page fetches nothing: its style is inline, the chart is inline SVG, there
is no script, no web font and no image by URL; its Content-Security-Policy
says so to the browser too (`default-src 'none'`), so even a mistake here
could not load or run anything. Every piece of the learner's text goes through
`_e` (HTML-escaped, control characters made visible), and only http(s) URLs
become links: a `javascript:` certificate URL is shown as text, never followed.

Notes are the learner's Markdown, read as the post reads them: first through
the post's neutraliser (`markdown_notes.neutralise`, with the page's link rule:
http(s) only), then rendered by markdown-it with raw HTML off, the same link
rule checked again on every link, and an image shown as a link to it (an image
would be a fetch). So a note reads on the page as in the post, and nothing in
it can run or load.

The page is laid out for any width: the chart scales to its column
(`chart_svg.page_svg`: a viewBox, the page's colours), and no date is broken
across lines (`_date`, `_nowrap_dates`: a date is one unbreakable run).

Percentages are `status`'s, read the way its tables print them (rounded down).
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from coursetrack.controls import visible
from coursetrack.services.overview import whole_percent
from coursetrack.validate import web_link_problem
from coursetrack.vocabulary import Status

if TYPE_CHECKING:
    from coursetrack.services.export import CourseEntry
    from coursetrack.services.page import PageData

#: A link the learner kept: (title or None, url).
Link = tuple[str | None, str]

STYLE = """
:root { color-scheme: light dark; --fg: #1f2328; --muted: #59636e; --bg: #ffffff;
  --card: #f6f8fa; --line: #d1d9e0; --bar: #e6eaef; --done: #2f9e44; --link: #0969da;
  --code: #eff1f3; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e6edf3; --muted: #9198a1; --bg: #0d1117; --card: #151b23;
    --line: #3d444d; --bar: #2a313c; --done: #3fb950; --link: #4493f8; --code: #212830; }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); line-height: 1.5;
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", sans-serif; }
main { max-width: 52rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
h1 { font-size: 1.75rem; line-height: 1.25; margin: 0.2rem 0 0.5rem; overflow-wrap: anywhere; }
h2 { font-size: 1.2rem; margin: 2rem 0 0.75rem; border-bottom: 1px solid var(--line);
  padding-bottom: 0.3rem; }
h3 { font-size: 1rem; margin: 0; overflow-wrap: anywhere; flex: 1; min-width: 0; }
a { color: var(--link); overflow-wrap: anywhere; }
h3 a { color: inherit; text-decoration-color: var(--link); }
.muted, .provider, .meta, time { color: var(--muted); }
time, .date, .fact { white-space: nowrap; }
.provider { margin: 0; font-size: 0.9rem; text-transform: uppercase; letter-spacing: 0.04em; }
.bar { height: 0.6rem; background: var(--bar); border-radius: 0.3rem; overflow: hidden; }
.bar > span { display: block; height: 100%; background: var(--done); }
.summary { background: var(--card); border: 1px solid var(--line); border-radius: 0.5rem;
  padding: 0.9rem 1rem; margin: 1rem 0; }
.summary .figure { font-size: 1.6rem; font-weight: 700; margin-right: 0.5rem; }
.summary .bar { height: 0.9rem; margin-top: 0.5rem; }
figure { margin: 0; background: var(--card); border: 1px solid var(--line);
  border-radius: 0.5rem; padding: 0.5rem; }
figure svg { display: block; width: 100%; max-width: 38rem; height: auto; margin: 0 auto; }
figcaption { color: var(--muted); font-size: 0.85rem; padding: 0.25rem 0.5rem 0; }
ol.courses, ul.notes { list-style: none; padding: 0; margin: 0; }
.course { border: 1px solid var(--line); border-radius: 0.5rem; padding: 0.75rem 1rem;
  margin-bottom: 0.75rem; background: var(--card); }
.course .head { display: flex; gap: 0.75rem; align-items: baseline; margin-bottom: 0.4rem; }
.course .n { color: var(--muted); font-variant-numeric: tabular-nums; }
.course .pct { font-weight: 700; font-variant-numeric: tabular-nums; }
.meta { font-size: 0.9rem; margin: 0.4rem 0 0; }
ul.links { margin: 0.4rem 0 0; padding-left: 1.25rem; font-size: 0.9rem; }
ul.links .muted { overflow-wrap: anywhere; }
.notes > li { border-left: 3px solid var(--line); padding: 0.1rem 0 0.1rem 0.75rem;
  margin-bottom: 0.9rem; overflow-wrap: anywhere; min-width: 0; }
.notes .about { font-weight: 600; }
.notes p { margin: 0.2rem 0 0; }
.notes ul, .notes ol { margin: 0.3rem 0 0; padding-left: 1.5rem; }
.notes blockquote { margin: 0.4rem 0 0; padding-left: 0.75rem; border-left: 3px solid var(--line);
  color: var(--muted); }
.notes code { font: 0.875em/1.4 ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace;
  background: var(--code); border-radius: 0.25rem; padding: 0.1em 0.3em; }
.notes pre { background: var(--code); border-radius: 0.4rem; padding: 0.6rem 0.75rem;
  margin: 0.4rem 0 0; white-space: pre-wrap; overflow-wrap: anywhere; }
.notes pre code { background: none; padding: 0; }
.notes table { border-collapse: collapse; margin: 0.4rem 0 0; display: block; overflow-x: auto; }
.notes th, .notes td { border: 1px solid var(--line); padding: 0.2rem 0.5rem; }
.notes h1, .notes h2, .notes h3, .notes h4, .notes h5, .notes h6 { font-size: 1rem;
  margin: 0.5rem 0 0; border: 0; padding: 0; }
.notes hr { border: 0; border-top: 1px solid var(--line); }
footer { margin-top: 2.5rem; font-size: 0.85rem; color: var(--muted); }
"""

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'"

#: What rel every link carries: the page tells no one where it was read, and vouches for none.
REL = "noopener noreferrer nofollow"


def _e(value: object) -> str:
    """The learner's text as HTML text or an attribute value: escaped, controls visible."""
    return html.escape(visible(str(value)), quote=True)


def _t(value: object) -> str:
    """The learner's text as HTML text: `_e`, and no date in it broken across lines."""
    return _nowrap_dates(_e(value))


def page_link(url: str) -> bool:
    """The page's link rule: an absolute http(s) URL with a host, as `link` takes.

    Narrower than the post's (no mailto:): a page is read by anyone it is sent to.
    """
    return web_link_problem(url) is None


def _href(url: str | None, label: str) -> str:
    """A link for an http(s) URL; anything else is shown, not followed."""
    if not url:
        return ""
    if page_link(url):
        return f'<a href="{_e(url)}" rel="{REL}">{_t(label)}</a>'
    return f"{_t(label)}: <span class=muted>{_e(url)}</span>"


_DATE = re.compile(r"(?<![\w-])(\d{4}-\d{2}-\d{2})(?![\w-])")
_TAG = re.compile(r"(<[^>]*>)")


def _nowrap_dates(markup: str) -> str:
    """`markup` (HTML) with each ISO date in its text kept on one line.

    A browser may break a line after a hyphen ("goal 2027-01-" / "31"); a date
    in a `nowrap` span is one run. Only text is touched, never a tag or an
    attribute (escaped text holds no `<`, so every `<...>` is a tag).
    """
    if not _DATE.search(markup):
        return markup
    parts = _TAG.split(markup)
    for i in range(0, len(parts), 2):  # the text between tags
        parts[i] = _DATE.sub(r'<span class="date">\1</span>', parts[i])
    return "".join(parts)


def _date(day: dt.date) -> str:
    """A date the page prints: a `<time>`, which never breaks across lines."""
    return f'<time datetime="{day.isoformat()}">{day.isoformat()}</time>'


def _bar(percent: float, label: str) -> str:
    width = whole_percent(percent)
    return (
        f'<div class="bar" role="img" aria-label="{_e(label)}: {width}%">'
        f'<span style="width: {width}%"></span></div>'
    )


def _facts(facts: list[str]) -> str:
    """Facts joined by a dot; each one ("goal 2027-01-31") kept on one line."""
    return " · ".join(f'<span class="fact">{fact}</span>' for fact in facts)


# --- notes -------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _markdown() -> Any:
    """markdown-it as the post's readers see a note (CommonMark, tables, strikethrough),
    with raw HTML off, `page_link` as its link rule, images shown as links to them,
    and every link carrying `REL`."""
    from markdown_it import MarkdownIt

    md: Any = MarkdownIt("commonmark", {"html": False, "xhtmlOut": False})
    md.enable(["table", "strikethrough"])
    md.validateLink = page_link

    def link_open(self, tokens, idx, options, env) -> str:
        tokens[idx].attrSet("rel", REL)
        return self.renderToken(tokens, idx, options, env)

    def image(self, tokens, idx, options, env) -> str:
        token = tokens[idx]
        src = str(token.attrGet("src") or "")
        alt = self.renderInlineAsText(token.children or [], options, env) or src
        if not page_link(src):
            return html.escape(alt)
        return f'<a href="{html.escape(src)}" rel="{REL}">{html.escape(alt)}</a>'

    md.add_render_rule("link_open", link_open)
    md.add_render_rule("image", image)
    return md


def note_html(text: str) -> str:
    """A note as HTML: neutralised as in the post, then rendered (see the module's doc)."""
    from coursetrack.markdown_notes import neutralise

    source = neutralise(text.strip("\n"), page_link)
    return _nowrap_dates(_markdown().render(source).strip("\n"))


# --- links -------------------------------------------------------------------------


def _link_label(title: str | None, url: str) -> str:
    """A link's title, or its host when it has none (the whole URL says little more)."""
    if title and title.strip():
        return title
    try:
        host = urlsplit(url).hostname
    except ValueError:
        host = None
    return host or url


def _links(links: list[tuple[Link, str | None]]) -> str:
    """The learner's links as a list: each (link, what it is on, when not the card's own)."""
    if not links:
        return ""
    items = []
    for (title, url), on in links:
        item = _href(url, _link_label(title, url))
        if on:
            item += f' <span class="muted">· {_t(on)}</span>'
        items.append(f"<li>{item}</li>")
    return '<ul class="links">' + "".join(items) + "</ul>"


# --- the page ----------------------------------------------------------------------


def _course(course: CourseEntry) -> str:
    unit = "topics" if course.topics else "unit"
    meta = [f"{course.units_done} of {course.units_total} {unit}"]
    if course.started_on:
        meta.append(f"started {_date(course.started_on)}")
    if course.completed_on:
        meta.append(f"completed {_date(course.completed_on)}")
    elif course.status == Status.TODO:
        meta.append("not started")
    title = _t(course.title)
    if course.url and page_link(course.url):
        title = f'<a href="{_e(course.url)}" rel="{REL}">{title}</a>'
    parts = [
        '<li class="course">',
        '<div class="head">',
        f'<span class="n">{course.position}.</span>',
        f"<h3>{title}</h3>",
        f'<span class="pct">{whole_percent(course.percent)}%</span>',
        "</div>",
        _bar(course.percent, course.title),
        f'<p class="meta">{_facts(meta)}</p>',
    ]
    if course.certificate_url:
        parts.append(f'<p class="meta">{_href(course.certificate_url, "Certificate")}</p>')
    links: list[tuple[Link, str | None]] = [(link, None) for link in course.links]
    links += [(link, topic.title) for topic in course.topics for link in topic.links]
    if links:
        parts.append(_links(links))
    parts.append("</li>")
    return "\n".join(parts)


def render_page(data: PageData, svg: str) -> str:
    """The whole HTML document; `svg` is the burn-up from `chart_svg.page_svg`."""
    post = data.post
    pct = whole_percent(post.percent)
    courses_total = len(post.courses)
    facts = [
        f"{post.units_done} of {post.units_total} units",
        f"{post.courses_done} of {courses_total} course{'s' if courses_total != 1 else ''} done",
    ]
    if post.started_on:
        facts.append(f"started {_date(post.started_on)}")
    if post.completed_on:
        facts.append(f"completed {_date(post.completed_on)}")
    elif data.chart.goal_on:
        facts.append(f"goal {_date(data.chart.goal_on)}")
    head = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="color-scheme" content="light dark">',
        '<meta name="generator" content="coursetrack">',
        f"<title>{_e(post.title)}: progress</title>",
        f"<style>{STYLE}</style>",
        "</head>",
        "<body>",
        "<main>",
        "<header>",
    ]
    if post.provider:
        head.append(f'<p class="provider">{_t(post.provider)}</p>')
    head.append(f"<h1>{_t(post.title)}</h1>")
    if post.description:
        head.append(f'<p class="muted">{_t(post.description)}</p>')
    head += [
        '<div class="summary">',
        f'<span class="figure">{pct}%</span><span class="meta">{_facts(facts)}</span>',
        _bar(post.percent, post.title),
        "</div>",
    ]
    if post.certificate_url:
        head.append(f"<p>{_href(post.certificate_url, 'Certificate')}</p>")
    if post.url:
        head.append(f'<p class="meta">{_href(post.url, "Program page")}</p>')
    if post.links:
        head.append(_links([(link, None) for link in post.links]))
    head.append("</header>")
    body = [
        '<section aria-labelledby="chart">',
        '<h2 id="chart">Week by week</h2>',
        "<figure>",
        svg,
        "<figcaption>Bars: units done each week. Green line: units done in all. "
        "Dashed line: the goal. Dotted line: today.</figcaption>",
        "</figure>",
        "</section>",
        '<section aria-labelledby="courses">',
        f'<h2 id="courses">Courses ({courses_total})</h2>',
        '<ol class="courses">',
        *(_course(course) for course in post.courses),
        "</ol>",
        "</section>",
    ]
    if data.notes:
        body += [
            '<section aria-labelledby="notes">',
            f'<h2 id="notes">Notes ({len(data.notes)})</h2>',
            '<ul class="notes">',
        ]
        for note in data.notes:
            body.append(
                f"<li>{_date(note.written_on)} · "
                f'<span class="about">{_t(note.about)}</span>{note_html(note.text)}</li>'
            )
        body += ["</ul>", "</section>"]
    body += [
        f"<footer>Progress as of {_date(data.chart.today)}, kept with coursetrack.</footer>",
        "</main>",
        "</body>",
        "</html>",
        "",
    ]
    return "\n".join(head + body)
