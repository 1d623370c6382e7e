"""`coursetrack status`: every specialization, one of them, a course, a topic."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import RenderableType
from rich.text import Text

from coursetrack.render.cells import _date, _pct, _status, bar
from coursetrack.render.console import _text, safe, stdout
from coursetrack.render.layout import (
    _command_hint,
    _fields,
    _heading,
    _peer_lines,
    _print_lines,
)
from coursetrack.render.tables import Column, _emit, fitted_table
from coursetrack.vocabulary import Status

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
        _print_lines(console, _peer_lines(overview.peer, console.width))
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
        rows.append(
            [
                _text(spec.slug),
                _text(spec.title),
                f"{spec.courses_done}/{spec.courses_total}",
                f"{spec.units_done}/{spec.units_total}",
                bar(spec.units_done, spec.units_total),
                _pct(spec.percent),
            ]
        )
    # The activity line sits under the title and runs on to the table's edge, on one
    # line: in the title's cell it wrapped over three lines at 60 columns.
    activity = [Text(_activity(spec), style="dim") for spec in overview.specializations]
    _emit(
        console,
        fitted_table(columns, rows, width=console.width, under=activity, under_column=1),
    )
    _print_lines(console, _peer_lines(overview.peer, console.width))


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
    figures = Text(f"{report.units_done}/{report.units_total} units, {_pct(report.percent)}")
    completed = None
    if report.completed_on:
        completed = Text(f", completed {_date(report.completed_on)}", style="green")
    heading = _heading(
        _text(report.title, "bold"),
        [_text(report.ref, "cyan"), _text(report.short_ref, "cyan")],
        figures,
        console.width,
        extra=completed,
    )
    # When an item in progress began is what a learner looks for: its column stays
    started = any(item.status == Status.IN_PROGRESS and item.started_on for item in report.items)
    columns = [
        Column("#", justify="right"),
        Column("Course" if report.kind == "specialization" else "Topic", title=True),
        Column("Status"),
        Column("Units", justify="right"),
        Column("Progress"),
        Column("Started", drop=2, keep=started),
        Column("Completed", drop=1),
    ]

    def rows(with_bar: bool) -> list[list[RenderableType]]:
        return [
            [
                str(item.position),
                _text(item.title),
                _status(item.status),
                f"{item.units_done}/{item.units_total}",
                bar(item.units_done, item.units_total, width=6) + Text(f" {_pct(item.percent):>4}")
                if with_bar
                else Text(f"{_pct(item.percent):>4}"),
                _date(item.started_on),
                _date(item.completed_on),
            ]
            for item in report.items
        ]

    table = fitted_table(columns, rows(with_bar=True), width=console.width)
    if started and "Started" not in [col.header for col in table.columns]:
        # too narrow for the bar and the start: the percent alone says as much as the bar
        table = fitted_table(columns, rows(with_bar=False), width=console.width)
    _emit(console, heading, table)
    if not report.items:
        noun = "courses" if report.kind == "specialization" else "topics"
        _emit(console, Text(f"No {noun} yet.", style="dim"))
    if report.certificate_url:
        _print_lines(console, [_text(f"Certificate: {report.certificate_url}")])
    if report.reviews_due:
        topics = "1 topic" if report.reviews_due == 1 else f"{report.reviews_due} topics"
        commands = [f"coursetrack review {safe(ref)}" for ref in (report.ref, report.short_ref)]
        lines = _command_hint(f"Due for review: {topics}; see {{}}", commands, console.width)
        _print_lines(console, [Text(line.plain, style="yellow") for line in lines])
    _print_lines(console, _peer_lines(report.peer, console.width))


def item_table(item: ItemProgress, ref: str, short_ref: str | None = None) -> None:
    """`coursetrack status SPEC/COURSE/TOPIC`: one topic; its ref by positions
    (`short_ref`) where the slugs do not fit."""
    console = stdout()
    label = len("Completed") + 2
    if short_ref and len(safe(ref)) + label > console.width:
        ref = short_ref
    rows: list[tuple[str, Text | str, str]] = [
        ("Topic", _text(item.title), "cut"),
        ("Ref", _text(ref, "cyan"), "whole"),
        ("Status", _status(item.status), "cut"),
        ("Started", _date(item.started_on), "cut"),
        ("Completed", _date(item.completed_on), "cut"),
    ]
    _print_lines(console, _fields(rows, console.width))
