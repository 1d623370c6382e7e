"""`coursetrack status`: every specialization, one of them, a course, a topic."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.text import Text

from coursetrack.render.cells import _date, _pct, _status, bar
from coursetrack.render.console import _text, safe, stdout
from coursetrack.render.layout import _fields, _one_line, _print_lines
from coursetrack.render.tables import Column, _emit, fitted_table

if TYPE_CHECKING:  # the views' types, free at start-up
    from coursetrack.services.overview import ItemProgress, Overview, Report, SpecializationSummary


def overview_table(overview: Overview) -> None:
    """`coursetrack status`: one row per specialization."""
    console = stdout()
    if not overview.specializations:
        _emit(
            console,
            Text(
                "No specializations yet. Track the Deep Learning Specialization with:\n"
                "  coursetrack import deep-learning-specialization"
            ),
        )
        return
    columns = [
        Column("Slug", style="cyan"),
        Column("Specialization", title=True),
        Column("Courses", justify="right"),
        Column("Units", justify="right"),
        Column("Progress"),
        Column("%", justify="right"),
    ]
    rows: list[list[RenderableType]] = []
    for spec in overview.specializations:
        # The activity line may wrap between words (it holds a date, never cut);
        # the title above it stays on one row.
        activity = Text(_activity(spec), style="dim", no_wrap=False, overflow="fold")
        rows.append(
            [
                _text(spec.slug),
                Group(_text(spec.title), activity),
                f"{spec.courses_done}/{spec.courses_total}",
                f"{spec.units_done}/{spec.units_total}",
                bar(spec.units_done, spec.units_total),
                _pct(spec.percent),
            ]
        )
    _emit(console, fitted_table(columns, rows, width=console.width))


def _activity(spec: SpecializationSummary) -> str:
    """The overview's second line: when the learner last did anything, and their streak."""
    if spec.last_activity_on is None:
        return "no activity yet"
    weeks = "1 week" if spec.streak_weeks == 1 else f"{spec.streak_weeks} weeks"
    streak = f"streak {weeks}" if spec.streak_weeks else "no streak"
    return f"last active {_date(spec.last_activity_on)} · {streak}"


def report_table(report: Report) -> None:
    """`coursetrack status SPEC` (courses) or `status SPEC/COURSE` (topics)."""
    console = stdout()
    heading = _text(report.title, "bold")
    heading.append(f"  {safe(report.ref)}  ", style="cyan")
    heading.append(f"{report.units_done}/{report.units_total} units, {_pct(report.percent)}")
    if report.completed_on:
        heading.append(f", completed {_date(report.completed_on)}", style="green")
    columns = [
        Column("#", justify="right"),
        Column("Course" if report.kind == "specialization" else "Topic", title=True),
        Column("Status"),
        Column("Units", justify="right"),
        Column("Progress"),
        Column("Started", drop=2),
        Column("Completed", drop=1),
    ]
    rows: list[list[RenderableType]] = [
        [
            str(item.position),
            _text(item.title),
            _status(item.status),
            f"{item.units_done}/{item.units_total}",
            bar(item.units_done, item.units_total, width=6) + Text(f" {_pct(item.percent):>4}"),
            _date(item.started_on),
            _date(item.completed_on),
        ]
        for item in report.items
    ]
    _emit(
        console,
        _one_line(heading, console.width),
        fitted_table(columns, rows, width=console.width),
    )
    if not report.items:
        noun = "courses" if report.kind == "specialization" else "topics"
        _emit(console, Text(f"No {noun} yet.", style="dim"))
    if report.certificate_url:
        _print_lines(console, [_text(f"Certificate: {report.certificate_url}")])
    if report.reviews_due:
        topics = "1 topic" if report.reviews_due == 1 else f"{report.reviews_due} topics"
        _emit(
            console,
            _text(f"Due for review: {topics}; see coursetrack review {report.ref}", "yellow"),
        )


def item_table(item: ItemProgress, ref: str) -> None:
    """`coursetrack status SPEC/COURSE/TOPIC`: one topic."""
    console = stdout()
    rows: list[tuple[str, Text | str, str]] = [
        ("Topic", _text(item.title), "cut"),
        ("Ref", _text(ref, "cyan"), "whole"),
        ("Status", _status(item.status), "cut"),
        ("Started", _date(item.started_on), "cut"),
        ("Completed", _date(item.completed_on), "cut"),
    ]
    _print_lines(console, _fields(rows, console.width))
