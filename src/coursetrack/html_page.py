"""One self-contained HTML page to share a specialization's progress.

The page fetches nothing: its style is inline, the chart is inline SVG, there
is no script, no web font and no image by URL; its Content-Security-Policy
says so to the browser too (`default-src 'none'`), so even a mistake here
could not load or run anything. Every piece of the learner's text goes through
`_e` (HTML-escaped, control characters made visible), and only http(s) URLs
become links: a `javascript:` certificate URL is shown as text, never followed.

Percentages are `status`'s, read the way its tables print them (rounded down).
"""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING

from coursetrack.controls import visible
from coursetrack.services.overview import whole_percent

if TYPE_CHECKING:
    from coursetrack.services.export import CourseEntry
    from coursetrack.services.page import PageData

STYLE = """
:root { color-scheme: light dark; --fg: #1f2328; --muted: #59636e; --bg: #ffffff;
  --card: #f6f8fa; --line: #d1d9e0; --bar: #e6eaef; --done: #2f9e44; --link: #0969da; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e6edf3; --muted: #9198a1; --bg: #0d1117; --card: #151b23;
    --line: #3d444d; --bar: #2a313c; --done: #3fb950; --link: #4493f8; }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); line-height: 1.5;
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", sans-serif; }
main { max-width: 52rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
h1 { font-size: 1.75rem; line-height: 1.25; margin: 0.2rem 0 0.5rem; overflow-wrap: anywhere; }
h2 { font-size: 1.2rem; margin: 2rem 0 0.75rem; border-bottom: 1px solid var(--line);
  padding-bottom: 0.3rem; }
h3 { font-size: 1rem; margin: 0; overflow-wrap: anywhere; flex: 1; }
a { color: var(--link); overflow-wrap: anywhere; }
.muted, .provider, .meta, time { color: var(--muted); }
.provider { margin: 0; font-size: 0.9rem; text-transform: uppercase; letter-spacing: 0.04em; }
.bar { height: 0.6rem; background: var(--bar); border-radius: 0.3rem; overflow: hidden; }
.bar > span { display: block; height: 100%; background: var(--done); }
.summary { background: var(--card); border: 1px solid var(--line); border-radius: 0.5rem;
  padding: 0.9rem 1rem; margin: 1rem 0; }
.summary .figure { font-size: 1.6rem; font-weight: 700; margin-right: 0.5rem; }
.summary .bar { height: 0.9rem; margin-top: 0.5rem; }
figure { margin: 0; background: #ffffff; border: 1px solid var(--line); border-radius: 0.5rem;
  padding: 0.5rem; }
figure .scroll { overflow-x: auto; }
figure svg { display: block; width: 100%; min-width: 32rem; height: auto; }
figcaption { color: #59636e; font-size: 0.85rem; padding: 0.25rem 0.5rem 0; }
ol.courses, ul.notes { list-style: none; padding: 0; margin: 0; }
.course { border: 1px solid var(--line); border-radius: 0.5rem; padding: 0.75rem 1rem;
  margin-bottom: 0.75rem; background: var(--card); }
.course .head { display: flex; gap: 0.75rem; align-items: baseline; margin-bottom: 0.4rem; }
.course .n { color: var(--muted); font-variant-numeric: tabular-nums; }
.course .pct { font-weight: 700; font-variant-numeric: tabular-nums; }
.meta { font-size: 0.9rem; margin: 0.4rem 0 0; }
.notes li { border-left: 3px solid var(--line); padding: 0.1rem 0 0.1rem 0.75rem;
  margin-bottom: 0.9rem; }
.notes .about { font-weight: 600; overflow-wrap: anywhere; }
.notes p { margin: 0.2rem 0 0; white-space: pre-wrap; overflow-wrap: anywhere; }
footer { margin-top: 2.5rem; font-size: 0.85rem; color: var(--muted); }
"""

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'"


def _e(value: object) -> str:
    """The learner's text as HTML text or an attribute value: escaped, controls visible."""
    return html.escape(visible(str(value)), quote=True)


def _href(url: str | None, label: str) -> str:
    """A link for an http(s) URL; anything else is shown, not followed."""
    if not url:
        return ""
    if re.match(r"https?://", url, re.IGNORECASE):
        return f'<a href="{_e(url)}" rel="noopener noreferrer">{_e(label)}</a>'
    return f"{_e(label)}: <span class=muted>{_e(url)}</span>"


def _bar(percent: float, label: str) -> str:
    width = whole_percent(percent)
    return (
        f'<div class="bar" role="img" aria-label="{_e(label)}: {width}%">'
        f'<span style="width: {width}%"></span></div>'
    )


def _inline_svg(svg: str) -> str:
    """The SVG element alone: an XML declaration or DOCTYPE has no place inside HTML."""
    start = svg.find("<svg")
    return svg[start:].strip() if start >= 0 else ""


def _course(course: CourseEntry) -> str:
    unit = "topics" if course.topics else "unit"
    meta = [f"{course.units_done} of {course.units_total} {unit}"]
    if course.started_on:
        meta.append(f"started {course.started_on.isoformat()}")
    if course.completed_on:
        meta.append(f"completed {course.completed_on.isoformat()}")
    elif course.status == "todo":
        meta.append("not started")
    parts = [
        '<li class="course">',
        '<div class="head">',
        f'<span class="n">{course.position}.</span>',
        f"<h3>{_e(course.title)}</h3>",
        f'<span class="pct">{whole_percent(course.percent)}%</span>',
        "</div>",
        _bar(course.percent, course.title),
        f'<p class="meta">{" · ".join(meta)}</p>',
    ]
    if course.certificate_url:
        parts.append(f'<p class="meta">{_href(course.certificate_url, "Certificate")}</p>')
    parts.append("</li>")
    return "\n".join(parts)


def render_page(data: PageData, svg: str) -> str:
    """The whole HTML document; `svg` is the burn-up from `chart_svg.burnup_svg`."""
    post = data.post
    pct = whole_percent(post.percent)
    courses_total = len(post.courses)
    facts = [
        f"{post.units_done} of {post.units_total} units",
        f"{post.courses_done} of {courses_total} course{'s' if courses_total != 1 else ''} done",
    ]
    if post.started_on:
        facts.append(f"started {post.started_on.isoformat()}")
    if post.completed_on:
        facts.append(f"completed {post.completed_on.isoformat()}")
    elif data.chart.goal_on:
        facts.append(f"goal {data.chart.goal_on.isoformat()}")
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
        head.append(f'<p class="provider">{_e(post.provider)}</p>')
    head.append(f"<h1>{_e(post.title)}</h1>")
    if post.description:
        head.append(f'<p class="muted">{_e(post.description)}</p>')
    head += [
        '<div class="summary">',
        f'<span class="figure">{pct}%</span><span class="meta">{" · ".join(facts)}</span>',
        _bar(post.percent, post.title),
        "</div>",
    ]
    if post.certificate_url:
        head.append(f"<p>{_href(post.certificate_url, 'Certificate')}</p>")
    if post.url:
        head.append(f'<p class="meta">{_href(post.url, "Program page")}</p>')
    head.append("</header>")
    body = [
        '<section aria-labelledby="chart">',
        '<h2 id="chart">Week by week</h2>',
        "<figure>",
        '<div class="scroll">',
        _inline_svg(svg),
        "</div>",
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
            day = note.written_on.isoformat()
            body.append(
                f'<li><time datetime="{day}">{day}</time> · '
                f'<span class="about">{_e(note.about)}</span><p>{_e(note.text)}</p></li>'
            )
        body += ["</ul>", "</section>"]
    body += [
        f"<footer>Progress as of {data.chart.today.isoformat()}, kept with coursetrack.</footer>",
        "</main>",
        "</body>",
        "</html>",
        "",
    ]
    return "\n".join(head + body)
