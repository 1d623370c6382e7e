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
from pathlib import Path
from typing import TYPE_CHECKING

from coursetrack.controls import visible

if TYPE_CHECKING:
    from coursetrack.services.chart import Burnup

DONE_WEEK = "#74a9cf"
DONE_TOTAL = "#2f9e44"
GOAL = "#c2255c"
TODAY = "#e8590c"


def title_of(chart: Burnup) -> str:
    from coursetrack.services.overview import whole_percent

    return (
        f"{visible(' '.join(chart.title.split()))}: "
        f"{chart.units_done} of {chart.units_total} units ({whole_percent(chart.percent)}%)"
    )


def burnup_svg(chart: Burnup) -> str:
    """The whole SVG document: weekly bars, running total, goal line, today, dated axes."""
    import matplotlib
    import matplotlib.dates as mdates
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    # written in the call, so that its keys are checked against matplotlib's names
    with matplotlib.rc_context(
        {
            "svg.fonttype": "none",
            "svg.hashsalt": "coursetrack",
            "font.family": "sans-serif",
            "font.sans-serif": ["DejaVu Sans"],
            "font.size": 10,
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    ):
        fig = Figure(figsize=(8, 4.2), layout="constrained")
        ax = fig.add_subplot()
        ax.set_title(title_of(chart), loc="left", fontweight="bold", parse_math=False)
        ax.set_ylabel("Units done")
        ax.set_ylim(0, max(chart.units_total, 1) * 1.08)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.axhline(chart.units_total, color="#adb5bd", linewidth=1, linestyle=":")
        if chart.weeks:
            _draw(ax, chart)
            locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
            ax.xaxis.set_major_locator(locator)
            ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
            ax.legend(loc="upper left", frameon=False, fontsize=9)
        else:
            ax.set_xticks([])
            ax.text(
                0.5,
                0.5,
                "No activity yet: the chart starts with the first unit started or done.",
                transform=ax.transAxes,
                ha="center",
                color="#495057",
            )
        ax.grid(axis="y", color="#e9ecef", linewidth=0.8)
        ax.set_axisbelow(True)
        out = io.StringIO()
        fig.savefig(out, format="svg", metadata={"Date": None}, facecolor="white")
    return out.getvalue()


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
