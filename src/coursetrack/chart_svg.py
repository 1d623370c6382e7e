"""The burn-up as an SVG picture, drawn by matplotlib from `services.chart`'s series.

matplotlib is imported here and nowhere else, and only when a picture is asked
for (`export markdown --chart`, `export html`): it costs about half a second,
which no other command should pay. The pyplot state machine and GUI backends
are never loaded; a bare `Figure` is saved with the SVG backend.

Text stays text (`svg.fonttype: none`), so the title is searchable and the page
can be read by a screen reader; matplotlib's XML writer escapes it, and the
title is drawn with `parse_math=False`, so a `$` in it is not TeX. The output
is the same bytes for the same store: no creation date, fixed element ids.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from typing import TYPE_CHECKING

from coursetrack.controls import visible

if TYPE_CHECKING:
    from coursetrack.services.chart import Burnup

DONE_WEEK = "#74a9cf"
DONE_TOTAL = "#2f9e44"
GOAL = "#c2255c"
TODAY = "#e8590c"
#: The page's picture, in inches, and its type in points: it is drawn 340 px wide on a
#: 390 px phone (its 11 pt text about 9 px high) and at most 608 px on a desktop.
_PAGE_SIZE = (6.0, 3.9)
_PAGE_FONT = 11


def title_of(chart: Burnup) -> str:
    from coursetrack.services.overview import whole_percent

    return (
        f"{visible(' '.join(chart.title.split()))}: "
        f"{chart.units_done} of {chart.units_total} units ({whole_percent(chart.percent)}%)"
    )


#: The page's chart draws its ink in these stand-in colours, then each becomes the page's
#: CSS variable (`page_svg`): the picture takes the page's light or dark colours.
_PAGE_INK = {"#0c0b01": "var(--fg)", "#0c0b02": "var(--line)", "#0c0b03": "var(--muted)"}
INK, GRID, MUTED = _PAGE_INK
#: Where matplotlib writes colours: a style attribute (never the learner's text).
_STYLE_ATTRIBUTE = re.compile(r'style="[^"]*"')


def _page_colours(style: str) -> str:
    for stand_in, variable in _PAGE_INK.items():
        style = style.replace(stand_in, variable)
    return style


def burnup_svg(chart: Burnup) -> str:
    """The whole SVG document: weekly bars, running total, goal line, today, dated axes."""
    return _burnup_svg(chart, page=False)


def page_svg(chart: Burnup) -> str:
    """The burn-up for `export html`: the `<svg>` element alone, scaled by the page.

    Narrower than the post's (it must read on a 390 px phone as on a desktop), its
    title wrapped to the picture's width and marked `chart-title`, no background,
    and its text, axes and grid drawn in the page's colours (CSS variables, so the
    picture follows `prefers-color-scheme`). Its width and height attributes go:
    the page's CSS sizes it, and the viewBox keeps its shape.
    """
    svg = _burnup_svg(chart, page=True)
    start = svg.find("<svg")
    svg = svg[start:].strip() if start >= 0 else ""
    svg = _STYLE_ATTRIBUTE.sub(lambda found: _page_colours(found.group()), svg)
    return re.sub(r'^<svg ([^>]*?)width="[^"]*" height="[^"]*" ', r"<svg \1", svg, count=1)


def _burnup_svg(chart: Burnup, *, page: bool) -> str:
    import matplotlib
    import matplotlib.dates as mdates
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    style: dict = {
        "svg.fonttype": "none",
        "svg.hashsalt": "coursetrack",
        "font.family": "sans-serif",
        "font.sans-serif": ["DejaVu Sans"],
        "font.size": 10,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }
    if page:
        style.update(
            {
                "text.color": INK,
                "axes.edgecolor": INK,
                "axes.labelcolor": INK,
                "xtick.color": INK,
                "ytick.color": INK,
                "legend.labelcolor": INK,
                "font.size": _PAGE_FONT,
            }
        )
    title = title_of(chart)
    if page:
        title = _wrapped(title, size=_PAGE_FONT, width=_PAGE_SIZE[0] * 72 * 0.88)
    # written in the call, so that its keys are checked against matplotlib's names
    with matplotlib.rc_context(style):
        fig = Figure(figsize=_PAGE_SIZE if page else (8, 4.2), layout="constrained")
        ax = fig.add_subplot()
        if page:  # across the whole picture, not only above the axes
            heading = fig.suptitle(title, x=0.02, ha="left", fontweight="bold", parse_math=False)
            heading.set_gid("chart-title")
            heading.set_fontsize(_PAGE_FONT)
        else:
            ax.set_title(title, loc="left", fontweight="bold", parse_math=False)
        ax.set_ylabel("Units done")
        ax.set_ylim(0, max(chart.units_total, 1) * 1.08)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.axhline(
            chart.units_total, color=MUTED if page else "#adb5bd", linewidth=1, linestyle=":"
        )
        if chart.weeks:
            _draw(ax, chart)
            locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
            ax.xaxis.set_major_locator(locator)
            ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
            ax.legend(loc="upper left", frameon=False, fontsize=_PAGE_FONT - 1 if page else 9)
        else:
            ax.set_xticks([])
            ax.text(
                0.5,
                0.5,
                "No activity yet: the chart starts with the first unit started or done.",
                transform=ax.transAxes,
                ha="center",
                color=MUTED if page else "#495057",
                wrap=page,
            )
        ax.grid(axis="y", color=GRID if page else "#e9ecef", linewidth=0.8)
        ax.set_axisbelow(True)
        if page:
            ax.set_facecolor("none")
        out = io.StringIO()
        background = "none" if page else "white"
        fig.savefig(out, format="svg", metadata={"Date": None}, facecolor=background)
    return out.getvalue()


def _wrapped(text: str, *, size: float, width: float) -> str:
    """`text` in lines no wider than `width` points in bold DejaVu Sans at `size` points.

    Measured by matplotlib's own font metrics, with room to spare (the caller's
    `width`), as a browser without DejaVu Sans draws the title in another sans-serif;
    a word wider than a line is cut where it must be.
    """
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import text_to_path

    font = FontProperties(family="DejaVu Sans", weight="bold", size=size)

    def fits(line: str) -> bool:
        return text_to_path.get_text_width_height_descent(line, font, ismath=False)[0] <= width

    lines: list[str] = []
    line = ""
    for word in text.split():
        while not fits(word):  # a word wider than a line: as much of it as fits
            cut = next(i for i in range(len(word) - 1, 0, -1) if fits(word[:i]))
            if line:
                lines.append(line)
                line = ""
            lines.append(word[:cut])
            word = word[cut:]
        candidate = f"{line} {word}" if line else word
        if fits(candidate):
            line = candidate
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return "\n".join(lines)


def _draw(ax, chart: Burnup) -> None:
    """The series; each artist carries an id (`gid`) naming what it shows, for tests and CSS."""
    weeks = chart.weeks
    bars = ax.bar(
        [w.week_of + dt.timedelta(days=3) for w in weeks],
        [w.done for w in weeks],
        width=5.5,
        color=DONE_WEEK,
        label="Done that week",
    )
    for week, rect in zip(weeks, bars, strict=True):
        rect.set_gid(f"week-{week.week_of.isoformat()}-done-{week.done}")
    days = [w.ends_on for w in weeks]
    totals = [w.done_total for w in weeks]
    if chart.started_on is not None and chart.started_on < days[0]:
        first = weeks[0]
        days.insert(0, chart.started_on)
        totals.insert(0, first.done_total - first.done)
    ax.plot(
        days,
        totals,
        color=DONE_TOTAL,
        linewidth=2.2,
        marker="o",
        markersize=3.5,
        label="Done in all",
        gid="done-in-all",
    )
    left, right = weeks[0].week_of, days[-1]
    if chart.goal_on is not None and chart.started_on is not None:
        # a goal that passed before the first activity is a point, not a line running back
        start = min(chart.started_on, chart.goal_on)
        ax.plot(
            [start, chart.goal_on],
            [0 if start < chart.goal_on else chart.units_total, chart.units_total],
            marker="D" if start == chart.goal_on else "",
            color=GOAL,
            linewidth=1.6,
            linestyle="--",
            label=f"Goal: all units by {chart.goal_on.isoformat()}",
            gid="goal-line",
        )
        left, right = min(left, chart.goal_on), max(right, chart.goal_on)
    if weeks[0].week_of <= chart.today <= right + dt.timedelta(days=7):
        ax.axvline(
            chart.today, color=TODAY, linewidth=1.2, linestyle=":", label="Today", gid="today"
        )
        right = max(right, chart.today)
    ax.set_xlim(left - dt.timedelta(days=1), right + dt.timedelta(days=4))


def file_name(slug: str) -> str:
    return f"{slug}-progress.svg"


def place(post: Path, fmt: str, slug: str) -> tuple[Path, str]:
    """Where the chart of a post at `post` goes, and the link the post gives it.

    Beside the post, linked by its bare name: in a Hugo page bundle
    (content/posts/dls/index.md) Hugo publishes it with the page, and the
    relative link resolves. Jekyll publishes nothing from `_posts`, so for a
    post there the chart goes to the site's `assets/` folder, linked through
    `relative_url` so a site with a baseurl still finds it.
    """
    name = file_name(slug)
    if fmt == "jekyll" and post.parent.name == "_posts":
        return post.parent.parent / "assets" / name, f"{{{{ '/assets/{name}' | relative_url }}}}"
    return post.parent / name, name
